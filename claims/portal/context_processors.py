"""Template context for every page."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from policies.terms import current_terms


def care_contacts(request: HttpRequest) -> dict[str, object]:
    """C1: the care contact channels shown in every page's footer, read only when a page shows them."""
    return {"care_terms": SimpleLazyObject(current_terms)}
