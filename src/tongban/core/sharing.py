"""Data sharing inside the platform (the port): how the platform's own functions — identity
assurance, applications — ask the exchange for another department's data.

They never read another department's registry directly: each is a member system of the
exchange (``settings.EXCHANGE_PLATFORM_SYSTEMS`` maps the function to its system code) with
grants like any other, and every call is authorised, logged in the exchange's message log and
shown in the subject's data tracker. The exchange app registers the implementation when it
starts (``register``); the layers below it call ``shared_call``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from tongban.core.errors import Unavailable


@dataclass(frozen=True)
class SharedAnswer:
    data: dict[str, Any]
    message_id: str  # the exchange message id: what the reviewer and the subject see


class SharingRefused(Unavailable):
    """The exchange refused or failed the call (no grant, the provider down, …); ``reason`` is
    the gateway's reason code."""

    code = "sharing_refused"

    def __init__(self, reason: str, message: Any, message_id: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.message_id = message_id


Caller = Callable[..., SharedAnswer]
_caller: Caller | None = None


def register(caller: Caller) -> None:
    global _caller
    _caller = caller


def shared_call(
    *,
    function: str,
    service: str,
    query: dict[str, Any],
    user: str,
    purpose: str,
    fields: Sequence[str] | None = None,
    case_number: str = "",
) -> SharedAnswer:
    """Call an exchange service as the platform function ``function`` ("identity", "cases");
    raises ``SharingRefused`` when the exchange does not answer."""
    if _caller is None:
        raise SharingRefused("not_configured", str(_("Data sharing is not available.")))
    return _caller(
        function=function,
        service=service,
        query=query,
        user=user,
        purpose=purpose,
        fields=fields,
        case_number=case_number,
    )
