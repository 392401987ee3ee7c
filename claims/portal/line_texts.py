"""What my orders writes about each line's return and warranty, composed here rather than in the template.

A customer with a few orders has a dozen lines or more, and each line's two
sentences took the template about 0.1 ms (a count-aware translation, a date, a
link, the branches between them): most of the page's own cost. Here each is
one translated string with its values escaped once. The words are the same
translations the template used (``locale/``).
"""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from claims.links import link_for_each
from claims.models import Claim
from claims.portal.selectors import LineStanding
from policies.eligibility import human_date


def _refused(message: str, claim: Claim) -> SafeString:
    rma_number = claim.rma_number or ""  # a decided claim always has one
    link = link_for_each("portal:claim_detail")(rma_number)
    # The message is ours (a translation); the values are escaped.
    values = {"url": escape(link), "rma": escape(rma_number)}
    return mark_safe(message % values)  # noqa: S308  # nosec B308 B703


def return_standing(line: LineStanding) -> str:
    """R1: how long the customer may still return the item, or why not."""
    if line.refused_return:
        return _refused(
            _(
                'Your return <a href="%(url)s">%(rma)s</a> was not accepted, '
                "so this item cannot be returned again."
            ),
            line.refused_return,
        )
    verdict = line.return_verdict
    if not verdict.eligible or verdict.last_day is None:
        return verdict.reason
    if not verdict.days_left:
        return _("Today is the last day to file a return.")
    return ngettext(
        "%(days)s day left: until %(day)s.", "%(days)s days left: until %(day)s.", verdict.days_left
    ) % {"days": verdict.days_left, "day": human_date(verdict.last_day)}


def warranty_standing(line: LineStanding) -> str:
    """W1: until when the item is under warranty, or why not."""
    if line.refused_warranty:
        return _refused(
            _(
                'Your warranty claim <a href="%(url)s">%(rma)s</a> was not accepted, '
                "so it cannot be filed again."
            ),
            line.refused_warranty,
        )
    return line.warranty_verdict.reason
