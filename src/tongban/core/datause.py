"""Data-use records (数据使用记录): every read of a person's or company's data by a department
system or by staff appends one, in the reader's transaction; the data tracker reads them."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from tongban.core.models import DataUseRecord

PERSON = "person"
COMPANY = "company"


def data_use_record(**fields: Any) -> DataUseRecord:
    """Append one data-use record (the caller authorised and audited the access); the fields
    are those of ``data_use_row``."""
    record = data_use_row(**fields)
    record.save(force_insert=True)
    return record


def data_use_row(
    *,
    subject_kind: str,
    subject_index: str,
    channel: str,
    department: str,
    service: str,
    system: str = "",
    purpose: str = "",
    case_number: str = "",
    reference: str = "",
    served: bool = True,
) -> DataUseRecord:
    """A data-use record not saved yet, for a caller that appends it with other rows."""
    return DataUseRecord(
        at=timezone.now(),
        subject_kind=subject_kind,
        subject_index=subject_index[:64],
        channel=channel,
        department=department[:150],
        system=system[:150],
        service=service[:150],
        purpose=purpose[:200],
        case_number=case_number[:40],
        reference=reference[:64],
        served=served,
    )
