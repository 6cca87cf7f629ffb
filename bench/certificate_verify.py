"""Certificate verification, in process: ``verify_credential`` against the raw signature check.

Issues a pool of distinct residence-permit credentials (ES256, six disclosures each, as the
certificate services issue them) and a signed status list, then times, in the same run and on
the same key, (a) the raw ES256 signature verification of each credential's JWS and (b) the
full offline ``verify_credential``: parsing, signature, issuer binding, every disclosure's
digest, validity dates and the status list entry. Medians of several rounds; the target is
ratio ≥ 0.8 (ARCHITECTURE.md). Needs no database. Prints one JSON line.

Then, unless ``--no-http``, over HTTP on the server stack of ``case_throughput.py`` (gunicorn,
PostgreSQL, the demo city loaded): ``GET /api/v1/certificates/verify?identifier=…`` (what the
printed QR code opens: the library's copy, its issuer's keys and status list read from the
database, signature and status checked) and ``POST /api/v1/certificates/verify`` with the
credential, against ``GET /healthz`` (one ``SELECT 1``) on the same server in the same run as
the baseline. Target ≥ 1,000 verifications/s on the 2-core machine.

    python bench/certificate_verify.py [--pool 200] [--rounds 7] [--seconds 1]
        [--no-http] [--workers 4] [--clients 16] [--duration 10] [--http-rounds 2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pool", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--no-http", action="store_true", help="only the in-process part")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--http-rounds", type=int, default=2)
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
    result: dict = {
        "benchmark": "certificate_verify",
        "algorithm": "ES256",
        "cpus": os.cpu_count(),
        "in_process": {
            "pool": len(tokens),
            "token_bytes": len(tokens[0]),
            "disclosures": tokens[0].count("~") - 1,
            "raw_signature_verify_per_s": round(statistics.median(raw_rates)),
            "verify_credential_per_s": round(statistics.median(verify_rates)),
            "ratio": round(statistics.median(ratios), 3),
            "target_ratio": 0.8,
            "rounds": args.rounds,
        },
    }
    if not args.no_http:
        result["http"] = http_part(args)
    print(json.dumps(result, ensure_ascii=False))


def http_part(args: argparse.Namespace) -> dict:
    """Verification over HTTP against /healthz on the same server, same run."""
    import tempfile
    import urllib.parse

    sys.path.insert(0, str(ROOT / "bench"))
    import case_throughput as stack

    stack.DATABASE = "tongban_bench_certificates"
    var_dir = Path(tempfile.mkdtemp(prefix="tongban-bench-certificates-"))
    env = stack.server_environment(var_dir)
    stack.prepare_database(env)
    shown = (
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "shell", "-c", PICK],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()
    )
    identifier, credential = shown[-2], shown[-1]
    server, url = stack.start_server(env, args)
    meter = stack.Meter(server.pid)
    query = "/api/v1/certificates/verify?identifier=" + urllib.parse.quote(identifier)
    body = {"credential": credential}

    def healthz(client: stack.Client, _key: str) -> None:
        client.call("healthz", "GET", "/healthz", "")

    def by_identifier(client: stack.Client, _key: str) -> None:
        if not client.call("verify_get", "GET", query, "")["valid"]:
            raise stack.Failed("verify_get: not valid")

    def by_credential(client: stack.Client, _key: str) -> None:
        if not client.call("verify_post", "POST", "/api/v1/certificates/verify", "", body)["valid"]:
            raise stack.Failed("verify_post: not valid")

    phases = {
        "baseline_healthz": healthz,
        "verify_get": by_identifier,
        "verify_post": by_credential,
    }
    runs: dict[str, list] = {name: [] for name in phases}
    try:
        for _ in range(args.http_rounds):
            for name, unit in phases.items():
                runs[name].append(
                    stack.run_phase(
                        name, url, args.clients, args.warmup, args.duration, unit, meter
                    )
                )
    finally:
        meter.close()
        server.terminate()
        server.wait(timeout=30)
        stack.admin_execute(f"DROP DATABASE IF EXISTS {stack.DATABASE} WITH (FORCE)")
    out: dict = {
        "server": f"gunicorn, {args.workers} workers × {args.threads} threads, PostgreSQL",
        "clients": args.clients,
        "rounds": args.http_rounds,
        "seconds_per_phase": args.duration,
    }
    for name, phase_runs in runs.items():
        rates = [len(r.units) / r.seconds for r in phase_runs]
        units = [ms for r in phase_runs for ms in r.units]
        errors = [e for r in phase_runs for e in r.errors]
        out[name] = {
            "req_per_s": round(statistics.median(rates), 1),
            "rounds_req_per_s": [round(r, 1) for r in rates],
            **stack.latency(units),
            "errors": len(errors),
        }
    base = out["baseline_healthz"]["req_per_s"] or 1
    out["verify_get_vs_baseline"] = round(out["verify_get"]["req_per_s"] / base, 3)
    out["verify_post_vs_baseline"] = round(out["verify_post"]["req_per_s"] / base, 3)
    out["target_req_per_s"] = 1000
    return out


# The demo licence's identifier and credential, read on the benchmark's database.
PICK = (
    "from tongban.certificates.models import Certificate\n"
    "c = Certificate.objects.filter(type__name='营业执照', status='valid').first()\n"
    "print(c.identifier)\nprint(c.credential)"
)


if __name__ == "__main__":
    main()
