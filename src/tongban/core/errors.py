"""The error hierarchy of Tongban, mapped once to HTTP status codes and translated messages.

Services raise these; the API and the page middleware turn them into responses. Every error
carries a message people can act on (translated lazily, so it renders in the reader's language)
and, for invalid input, the list of problems (where, which field, why).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (file and line, or a path), which field, why."""

    field: str
    reason: str
    location: str = ""

    def as_dict(self) -> dict[str, str]:
        return {k: str(v) for k, v in asdict(self).items()}


class TongbanError(Exception):
    """Base of every domain error."""

    http_status = 400
    code = "error"
    default_message: Any = _("The request could not be completed.")

    def __init__(self, message: Any = None, *, problems: list[Problem] | None = None) -> None:
        self.message = message if message is not None else self.default_message
        self.problems = list(problems or [])
        super().__init__(str(self.message))

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": str(self.message)}
        if self.problems:
            body["problems"] = [p.as_dict() for p in self.problems]
        return body


class InvalidInput(TongbanError):
    http_status = 422
    code = "invalid"
    default_message = _("Some of the information is not valid. Please correct it and try again.")


class Forbidden(TongbanError):
    http_status = 403
    code = "forbidden"
    default_message = _("You are not allowed to do this.")


class NotFound(TongbanError):
    http_status = 404
    code = "not_found"
    default_message = _("What you asked for does not exist.")


class Conflict(TongbanError):
    http_status = 409
    code = "conflict"
    default_message = _(
        "This was changed by someone else or is no longer in a state that allows this."
    )


class Unavailable(TongbanError):
    """The database went away in the middle of the request (a restart, a failover): nothing of
    the request was saved, and trying again is safe (submissions carry an idempotency key)."""

    http_status = 503
    code = "unavailable"
    default_message = _(
        "The service is briefly unavailable and nothing was saved. Please try again in a moment."
    )
