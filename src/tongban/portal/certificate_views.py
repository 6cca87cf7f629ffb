"""The holder's wallet (我的证照), showing a certificate (亮证), and the public verification
pages a certificate's QR codes open, plus the published keys and status lists.

Views parse, call the certificates services, and render; every page works without JavaScript
and on a phone-sized screen.
"""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_http_methods

from tongban.certificates import holding
from tongban.certificates.face import certificate_face_pdf
from tongban.certificates.models import face_label
from tongban.certificates.selectors import certificate_uses
from tongban.certificates.services import platform_jwks, status_list_token
from tongban.core.errors import Conflict, InvalidInput, NotFound
from tongban.identity.selectors import request_actor


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return mark_safe(image.to_string(encoding="unicode"))  # noqa: S308 - our own SVG


def _face(certificate) -> list[tuple[str, str]]:
    """The face fields in the type's order, with their labels."""
    values = certificate.fields
    return [
        (face_label(field), values.get(field["key"], ""))
        for field in certificate.type.face_fields
        if values.get(field["key"], "") != ""
    ]


@login_required
@require_GET
def wallet(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    certificates = list(holding.certificates_held(actor=actor).order_by("-issued_on", "-id"))
    return render(request, "portal/certificates/wallet.html", {"certificates": certificates})


@login_required
@require_GET
def certificate_detail(request: HttpRequest, identifier: str) -> HttpResponse:
    try:
        certificate = holding.certificate_held(actor=request_actor(request), identifier=identifier)
    except NotFound as exc:
        raise Http404 from exc
    return render(
        request,
        "portal/certificates/detail.html",
        {
            "certificate": certificate,
            "face": _face(certificate),
            "disclosable": certificate.type.disclosable_claims,
            "events": list(certificate.events.all()),
            "uses": list(certificate_uses(certificate=certificate)[:200]),
        },
    )


@login_required
@require_GET
def certificate_pdf(request: HttpRequest, identifier: str) -> HttpResponse:
    try:
        certificate = holding.certificate_held(actor=request_actor(request), identifier=identifier)
    except NotFound as exc:
        raise Http404 from exc
    response = HttpResponse(
        certificate_face_pdf(certificate=certificate), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.pk}.pdf"'
    return response


@login_required
@never_cache
@require_http_methods(["POST"])
def certificate_show(request: HttpRequest, identifier: str) -> HttpResponse:
    """亮证: a one-time QR code disclosing the chosen claims, valid for a few minutes."""
    actor = request_actor(request)
    try:
        certificate = holding.certificate_held(actor=actor, identifier=identifier)
        shown = holding.certificate_show(
            actor=actor, identifier=identifier, reveal=request.POST.getlist("reveal")
        )
    except NotFound as exc:
        raise Http404 from exc
    except (Conflict, InvalidInput) as exc:
        return render(
            request,
            "portal/certificates/detail.html",
            {
                "certificate": certificate,
                "face": _face(certificate),
                "disclosable": certificate.type.disclosable_claims,
                "events": list(certificate.events.all()),
                "errors": [str(p.reason) for p in getattr(exc, "problems", [])] or [exc.message],
            },
            status=exc.http_status,
        )
    url = request.build_absolute_uri(f"/certificates/show/{shown.token}/")
    return render(
        request,
        "portal/certificates/show.html",
        {
            "certificate": certificate,
            "show": shown.show,
            "qr": _qr_svg(url),
            "url": url,
            "minutes": holding.SHOW_MINUTES,
        },
    )


def _verification_page(request, result, certificate, *, shown=None) -> HttpResponse:
    claims = result.claims if result.valid else {}
    subject = claims.get("credentialSubject", {}) if isinstance(claims, dict) else {}
    labels = {f["key"]: face_label(f) for f in certificate.type.face_fields} if certificate else {}
    labels.update(
        {
            "holderName": _("Holder"),
            "age_over_18": _("Aged 18 or over"),
            "in_good_standing": _("In good standing"),
            "birth_date": _("Date of birth"),
        }
    )
    hidden = {"holderKind", "holderCode", "holderCodeType"}
    shown_claims = [
        (labels.get(k, k), _("Yes") if v is True else _("No") if v is False else v)
        for k, v in subject.items()
        if k not in hidden
    ]
    return render(
        request,
        "portal/certificates/verify.html",
        {
            "result": result,
            "certificate": certificate if result.valid else None,
            "claims": shown_claims,
            "issuer": claims.get("issuer", {}) if isinstance(claims, dict) else {},
            "meta": claims.get("certificate", {}) if isinstance(claims, dict) else {},
            "valid_until": claims.get("validUntil", "") if isinstance(claims, dict) else "",
            "shown": shown,
        },
        status=200,
    )


@never_cache
@require_GET
def verify_identifier(request: HttpRequest, identifier: str) -> HttpResponse:
    """What the QR code printed on a certificate's face opens: valid or not, with the claims
    every presentation shows."""
    result, certificate = holding.verify_identifier(identifier)
    return _verification_page(request, result, certificate)


@never_cache
@require_GET
def verify_show(request: HttpRequest, token: str) -> HttpResponse:
    """What a shown certificate's one-time QR code opens (a second scan is refused)."""
    result, show = holding.certificate_show_verify(token)
    certificate = show.certificate if show is not None else None
    return _verification_page(request, result, certificate, shown=show)


@cache_control(public=True, max_age=300)
@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    """The public keys of every issuing department, current and retired (JWKS)."""
    return JsonResponse(platform_jwks(), content_type="application/jwk-set+json")


@cache_control(public=True, max_age=300)
@require_GET
def status_list(request: HttpRequest, issuer_code: str, number: int) -> HttpResponse:
    """An issuer's signed Token Status List (``application/statuslist+jwt``)."""
    try:
        token = status_list_token(issuer_code=issuer_code[:18].upper(), number=number)
    except NotFound as exc:
        raise Http404 from exc
    return HttpResponse(token, content_type="application/statuslist+jwt")
