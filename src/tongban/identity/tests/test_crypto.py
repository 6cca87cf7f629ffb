"""Sealing personal numbers: round trip, bound to the column, key rotation, re-sealing."""

from __future__ import annotations

import base64

import pytest
from django.core.management import call_command

from tongban.core import crypto
from tongban.demo import people
from tongban.identity.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_keys(settings):
    crypto._keys.cache_clear()
    yield settings
    crypto._keys.cache_clear()


def test_a_sealed_value_opens_only_in_its_own_column(fresh_keys):
    token = crypto.seal("13800000001", context="phone")
    assert "13800000001" not in token
    assert crypto.unseal(token, context="phone") == "13800000001"
    with pytest.raises(crypto.PiiKeyError):
        crypto.unseal(token, context="id_number")
    # Sealing twice gives different tokens (random nonce): equal values are not visible.
    assert crypto.seal("13800000001", context="phone") != token


def test_rotation_keeps_old_values_readable_and_pii_rotate_reseals(fresh_keys):
    old_key = fresh_keys.PII_KEYS[0].split(":")[0]
    person = Person.objects.exclude(phone_sealed="").first()
    assert person.phone_sealed.split(":")[1] == old_key
    new = "k2:" + base64.b64encode(b"n" * 32).decode()
    fresh_keys.PII_KEYS = [new, *fresh_keys.PII_KEYS]
    crypto._keys.cache_clear()
    person.refresh_from_db()
    assert person.id_number in {p[1] for p in people.PEOPLE}  # still opens with the old key
    call_command("pii_rotate", stdout=open("/dev/null", "w"))  # noqa: SIM115
    person.refresh_from_db()
    assert person.phone_sealed.split(":")[1] == "k2" and person.id_number_sealed.startswith(
        "v1:k2:"
    )
    # With only the new key, every value still opens.
    fresh_keys.PII_KEYS = [new]
    crypto._keys.cache_clear()
    assert all(p.id_number for p in Person.objects.all())


def test_a_missing_key_is_a_clear_error(fresh_keys):
    token = crypto.seal("x", context="c")
    fresh_keys.PII_KEYS = ["other:" + base64.b64encode(b"o" * 32).decode()]
    crypto._keys.cache_clear()
    with pytest.raises(crypto.PiiKeyError):
        crypto.unseal(token, context="c")
