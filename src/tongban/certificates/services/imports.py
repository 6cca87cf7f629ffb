"""Import of certificates issued before the library (or elsewhere) from a CSV file: all or
nothing. Every row is checked first and every problem reported with its line; one problem and
nothing is imported. The report has the shape of the catalog import's (``InvalidInput`` with
``Problem`` locations ``"certificates.csv line N"``).

Columns: ``type_code``, ``issuer_code``, ``holder_code``, ``holder_name``, optional
``serial``, ``issued_on``, ``valid_from``, ``valid_until`` (ISO dates), and one column per face
field key of the type.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tongban.certificates.models import Certificate, CertificateType
from tongban.certificates.services.issuance import certificate_issue
from tongban.core.audit import audit_log
from tongban.core.authorization import Target, permits
from tongban.core.errors import InvalidInput, Problem, TongbanError
from tongban.core.ids import normalise_code
from tongban.core.types import Actor
from tongban.organizations.models import Department

REQUIRED_COLUMNS = ("type_code", "issuer_code", "holder_code", "holder_name")
OPTIONAL_COLUMNS = ("serial", "issued_on", "valid_from", "valid_until")
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 60
MAX_CELL = 1000
MAX_PROBLEMS = 200


@dataclass(frozen=True)
class ImportRow:
    line: int
    type_code: str
    issuer_department_id: int
    holder_code: str
    holder_name: str
    fields: dict[str, str]
    serial: str | None
    issued_on: dt.date | None
    valid_from: dt.date | None
    valid_until: dt.date | None


def _date(value: str, *, location: str, field: str, problems: list[Problem]) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        problems.append(
            Problem(location=location, field=field, reason=_("Write the date as YYYY-MM-DD."))
        )
        return None


def certificate_import_parse(
    *, content: bytes, filename: str = "certificates.csv", actor: Actor | None = None
) -> tuple[list[ImportRow], list[Problem]]:
    """Read and check every row; (rows, problems). Nothing is written.

    With ``actor``, a row of a department the actor may not issue for is refused before its
    serial is looked up, so that the report never tells whether another department's serial
    exists."""
    name = (filename or "certificates.csv").rsplit("/", 1)[-1][:100]
    if len(content) > MAX_BYTES:
        return [], [Problem(location=name, field="", reason=_("The file is too large."))]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [Problem(location=name, field="", reason=_("The file is not UTF-8 text."))]
    if "\x00" in text:
        return [], [
            Problem(location=name, field="", reason=_("The text contains a NUL character."))
        ]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    problems: list[Problem] = []
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        return [], [Problem(location=f"{name} line 1", field="", reason=str(exc)[:200])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing or len(header) > MAX_COLUMNS or len(set(header)) != len(header):
        return [], [
            Problem(
                location=f"{name} line 1",
                field=", ".join(missing)[:200],
                reason=_("Missing, repeated or too many columns."),
            )
        ]
    types = {t.code: t for t in CertificateType.objects.prefetch_related("issuing_departments")}
    departments = {
        code: (pk, region_id)
        for code, pk, region_id in Department.objects.values_list("credit_code", "pk", "region_id")
    }
    rows: list[ImportRow] = []
    seen: set[tuple[str, str, str]] = set()
    try:
        for raw in reader:
            if len(problems) >= MAX_PROBLEMS:
                break
            location = f"{name} line {reader.line_num}"
            if len(rows) >= MAX_ROWS:
                problems.append(
                    Problem(
                        location=location,
                        field="",
                        reason=_("At most %(n)d rows a file.") % {"n": MAX_ROWS},
                    )
                )
                break
            if None in raw:
                problems.append(
                    Problem(location=location, field="", reason=_("More cells than columns."))
                )
                continue
            row = {k: (v or "").strip() for k, v in raw.items()}
            if any(len(v) > MAX_CELL for v in row.values()):
                problems.append(
                    Problem(
                        location=location,
                        field="",
                        reason=_("A cell is longer than %(n)d characters.") % {"n": MAX_CELL},
                    )
                )
                continue
            rows_problems: list[Problem] = []
            certificate_type: CertificateType | None = types.get(normalise_code(row["type_code"]))
            if certificate_type is None:
                rows_problems.append(
                    Problem(
                        location=location,
                        field="type_code",
                        reason=_("There is no such certificate type."),
                    )
                )
            issuer_code = normalise_code(row["issuer_code"])
            department_id, region_id = departments.get(issuer_code, (None, None))
            if department_id is None:
                rows_problems.append(
                    Problem(location=location, field="issuer_code", reason=_("Unknown department."))
                )
            elif actor is not None and not permits(
                actor,
                "certificate.issue",
                Target(kind="certificate", department_id=department_id, region_code=region_id),
            ):
                rows_problems.append(
                    Problem(
                        location=location,
                        field="issuer_code",
                        reason=_("You may not issue certificates for this department."),
                    )
                )
                department_id = None
            elif certificate_type is not None and department_id not in {
                d.pk for d in certificate_type.issuing_departments.all()
            }:
                rows_problems.append(
                    Problem(
                        location=location,
                        field="issuer_code",
                        reason=_("This department does not issue certificates of this type."),
                    )
                )
            fields: dict[str, str] = {}
            if certificate_type is not None:
                keys = {f["key"] for f in certificate_type.face_fields}
                extra = [
                    c
                    for c in header
                    if c not in REQUIRED_COLUMNS and c not in OPTIONAL_COLUMNS and c not in keys
                ]
                if extra and row_has_values(row, extra):
                    rows_problems.append(
                        Problem(
                            location=location,
                            field=", ".join(extra)[:100],
                            reason=_("No such face field on this type."),
                        )
                    )
                fields = {k: row[k] for k in keys if row.get(k)}
            dates = {
                c: _date(row.get(c, ""), location=location, field=c, problems=rows_problems)
                for c in ("issued_on", "valid_from", "valid_until")
            }
            serial = normalise_code(row.get("serial", "")) or None
            if serial and certificate_type is not None and department_id is not None:
                key = (certificate_type.code, issuer_code, serial)
                if (
                    key in seen
                    or Certificate.objects.filter(
                        type=certificate_type, issuer_id=department_id, serial=serial
                    ).exists()
                ):
                    rows_problems.append(
                        Problem(
                            location=location,
                            field="serial",
                            reason=_("This serial is already used."),
                        )
                    )
                seen.add(key)
            problems.extend(rows_problems)
            if not rows_problems and certificate_type is not None and department_id is not None:
                rows.append(
                    ImportRow(
                        line=reader.line_num,
                        type_code=certificate_type.code,
                        issuer_department_id=department_id,
                        holder_code=row["holder_code"],
                        holder_name=row["holder_name"],
                        fields=fields,
                        serial=serial,
                        issued_on=dates["issued_on"],
                        valid_from=dates["valid_from"],
                        valid_until=dates["valid_until"],
                    )
                )
    except csv.Error as exc:
        problems.append(
            Problem(location=f"{name} line {reader.line_num}", field="", reason=str(exc)[:200])
        )
    if not rows and not problems:
        problems.append(Problem(location=name, field="", reason=_("The file has no rows.")))
    return rows, problems


def row_has_values(row: dict[str, str], columns: list[str]) -> bool:
    return any(row.get(c) for c in columns)


def certificate_import(
    *, actor: Actor, content: bytes, filename: str = "certificates.csv"
) -> dict[str, Any]:
    """Import every row as a certificate (source "import"). All or nothing: any problem in any
    row (including those only the issuing finds, such as a wrong ID number) and nothing is
    written; ``InvalidInput`` lists them all."""
    rows, problems = certificate_import_parse(content=content, filename=filename, actor=actor)
    name = (filename or "certificates.csv").rsplit("/", 1)[-1][:100]
    identifiers: list[str] = []
    if rows:
        # Rows that read well are issued even when others did not, inside a transaction that
        # is rolled back on any problem: the report then lists what only the issuing finds
        # (a wrong ID number) too, so one round of fixes suffices.
        try:
            with transaction.atomic():
                for row in rows:
                    try:
                        with transaction.atomic():
                            certificate = certificate_issue(
                                actor=actor,
                                type_code=row.type_code,
                                issuer_department_id=row.issuer_department_id,
                                holder_code=row.holder_code,
                                holder_name=row.holder_name,
                                fields=row.fields,
                                serial=row.serial,
                                issued_on=row.issued_on,
                                valid_from=row.valid_from,
                                valid_until=row.valid_until,
                                source=Certificate.Source.IMPORT,
                            )
                        identifiers.append(certificate.identifier)
                    except TongbanError as exc:
                        location = f"{name} line {row.line}"
                        problems.extend(
                            Problem(location=location, field=p.field, reason=p.reason)
                            for p in (exc.problems or [Problem(field="", reason=str(exc.message))])
                        )
                if problems:
                    raise _RollBack()
                audit_log(
                    actor=actor,
                    action="certificate.import",
                    object_type="file",
                    object_id=name,
                    data={"certificates": len(identifiers)},
                )
        except _RollBack:
            pass
    if problems:
        problems.sort(key=_line_of)
        raise InvalidInput(
            _("The file has %(n)d problems; nothing was imported.") % {"n": len(problems)},
            problems=problems,
        )
    return {"certificates": len(identifiers), "identifiers": identifiers}


def _line_of(problem: Problem) -> int:
    """The line a problem's location names ("x.csv line 7"), 0 for the whole file."""
    _head, _sep, tail = (problem.location or "").rpartition(" line ")
    return int(tail) if tail.isdigit() else 0


class _RollBack(Exception):
    pass
