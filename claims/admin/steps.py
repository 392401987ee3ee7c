"""Running one claim service from an admin form, and showing how it went."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from claims.errors import ClaimError, InvalidTransition

T = TypeVar("T")


@dataclass(frozen=True)
class StepOutcome(Generic[T]):
    """``done``: what the service returned; ``None`` when it refused (the refusal is already shown)."""

    done: T | None = None
    # Someone else acted first: the claim is no longer where the form found it.
    moved_on: bool = False


def run_step(
    model_admin: admin.ModelAdmin[Any],
    request: HttpRequest,
    form: forms.Form,
    perform: Callable[[], T],
    *,
    explain_moved_on: Callable[[], str] | None = None,
) -> StepOutcome[T]:
    """Run ``perform`` (one service, from a valid form) and show its refusal, if any.

    A refused input puts each reason beside its field (or above the form) and
    the message at the top of the page; a claim that moved on says why nothing
    was done (``explain_moved_on`` may say it better than the service). Nothing
    is changed by a refusal: the services write all or nothing.
    """
    try:
        return StepOutcome(done=perform())
    except InvalidTransition as refusal:
        explanation = explain_moved_on() if explain_moved_on else ""
        model_admin.message_user(request, explanation or refusal.message, messages.ERROR)
        return StepOutcome(moved_on=True)
    except ClaimError as refusal:
        for field, message in refusal.field_errors.items():
            form.add_error(field if field in form.fields else None, message)
        model_admin.message_user(request, refusal.message, messages.ERROR)
        return StepOutcome()
