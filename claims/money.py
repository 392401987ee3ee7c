"""Amounts of money as people read them: Vietnamese đồng, whole, grouped the active language's way.

``1.250.000 ₫`` in Vietnamese, ``1,250,000 ₫`` in English (the separators come from
``asm_portal.formats``). Pages (the ``vnd`` filter), emails and the back office all
print amounts through ``format_vnd``.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format

CURRENCY_SYMBOL = "₫"


def format_vnd(amount: Decimal | int | None) -> str:
    """The amount in the active language, with the currency; "" for no amount. The đồng has no subunit."""
    if amount is None or amount == "":
        return ""
    whole = Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{number_format(whole, decimal_pos=0, use_l10n=True, force_grouping=True)} {CURRENCY_SYMBOL}"
