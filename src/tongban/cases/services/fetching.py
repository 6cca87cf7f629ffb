"""Materials fetched through data sharing (让数据多跑路): when a case is submitted, each
material whose catalog source is data sharing and which names an exchange service is asked
of that service, as the platform's own ``cases`` system, for the applicant. The answer and its
exchange message id are kept with the case material for the reviewer; the call is in the
exchange's message log and the applicant's data tracker. When the exchange does not answer
(no grant, the provider down), the material stays "the department will fetch this" and the
submission goes on."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from tongban.cases.models import Case, CaseMaterial
from tongban.catalog.models import Material
from tongban.core.sharing import SharingRefused, shared_call
from tongban.core.types import Actor


def _applicant_query(case: Case) -> dict[str, Any]:
    if case.applicant_company_id is not None:
        return {"credit_code": case.applicant_company.credit_code}
    person = case.applicant_person
    return {"id_number": person.id_number, "name": person.name} if person else {}


def fetch_shared(*, actor: Actor, case: Case, rows: Iterable[CaseMaterial]) -> int:
    """Fill the fetched rows (saved or not) whose material names a service; returns how many
    were answered. The caller saves the rows; the exchange's log records are written in the
    caller's transaction."""
    answered = 0
    query = None
    for row in rows:
        material = row.material
        if (
            row.state != CaseMaterial.State.FETCHED
            or material.source != Material.Source.DATA_SHARING
            or not material.sharing_service
            or row.exchange_message_id
        ):
            continue
        query = query if query is not None else _applicant_query(case)
        if not query:
            continue
        try:
            answer = shared_call(
                function="cases",
                service=material.sharing_service,
                query=query,
                user=actor.reference,
                purpose=f"{case.version.name}：{material.name}"[:200],
                case_number=case.number,
            )
        except SharingRefused:
            continue  # logged by the exchange; the department fetches it itself
        row.exchange_message_id = answer.message_id
        row.fetched_data = answer.data
        row.verified_at = timezone.now()
        answered += 1
    return answered
