"""A whole-page cache for the busiest signed-in pages, cleared by any write to the portal's data.

A cached page is replayed only to the browser it was rendered for (same
session, still signed in as the same user, same CSRF secret), for the same
address, language and local day, and only while the *generation* it was
rendered at is current. Every write to a table the pages show stores a new
generation when it commits: the database execute wrapper below sees each
INSERT, UPDATE and DELETE, bulk and raw ones included, so no code that
changes data has to remember the cache. (A transaction's own thread, which
sees the writes before they commit, starts a new generation before its next
page.) A hit is one cache round trip (the page, the generation
and the session together) and no database query.

The generation is read *before* the page is rendered and stored with it, so a
page rendered while a write was committing carries the old generation and is
never served. The one gap: a write whose new generation could not be stored
(the cache was down for that instant) leaves pages stale for at most
``ASM_PAGE_CACHE_SECONDS``. Sessions must live in the same cache
(``cached_db`` or ``cache``); with another session engine nothing is cached.
"""

import hashlib
import logging
import re
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.core import checks
from django.core.cache import cache
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers

logger = logging.getLogger(__name__)

GENERATION_KEY = "pages:generation"

# Whether this thread's connection wrote inside a transaction since its last page.
_this_thread = threading.local()

# Writes that no cached page shows: sessions, login failures, the email outbox, and
# the time of a sign-in (each customer's visit would otherwise retire every page).
UNSHOWN_WRITES = re.compile(
    r'\s*(?:(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"(?:django_session|axes_\w+|claims_notification)"'
    r'|UPDATE\s+"claims_user"\s+SET\s+"last_login"\s*=\s*%s\s+WHERE\b)',
    re.IGNORECASE,
)


View = Callable[..., HttpResponse]


# --- Generations --------------------------------------------------------------------


def new_generation() -> None:
    try:
        cache.set(GENERATION_KEY, secrets.token_hex(8), timeout=None)
    except Exception:  # a lost write must not fail the data write it follows
        logger.exception("Could not store a new page generation; cached pages may be stale")


def renew_after_migrate(**_kwargs: Any) -> None:
    """``post_migrate`` receiver: a release (which migrates) serves no page its predecessor rendered."""
    new_generation()


def watch_writes(*, connection: BaseDatabaseWrapper, **_kwargs: Any) -> None:
    """``connection_created`` receiver: every write through ``connection`` starts a new generation."""
    if _note_write not in connection.execute_wrappers:
        # First, not last: `connection.execute_wrapper()` pops the last wrapper when its block ends.
        connection.execute_wrappers.insert(0, _note_write)


def _note_write(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    result = execute(sql, params, many, context)
    if sql[:6].upper() in ("INSERT", "UPDATE", "DELETE") and not UNSHOWN_WRITES.match(sql):
        _after_write(context["connection"])
    return result


def _after_write(connection: BaseDatabaseWrapper) -> None:
    # Every other connection sees the write once it commits: a new generation then
    # (at once in autocommit). A transaction sees its own writes before: its
    # thread's next page starts a new generation first (`_renew_after_own_writes`).
    if not connection.in_atomic_block:
        new_generation()
        return
    _this_thread.wrote = True
    if not any(callback[1] is _renew_on_commit for callback in connection.run_on_commit):
        transaction.on_commit(_renew_on_commit, using=connection.alias, robust=True)


def _renew_on_commit() -> None:
    new_generation()
    _this_thread.wrote = False  # on_commit runs in the committing thread: its writes are everyone's now


def _renew_after_own_writes() -> None:
    if getattr(_this_thread, "wrote", False):
        new_generation()
        _this_thread.wrote = False


def _current_generation() -> str:
    cache.add(GENERATION_KEY, secrets.token_hex(8), timeout=None)
    return str(cache.get(GENERATION_KEY))


@checks.register(checks.Tags.caches, deploy=True)
def check_shared_cache(**_kwargs: Any) -> list[checks.CheckMessage]:
    """A per-process cache would keep serving pages that a worker's writes ended."""
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.ASM_PAGE_CACHE_SECONDS > 0 and backend.endswith("LocMemCache"):
        return [
            checks.Warning(
                "The page cache is on but the cache is per process: another process's writes "
                "would not retire its pages.",
                hint="Set REDIS_URL (or CACHE_URL) to a cache every web and worker process shares, "
                "or ASM_PAGE_CACHE_SECONDS=0.",
                id="claims.W001",
            )
        ]
    return []


# --- Pages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CachedPage:
    """What the cache holds for one page.

    Change ``FORMAT`` with the fields: during a rolling deploy the old and new
    releases share the cache, and each must read only its own pages.
    """

    FORMAT: ClassVar[int] = 1

    generation: str
    identity: tuple[str, str]  # the session's user id and auth hash it was rendered for
    headers: list[tuple[str, str]]
    body: bytes


def cached_page(view: View) -> View:
    """Serves ``view``'s signed-in GET answers from the cache while nothing has been written.

    A hit costs one cache round trip, which also brings the session (the
    session engine keeps sessions in the same cache), and no database query.
    """

    @wraps(view)
    def serve(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        session_cache_key = (
            getattr(request.session, "cache_key", None) if request.session.session_key else None
        )
        if request.method != "GET" or session_cache_key is None or settings.ASM_PAGE_CACHE_SECONDS <= 0:
            return view(request, *args, **kwargs)
        _renew_after_own_writes()
        key = _page_key(request)
        found = cache.get_many([GENERATION_KEY, key, session_cache_key])
        generation = found.get(GENERATION_KEY) or _current_generation()
        page: CachedPage | None = found.get(key)
        if (
            page is not None
            and page.generation == generation
            and _serves(request, page, found.get(session_cache_key))
        ):
            return _replay(request, page)
        response = view(request, *args, **kwargs)
        identity = _rendered_for(request, response)
        if identity is not None:
            page = _recording(generation, identity, response)
            # Keyed anew: rendering a form gives a browser without a CSRF cookie its secret.
            cache.set(_page_key(request), page, timeout=settings.ASM_PAGE_CACHE_SECONDS)
        return response

    return serve


def _page_key(request: HttpRequest) -> str:
    """The address, the browser (its session and the CSRF secret its forms' tokens are masked with), the day.

    A page is replayed byte for byte, tokens included, only to the browser it
    was rendered for. Any other address (a new search, say) renders afresh
    with freshly masked tokens, so no attacker-chosen input ever shares a
    response with a token it has seen before (BREACH).
    """
    parts = (
        request.get_full_path(),
        str(request.session.session_key),
        str(request.META.get("CSRF_COOKIE", "")),
        translation.get_language() or "",
        timezone.localdate().isoformat(),
    )
    return f"pages:{CachedPage.FORMAT}:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _identity(session: Mapping[str, Any]) -> tuple[str, str]:
    return (str(session.get(SESSION_KEY, "")), str(session.get(HASH_SESSION_KEY, "")))


def _serves(request: HttpRequest, page: CachedPage, session: Mapping[str, Any] | None) -> bool:
    """The session is still signed in as the page's user, and has no message waiting to be shown."""
    return (
        session is not None
        and _identity(session) == page.identity
        and SessionStorage.session_key not in session
        and CookieStorage.cookie_name not in request.COOKIES
    )


def _rendered_for(request: HttpRequest, response: HttpResponse) -> tuple[str, str] | None:
    """The identity a plain 200 was rendered for; None for anything else, or a page that changed something."""
    identity = _identity(request.session)
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies
        or request.session.modified
        or getattr(get_messages(request), "used", False)
        or not request.user.is_authenticated
        or identity[0] != str(request.user.pk)
    ):
        return None
    return identity


def _recording(generation: str, identity: tuple[str, str], response: HttpResponse) -> CachedPage:
    if hasattr(response, "render"):  # a TemplateResponse (the admin's) is still unrendered here
        response.render()
    return CachedPage(generation, identity, list(response.items()), response.content)


def _replay(request: HttpRequest, page: CachedPage) -> HttpResponse:
    response = HttpResponse(page.body)  # only a 200 is ever stored
    for header, value in page.headers:
        response[header] = value
    # What the session middleware adds to the page it renders (a hit leaves the session unread).
    patch_vary_headers(response, ("Cookie",))
    return response
