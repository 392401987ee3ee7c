"""Which language a person reads: pages follow their choice, emails follow the stored one.

A visitor gets the browser's language (``LocaleMiddleware`` reads the language
cookie, then ``Accept-Language``), else ``LANGUAGE_CODE``. The switcher on every
page, the portal's and the admin's, posts to ``set_language``: it sets the cookie
(Django's view) and, for a signed-in customer or staff member, stores the choice
on them. Signing in on another device sets that browser's cookie to the stored
choice, so their pages follow it there too; the emails sent to them use it.
Nothing here reads the user on a request that does not sign in.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as set_language_cookie

from claims.models import User


def is_supported(language: str) -> bool:
    return language in dict(settings.LANGUAGES)


def language_of(user: User) -> str:
    """The language a person's emails are written in: the one they chose, else ``LANGUAGE_CODE``."""
    return user.language if is_supported(user.language) else settings.LANGUAGE_CODE


def remember_language(*, user: User, language: str, replace: bool = True) -> None:
    """Store ``language`` as the user's; with ``replace=False`` only when they have none yet."""
    if not is_supported(language) or user.language == language or (user.language and not replace):
        return
    user.language = language
    user.save(update_fields=["language"])


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language`` (a plain form post, no script), and the choice kept on the signed-in user."""
    response = set_language_cookie(request)
    if isinstance(request.user, User) and request.user.is_authenticated:
        remember_language(user=request.user, language=request.POST.get("language", ""))
    return response


def carry_the_stored_language(*, request: HttpRequest | None, user: User, **kwargs: object) -> None:
    """``user_logged_in``: the signed-in person's stored language is to become this browser's."""
    if request is not None and is_supported(user.language):
        request.language_on_sign_in = user.language  # type: ignore[attr-defined]


class SignInLanguageMiddleware:
    """Sets the language cookie on the response of a sign-in (see ``carry_the_stored_language``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        language = getattr(request, "language_on_sign_in", None)
        if language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]  # a str setting, as Django reads it
            )
        return response
