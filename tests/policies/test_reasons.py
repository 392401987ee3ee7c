"""PRODUCT.md's reason table: who pays shipping (R6), what must hold (R2–R4), when photos are needed (RP2)."""

import pytest

from policies.eligibility import return_requires_photos
from policies.reasons import (
    LATE_RETURN_WARRANTY_CATEGORY,
    RETURN_RULES,
    DefectCategory,
    ReturnReason,
    ShippingPayer,
    return_shipping_payer,
    warranty_shipping_payer,
)

C, A = ShippingPayer.CUSTOMER, ShippingPayer.ASM
# reason: payer, R2 intact/unused/packaged, R3 no user damage, R4 accessories, photos required
REASON_TABLE = {
    ReturnReason.CHANGED_MIND: (C, True, True, True, False),
    ReturnReason.NOT_AS_DESCRIBED: (A, True, True, True, True),
    ReturnReason.SHIPPING_DAMAGE: (A, False, True, True, True),  # R2 waived for the damage
    ReturnReason.MANUFACTURING_DEFECT: (A, False, True, True, True),  # R2 waived for the defect
    ReturnReason.OTHER: (C, True, True, True, False),  # the customer pays until care decides
}


@pytest.mark.parametrize(("reason", "row"), REASON_TABLE.items())
def test_each_reason_reads_as_its_row_of_the_table(reason, row):
    payer, intact, no_user_damage, accessories, photos = row
    rule = RETURN_RULES[reason]

    assert return_shipping_payer(reason) == payer  # R6
    assert (rule.requires_intact, rule.requires_no_user_damage, rule.requires_accessories) == (
        intact,
        no_user_damage,
        accessories,
    )
    assert return_requires_photos(reason) is photos  # RP2


def test_every_reason_has_a_row():
    assert set(RETURN_RULES) == set(ReturnReason) == set(REASON_TABLE)


@pytest.mark.parametrize(
    ("category", "payer"),
    [
        (DefectCategory.MANUFACTURING_BREAKAGE, A),  # W2
        (DefectCategory.PARTS_DO_NOT_FIT, A),  # W3
        (DefectCategory.DETAILS_INCOMPLETE, A),  # W3
        (DefectCategory.OTHER, C),
    ],
)
def test_r6_asm_pays_warranty_shipping_when_the_defect_is_covered(category, payer):
    assert warranty_shipping_payer(category) == payer


def test_only_defects_turn_a_late_return_into_a_warranty_claim():
    """PRODUCT.md: a return after 7 days with a defect is offered the warranty path."""
    assert LATE_RETURN_WARRANTY_CATEGORY == {
        ReturnReason.MANUFACTURING_DEFECT: DefectCategory.MANUFACTURING_BREAKAGE,
        ReturnReason.NOT_AS_DESCRIBED: DefectCategory.DETAILS_INCOMPLETE,
    }
