"""Filters of the customer's claim page."""

from django import template

from claims.emails import DECLARATION_FIELDS
from claims.models import Claim

register = template.Library()


@register.filter
def declared_point(clause: str) -> str:
    """A clause the inspection contradicted, worded as the customer's declaration and the emails word it:
    ``W4`` → "not dropped, hit or stored improperly (W4)"."""
    field_name = DECLARATION_FIELDS.get(clause)
    if field_name is None:
        return clause
    return str(getattr(Claim._meta.get_field(field_name), "verbose_name", clause))
