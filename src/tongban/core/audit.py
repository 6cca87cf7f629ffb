"""The tamper-evident audit log: append, seal in batches, verify.

- ``audit_log`` appends one record in the caller's transaction (no shared lock).
- ``audit_seal`` links unsealed records into the hash chain in batches and signs a checkpoint
  (HMAC-SHA256 with ``settings.AUDIT_KEY``) for each batch; only sealers lock the chain head.
- ``audit_verify`` walks the chain and reports any edited, deleted or inserted record and any
  forged checkpoint. The chain itself is ``core/chain.py``, shared with the exchange log.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.utils import timezone

from tongban.core.chain import (
    GENESIS,
    SEAL_BATCH,
    UNSEALED_GRACE,
    HashChain,
    VerificationReport,
    link,
    utc_iso,
)
from tongban.core.models import AuditChainHead, AuditCheckpoint, AuditRecord
from tongban.core.request_context import current_request_id
from tongban.core.types import Actor

AUDIT_CHAIN = HashChain(
    name="audit",
    record_model=AuditRecord,
    checkpoint_model=AuditCheckpoint,
    head_model=AuditChainHead,
    content=lambda record: {
        "occurred_at": utc_iso(record.occurred_at),
        "actor": record.actor,
        "actor_label": record.actor_label,
        "action": record.action,
        "object_type": record.object_type,
        "object_id": record.object_id,
        "data": record.data,
        "request_id": record.request_id,
    },
    time_field="occurred_at",
)


def _canonical(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def audit_log(
    *,
    actor: Actor,
    action: str,
    object_type: str = "",
    object_id: Any = "",
    data: dict[str, Any] | None = None,
) -> AuditRecord:
    """Append one audit record in the current transaction. Never blocks on other writers."""
    record = AuditRecord(
        occurred_at=timezone.now(),
        actor=actor.reference[:80],
        actor_label=actor.label[:200],
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:80],
        # An agent's or a clerk's action records the company or person acted for too.
        data=_canonical({**actor.context, **(data or {})}),
        request_id=current_request_id(),
    )
    record.record_hash = AUDIT_CHAIN.content_hash(record)
    record.save(force_insert=True)
    return record


def audit_seal(*, batch_size: int = SEAL_BATCH) -> int:
    """Link one batch of unsealed audit records into the chain; returns the count."""
    return AUDIT_CHAIN.seal(batch_size=batch_size)


def audit_seal_all() -> int:
    return AUDIT_CHAIN.seal_all()


def audit_verify(*, now: datetime | None = None) -> VerificationReport:
    """Walk the whole audit chain and every checkpoint; report what does not add up."""
    return AUDIT_CHAIN.verify(now=now)


__all__ = [
    "AUDIT_CHAIN",
    "GENESIS",
    "SEAL_BATCH",
    "UNSEALED_GRACE",
    "VerificationReport",
    "audit_log",
    "audit_seal",
    "audit_seal_all",
    "audit_verify",
    "link",
]
