"""Filters of the customer's claim page."""

from django import template

from policies.declaration import POINTS_BY_CLAUSE

register = template.Library()


@register.filter
def declared_point(clause: str) -> str:
    """A clause the inspection contradicted, worded as the emails word it, without its code:
    ``W4`` → "not dropped, hit or stored improperly"."""
    point = POINTS_BY_CLAUSE.get(clause)
    return str(point.summary) if point else clause
