"""Questions answered by the base registries. Verification (yes / no) rather than data."""

from __future__ import annotations

from tongban.core.compiled import CompiledQuery
from tongban.core.crypto import blind_index
from tongban.registries.models import CompanyRecord, PopulationRecord

ID_NUMBER_CONTEXT = "id_number"


# the exchange's population verification asks this at every call: compiled once
_LIVING_RESIDENT_NAME = CompiledQuery(
    lambda index: (
        PopulationRecord.objects.filter(id_number_index=index, deceased=False)
        .values_list("name")
        .order_by()[:1]
    )
)


def population_matches(*, id_number: str, name: str) -> bool:
    """Whether a living resident with this (normalised) ID number has exactly this name."""
    found = _LIVING_RESIDENT_NAME.first(index=blind_index(id_number, context=ID_NUMBER_CONTEXT))
    return found is not None and found[0] == name.strip()


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
