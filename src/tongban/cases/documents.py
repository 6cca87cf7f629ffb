"""The case's printable documents: the submission / acceptance receipt (受理回执) and the
one-time notice of missing materials (一次性告知书), in Chinese, with the case number."""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tongban.cases.models import Case, CaseEvent
from tongban.core.pdf import PdfDocument


def _when(value: object) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def _header(doc: PdfDocument, case: Case, title: str) -> None:
    doc.heading(title, level=1, align="center")
    applicant = (
        case.applicant_company.name
        if case.applicant_company_id
        else (case.applicant_person.name if case.applicant_person_id else "")
    )
    doc.key_values(
        [
            (_("Case number"), case.number or ""),
            (_("Item"), case.version.name),
            (_("Department"), case.department.display_name),
            (_("Applicant"), applicant),
            (_("Submitted"), _when(case.submitted_at)),
        ]
    )


def acceptance_receipt_pdf(case: Case) -> bytes:
    """受理回执 (or, before acceptance, the submission receipt)."""
    with translation.override("zh-hans"):
        accepted = case.accepted_at is not None
        title = _("Acceptance receipt") if accepted else _("Submission receipt")
        doc = PdfDocument(
            title=title, subject=case.number or "", footer_template=_("Page {page} of {pages}")
        )
        _header(doc, case, title)
        rows = [(_("Status"), case.get_status_display())]
        if accepted:
            rows += [
                (_("Accepted"), _when(case.accepted_at)),
                (_("Legal time limit ends"), _when(case.legal_due_at)),
                (_("Promised time limit ends"), _when(case.promised_due_at)),
            ]
            deferred = case.materials.filter(state="deferred").select_related("material")
            for material in deferred:
                rows.append(
                    (
                        _("To follow by %(date)s") % {"date": _when(case.deferred_due_at)},
                        material.material.name,
                    )
                )
        doc.key_values(rows)
        doc.paragraph(_("Follow your case online with its number, or at any service window."))
        return doc.render()


def notice_pdf(case: Case) -> bytes:
    """一次性告知书: everything missing or wrong, each with the reason, from the last notice."""
    event = CaseEvent.objects.filter(case=case, kind="notice").order_by("-at", "-id").first()
    with translation.override("zh-hans"):
        title = _("One-time notice of missing materials")
        doc = PdfDocument(
            title=title, subject=case.number or "", footer_template=_("Page {page} of {pages}")
        )
        _header(doc, case, title)
        doc.paragraph(
            _(
                "To accept your application, the department needs the following. Bring or upload "
                "all of it; nothing else will be asked for."
            )
        )
        items = (event.data.get("items") if event else None) or []
        doc.key_values(
            [(item.get("name") or _("Application"), item.get("reason", "")) for item in items]
        )
        if event and event.note:
            doc.paragraph(event.note)
        doc.paragraph(_("Issued %(date)s") % {"date": _when(event.at if event else None)})
        return doc.render()
