"""Issue → verify, every refusal of the offline verifier, selective disclosure, status, keys."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json

import pytest
from django.core.management import call_command

from tongban.certificates import services
from tongban.certificates.credentials import credential_present
from tongban.certificates.models import Certificate, CertificateEvent, SigningKey
from tongban.certificates.sdjwt import combine, make_disclosure, split
from tongban.certificates.services.keys import signer_for
from tongban.certificates.signing import b64url, b64url_decode
from tongban.certificates.tests.factories import (
    SYSTEM,
    department,
    issue_business_licence,
    issue_residence_permit,
)
from tongban.certificates.verification import MAX_TOKEN_BYTES, verify_credential
from tongban.core.errors import Conflict, Forbidden, InvalidInput
from tongban.core.models import AuditRecord
from tongban.core.types import Actor

pytestmark = pytest.mark.django_db


def inputs(certificate: Certificate) -> tuple[dict, str]:
    """(platform JWKS, the issuer's current status list) as a verifier downloads them."""
    status = certificate.status_list
    return services.platform_jwks(), services.status_list_token(
        issuer_code=certificate.issuer.credit_code, number=status.number
    )


def parts(token: str) -> tuple[dict, dict, str, list[str]]:
    jws, disclosures = split(token)
    header, payload, signature = jws.split(".")
    return (
        json.loads(b64url_decode(header)),
        json.loads(b64url_decode(payload)),
        signature,
        disclosures,
    )


def reassemble(header: dict, payload: dict, signature: str, disclosures: list[str]) -> str:
    jws = ".".join(
        [
            b64url(json.dumps(header).encode()),
            b64url(json.dumps(payload, ensure_ascii=False).encode()),
            signature,
        ]
    )
    return combine(jws, disclosures)


def test_issue_then_verify_round_trip():
    certificate = issue_residence_permit()
    jwks, status_list = inputs(certificate)
    result = verify_credential(certificate.credential, jwks=jwks, status_list_token=status_list)
    assert result.valid, result.reason
    assert result.status == "valid"
    assert result.identifier == certificate.identifier
    subject = result.claims["credentialSubject"]
    assert subject["holderName"] == "赵六"
    assert subject["holderCode"] == certificate.holder_code
    assert subject["age_over_18"] is True
    assert result.claims["certificate"]["typeName"] == "居住证"
    assert result.claims["issuer"]["creditCode"] == certificate.issuer.credit_code
    assert "_sd" not in subject
    # Stored sealed: no clear ID number or credential in the row.
    assert certificate.holder_code not in certificate.holder_code_sealed
    assert "~" not in certificate.credential_sealed
    assert certificate.events.get().kind == "issued"
    assert AuditRecord.objects.filter(
        action="certificate.issue", object_id=certificate.identifier
    ).exists()


def test_the_database_backed_verify_gives_the_same_answer():
    certificate = issue_business_licence()
    result = services.certificate_verify(token=certificate.credential)
    assert result.valid and result.status == "valid"
    assert result.claims["credentialSubject"]["in_good_standing"] is True
    assert services.certificate_check(identifier=certificate.identifier).valid


def test_selective_disclosure_reveals_only_what_the_holder_picks():
    certificate = issue_residence_permit(sequence=503)
    jwks, status_list = inputs(certificate)
    presentation = credential_present(certificate.credential, reveal=["age_over_18"])
    result = verify_credential(presentation, jwks=jwks, status_list_token=status_list)
    assert result.valid
    assert result.disclosed == ("age_over_18",)
    subject = result.claims["credentialSubject"]
    assert subject["age_over_18"] is True
    assert "holderCode" not in subject and "holderName" not in subject
    assert "address" not in subject
    assert certificate.holder_code not in presentation
    # Nothing revealed at all is still an authentic certificate.
    assert verify_credential(credential_present(certificate.credential, reveal=[]), jwks=jwks).valid


def test_a_minor_is_not_over_18():
    today = dt.date.today()
    certificate = issue_residence_permit(sequence=505, birth=f"{today.year - 10}0101")
    presentation = credential_present(certificate.credential, reveal=["age_over_18"])
    result = verify_credential(presentation, jwks=services.platform_jwks())
    assert result.claims["credentialSubject"]["age_over_18"] is False


# ---------------------------------------------------------------------------------------------
# Attacks: every one refused with its own reason


@pytest.fixture
def issued():
    certificate = issue_residence_permit(sequence=507)
    jwks, status_list = inputs(certificate)
    return certificate, jwks, status_list


def test_a_tampered_payload_is_refused(issued):
    certificate, jwks, _status_list = issued
    header, payload, signature, disclosures = parts(certificate.credential)
    payload["validUntil"] = "2099-12-31T00:00:00+08:00"
    payload["exp"] = 4102358400
    forged = reassemble(header, payload, signature, disclosures)
    assert verify_credential(forged, jwks=jwks).reason == "bad_signature"


def test_a_tampered_disclosure_is_refused(issued):
    certificate, jwks, _status = issued
    jws, disclosures = split(certificate.credential)
    forged = combine(jws, [*disclosures[1:], make_disclosure("age_over_18", True)])
    assert verify_credential(forged, jwks=jwks).reason == "bad_disclosure"
    repeated = combine(jws, [disclosures[0], disclosures[0]])
    assert verify_credential(repeated, jwks=jwks).reason == "bad_disclosure"


def test_a_signature_by_another_departments_key_is_refused(issued):
    certificate, _jwks, _status = issued
    _header, payload, _signature, disclosures = parts(certificate.credential)
    # 江川市市场监督管理局 signs a residence permit claiming the 临江 police as issuer.
    issue_business_licence(serial="OTHERKEY1")
    other = SigningKey.objects.get(department=department("amr"), active=True)
    jws = signer_for(other).sign_compact(
        {"typ": "vc+sd-jwt"}, json.dumps(payload, ensure_ascii=False).encode()
    )
    result = verify_credential(combine(jws, disclosures), jwks=services.platform_jwks())
    assert result.reason == "issuer_mismatch"


def test_an_unknown_key_is_refused(issued):
    certificate, jwks, _status = issued
    header, payload, signature, disclosures = parts(certificate.credential)
    header["kid"] = certificate.issuer.credit_code + "-00000000"
    assert (
        verify_credential(reassemble(header, payload, signature, disclosures), jwks=jwks).reason
        == "unknown_key"
    )
    assert verify_credential(certificate.credential, jwks={"keys": []}).reason == "unknown_key"


def test_alg_none_is_refused(issued):
    certificate, jwks, _status = issued
    header, payload, _signature, disclosures = parts(certificate.credential)
    header["alg"] = "none"
    forged = reassemble(header, payload, "", disclosures)
    assert verify_credential(forged, jwks=jwks).reason == "unsupported_algorithm"


def test_hs256_with_the_public_key_as_secret_is_refused(issued):
    certificate, jwks, _status = issued
    header, payload, _signature, disclosures = parts(certificate.credential)
    header["alg"] = "HS256"
    secret = json.dumps(certificate.signing_key.public_jwk).encode()
    signing_input = ".".join(
        [b64url(json.dumps(header).encode()), b64url(json.dumps(payload).encode())]
    )
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    forged = combine(f"{signing_input}.{b64url(mac)}", disclosures)
    assert verify_credential(forged, jwks=jwks).reason == "unsupported_algorithm"


def test_a_wrong_token_type_is_refused(issued):
    certificate, jwks, status_list = issued
    _header, payload, _signature, disclosures = parts(certificate.credential)
    jws = signer_for(certificate.signing_key).sign_compact(
        {"typ": "JWT"}, json.dumps(payload).encode()
    )
    assert verify_credential(combine(jws, disclosures), jwks=jwks).reason == "wrong_type"
    # Nor is the status list (a statuslist+jwt) accepted as a certificate.
    assert verify_credential(status_list + "~", jwks=jwks).reason == "wrong_type"


def test_expired_and_not_yet_valid_are_refused(issued):
    certificate, jwks, _status = issued
    later = dt.datetime.combine(
        certificate.valid_until + dt.timedelta(days=2), dt.time(), tzinfo=dt.UTC
    )
    assert verify_credential(certificate.credential, jwks=jwks, now=later).reason == "expired"
    earlier = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    result = verify_credential(certificate.credential, jwks=jwks, now=earlier)
    assert result.reason == "not_yet_valid"


@pytest.mark.parametrize(
    "token",
    ["", "~", "abc", "a.b.c~", "a.b~", "...~", "e30.e30.e30~", "e30.e30.e30", "~~~", "\x00~"],
)
def test_malformed_tokens_are_refused(token, issued):
    _certificate, jwks, _status = issued
    result = verify_credential(token, jwks=jwks)
    assert not result.valid
    assert result.reason in {"malformed", "unknown_key", "unsupported_algorithm"}


def test_oversized_input_is_refused(issued):
    certificate, jwks, _status = issued
    huge = certificate.credential + "A" * MAX_TOKEN_BYTES + "~"
    assert verify_credential(huge, jwks=jwks).reason == "too_large"
    assert verify_credential(None, jwks=jwks).reason == "malformed"  # type: ignore[arg-type]


def test_a_status_list_of_another_issuer_or_altered_is_refused(issued):
    certificate, jwks, _status = issued
    other = issue_business_licence(serial="OTHERLIST1")
    _jwks, other_list = inputs(other)
    result = verify_credential(certificate.credential, jwks=jwks, status_list_token=other_list)
    assert result.reason == "status_unavailable"
    result = verify_credential(certificate.credential, jwks=jwks, status_list_token="x.y.z")
    assert result.reason == "status_unavailable"


# ---------------------------------------------------------------------------------------------
# Status


def test_suspend_resume_revoke_show_in_the_offline_status_list():
    certificate = issue_residence_permit(sequence=509)
    approver = Actor.system("approver")
    token = certificate.credential
    services.certificate_suspend(actor=approver, certificate_id=certificate.pk, reason="核查中")
    jwks, status_list = inputs(certificate)
    result = verify_credential(token, jwks=jwks, status_list_token=status_list)
    assert (result.valid, result.reason, result.status) == (False, "suspended", "suspended")
    services.certificate_resume(actor=approver, certificate_id=certificate.pk)
    jwks, status_list = inputs(certificate)
    assert verify_credential(token, jwks=jwks, status_list_token=status_list).valid
    services.certificate_revoke(actor=approver, certificate_id=certificate.pk, reason="证件作废")
    jwks, status_list = inputs(certificate)
    assert verify_credential(token, jwks=jwks, status_list_token=status_list).reason == "revoked"
    with pytest.raises(Conflict):
        services.certificate_resume(actor=approver, certificate_id=certificate.pk)
    kinds = list(
        CertificateEvent.objects.filter(certificate=certificate).values_list("kind", flat=True)
    )
    assert kinds == ["issued", "suspended", "resumed", "revoked"]
    assert AuditRecord.objects.filter(
        action="certificate.revoked", object_id=certificate.identifier
    ).exists()
    # Other certificates in the same list are untouched.
    neighbour = issue_residence_permit(sequence=511)
    jwks, status_list = inputs(neighbour)
    assert verify_credential(neighbour.credential, jwks=jwks, status_list_token=status_list).valid


def test_a_status_change_needs_a_reason_and_an_approver_of_the_issuer():
    certificate = issue_residence_permit(sequence=513)
    with pytest.raises(InvalidInput):
        services.certificate_revoke(actor=SYSTEM, certificate_id=certificate.pk, reason=" ")
    with pytest.raises(Forbidden):
        services.certificate_revoke(
            actor=Actor(kind="user", user_id=1, label="nobody"),
            certificate_id=certificate.pk,
            reason="x",
        )


def test_a_new_version_supersedes_the_old_and_keeps_the_serial():
    old = issue_residence_permit(sequence=515)
    new = services.certificate_new_version(
        actor=SYSTEM,
        certificate_id=old.pk,
        reason="居住证签注",
        fields={"address": "江川市临江区江湾路9号"},
        renew=True,
    )
    old.refresh_from_db()
    assert old.status == "superseded"
    assert (new.serial, new.version, new.previous_id) == (old.serial, 2, old.pk)
    assert new.identifier.split(".")[-2] == "002"
    assert new.fields["address"] == "江川市临江区江湾路9号"
    jwks, status_list = inputs(new)
    assert verify_credential(old.credential, jwks=jwks, status_list_token=status_list).reason == (
        "revoked"
    )
    assert verify_credential(new.credential, jwks=jwks, status_list_token=status_list).valid


def test_key_rotation_keeps_old_certificates_verifying():
    old = issue_residence_permit(sequence=517)
    issuer_code = old.issuer.credit_code
    assert services.certificate_verify(token=old.credential).valid  # the keys are now cached
    call_command("certificate_key_rotate", "--department", issuer_code, stdout=io.StringIO())
    new = issue_residence_permit(sequence=519)
    # The server's verifier knows the new key at once (an unknown key id reads the keys again).
    assert services.certificate_verify(token=new.credential).valid
    assert services.certificate_verify(token=old.credential).valid
    assert new.signing_key_id != old.signing_key_id
    assert SigningKey.objects.get(pk=old.signing_key_id).active is False
    department_keys = services.department_jwks(department_id=old.issuer_id)["keys"]
    assert {old.signing_key.kid, new.signing_key.kid} <= {k["kid"] for k in department_keys}
    jwks, status_list = inputs(new)
    assert verify_credential(old.credential, jwks=jwks, status_list_token=status_list).valid
    assert verify_credential(new.credential, jwks=jwks, status_list_token=status_list).valid
    # Without the retired key the old certificate no longer verifies.
    current_only = {"keys": [k for k in department_keys if k["kid"] == new.signing_key.kid]}
    assert verify_credential(old.credential, jwks=current_only).reason == "unknown_key"


def test_expire_command_is_idempotent():
    certificate = issue_residence_permit(
        sequence=521, valid_from=dt.date(2020, 1, 1), issued_on=dt.date(2020, 1, 1)
    )
    assert certificate.valid_until == dt.date(2020, 12, 31)
    call_command("certificate_expire", stdout=io.StringIO())
    certificate.refresh_from_db()
    assert certificate.status == "expired"
    assert services.certificates_expire_due(actor=SYSTEM) == 0
    assert certificate.events.filter(kind="expired").count() == 1
    result = services.certificate_verify(token=certificate.credential)
    assert result.reason == "expired"


def test_issue_refuses_bad_input():
    with pytest.raises(InvalidInput):
        issue_residence_permit(holder_code="110105194912310021")  # wrong check
    with pytest.raises(InvalidInput):
        issue_residence_permit(fields={"sex": "男"})  # address missing
    with pytest.raises(InvalidInput):
        issue_residence_permit(fields={"sex": "男", "address": "x", "colour": "red"})
    with pytest.raises(InvalidInput):
        issue_residence_permit(issuer_department_id=department("amr").pk)
    with pytest.raises(Forbidden):
        issue_residence_permit(actor=Actor(kind="user", user_id=1, label="nobody"))


def test_the_demo_wallets_hold_certificates():
    from tongban.certificates import selectors
    from tongban.demo import people
    from tongban.identity.models import Company, Person
    from tongban.identity.services import id_number_index

    person = Person.objects.get(id_number_index=id_number_index(people.PEOPLE[0][1]))
    wallet = list(selectors.certificates_for_person(person=person))
    assert [c.type.name for c in wallet] == ["居住证"]
    company = Company.objects.get(credit_code=people.COMPANIES[0][1])
    assert [c.type.name for c in selectors.certificates_for_company(company=company)] == [
        "营业执照"
    ]
    assert services.certificate_verify(token=wallet[0].credential).valid
