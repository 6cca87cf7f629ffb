"""The certificate face (照面) as a PDF: the type's face fields, the GB/T 36903 metadata and a
QR code that opens the verification page of the certificate."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tongban.certificates.links import verification_url
from tongban.certificates.models import Certificate
from tongban.core.pdf import PdfDocument


def certificate_face_pdf(*, certificate: Certificate) -> bytes:
    """Render one certificate's face. The holder's code is shown masked for persons."""
    certificate_type = certificate.type
    fields = certificate.fields
    doc = PdfDocument(
        title=certificate_type.name,
        subject=certificate.identifier,
        keywords=[certificate_type.code, certificate.identifier],
    )
    doc.heading(certificate_type.name, level=1, align="center")
    doc.paragraph(
        _("Certificate number: %(serial)s") % {"serial": certificate.serial}, align="center"
    )
    holder_label = _("Name") if certificate.holder_kind == "person" else _("Name of the company")
    code_label = (
        _("Citizen ID number")
        if certificate.holder_kind == "person"
        else _("Unified social credit code")
    )
    pairs: list[tuple[object, object]] = [
        (holder_label, certificate.holder_name),
        (code_label, certificate.holder_code_masked),
    ]
    pairs += [(f["label"], fields.get(f["key"], "")) for f in certificate_type.face_fields]
    pairs += [
        (_("Issued by"), certificate.issuer.name),
        (_("Date of issue"), certificate.issued_on.isoformat()),
        (
            _("Period of validity"),
            f"{certificate.valid_from.isoformat()} – "
            + (certificate.valid_until.isoformat() if certificate.valid_until else _("long-term")),
        ),
        (_("Status"), certificate.get_status_display()),
    ]
    doc.key_values(pairs)
    doc.qr_code(
        verification_url(certificate.identifier),
        caption=_("Scan to verify this certificate"),
    )
    doc.paragraph(_("Certificate identifier: %(id)s") % {"id": certificate.identifier}, small=True)
    doc.paragraph(
        _("Version %(version)03d, signed with key %(kid)s.")
        % {"version": certificate.version, "kid": certificate.signing_key.kid},
        small=True,
    )
    return doc.render()
