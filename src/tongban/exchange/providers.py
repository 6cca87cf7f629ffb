"""The providers behind exchange services: the platform's base registries (population,
companies, certificates) built in, and external HTTP services registered by URL.

A provider takes the caller's ``query`` and the fields it may receive, and returns the
answer's data (only those fields) with whose data it was: the subject the tracker shows it to.
A query the provider cannot read raises ``BadQuery`` (the caller's fault, 400); a provider
that fails or answers garbage raises ``ProviderFailed`` (502).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tongban.certificates.services import certificate_check
from tongban.core.crypto import blind_index
from tongban.core.datause import COMPANY, PERSON
from tongban.core.errors import InvalidInput, NotFound
from tongban.core.ids import citizen_id_problem, credit_code_problem, normalise_code
from tongban.identity.services import known_regions
from tongban.registries.selectors import (
    ID_NUMBER_CONTEXT,
    company_record_get,
    population_matches,
)

MAX_EXTERNAL_ANSWER = 256 * 1024
EXTERNAL_ATTEMPTS = 2


class BadQuery(Exception):
    """The query is missing or malformed (the message says which input)."""


class ProviderFailed(Exception):
    """The provider timed out, failed or answered garbage."""


@dataclass(frozen=True)
class Answer:
    data: dict[str, Any]
    subject_kind: str = ""
    subject_index: str = ""


def _text(query: Mapping[str, Any], key: str, limit: int = 100) -> str:
    value = query.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise BadQuery(key)
    return value


def _id_number(query: Mapping[str, Any]) -> str:
    number = normalise_code(_text(query, "id_number", 40))
    if citizen_id_problem(number, known_regions=known_regions()):
        raise BadQuery("id_number")
    return number


def _credit_code(query: Mapping[str, Any]) -> str:
    code = normalise_code(_text(query, "credit_code", 40))
    if credit_code_problem(code):
        raise BadQuery("credit_code")
    return code


def _person(number: str) -> tuple[str, str]:
    return PERSON, blind_index(number, context=ID_NUMBER_CONTEXT)


def population_verify(query: Mapping[str, Any], fields: Sequence[str]) -> Answer:
    """人口库核验: does this name belong to this ID number (a living resident)? Yes or no."""
    number = _id_number(query)
    name = _text(query, "name")
    kind, index = _person(number)
    return Answer({"match": population_matches(id_number=number, name=name)}, kind, index)


_COMPANY_FIELDS: dict[str, Callable[[Any], Any]] = {
    "name": lambda r: r.name,
    "status": lambda r: r.status,
    "registered_on": lambda r: r.registered_on.isoformat() if r.registered_on else None,
    "representative_name": lambda r: r.representative_name,
}


def company_status(query: Mapping[str, Any], fields: Sequence[str]) -> Answer:
    """法人库查询: the chosen fields of a company's registry record ({"found": false} when
    the registry holds no such company)."""
    code = _credit_code(query)
    record = company_record_get(credit_code=code)
    if record is None:
        return Answer({"found": False}, COMPANY, code)
    data: dict[str, Any] = {"found": True}
    data.update({f: _COMPANY_FIELDS[f](record) for f in fields if f in _COMPANY_FIELDS})
    return Answer(data, COMPANY, code)


def company_good_standing(query: Mapping[str, Any], fields: Sequence[str]) -> Answer:
    """法人库核验: is the company registered and in business? Yes or no."""
    code = _credit_code(query)
    record = company_record_get(credit_code=code)
    standing = record is not None and record.status == record.Status.ACTIVE
    return Answer({"in_good_standing": standing}, COMPANY, code)


def certificate_valid(query: Mapping[str, Any], fields: Sequence[str]) -> Answer:
    """电子证照核验: is the certificate with this identifier valid now? Yes or no (and the
    status when it is not)."""
    identifier = _text(query, "identifier", 120)
    try:
        result = certificate_check(identifier=identifier)
    except (NotFound, InvalidInput):
        return Answer({"valid": False, "status": "unknown"})
    return Answer({"valid": result.valid, "status": result.status or result.reason})


BUILT_IN: dict[str, Callable[[Mapping[str, Any], Sequence[str]], Answer]] = {
    "population.verify": population_verify,
    "company.status": company_status,
    "company.good_standing": company_good_standing,
    "certificate.valid": certificate_valid,
}


def subject_of(query: Mapping[str, Any]) -> tuple[str, str]:
    """Whose data a query is about, as far as its inputs tell (for the log and the tracker)."""
    try:
        if "id_number" in query:
            return _person(_id_number(query))
        if "credit_code" in query:
            return COMPANY, _credit_code(query)
    except BadQuery:
        pass
    return "", ""


def external_call(
    url: str, query: Mapping[str, Any], fields: Sequence[str], *, timeout: float
) -> Answer:
    """POST ``{"query", "fields"}`` to an external provider; its answer must be a JSON object
    ``{"data": {...}}``. Connection failures and 5xx answers are retried once; only the
    granted fields of the answer are passed on."""
    body = json.dumps({"query": dict(query), "fields": list(fields)}).encode()
    last_error = ""
    for attempt in range(EXTERNAL_ATTEMPTS):
        request = urllib.request.Request(  # noqa: S310 - the URL was registered by staff
            url, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                raw = response.read(MAX_EXTERNAL_ANSWER + 1)
            break
        except urllib.error.HTTPError as exc:
            last_error = f"HTTP {exc.code}"
            if exc.code < 500:
                raise ProviderFailed(last_error) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            last_error = type(exc).__name__
        if attempt + 1 < EXTERNAL_ATTEMPTS:
            time.sleep(0.05)
    else:
        raise ProviderFailed(last_error)
    if len(raw) > MAX_EXTERNAL_ANSWER:
        raise ProviderFailed("answer too large")
    try:
        answer = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProviderFailed("not JSON") from exc
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, dict):
        raise ProviderFailed("no data object")
    kind, index = subject_of(query)
    return Answer({k: v for k, v in data.items() if k in fields}, kind, index)
