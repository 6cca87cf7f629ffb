"""CSV import (all or nothing), the face PDF, the status list encoding and the offline command."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from pypdf import PdfReader

from tongban.certificates import services, statuslist
from tongban.certificates.face import certificate_face_pdf
from tongban.certificates.links import verification_url
from tongban.certificates.models import Certificate
from tongban.certificates.services.imports import MAX_BYTES
from tongban.certificates.signing import b64url
from tongban.certificates.tests.factories import (
    SYSTEM,
    department,
    issue_residence_permit,
    residence_type,
)
from tongban.certificates.verification import verify_credential
from tongban.core.errors import InvalidInput
from tongban.demo import people

ROOT = Path(__file__).resolve().parents[4]
HEADER = "type_code,issuer_code,holder_code,holder_name,serial,valid_from,sex,address\n"


def row(sequence: int, *, serial: str = "", name: str = "孙七", sex: str = "女") -> str:
    number = people.citizen_id("990102", "19880808", sequence)
    issuer = department("990102/psb").credit_code
    return (
        f"{residence_type()},{issuer},{number},{name},{serial},2026-01-01,{sex},江川市临江区1号\n"
    )


def test_status_list_bits_are_packed_lsb_first_and_zlib_compressed():
    raw = statuslist.empty_list(16)
    raw = statuslist.status_set(raw, 0, statuslist.INVALID)
    raw = statuslist.status_set(raw, 1, statuslist.SUSPENDED)
    raw = statuslist.status_set(raw, 7, statuslist.INVALID)
    assert raw[:2] == bytes([0b00001001, 0b01000000])
    assert statuslist.decode_list(statuslist.encode_list(raw)) == raw
    assert (
        zlib.decompress(
            statuslist.decode_list.__globals__["b64url_decode"](statuslist.encode_list(raw))
        )
        == raw
    )
    bomb = b64url(zlib.compress(bytes(statuslist.MAX_DECOMPRESSED + 1)))
    with pytest.raises(ValueError):
        statuslist.decode_list(bomb)


@pytest.mark.django_db
def test_import_writes_every_row():
    content = (HEADER + row(601, serial="2600000601") + row(603)).encode()
    summary = services.certificate_import(actor=SYSTEM, content=content)
    assert summary["certificates"] == 2
    imported = Certificate.objects.filter(identifier__in=summary["identifiers"])
    assert {c.source for c in imported} == {"import"}
    assert "2600000601" in {c.serial for c in imported}
    assert all(services.certificate_verify(token=c.credential).valid for c in imported)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "where"),
    [
        # one good row, one with a wrong ID number: nothing at all is written
        (lambda: HEADER + row(605) + row(607).replace("19880808", "19880832"), "line 3"),
        (lambda: HEADER + row(609, serial="X1") + row(611, serial="X1"), "line 3"),  # serial twice
        (lambda: HEADER + row(613).replace(residence_type(), "NOPE"), "line 2"),
        (lambda: HEADER + row(615).replace("2026-01-01", "01/01/2026"), "line 2"),
        (lambda: HEADER + row(617, sex=""), "line 2"),  # a required field missing
        (lambda: HEADER + row(619).rstrip("\n") + ",extra\n", "line 2"),  # more cells than columns
        (lambda: HEADER + row(621, name="x" * 2000), "line 2"),  # oversized cell
        (lambda: "type_code,holder_code\n1,2\n", "line 1"),  # missing columns
        (lambda: HEADER, "certificates.csv"),  # no rows
        (lambda: HEADER + '"unterminated,' + "a" * 10 + "\n", ""),
        (lambda: HEADER + row(623) + "\x00" + row(625), "certificates.csv"),
        (lambda: "\ufeff" + HEADER + row(627, name="=cmd|' /C calc'!A0"), None),  # harmless text
    ],
)
def test_import_is_all_or_nothing_with_a_report(content, where):
    content = content()
    before = Certificate.objects.count()
    if where is None:
        assert services.certificate_import(actor=SYSTEM, content=content.encode())
        return
    with pytest.raises(InvalidInput) as info:
        services.certificate_import(actor=SYSTEM, content=content.encode())
    assert Certificate.objects.count() == before
    assert info.value.problems
    assert any(where in p.location for p in info.value.problems), info.value.problems


@pytest.mark.django_db
def test_import_refuses_binary_and_huge_files():
    for content in (b"\xff\xfe\x00binary", b"a" * (MAX_BYTES + 1)):
        with pytest.raises(InvalidInput):
            services.certificate_import(actor=SYSTEM, content=content)


@pytest.mark.django_db
def test_import_command_reports_problems(tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "bad.csv"
    path.write_text(HEADER + row(629).replace("19880808", "19880832"))
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("certificate_import", str(path), stderr=errors)
    assert "bad.csv line 2" in errors.getvalue()


@pytest.mark.django_db
def test_the_face_renders_with_chinese_text_and_a_qr_code():
    certificate = issue_residence_permit(sequence=631)
    pdf = certificate_face_pdf(certificate=certificate)
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "居住证" in text
    assert certificate.holder_code_masked in text
    assert certificate.holder_code not in text
    assert certificate.identifier in text.replace("\n", "")
    assert verification_url(certificate.identifier).startswith("http")


@pytest.mark.django_db
def test_offline_verification_makes_no_query(django_assert_num_queries):
    certificate = issue_residence_permit(sequence=633)
    jwks = services.platform_jwks()
    status_list = services.status_list_token(
        issuer_code=certificate.issuer.credit_code, number=certificate.status_list.number
    )
    token = certificate.credential
    with django_assert_num_queries(0):
        assert verify_credential(token, jwks=jwks, status_list_token=status_list).valid


@pytest.mark.django_db
def test_the_offline_command_runs_without_a_database(tmp_path):
    certificate = issue_residence_permit(sequence=635)
    (tmp_path / "jwks.json").write_text(json.dumps(services.platform_jwks()))
    (tmp_path / "status.jwt").write_text(
        services.status_list_token(
            issuer_code=certificate.issuer.credit_code, number=certificate.status_list.number
        )
    )
    (tmp_path / "token.txt").write_text(certificate.credential)
    env = {
        **os.environ,
        # Nothing listens there: any query would fail the command.
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        "TONGBAN_VAR_DIR": str(tmp_path / "var"),
    }
    command = [
        sys.executable,
        str(ROOT / "manage.py"),
        "certificate_verify",
        "--jwks",
        str(tmp_path / "jwks.json"),
        "--status-list",
        str(tmp_path / "status.jwt"),
    ]
    done = subprocess.run(
        [*command, str(tmp_path / "token.txt")], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["valid"] and answer["identifier"] == certificate.identifier
    tampered = certificate.credential.replace(".", ".x", 1)
    done = subprocess.run([*command, tampered], env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert json.loads(done.stdout)["valid"] is False
