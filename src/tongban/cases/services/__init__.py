"""Case services: every transition of a case, each in one transaction under a row lock."""

from tongban.cases.services.acceptance import (
    case_accept,
    case_refuse,
    case_resubmit,
    case_return_notice,
)
from tongban.cases.services.applying import (
    case_draft_save,
    case_material_add,
    case_submit,
    case_window_create,
    completeness,
    prefill,
)
from tongban.cases.services.approval import (
    case_close,
    case_correct,
    case_handover,
    case_request_correction,
    case_resume,
    case_suspend,
    task_claim,
    task_complete,
    task_reassign,
    task_return,
)
from tongban.cases.services.results import (
    Result,
    certificate_proposal,
    proposal_fields,
    result_of,
)
from tongban.cases.services.reuse import case_certificate_use, certificate_offers
from tongban.cases.services.submission import (
    MaterialUpload,
    Submitted,
    application_submit,
    submission_earlier,
)

__all__ = [
    "MaterialUpload",
    "Result",
    "Submitted",
    "application_submit",
    "case_accept",
    "case_certificate_use",
    "case_close",
    "case_correct",
    "case_draft_save",
    "case_handover",
    "case_material_add",
    "case_refuse",
    "case_request_correction",
    "case_resubmit",
    "case_resume",
    "case_return_notice",
    "case_submit",
    "case_suspend",
    "case_window_create",
    "certificate_offers",
    "certificate_proposal",
    "completeness",
    "prefill",
    "proposal_fields",
    "result_of",
    "submission_earlier",
    "task_claim",
    "task_complete",
    "task_reassign",
    "task_return",
]
