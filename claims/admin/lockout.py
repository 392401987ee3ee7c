"""Staff login lockout (django-axes): who is counted, and the page a locked-out login gets.

Only password logins are guarded. A customer's sign-in link (django-sesame)
also goes through ``authenticate``; it is left to the portal's own rate limits,
so a few stale links opened from one office never lock anyone out.
"""

from typing import Any

from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from claims.models import normalize_email


def login_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The email a failure counts against, as stored: ``Care@ASM.example`` counts as ``care@asm.example``."""
    typed = (credentials or {}).get("username")
    if typed is None:
        typed = request.POST.get("username")
    # Axes stores it in a 255-character column; the login form refuses longer names already.
    return normalize_email(typed)[:255] if isinstance(typed, str) else None


def is_link_sign_in(request: HttpRequest, credentials: dict[str, Any] | None) -> bool:
    """Axes' whitelist: a sign-in link is not a password login, so it is never counted or locked."""
    return "sesame" in (credentials or {})


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """429 with the lockout page and how long to wait (Retry-After), like the portal's rate limits."""
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else 0
    response = render(
        request,
        "admin/lockout.html",
        {"cooloff_minutes": max(1, seconds // 60) if seconds else None},
        status=429,
    )
    if seconds:
        response["Retry-After"] = str(seconds)
    return response
