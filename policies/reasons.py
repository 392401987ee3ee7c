"""The reason table of PRODUCT.md: what each reason requires, and who pays shipping (R6)."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReturnReason(models.TextChoices):
    CHANGED_MIND = "changed_mind", _("Changed my mind")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described / wrong item sent")
    SHIPPING_DAMAGE = "shipping_damage", _("Damaged in shipping")
    MANUFACTURING_DEFECT = "manufacturing_defect", _("Manufacturing defect")
    OTHER = "other", _("Other")


class DefectCategory(models.TextChoices):
    MANUFACTURING_BREAKAGE = "manufacturing_breakage", _("Broken or damaged part from manufacturing")
    PARTS_DO_NOT_FIT = "parts_do_not_fit", _("Parts do not fit")
    DETAILS_INCOMPLETE = "details_incomplete", _("Details not completed as described")
    OTHER = "other", _("Other")


class ShippingPayer(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    ASM = "asm", _("ASM")


@dataclass(frozen=True)
class ReturnRule:
    """One row of the reason table."""

    payer: ShippingPayer
    requires_intact: bool  # R2; waived where the damage or defect is the reason
    requires_no_user_damage: bool  # R3
    requires_accessories: bool  # R4
    requires_photos: bool  # RP2


RETURN_RULES: dict[ReturnReason, ReturnRule] = {
    ReturnReason.CHANGED_MIND: ReturnRule(ShippingPayer.CUSTOMER, True, True, True, False),
    ReturnReason.NOT_AS_DESCRIBED: ReturnRule(ShippingPayer.ASM, True, True, True, True),
    ReturnReason.SHIPPING_DAMAGE: ReturnRule(ShippingPayer.ASM, False, True, True, True),
    ReturnReason.MANUFACTURING_DEFECT: ReturnRule(ShippingPayer.ASM, False, True, True, True),
    # "customer until care decides": care may override at approval.
    ReturnReason.OTHER: ReturnRule(ShippingPayer.CUSTOMER, True, True, True, False),
}

# W2 and W3 are covered, so ASM pays (R6); "other" is the customer's until care decides.
WARRANTY_PAYERS: dict[DefectCategory, ShippingPayer] = {
    DefectCategory.MANUFACTURING_BREAKAGE: ShippingPayer.ASM,
    DefectCategory.PARTS_DO_NOT_FIT: ShippingPayer.ASM,
    DefectCategory.DETAILS_INCOMPLETE: ShippingPayer.ASM,
    DefectCategory.OTHER: ShippingPayer.CUSTOMER,
}

# A return filed after the window for one of these reasons is offered the
# warranty path instead (PRODUCT.md), with this defect category.
LATE_RETURN_WARRANTY_CATEGORY: dict[ReturnReason, DefectCategory] = {
    ReturnReason.MANUFACTURING_DEFECT: DefectCategory.MANUFACTURING_BREAKAGE,
    ReturnReason.NOT_AS_DESCRIBED: DefectCategory.DETAILS_INCOMPLETE,
}


def return_shipping_payer(reason: ReturnReason) -> ShippingPayer:
    """Who pays shipping for a return, provisionally until inspection (R6)."""
    return RETURN_RULES[reason].payer


def warranty_shipping_payer(category: DefectCategory) -> ShippingPayer:
    """Who pays shipping for a warranty claim, provisionally until inspection (R6)."""
    return WARRANTY_PAYERS[category]


def asm_owes_shipping(*, defect_confirmed: bool, shipping_damage_confirmed: bool) -> bool:
    """R6 after inspection: ASM pays the shipping of an item with a confirmed defect or shipping damage."""
    return defect_confirmed or shipping_damage_confirmed
