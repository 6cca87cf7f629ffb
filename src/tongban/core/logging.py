"""Structured logging: every log line is one event with key/value context.

Request id, user and path are bound per request by ``RequestContextMiddleware`` through
structlog's context variables, so any ``logging`` or ``structlog`` call inside a request
carries them.
"""

from __future__ import annotations

import logging.config
import re
import unicodedata
from typing import Any

import structlog

# Citizen ID numbers and mainland mobile numbers (also +86 / 0086 / 86 prefixed), wherever
# they appear in a log line; text is NFKC-folded first so full-width digits are caught too.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{3})\d{11}(\d{3}[\dXx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)((?:\+?86|0086)?[\s-]?1[3-9]\d)\d{4}(\d{4})(?!\d)")


def mask_text(text: str) -> str:
    """Mask ID numbers (``110***********002X``) and mobile numbers (``138****5678``)."""
    if not any(c.isdigit() for c in text):
        return text
    text = unicodedata.normalize("NFKC", text)
    text = _ID_NUMBER.sub(lambda m: m.group(1) + "*" * 11 + m.group(2), text)
    return _MOBILE.sub(lambda m: m.group(1) + "****" + m.group(2), text)


def _mask(value: Any, depth: int = 0) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if depth > 4:
        return value
    if isinstance(value, dict):
        return {k: _mask(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_mask(v, depth + 1) for v in value)
    return value


def mask_personal_numbers(logger: Any, method: str, event: dict[str, Any]) -> dict[str, Any]:
    """A structlog processor: no log line carries a full ID or mobile number, whatever the
    code that logged it passed in — nested values and formatted tracebacks included (a second
    line of defence behind masking at the source)."""
    for key, value in event.items():
        event[key] = _mask(value)
    return event


PRE_CHAIN: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure(settings: dict[str, str]) -> None:
    """Configure stdlib logging and structlog together (Django's LOGGING_CONFIG hook)."""
    json_output = settings.get("format") == "json"
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json_output
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {
                "structured": {
                    "()": structlog.stdlib.ProcessorFormatter,
                    "processors": [
                        structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                        structlog.processors.format_exc_info,
                        mask_personal_numbers,
                        renderer,
                    ],
                    "foreign_pre_chain": PRE_CHAIN,
                }
            },
            "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
            "root": {"handlers": ["console"], "level": settings.get("level", "INFO")},
            "loggers": {
                "django.db.backends": {"level": "WARNING"},
                "jieba": {"level": "WARNING"},
            },
        }
    )
    structlog.configure(
        processors=[*PRE_CHAIN, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
