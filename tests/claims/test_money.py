"""Amounts in Vietnamese đồng, whole and grouped the active language's way, on pages and in emails."""

from decimal import Decimal

import pytest
from django.template import engines
from django.utils import translation

from claims.money import format_vnd


@pytest.mark.parametrize(
    ("language", "amount", "written"),
    [
        ("vi", Decimal("1250000.00"), "1.250.000 ₫"),
        ("en", Decimal("1250000.00"), "1,250,000 ₫"),
        ("vi", 890000, "890.000 ₫"),
        ("en", Decimal("999.50"), "1,000 ₫"),
        ("vi", Decimal("0"), "0 ₫"),
        ("en", None, ""),
    ],
)
def test_amounts_are_written_in_dong_with_the_language_s_grouping(language, amount, written):
    with translation.override(language):
        assert format_vnd(amount) == written


@pytest.mark.parametrize(("language", "written"), [("vi", "1.250.000 ₫"), ("en", "1,250,000 ₫")])
def test_the_template_filter_is_the_same_function(language, written):
    template = engines["django"].from_string("{% load money %}{{ amount|vnd }}")
    with translation.override(language):
        assert template.render({"amount": Decimal("1250000.00")}) == written
