"""Questions answered by the base registries. Verification (yes / no) rather than data."""

from __future__ import annotations

from tongban.core.crypto import blind_index
from tongban.registries.models import CompanyRecord, PopulationRecord

ID_NUMBER_CONTEXT = "id_number"


def population_matches(*, id_number: str, name: str) -> bool:
    """Whether a living resident with this (normalised) ID number has exactly this name."""
    record = PopulationRecord.objects.filter(
        id_number_index=blind_index(id_number, context=ID_NUMBER_CONTEXT), deceased=False
    ).first()
    return record is not None and record.name == name.strip()


def company_record_get(*, credit_code: str) -> CompanyRecord | None:
    return CompanyRecord.objects.filter(credit_code=credit_code).first()


def company_representative_matches(*, credit_code: str, id_number: str, name: str) -> bool:
    """Whether the company is in business and this person is its legal representative."""
    record = company_record_get(credit_code=credit_code)
    return (
        record is not None
        and record.status == CompanyRecord.Status.ACTIVE
        and record.representative_id_index == blind_index(id_number, context=ID_NUMBER_CONTEXT)
        and record.representative_name == name.strip()
    )
