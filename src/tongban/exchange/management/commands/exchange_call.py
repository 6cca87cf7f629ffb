from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tongban.exchange import client
from tongban.exchange.models import ExchangeService
from tongban.exchange.services import request_hash


class Command(BaseCommand):
    help = (
        "Call a service through the running gateway over HTTP as a registered system, the way "
        "a department's system does (signed client assertion), and check the gateway's "
        "signature on the answer. Example: exchange_call population-verify "
        "id_number=990102198503120011 name=张伟"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("service", help="the service code, e.g. population-verify")
        parser.add_argument("query", nargs="*", help="key=value pairs of the query")
        parser.add_argument("--fields", default="", help="comma-separated fields (queries)")
        parser.add_argument("--system", default="hrss-social-insurance")
        parser.add_argument(
            "--key",
            default="",
            help="the system's private JWK file (default: var/exchange/<system>.jwk.json)",
        )
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="the platform")
        parser.add_argument("--user", default="cli-operator", help="the end user (Tongban-User-Id)")
        parser.add_argument("--purpose", default="命令行调用测试")
        parser.add_argument("--case", default="", help="the case number (Tongban-Issue)")

    def handle(self, *args: Any, **options: Any) -> None:
        service = (
            ExchangeService.objects.select_related("resource__provider")
            .filter(code=options["service"])
            .first()
        )
        if service is None:
            raise CommandError(f"no service {options['service']!r}")
        query = {}
        for pair in options["query"]:
            key, sep, value = pair.partition("=")
            if not sep:
                raise CommandError(f"query terms are key=value, not {pair!r}")
            query[key] = value
        path_file = options["key"] or client.key_path(options["system"])
        try:
            with open(path_file, encoding="utf-8") as handle:
                private = json.load(handle)
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read the private key {path_file}: {exc}") from exc
        fields = [f for f in options["fields"].split(",") if f] or None
        path = f"/exchange/r1/{service.resource.provider.credit_code}/{service.code}"
        body = client.call_body(query, fields)
        headers = client.call_headers(
            system=options["system"],
            private_jwk=private,
            audience=settings.EXCHANGE_AUDIENCE,
            user=options["user"],
            purpose=options["purpose"],
            case_number=options["case"],
        )
        base = options["url"].rstrip("/")
        if urllib.parse.urlsplit(base).scheme not in ("http", "https"):
            raise CommandError("--url must be an http(s) URL")
        try:
            reply = client.post(base + path, body, headers)
            with urllib.request.urlopen(base + "/exchange/jwks", timeout=10) as response:  # noqa: S310
                jwks = json.load(response)
        except (urllib.error.URLError, OSError) as exc:
            raise CommandError(f"the platform at {base} does not answer: {exc}") from exc
        self.stdout.write(f"HTTP {reply.status}  message id {headers['Tongban-Id']}")
        self.stdout.write(reply.body.decode("utf-8", "replace"))
        try:
            statement = client.check_answer(
                jwks=jwks,
                body=reply.body,
                headers=reply.headers,
                request_hash=request_hash("POST", path, body),
                message_id=headers["Tongban-Id"],
            )
        except client.AnswerNotSigned as exc:
            raise CommandError(f"the answer is NOT signed by the gateway: {exc}") from exc
        self.stdout.write(f"signature OK: {json.dumps(statement, ensure_ascii=False)}")
