"""Sign-in by a one-time link (django-sesame): requested with an order number and its email.

Only the customer's mailbox ever holds a link. The request records what was
typed, and the worker looks the order up and mints the link while rendering
the email (``claims.emails``); no token is stored, shown to staff or logged.
"""

from uuid import uuid4

from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils import timezone, translation

from claims.emails import SIGN_IN_LINK
from claims.models import User, normalize_email
from claims.outbox import record_notification


def request_sign_in_link(*, order_number: str, email: str) -> None:
    """Record a request for a link: the worker emails one only if the order exists under that email.

    The request does the same work whether or not they match (no look-up
    here), so neither its answer nor its time tells anyone that an order
    exists. The row holds what was typed, which is no secret: a link goes only
    to the address of the matching customer. The email is written in the
    language of the page the link was asked for from.
    """
    record_notification(
        template_key=SIGN_IN_LINK,
        recipient=normalize_email(email),
        unique_key=f"{SIGN_IN_LINK}:{uuid4()}",
        claim=None,
        context={"order_number": order_number, "language": translation.get_language()},
    )


def customer_for_token(request: HttpRequest, token: str) -> User | None:
    """The customer a link's token names, while it is unspent and unexpired; checking does not spend it."""
    if not token:
        return None
    user = authenticate(request, sesame=token)
    if not isinstance(user, User) or user.is_staff or user.is_superuser:
        return None
    return user


def spend_sign_in_token(request: HttpRequest, token: str) -> User | None:
    """The link's customer, with the token spent by this call; None when it is invalid or spent already.

    A token is valid while the customer's ``last_login`` is the value it was
    minted with (``SESAME_ONE_TIME``). Spending is one conditional UPDATE from
    the value the token was just checked against: of several requests posting
    the same token at once, exactly one changes the row, and only it may sign in.
    """
    customer = customer_for_token(request, token)
    if customer is None:
        return None
    unspent = User.objects.filter(pk=customer.pk)
    if customer.last_login is None:
        unspent = unspent.filter(last_login__isnull=True)
    else:
        unspent = unspent.filter(last_login=customer.last_login)
    spent_at = timezone.now()
    if not unspent.update(last_login=spent_at):
        return None
    customer.last_login = spent_at
    return customer
