"""Links reversed once instead of on every use: ``reverse()`` matches the URL patterns each time (about
35 µs), which a page with a link per row would pay per row.

``link(viewname, *args)`` is ``reverse(viewname, args=args)``, remembered per
process for a view with no argument or one (for each view, script prefix and
URLconf, which ``reverse()`` reads too); ``link_for_each`` gives one view's link
for any argument, reversed once for a whole list. The portal's templates write
every link with ``{% link %}``.
"""

import functools
from collections.abc import Callable
from urllib.parse import quote

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import RFC3986_SUBDELIMS

# Stands for the argument in a link reversed once: digits, which the int and str converters both accept.
_MARK = "987654321"
# What reverse() leaves unquoted in an argument (django.urls.resolvers).
_SAFE = RFC3986_SUBDELIMS + "/~:@"


@functools.cache
def _around_argument(viewname: str, script_prefix: str, urlconf: str | None) -> tuple[str, str]:
    """The link before and after its argument; the script prefix is part of the key, as reverse() reads it."""
    link_with_mark = reverse(viewname, args=[_MARK], urlconf=urlconf)
    before, _mark, after = link_with_mark.partition(_MARK)
    return before, after


@functools.cache
def _fixed(viewname: str, script_prefix: str, urlconf: str | None) -> str:
    """The link of a view with no argument; the script prefix is part of the key, as reverse() reads it."""
    return reverse(viewname, urlconf=urlconf)


def link_for_each(viewname: str, *, query: str = "") -> Callable[[int | str], str]:
    """``reverse(viewname, args=[value])`` (plus ``query``) for any value."""
    before, after = _around_argument(viewname, get_script_prefix(), get_urlconf())
    return lambda value: f"{before}{quote(str(value), safe=_SAFE)}{after}{query}"


def link(viewname: str, *args: int | str) -> str:
    """``reverse(viewname, args=args)``: remembered for no argument or one; reversed each time for more."""
    if len(args) > 1:
        return reverse(viewname, args=args)
    if not args:
        return _fixed(viewname, get_script_prefix(), get_urlconf())
    before, after = _around_argument(viewname, get_script_prefix(), get_urlconf())
    return f"{before}{quote(str(args[0]), safe=_SAFE)}{after}"
