"""The exchange message log as a hash chain (``core/chain.py``): what a message's hash covers.

Bodies are not kept (they carry personal data); their SHA-256 hashes are, with who asked,
for what and about whom, so the log proves which answer went to which question.
"""

from __future__ import annotations

from typing import Any

from tongban.core.chain import HashChain, utc_iso
from tongban.exchange.models import ExchangeChainHead, ExchangeCheckpoint, ExchangeMessage


def message_content(message: ExchangeMessage) -> dict[str, Any]:
    return {
        "occurred_at": utc_iso(message.occurred_at),
        "message_id": message.message_id,
        "system": message.system_id,
        "client": message.client,
        "consumer_department": message.consumer_department,
        "provider": message.provider,
        "service": message.service,
        "user": message.user,
        "purpose": message.purpose,
        "case_number": message.case_number,
        "subject_kind": message.subject_kind,
        "subject_index": message.subject_index,
        "fields": message.fields,
        "request_hash": message.request_hash,
        "response_hash": message.response_hash,
        "outcome": message.outcome,
        "reason": message.reason,
        "http_status": message.http_status,
    }


MESSAGE_CHAIN = HashChain(
    name="exchange",
    record_model=ExchangeMessage,
    checkpoint_model=ExchangeCheckpoint,
    head_model=ExchangeChainHead,
    content=message_content,
    time_field="occurred_at",
    key_context="exchange",
)
