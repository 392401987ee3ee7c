from django import template

from claims import links

register = template.Library()


@register.simple_tag
def link(viewname: str, *args: int | str) -> str:
    """``{% link 'portal:orders' %}``, ``{% link 'portal:claim_detail' claim.rma_number %}``: as
    ``{% url %}``, reversed once per process for a view with no argument or one (``claims.links``)."""
    return links.link(viewname, *args)
