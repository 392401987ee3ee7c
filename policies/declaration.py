"""The customer's declaration, said once: for each point, its clause, what the customer states, what the
warehouse checks, and the kind of claim it applies to (R2–R4 for returns, W4–W5 for warranty).

The portal's and the back office's forms, the warehouse checklist, the emails and the services read
this table; the claim's ``declared_<name>`` columns and the inspection's columns are named here.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise

# The kinds of claim (the values of ``claims.lifecycle.ClaimKind``, which depends on this package).
RETURN = "return"
WARRANTY = "warranty"


@dataclass(frozen=True)
class Declaration:
    """What the customer states about the item (R2–R4 for returns, W4–W5 for warranty)."""

    intact_unused_packaged: bool = False  # R2
    no_user_damage: bool = False  # R3
    all_accessories_included: bool = False  # R4
    not_dropped_or_mishandled: bool = False  # W4
    no_third_party_repair: bool = False  # W5


@dataclass(frozen=True)
class DeclarationPoint:
    clause: str
    # The ``Declaration`` attribute, the forms' field name; the claim's column is ``declared_<name>``.
    name: str
    kind: str
    # What the customer states, in the customer's words (the portal's tick box).
    statement: StrPromise
    # The statement in short, for staff and for emails ("intact, unused, in its original packaging").
    summary: StrPromise
    # What the warehouse checks: ticked when it holds, so a tick always means "as declared".
    check: StrPromise
    # The inspection's column, and whether its value is true when the check holds.
    finding_column: str
    finding_true_when_holds: bool = True

    @property
    def declared_column(self) -> str:
        return f"declared_{self.name}"

    @property
    def check_field(self) -> str:
        """The warehouse form's tick box for this point."""
        return f"found_{self.name}"

    def holds(self, finding: bool) -> bool:
        """Whether the inspection column's value means the check holds."""
        return finding == self.finding_true_when_holds

    def finding(self, holds: bool) -> bool:
        """The inspection column's value for a check that holds (or not)."""
        return holds == self.finding_true_when_holds


DECLARATION_POINTS: tuple[DeclarationPoint, ...] = (
    DeclarationPoint(
        clause="R2",
        name="intact_unused_packaged",
        kind=RETURN,
        statement=_("The item is intact, unused and in its original packaging (R2)."),
        summary=_("intact, unused and in its original packaging"),
        check=_("Intact, unused, in its original packaging"),
        finding_column="found_intact_unused_packaged",
    ),
    DeclarationPoint(
        clause="R3",
        name="no_user_damage",
        kind=RETURN,
        statement=_("It was not damaged by use or by accident (R3)."),
        summary=_("not damaged by use or by accident"),
        check=_("No damage from use or accident"),
        finding_column="found_no_user_damage",
    ),
    DeclarationPoint(
        clause="R4",
        name="all_accessories_included",
        kind=RETURN,
        statement=_("All accessories, documents and gifts are included (R4)."),
        summary=_("all accessories, documents and gifts included"),
        check=_("All accessories, documents and gifts included"),
        finding_column="found_all_accessories_included",
    ),
    DeclarationPoint(
        clause="W4",
        name="not_dropped_or_mishandled",
        kind=WARRANTY,
        statement=_("The model was not dropped, hit hard or stored improperly (W4)."),
        summary=_("not dropped, hit or stored improperly"),
        check=_("No sign of dropping, impact or improper storage"),
        finding_column="signs_of_user_damage",
        finding_true_when_holds=False,
    ),
    DeclarationPoint(
        clause="W5",
        name="no_third_party_repair",
        kind=WARRANTY,
        statement=_("It was not repaired by anyone other than ASM (W5)."),
        summary=_("not repaired by a third party"),
        check=_("No sign of repair by a third party"),
        finding_column="signs_of_third_party_repair",
        finding_true_when_holds=False,
    ),
)

POINTS_BY_CLAUSE = {point.clause: point for point in DECLARATION_POINTS}


def points_for(kind: str) -> tuple[DeclarationPoint, ...]:
    """The points a claim of this kind declares and the warehouse checks."""
    return tuple(point for point in DECLARATION_POINTS if point.kind == kind)


def declaration_from(values: Mapping[str, Any]) -> Declaration:
    """The declaration in a form's cleaned data (its fields are named as the points); absent is false."""
    return Declaration(**{point.name: bool(values.get(point.name)) for point in DECLARATION_POINTS})


def declaration_of(claim: object) -> Declaration:
    """The declaration a claim recorded in its ``declared_<name>`` columns."""
    return Declaration(
        **{point.name: bool(getattr(claim, point.declared_column)) for point in DECLARATION_POINTS}
    )


def declared_columns(declaration: Declaration) -> dict[str, bool]:
    """The claim's columns for a declaration."""
    return {point.declared_column: getattr(declaration, point.name) for point in DECLARATION_POINTS}


def contradicted_clauses(kind: str, declaration: Declaration, findings: object) -> list[str]:
    """The clauses of the claim's kind where what was found (an object with the inspection's columns)
    contradicts what was declared."""
    return [
        point.clause
        for point in points_for(kind)
        if getattr(declaration, point.name) and not point.holds(getattr(findings, point.finding_column))
    ]
