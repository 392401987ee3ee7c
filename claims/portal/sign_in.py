"""Sign-in by a one-time link (django-sesame): requested with an order number and its email."""

from uuid import uuid4

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.urls import reverse
from sesame.utils import get_query_string

from claims.models import User, normalize_email
from claims.outbox import record_notification


def request_sign_in_link(*, order_number: str, email: str) -> bool:
    """Email a sign-in link if the order exists under that email; say whether one was sent.

    The caller must answer the same either way, so that nobody can probe for
    orders. Staff accounts never get a link: they use the admin login.
    """
    customer = (
        User.objects.filter(
            email=normalize_email(email),
            is_active=True,
            is_staff=False,
            is_superuser=False,
            orders__number__iexact=order_number.strip(),
        )
        .distinct()
        .first()
    )
    if customer is None:
        return False
    link = f"{settings.ASM_SITE_URL}{reverse('portal:sign_in_link')}{get_query_string(customer)}"
    record_notification(
        template_key="sign_in_link",
        recipient=customer.email,
        unique_key=f"sign_in_link:{uuid4()}",
        claim=None,
        context={"link": link, "expires_minutes": settings.SESAME_MAX_AGE // 60},
    )
    return True


def customer_for_token(request: HttpRequest, token: str) -> User | None:
    """The customer a link's token names, while it is unspent and unexpired; checking does not spend it.

    Logging the customer in (``django.contrib.auth.login``) updates
    ``last_login``, which spends the token (``SESAME_ONE_TIME``).
    """
    if not token:
        return None
    user = authenticate(request, sesame=token)
    if not isinstance(user, User) or user.is_staff or user.is_superuser:
        return None
    return user
