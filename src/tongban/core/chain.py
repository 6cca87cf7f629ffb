"""Tamper-evident logs: records appended freely, linked into a hash chain by a sealer.

A chained log is three tables (the abstract models in ``core/models.py``): its records, each
carrying the SHA-256 of its own content (``record_hash``) and, once sealed, its position and
the running chain hash; signed checkpoints; and one head row that only sealers lock. Writers
only INSERT inside their own transaction, so no write waits on a shared lock (the way X-Road
timestamps its message log in batches).

- ``HashChain.seal`` links unsealed records into the chain in id order, one batch per
  transaction, and signs a checkpoint (HMAC-SHA256 under ``settings.AUDIT_KEY``, derived per
  chain) for the batch.
- ``HashChain.verify`` walks the chain: an edited record (its content no longer matches its
  hash), a deleted one (a gap in positions or a broken link), an inserted one (a broken link,
  or an old record that was never sealed) or a forged checkpoint is reported.

Every chain registers itself in ``CHAINS`` when its app starts, so one sealer process
(``manage.py audit_seal``) seals them all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

GENESIS = "0" * 64
SEAL_BATCH = 5000
# A record that is still unsealed this long after it was written is reported by verification.
UNSEALED_GRACE = timedelta(minutes=10)


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def utc_iso(instant: datetime) -> str:
    return instant.astimezone(dt.UTC).isoformat()


def link(previous: str, record_hash: str) -> str:
    return hashlib.sha256(f"{previous}:{record_hash}".encode()).hexdigest()


@dataclass
class VerificationReport:
    records_checked: int = 0
    checkpoints_checked: int = 0
    unsealed: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class HashChain:
    """One chained log: ``record_model`` (with ``record_hash``, ``chain_position``,
    ``chain_hash`` and the timestamp ``time_field``), its checkpoints and its head.
    ``content`` gives the fields a record's hash covers."""

    def __init__(
        self,
        *,
        name: str,
        record_model: type[models.Model],
        checkpoint_model: type[models.Model],
        head_model: type[models.Model],
        content: Callable[[Any], dict[str, Any]],
        time_field: str,
        key_context: str = "",
    ) -> None:
        self.name = name
        self.record_model = record_model
        self.checkpoint_model = checkpoint_model
        self.head_model = head_model
        self._content = content
        self.time_field = time_field
        self._key_context = key_context

    # -- hashing and signing --------------------------------------------------------------
    def content_hash(self, record: Any) -> str:
        return hashlib.sha256(canonical_json(self._content(record)).encode()).hexdigest()

    def _key(self) -> bytes:
        key = settings.AUDIT_KEY.encode()
        if not self._key_context:  # the audit log's own key, as it always was
            return key
        return hmac.new(key, f"chain:{self._key_context}".encode(), hashlib.sha256).digest()

    def key_id(self) -> str:
        return hashlib.sha256(self._key()).hexdigest()[:16]

    def sign(self, first: int, last: int, chain_hash: str) -> str:
        message = f"{first}:{last}:{chain_hash}".encode()
        return hmac.new(self._key(), message, hashlib.sha256).hexdigest()

    # -- sealing --------------------------------------------------------------------------
    def seal(self, *, batch_size: int = SEAL_BATCH) -> int:
        """Link one batch of unsealed records into the chain and sign a checkpoint."""
        records = self.record_model._default_manager
        with transaction.atomic():
            head, _created = self.head_model._default_manager.select_for_update().get_or_create(
                singleton=1
            )
            batch = list(records.filter(chain_position__isnull=True).order_by("id")[:batch_size])
            if not batch:
                return 0
            position, chain = head.position, head.chain_hash
            first = position + 1
            for record in batch:
                position += 1
                chain = link(chain, record.record_hash)
                record.chain_position = position
                record.chain_hash = chain
            records.bulk_update(batch, ["chain_position", "chain_hash"], batch_size=1000)
            self.checkpoint_model._default_manager.create(
                first_position=first,
                last_position=position,
                chain_hash=chain,
                sealed_at=timezone.now(),
                key_id=self.key_id(),
                signature=self.sign(first, position, chain),
            )
            head.position, head.chain_hash = position, chain
            head.save(update_fields=["position", "chain_hash"])
            return len(batch)

    def seal_all(self) -> int:
        total = 0
        while sealed := self.seal():
            total += sealed
        return total

    # -- verification ---------------------------------------------------------------------
    def _iter_sealed(self) -> Iterator[Any]:
        records = self.record_model._default_manager
        last = 0
        while True:
            chunk = list(records.filter(chain_position__gt=last).order_by("chain_position")[:5000])
            if not chunk:
                return
            yield from chunk
            last = chunk[-1].chain_position or last

    def verify(self, *, now: datetime | None = None) -> VerificationReport:
        """Walk the whole chain and every checkpoint; report everything that does not add up."""
        report = VerificationReport()
        checkpoints = {c.last_position: c for c in self.checkpoint_model._default_manager.all()}
        signed_up_to = max(checkpoints, default=0)
        expected_position, chain = 0, GENESIS
        for record in self._iter_sealed():
            expected_position += 1
            report.records_checked += 1
            if record.chain_position != expected_position:
                report.problems.append(
                    f"records missing before chain position {record.chain_position} "
                    f"(expected {expected_position}): deleted records"
                )
                expected_position = record.chain_position or expected_position
            if self.content_hash(record) != record.record_hash:
                report.problems.append(
                    f"record {record.pk} (position {record.chain_position}) was edited: "
                    "its content no longer matches its hash"
                )
            chain = link(chain, record.record_hash)
            if chain != record.chain_hash:
                report.problems.append(
                    f"chain broken at position {record.chain_position} (record {record.pk}): "
                    "a record was inserted, removed or re-hashed"
                )
                chain = record.chain_hash
            checkpoint = checkpoints.pop(expected_position, None)
            if checkpoint is not None:
                report.checkpoints_checked += 1
                expected = self.sign(
                    checkpoint.first_position, checkpoint.last_position, checkpoint.chain_hash
                )
                if not hmac.compare_digest(checkpoint.signature, expected):
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
        head = self.head_model._default_manager.filter(singleton=1).first()
        if head is not None and head.position != expected_position:
            report.problems.append(
                f"the chain head says {head.position} records, the log holds {expected_position}"
            )
        cutoff = (now or timezone.now()) - UNSEALED_GRACE
        unsealed = self.record_model._default_manager.filter(chain_position__isnull=True)
        report.unsealed = unsealed.count()
        stale = unsealed.filter(**{f"{self.time_field}__lt": cutoff}).count()
        if stale:
            report.problems.append(
                f"{stale} records older than {UNSEALED_GRACE} were never sealed "
                "(inserted behind the sealer's back, or the sealer is not running)"
            )
        return report


# Every chained log of the platform, by name; apps register theirs in AppConfig.ready().
CHAINS: dict[str, HashChain] = {}


def register_chain(chain: HashChain) -> None:
    CHAINS[chain.name] = chain


def seal_all_chains() -> dict[str, int]:
    return {name: chain.seal_all() for name, chain in CHAINS.items()}
