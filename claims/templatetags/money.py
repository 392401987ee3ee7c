from decimal import Decimal

from django import template

from claims.money import format_vnd

register = template.Library()


@register.filter
def vnd(amount: Decimal | int | None) -> str:
    """``{{ claim.refund_amount|vnd }}``: ``1.250.000 ₫`` in Vietnamese, ``1,250,000 ₫`` in English."""
    return format_vnd(amount)
