"""The tamper-evident audit log: append, seal in batches, verify.

- ``audit_log`` appends one record in the caller's transaction (no shared lock).
- ``audit_seal`` links unsealed records into the hash chain in batches and signs a checkpoint
  (HMAC-SHA256 with ``settings.AUDIT_KEY``) for each batch; only sealers lock the chain head.
- ``audit_verify`` walks the chain: any edited record (its content no longer matches its hash),
  deleted record (a gap in positions or a broken link), inserted record (a broken link, or an
  old record that was never sealed) or forged checkpoint is reported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tongban.core.models import AuditChainHead, AuditCheckpoint, AuditRecord
from tongban.core.request_context import current_request_id
from tongban.core.types import Actor

GENESIS = "0" * 64
SEAL_BATCH = 5000
# A record that is still unsealed this long after it was written is reported by verification.
UNSEALED_GRACE = timedelta(minutes=10)


def _canonical(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def _content_hash(record: AuditRecord) -> str:
    content = {
        "occurred_at": record.occurred_at.astimezone(dt.UTC).isoformat(),
        "actor": record.actor,
        "actor_label": record.actor_label,
        "action": record.action,
        "object_type": record.object_type,
        "object_id": record.object_id,
        "data": record.data,
        "request_id": record.request_id,
    }
    encoded = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _link(previous: str, record_hash: str) -> str:
    return hashlib.sha256(f"{previous}:{record_hash}".encode()).hexdigest()


def _key_id() -> str:
    return hashlib.sha256(settings.AUDIT_KEY.encode()).hexdigest()[:16]


def _sign(first: int, last: int, chain_hash: str) -> str:
    message = f"{first}:{last}:{chain_hash}".encode()
    return hmac.new(settings.AUDIT_KEY.encode(), message, hashlib.sha256).hexdigest()


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
    record.record_hash = _content_hash(record)
    record.save(force_insert=True)
    return record


def audit_seal(*, batch_size: int = SEAL_BATCH) -> int:
    """Link unsealed records into the chain (one batch) and sign a checkpoint; returns count."""
    with transaction.atomic():
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(singleton=1)
        batch = list(
            AuditRecord.objects.filter(chain_position__isnull=True).order_by("id")[:batch_size]
        )
        if not batch:
            return 0
        position, chain = head.position, head.chain_hash
        first = position + 1
        for record in batch:
            position += 1
            chain = _link(chain, record.record_hash)
            record.chain_position = position
            record.chain_hash = chain
        AuditRecord.objects.bulk_update(batch, ["chain_position", "chain_hash"], batch_size=1000)
        AuditCheckpoint.objects.create(
            first_position=first,
            last_position=position,
            chain_hash=chain,
            sealed_at=timezone.now(),
            key_id=_key_id(),
            signature=_sign(first, position, chain),
        )
        head.position, head.chain_hash = position, chain
        head.save(update_fields=["position", "chain_hash"])
        return len(batch)


def audit_seal_all() -> int:
    total = 0
    while sealed := audit_seal():
        total += sealed
    return total


@dataclass
class VerificationReport:
    records_checked: int = 0
    checkpoints_checked: int = 0
    unsealed: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _iter_sealed() -> Iterator[AuditRecord]:
    last = 0
    while True:
        chunk = list(
            AuditRecord.objects.filter(chain_position__gt=last).order_by("chain_position")[:5000]
        )
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].chain_position or last


def audit_verify(*, now: datetime | None = None) -> VerificationReport:
    """Walk the whole chain and every checkpoint; report everything that does not add up."""
    report = VerificationReport()
    checkpoints = {c.last_position: c for c in AuditCheckpoint.objects.all()}
    signed_up_to = max(checkpoints, default=0)
    expected_position, chain = 0, GENESIS
    for record in _iter_sealed():
        expected_position += 1
        report.records_checked += 1
        if record.chain_position != expected_position:
            report.problems.append(
                f"records missing before chain position {record.chain_position} "
                f"(expected {expected_position}): deleted records"
            )
            expected_position = record.chain_position or expected_position
        if _content_hash(record) != record.record_hash:
            report.problems.append(
                f"record {record.pk} (position {record.chain_position}) was edited: "
                "its content no longer matches its hash"
            )
        chain = _link(chain, record.record_hash)
        if chain != record.chain_hash:
            report.problems.append(
                f"chain broken at position {record.chain_position} (record {record.pk}): "
                "a record was inserted, removed or re-hashed"
            )
            chain = record.chain_hash
        checkpoint = checkpoints.pop(expected_position, None)
        if checkpoint is not None:
            report.checkpoints_checked += 1
            if not hmac.compare_digest(
                checkpoint.signature,
                _sign(checkpoint.first_position, checkpoint.last_position, checkpoint.chain_hash),
            ):
                report.problems.append(f"checkpoint at position {expected_position} is forged")
            elif checkpoint.chain_hash != chain:
                report.problems.append(
                    f"chain at position {expected_position} differs from its signed checkpoint"
                )
    for position in sorted(checkpoints):
        report.problems.append(
            f"checkpoint at position {position} has no record: records were deleted"
        )
    if expected_position > signed_up_to:
        report.problems.append(
            f"positions {signed_up_to + 1}..{expected_position} are not covered by a signed "
            "checkpoint: records were appended to the chain without the sealer's key"
        )
    head = AuditChainHead.objects.filter(singleton=1).first()
    if head is not None and head.position != expected_position:
        report.problems.append(
            f"the chain head says {head.position} records, the log holds {expected_position}"
        )
    cutoff = (now or timezone.now()) - UNSEALED_GRACE
    unsealed = AuditRecord.objects.filter(chain_position__isnull=True)
    report.unsealed = unsealed.count()
    stale = unsealed.filter(occurred_at__lt=cutoff).count()
    if stale:
        report.problems.append(
            f"{stale} records older than {UNSEALED_GRACE} were never sealed "
            "(inserted behind the sealer's back, or the sealer is not running)"
        )
    return report
