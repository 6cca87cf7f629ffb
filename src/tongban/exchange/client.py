"""What a consuming system does to call the gateway: a client assertion signed with its
private key, the headers, and the check of the signed answer. Used by ``manage.py
exchange_call``, the tests and the benchmark; a department's own system does the same in its
own language (see docs/exchange.md)."""

from __future__ import annotations

import hashlib
import json
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from joserfc import jws, jwt
from joserfc.jwk import ECKey, KeySet


def new_key(kid: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A new P-256 key pair for a system: (private JWK, public JWKS to register)."""
    key = ECKey.generate_key("P-256", private=True)
    private = dict(key.as_dict(private=True))
    private["kid"] = kid
    public = dict(key.as_dict(private=False))
    public.update({"kid": kid, "use": "sig", "alg": "ES256"})
    return private, {"keys": [public]}


def key_path(system_code: str) -> Path:
    """Where a system's private key is kept on this machine (the demo system's; the
    ``exchange_call`` command's default)."""
    from django.conf import settings

    return Path(settings.VAR_DIR) / "exchange" / f"{system_code}.jwk.json"


def new_message_id() -> str:
    return secrets.token_hex(16)


def client_assertion(
    *,
    system: str,
    private_jwk: dict[str, Any],
    message_id: str,
    audience: str,
    lifetime: int = 120,
    now: int | None = None,
) -> str:
    issued = int(time.time()) if now is None else now
    claims = {
        "iss": system,
        "sub": system,
        "aud": audience,
        "iat": issued,
        "exp": issued + lifetime,
        "jti": message_id,
    }
    header = {"alg": "ES256", "kid": private_jwk["kid"], "typ": "JWT"}
    return jwt.encode(header, claims, ECKey.import_key(private_jwk), algorithms=["ES256"])


def call_headers(
    *,
    system: str,
    private_jwk: dict[str, Any],
    audience: str,
    user: str,
    purpose: str = "",
    case_number: str = "",
    message_id: str | None = None,
) -> dict[str, str]:
    message_id = message_id or new_message_id()
    headers = {
        "Authorization": "Bearer "
        + client_assertion(
            system=system, private_jwk=private_jwk, message_id=message_id, audience=audience
        ),
        "Tongban-Client": system,
        "Tongban-Id": message_id,
        "Tongban-User-Id": user,
        "Content-Type": "application/json",
    }
    if purpose:
        headers["Tongban-Purpose"] = quote(purpose, safe="")
    if case_number:
        headers["Tongban-Issue"] = case_number
    return headers


def call_body(query: dict[str, Any], fields: list[str] | None = None) -> bytes:
    body: dict[str, Any] = {"query": query}
    if fields is not None:
        body["fields"] = fields
    return json.dumps(body, ensure_ascii=False).encode()


class AnswerNotSigned(Exception):
    """The answer's signature is missing, forged, or does not bind this question."""


def check_answer(
    *, jwks: dict[str, Any], body: bytes, headers: Any, request_hash: str, message_id: str
) -> dict[str, Any]:
    """Verify the gateway's signature on an answer and that it answers this request;
    returns the signed statement."""
    token = headers.get("Tongban-Signature") or ""
    try:
        signed = jws.deserialize_compact(token, KeySet.import_key_set(jwks), algorithms=["ES256"])
        statement = json.loads(signed.payload)
    except Exception as exc:  # any failure means: not signed by the gateway
        raise AnswerNotSigned(str(exc)) from exc
    if (
        statement.get("res") != hashlib.sha256(body).hexdigest()
        or statement.get("req") != request_hash
        or statement.get("id") != message_id
    ):
        raise AnswerNotSigned("the signature is for another question or answer")
    return statement


@dataclass
class Reply:
    status: int
    body: bytes
    headers: Any

    def json(self) -> Any:
        return json.loads(self.body)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float = 10) -> Reply:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return Reply(response.status, response.read(), response.headers)
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, exc.read(), exc.headers)
