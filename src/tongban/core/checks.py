"""Deployment checks of Tongban's own settings (``manage.py check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def pii_keys_configured(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    if not settings.PII_KEYS_FROM_ENVIRONMENT:
        return [
            checks.Warning(
                "PII_KEYS and PII_INDEX_KEY are derived from SECRET_KEY.",
                hint="Set both in the environment (see docs/deploy.md), so that rotating "
                "SECRET_KEY does not make personal data unreadable.",
                id="tongban.W001",
            )
        ]
    return []
