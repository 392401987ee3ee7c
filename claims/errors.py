"""Domain errors: each carries a message fit to show the person who caused it."""


class ClaimError(Exception):
    """A request the claim domain refuses; nothing was changed."""

    def __init__(self, message: str, *, field_errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class InvalidTransition(ClaimError):
    """The claim's current status does not allow this step (perhaps someone else acted first)."""


class NotEligible(ClaimError):
    """The policy does not allow this claim; ``field_errors`` say which input fails and why."""


class NotPermitted(ClaimError):
    """The actor's role does not allow this step on this claim."""
