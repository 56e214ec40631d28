"""Application errors: each carries its stable code, Danish message and HTTP status."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """A refusal a user may see. ``message`` is Danish; ``code`` is the stable English key."""

    status = 400
    code = "bad_request"
    default_message = "Forespørgslen kunne ikke behandles."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.default_message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.details = details or []
        self.headers = headers or {}
        super().__init__(self.message)

    def field_messages(self) -> dict[str, str]:
        """The Danish message per offending field, for showing beside form fields."""
        return {str(d.get("field")): str(d.get("message")) for d in self.details}

    def to_json(self) -> dict[str, Any]:
        """The body of api.md: ``{"error": {"code", "message", "details"}}``."""
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class NotAuthenticated(AppError):
    status = 401
    code = "not_authenticated"
    default_message = "Du skal logge ind for at fortsætte."


class Forbidden(AppError):
    status = 403
    code = "forbidden"
    default_message = "Du har ikke adgang til denne side."


class SessionExpired(NotAuthenticated):
    """A request of a session that has ended (idle timeout, logged out elsewhere): 401, and
    the page keeps what was typed until its owner has logged in again."""

    code = "session_expired"
    default_message = "Du er blevet logget ud – log ind igen, så gemmes det, du har skrevet."


class CSRFError(Forbidden):
    code = "csrf_failed"
    default_message = "Sikkerhedstjekket fejlede. Genindlæs siden og prøv igen."


class NotFound(AppError):
    status = 404
    code = "not_found"
    default_message = "Siden eller oplysningen findes ikke."


class Conflict(AppError):
    status = 409
    code = "conflict"
    default_message = "Handlingen er ikke mulig i den nuværende tilstand."


class PayloadTooLarge(AppError):
    status = 413
    code = "payload_too_large"
    default_message = "Forespørgslen er for stor."


class Invalid(AppError):
    status = 422
    code = "validation_error"
    default_message = "Nogle oplysninger mangler eller er ugyldige."

    @classmethod
    def field(cls, field: str, message: str) -> Invalid:
        """A refusal of one form or JSON field, with its Danish message beside the field."""
        return cls(message, details=[{"field": field, "message": message}])


class TooManyRequests(AppError):
    status = 429
    code = "too_many_requests"
    default_message = "For mange forsøg. Vent lidt og prøv igen."


class ServerError(AppError):
    status = 500
    code = "internal_error"
    default_message = "Der opstod en uventet fejl. Prøv igen, eller kontakt support."
