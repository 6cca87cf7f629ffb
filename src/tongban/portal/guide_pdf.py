"""The printable guide (办事指南) as a PDF, in the reader's language, with a QR code."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tongban.catalog.models import ItemVersion, localised
from tongban.catalog.selectors import MaterialList
from tongban.core.pdf import PdfDocument
from tongban.portal.templatetags.portal import time_limit, yes_no


def render_guide_pdf(*, version: ItemVersion, outcome: MaterialList, url: str) -> bytes:
    item = version.item
    doc = PdfDocument(
        title=f"{version.display_name} — {_('Service guide')}",
        subject=item.implementation_code,
        footer_template=_("Page {page} of {pages}"),
    )
    doc.heading(version.display_name, level=1)
    doc.paragraph(
        _("Service guide · version %(n)d, effective from %(date)s")
        % {"n": version.number, "date": version.effective_from}
    )
    doc.key_values(
        [
            (_("Implementation code"), item.implementation_code),
            (_("Base code"), item.base_item.base_code),
            (_("Item type"), item.base_item.get_item_type_display()),
            (_("Implementing department"), item.department.display_name),
            (_("Department credit code"), item.department.credit_code),
            (_("Legal basis"), version.legal_basis),
            (
                _("Legal time limit"),
                time_limit(version.legal_time_limit, version.legal_time_limit_unit),
            ),
            (
                _("Promised time limit"),
                time_limit(version.promised_time_limit, version.promised_time_limit_unit),
            ),
            (_("Case kind"), version.get_case_kind_display()),
            (_("Visits needed on site"), str(version.visits_needed)),
            (_("Fees"), version.fees or (_("Free of charge") if not version.fee_required else "")),
            (_("Basis for fees"), version.fee_basis),
            (_("Online depth"), version.get_online_depth_display()),
            (_("Identity assurance level needed"), version.get_min_assurance_level_display()),
            (_("Handling scope"), version.get_handling_scope_display()),
            (_("Result delivered by post"), yes_no(version.delivery_by_post)),
            (_("Online payment"), yes_no(version.online_payment)),
            (_("Appointment"), yes_no(version.appointment)),
            (_("Result"), localised(version, "result_name")),
            (_("Address"), version.address),
            (_("Office hours"), version.office_hours),
            (_("Phone"), version.phone),
            (_("Complaints"), version.complaint_channel),
        ]
    )
    doc.heading(_("Acceptance conditions"), level=2)
    doc.paragraph(localised(version, "acceptance_conditions") or "—")
    for condition in outcome.conditions:
        doc.paragraph(condition)
    if outcome.answers:
        doc.heading(_("Your situation"), level=2)
        lines = []
        for s in outcome.asked:
            chosen = outcome.answers.get(s.code, [])
            labels = [o.display_label for o in s.options.all() if o.code in chosen]
            if labels:
                lines.append(f"{s.display_question} {'、'.join(labels)}")
        doc.bullets(lines)
    doc.heading(_("Materials"), level=2)
    doc.table(
        headers=[
            _("Material"),
            _("Necessity"),
            _("Form"),
            _("Original / copy"),
            _("Copies"),
            _("Source"),
        ],
        rows=[
            [
                m.display_name + (f"\n{m.display_notes}" if m.display_notes else ""),
                m.get_necessity_display(),
                m.get_form_display(),
                m.get_original_copy_display(),
                str(m.copies),
                m.get_source_display(),
            ]
            for m in outcome.materials
        ],
        col_widths=[4, 2, 1.6, 1.6, 1, 2],
    )
    if outcome.unanswered:
        doc.paragraph(
            _("Some questions were not answered; materials that depend on them are not listed."),
            small=True,
        )
    doc.heading(_("Process"), level=2)
    doc.paragraph(localised(version, "process") or "—")
    if version.special_procedures:
        doc.heading(_("Special procedures"), level=2)
        doc.paragraph(version.special_procedures)
    doc.qr_code(url, caption=_("Scan to open this guide online"))
    return doc.render()
