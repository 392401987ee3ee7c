"""Rendering an outbox row into its email: ``templates/emails/<template key>/`` holds
``subject.txt``, ``body.txt`` and ``body.html``.

The context is built from the row alone (its claim and the facts the service
recorded), so an email can carry only its own customer's data.

A sign-in link is the one thing never recorded: its row holds the order number
and email the visitor typed, and the link is minted here, when the email is
rendered for delivery (a resend mints a fresh one). So no token is ever in a
database row or on the admin's Emails page; only the customer's mailbox holds it.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from sesame.utils import get_query_string

from claims.languages import is_supported, language_of
from claims.lifecycle import ClaimKind
from claims.models import Claim, Notification, User
from claims.portal.selectors import sign_in_customer
from claims.selectors import claim_destination
from policies.declaration import POINTS_BY_CLAUSE
from policies.reasons import ShippingPayer
from policies.terms import Terms, current_terms

SIGN_IN_LINK = "sign_in_link"


class NothingToSend(Exception):
    """The row names no one to write to (a sign-in request that matches no customer): it is not sent."""


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def claim_url(claim: Claim) -> str:
    """The customer's page for the claim (served by the portal at ``claims/<rma>/``)."""
    return f"{settings.ASM_SITE_URL}/claims/{claim.rma_number}/"


def sign_in_url(customer: User) -> str:
    """A fresh one-time sign-in link (django-sesame), valid for SESAME_MAX_AGE from now."""
    return f"{settings.ASM_SITE_URL}{reverse('portal:sign_in_link')}{get_query_string(customer)}"


def claim_admin_url(claim: Claim) -> str:
    return f"{settings.ASM_SITE_URL}{reverse('admin:claims_claim_change', args=[claim.pk])}"


def _recorded_facts(recorded: dict[str, Any]) -> dict[str, Any]:
    # Services record dates as ISO strings under keys ending in "_on"; templates format dates.
    return {
        key: date.fromisoformat(value) if key.endswith("_on") and isinstance(value, str) else value
        for key, value in recorded.items()
    }


def _claim_context(claim: Claim, recorded: dict[str, Any]) -> dict[str, Any]:
    terms = Terms.from_snapshot(claim.policy_terms)
    context: dict[str, Any] = {
        "claim": claim,
        "customer": claim.order_line.order.customer,
        "product": claim.order_line.product,
        "order_number": claim.order_line.order.number,
        "is_return": claim.kind == ClaimKind.RETURN,
        "terms": terms,
        "claim_url": claim_url(claim),
        "admin_url": claim_admin_url(claim),
        "destination": claim_destination(claim),
        # The statements an inspection found untrue, in words (customers are not told clause codes).
        "mismatches": [
            str(POINTS_BY_CLAUSE[clause].summary)
            for clause in recorded.get("mismatches", [])
            if clause in POINTS_BY_CLAUSE
        ],
    }
    if claim.reject_reason:
        # The reason's name in the reader's language, not in the one it was recorded in.
        context["reason"] = claim.get_reject_reason_display()
    if recorded.get("shipping_payer"):
        context["asm_pays_shipping"] = recorded["shipping_payer"] == ShippingPayer.ASM
    return context


def _sign_in_context(notification: Notification) -> dict[str, Any]:
    # The look-up happens here, in the worker, so the sign-in request takes the same time either way.
    customer = sign_in_customer(
        order_number=str(notification.context.get("order_number", "")), email=notification.recipient
    )
    if customer is None:
        raise NothingToSend("No customer has this order number and email: no link was sent.")
    return {
        "customer": customer,
        "link": sign_in_url(customer),
        "expires_minutes": settings.SESAME_MAX_AGE // 60,
    }


def email_context(notification: Notification) -> dict[str, Any]:
    """What the row's templates see; raises ``NothingToSend`` when the email has no one to go to."""
    recorded = _recorded_facts(notification.context)
    context: dict[str, Any] = {**recorded, "site_url": settings.ASM_SITE_URL}
    if notification.claim is not None:
        context.update(_claim_context(notification.claim, recorded))
    else:
        context["terms"] = current_terms()
    if notification.template_key == SIGN_IN_LINK:
        context.update(_sign_in_context(notification))
    return context


def email_language(notification: Notification) -> str:
    """The language the email is written in, chosen when it is rendered for delivery.

    A sign-in link: the language of the page it was asked for from (recorded on
    the row). An email to the claim's customer: the language stored on them. Any
    other (staff's alerts), or a customer who has chosen none: ``LANGUAGE_CODE``.
    """
    language = str(notification.context.get("language") or "")
    if is_supported(language):
        return language
    if notification.claim is not None:
        customer = notification.claim.order_line.order.customer
        if customer.email == notification.recipient:
            return language_of(customer)
    return settings.LANGUAGE_CODE


def render_email(notification: Notification) -> RenderedEmail:
    """The subject (one line), plain text and HTML of the row's email, in ``email_language``."""
    folder = f"emails/{notification.template_key}"
    with translation.override(email_language(notification)):
        context = email_context(notification)
        return RenderedEmail(
            subject=" ".join(render_to_string(f"{folder}/subject.txt", context).split()),
            text=render_to_string(f"{folder}/body.txt", context).strip() + "\n",
            html=render_to_string(f"{folder}/body.html", context),
        )
