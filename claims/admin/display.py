"""Pieces of the claim shown on several back-office pages: checklist, photos, terms, eligibility."""

from dataclasses import dataclass, fields
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Field, Model
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from claims.lifecycle import CLOCK_STATUSES, OPEN_STATUSES
from claims.models import Claim, Inspection, User
from claims.selectors import eligibility_as_filed
from policies.declaration import points_for
from policies.models import PolicyTerms
from policies.terms import Terms


def field_label(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, Field):
        raise TypeError(f"{model.__name__}.{name} is not a concrete field")
    return str(field.verbose_name)


def staff_member(request: HttpRequest) -> User:
    """The signed-in staff member (the admin lets no one else in)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


@dataclass(frozen=True)
class ChecklistPoint:
    """One statement of the declaration that applies to the claim's kind and, once inspected, whether
    it held."""

    clause: str
    label: str
    declared: bool
    holds: bool | None
    differs: bool


def checklist(claim: Claim, inspection: Inspection | None) -> list[ChecklistPoint]:
    mismatches = set(inspection.mismatches) if inspection else set()
    return [
        ChecklistPoint(
            clause=point.clause,
            label=str(point.summary),
            declared=getattr(claim, point.declared_column),
            holds=point.holds(getattr(inspection, point.finding_column)) if inspection else None,
            differs=point.clause in mismatches,
        )
        for point in points_for(claim.kind)
    ]


def inspection_of(claim: Claim) -> Inspection | None:
    try:
        return claim.inspection
    except Inspection.DoesNotExist:
        return None


def render_checklist(claim: Claim) -> SafeString:
    inspection = inspection_of(claim)
    return render_to_string(
        "admin/claims/claim/includes/checklist.html",
        {"points": checklist(claim, inspection), "inspection": inspection},
    )


def render_photos(claim: Claim) -> SafeString:
    photos = [
        {
            "photo": photo,
            # The portal's photo views check access, staff included.
            "thumbnail_url": reverse("claim_photo_thumbnail", args=[photo.pk]),
            "image_url": reverse("claim_photo", args=[photo.pk]),
        }
        for photo in claim.photos.all()
    ]
    return render_to_string("admin/claims/claim/includes/photos.html", {"photos": photos})


def render_terms(claim: Claim) -> SafeString:
    """The policy terms snapshot the claim was filed under, labelled as managers see them."""
    terms = Terms.from_snapshot(claim.policy_terms)
    rows = [(field_label(PolicyTerms, field.name), getattr(terms, field.name)) for field in fields(Terms)]
    return render_to_string("admin/claims/claim/includes/terms.html", {"rows": rows})


def render_eligibility(claim: Claim) -> SafeString:
    return render_to_string(
        "admin/claims/claim/includes/eligibility.html",
        {"verdict": eligibility_as_filed(claim), "filed_on": timezone.localdate(claim.submitted_at)},
    )


def date_flag(
    *, status: str, next_date: date | None, target_on: date | None, deadline_on: date | None, today: date
) -> str:
    """The CSS class of a claim's next date: overdue, due soon (PRODUCT.md), or none."""
    if status not in OPEN_STATUSES or next_date is None:
        return ""
    if status in CLOCK_STATUSES:
        if deadline_on and today > deadline_on:
            return "asm-overdue"
        if target_on and today >= target_on:
            return "asm-due-soon"
        return ""
    return "asm-overdue" if today > next_date else ""
