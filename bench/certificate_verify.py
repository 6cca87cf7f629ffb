"""Certificate verification, in process: ``verify_credential`` against the raw signature check.

Issues a pool of distinct residence-permit credentials (ES256, six disclosures each, as the
certificate services issue them) and a signed status list, then times, in the same run and on
the same key, (a) the raw ES256 signature verification of each credential's JWS and (b) the
full offline ``verify_credential``: parsing, signature, issuer binding, every disclosure's
digest, validity dates and the status list entry. Medians of several rounds; the target is
ratio ≥ 0.8 (ARCHITECTURE.md). Needs no database. Prints one JSON line.

    python bench/certificate_verify.py [--pool 200] [--rounds 7] [--seconds 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pool", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=1.0)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    from tongban.certificates import credentials, identifiers, signing, statuslist
    from tongban.certificates.verification import verify_credential
    from tongban.demo import city, people

    issuer = city.department_codes()["990102/psb"]
    type_code = city.credit_code(city.PROVINCE, 900) + "002"
    kid = signing.new_kid(issuer)
    pem, jwk = signing.es256_generate(kid=kid)
    signer = signing.Es256Signer(kid=kid, private_key_pem=pem)
    uri = f"https://tongban.example/certificates/status/{issuer}/1"
    now = int(time.time())
    raw = statuslist.empty_list(1 << 16)
    status_token = statuslist.status_list_token_sign(
        signer=signer,
        payload=statuslist.status_list_payload(
            uri=uri, raw=raw, issued_at=now, expires_at=now + 86400, ttl=3600
        ),
    )
    today = dt.date.today()
    tokens = []
    for n in range(args.pool):
        serial = f"26{n:08d}"
        number = people.citizen_id("990102", "19850312", 100 + n % 800)
        content = credentials.CredentialContent(
            identifier=identifiers.build_identifier(
                type_code=type_code, issuer_code=issuer, serial=serial, version=1
            ),
            type_code=type_code,
            type_name="居住证",
            serial=serial,
            version=1,
            issuer_code=issuer,
            issuer_name="江川市公安局临江区分局",
            jurisdiction="990102",
            holder_kind="person",
            holder_name="张伟",
            holder_code=number,
            holder_code_type="111",
            issued_on=today,
            valid_from=today,
            valid_until=today.replace(year=today.year + 1),
            status_uri=uri,
            status_idx=n * 7 % (1 << 16),
            fields={"address": "江川市临江区滨江街道滨江社区1号", "sex": "男"},
            derived={"birth_date": "1985-03-12", "age_over_18": True},
            related_items=("07000100000",),
            disclosable=("holderName", "holderCode", "address", "sex", "birth_date", "age_over_18"),
        )
        tokens.append(credentials.credential_issue(content, signer=signer, issued_at=now))
    ring = signing.KeyRing.from_jwks({"keys": [jwk]})
    public_key = ring.get(kid).key
    ecdsa = ec.ECDSA(hashes.SHA256())
    raw_inputs = []
    for token in tokens:
        header, payload, signature = token.split("~", 1)[0].split(".")
        sig = signing.b64url_decode(signature)
        der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
        raw_inputs.append((der, f"{header}.{payload}".encode()))
    assert all(
        verify_credential(t, jwks=ring, status_list_token=status_token).valid for t in tokens
    )

    def rate(run) -> float:
        count, started = 0, time.perf_counter()
        while time.perf_counter() - started < args.seconds:
            run()
            count += len(tokens)
        return count / (time.perf_counter() - started)

    def raw_round() -> None:
        for der, data in raw_inputs:
            public_key.verify(der, data, ecdsa)

    def verify_round() -> None:
        for token in tokens:
            verify_credential(token, jwks=ring, status_list_token=status_token)

    raw_rates, verify_rates, ratios = [], [], []
    for _ in range(args.rounds):
        r, v = rate(raw_round), rate(verify_round)
        raw_rates.append(r)
        verify_rates.append(v)
        ratios.append(v / r)
    print(
        json.dumps(
            {
                "benchmark": "certificate_verify",
                "algorithm": "ES256",
                "pool": len(tokens),
                "token_bytes": len(tokens[0]),
                "disclosures": tokens[0].count("~") - 1,
                "raw_signature_verify_per_s": round(statistics.median(raw_rates)),
                "verify_credential_per_s": round(statistics.median(verify_rates)),
                "ratio": round(statistics.median(ratios), 3),
                "target_ratio": 0.8,
                "rounds": args.rounds,
            }
        )
    )


if __name__ == "__main__":
    main()
