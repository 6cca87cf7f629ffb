"""Checks on text people send, shared by every entry point."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from tongban.core.errors import InvalidInput, Problem

MAX_DEPTH = 20


def has_nul(value: Any, depth: int = 0) -> bool:
    """Whether a NUL character hides anywhere in a JSON-like value (PostgreSQL refuses it in
    text and JSON, so it is refused at the door rather than failing mid-transaction)."""
    if isinstance(value, str):
        return "\x00" in value
    if depth > MAX_DEPTH:
        return True
    if isinstance(value, dict):
        return any(has_nul(k, depth + 1) or has_nul(v, depth + 1) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(has_nul(v, depth + 1) for v in value)
    return False


def refuse_nul(value: Any, *, field: str) -> None:
    if has_nul(value):
        raise InvalidInput(
            problems=[Problem(field=field, reason=str(_("The text contains a NUL character.")))]
        )
