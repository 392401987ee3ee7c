"""Filters of the customer's claim page and my orders."""

from django import template

from claims.portal import line_texts
from claims.portal.selectors import LineStanding
from policies.declaration import POINTS_BY_CLAUSE

register = template.Library()


@register.filter
def declared_point(clause: str) -> str:
    """A clause the inspection contradicted, worded as the emails word it, without its code:
    ``W4`` → "not dropped, hit or stored improperly"."""
    point = POINTS_BY_CLAUSE.get(clause)
    return str(point.summary) if point else clause


@register.filter
def return_standing(line: LineStanding) -> str:
    """My orders: ``{{ line|return_standing }}`` (``claims.portal.line_texts``)."""
    return line_texts.return_standing(line)


@register.filter
def warranty_standing(line: LineStanding) -> str:
    """My orders: ``{{ line|warranty_standing }}`` (``claims.portal.line_texts``)."""
    return line_texts.warranty_standing(line)
