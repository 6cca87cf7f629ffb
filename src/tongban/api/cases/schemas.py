"""The cases API's request and response schemas."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Header, Schema
from pydantic import ConfigDict, Field, StringConstraints

from tongban.api.cases.common import (
    KEY_MAX_LENGTH,
    MAX_ID,
)
from tongban.api.identity import (
    ACTING_FOR_PARAMETER,
    ErrorOut,
    ObjectIn,
)

# --------------------------------------------------------------------------------------------
# Schemas

Code = Annotated[str, StringConstraints(min_length=1, max_length=40)]
FieldName = Annotated[str, StringConstraints(min_length=1, max_length=60)]
Text = Annotated[str, StringConstraints(max_length=2000)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=2000, pattern=r"\S")]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Answers = Annotated[
    dict[Code, Annotated[list[Code], Field(max_length=20)]],
    Field(max_length=50, description="question code → the chosen option codes"),
]
FormData = Annotated[
    dict[FieldName, Any],
    Field(max_length=100, description="the item's application form (GET a draft for its schema)"),
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=KEY_MAX_LENGTH,
        description="the same key from the same user returns the same case, never a second one",
    ),
]
APPLICANT_DOC = {"parameters": [dict(ACTING_FOR_PARAMETER)]}
PDF_DOC = {
    "responses": {
        200: {
            "description": "a PDF document",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def responses(ok: int | tuple[int, ...], model: Any, *errors: int) -> dict[int, Any]:
    codes = ok if isinstance(ok, tuple) else (ok,)
    return (
        dict.fromkeys(codes, model)
        | {401: ErrorOut, 403: ErrorOut}
        | dict.fromkeys(errors, ErrorOut)
    )


class StrictIn(ObjectIn):
    """A JSON object body whose unknown keys are refused (a typo is not silently ignored)."""

    model_config = ConfigDict(extra="forbid")


class CaseMaterialFileIn(StrictIn):
    material: Id | Code = Field(
        description="the material: its id (a number, as drafts list them) or its code in the "
        'item\'s guide (a string, e.g. "M01")'
    )
    filename: str = Field(min_length=1, max_length=200, description="e.g. contract.pdf")
    content_base64: str = Field(
        min_length=1, description="the file (PDF, JPEG or PNG), base64-encoded"
    )


class CaseApplicationIn(StrictIn):
    item: Code = Field(description="the implementation item's code (实施编码)")
    answers: Answers = {}
    form: FormData = {}
    materials: list[CaseMaterialFileIn] = Field([], max_length=50)
    use_certificates: list[Code] = Field(
        [],
        max_length=50,
        description="material codes for which the applicant consents to attach their own "
        "valid electronic certificate instead of a file (证照免带)",
    )


class WindowPersonIn(StrictIn):
    id_number: Annotated[str, StringConstraints(min_length=1, max_length=40)] = Field(
        description="the walk-in's citizen ID number, as read from the ID card"
    )


class WindowPersonOut(Schema):
    id: int
    name: str
    id_number_masked: str
    assurance_level: int


class WindowCaseIn(StrictIn):
    item: Code = Field(description="the implementation item's code (实施编码)")
    person: Id = Field(description="the walk-in, as found by `POST /window/persons`")
    answers: Answers = {}
    form: FormData = {}
    identity_checked: bool = Field(
        False,
        description=(
            "the clerk checked the ID card face to face; needed (and raises the account to L3) "
            "when the item needs a higher assurance level than the walk-in's account has"
        ),
    )


class CaseDraftIn(StrictIn):
    item: Code = Field(description="the implementation item's code (实施编码)")
    answers: Answers = {}
    form: FormData = {}


class CaseAcceptIn(StrictIn):
    deferred_materials: list[Id] = Field(
        [], max_length=50, description="materials marked 容缺 that may follow after acceptance"
    )
    deferred_days: int = Field(5, ge=1, le=30, description="working days to supply them")


class CaseReasonIn(StrictIn):
    reason: Reason


class CaseNoticeItemIn(StrictIn):
    material: Id | None = Field(None, description="null: about the application itself")
    reason: Reason


class CaseNoticeIn(StrictIn):
    items: list[CaseNoticeItemIn] = Field(min_length=1, max_length=100)
    note: Text = ""


class CaseCorrectionItemIn(StrictIn):
    what: str = Field(min_length=1, max_length=200, pattern=r"\S")
    reason: Reason


class CaseCorrectionIn(StrictIn):
    task: Id = Field(description="the caller's claimed task of this case")
    items: list[CaseCorrectionItemIn] = Field(min_length=1, max_length=50)
    respond_days: int = Field(10, ge=1, le=60, description="working days to answer")


class CaseCorrectionAnswerIn(StrictIn):
    form: FormData | None = Field(None, description="changed form fields (merged, validated)")
    note: Text = ""


class CaseDecisionIn(StrictIn):
    task: Id = Field(description="the last step's task of this case, claimed by the caller")
    outcome: Literal["approve", "reject"]
    reason: Reason
    legal_basis: Reason
    note: Text = ""
    certificate: (
        Annotated[
            dict[FieldName, Annotated[str, StringConstraints(max_length=1000)]],
            Field(max_length=30),
        ]
        | None
    ) = Field(
        default=None,
        description=(
            "when approving an item that issues a certificate: its face fields (key → text; "
            "holder_name names a company being founded), over what the case already says "
            "(GET …/certificate-proposal)"
        ),
    )


class CaseNoteIn(StrictIn):
    note: Text = ""


class TaskSuspendIn(StrictIn):
    kind: Literal["hearing", "expert_review", "inspection"]
    reason: Reason


class TaskReassignIn(StrictIn):
    user: str | None = Field(
        None, max_length=150, description="a colleague's user name; null releases the task"
    )


class CasePath(Schema):
    case_number: str = Field(pattern=r"^[0-9]{22}[0-9Xx]$", description="办件编号")


class IdPath(Schema):
    id: int = Field(ge=1, le=MAX_ID)


class PageQuery(Schema):
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


class TaskQuery(PageQuery):
    mine: bool = Field(False, description="only the tasks the caller has claimed")


class CaseMaterialCertificateOut(Schema):
    identifier: str
    type_name: str
    status: str = Field(description="the certificate's status now")
    verified_at: dt.datetime | None = Field(
        description="when the platform verified it for this case (null: offered, not yet used)"
    )


class CaseMaterialOut(Schema):
    material: int
    code: str
    name: str
    state: str = Field(
        description="provided, certificate (the applicant's electronic certificate, attached "
        "with consent), certificate_offered (one is held: consent to use it, or upload), "
        "fetched (by the department), deferred (容缺), missing, deferrable_missing"
    )
    filename: str
    content_type: str
    size: int
    certificate: CaseMaterialCertificateOut | None = None


class CertificateConsentIn(StrictIn):
    material: Id = Field(description="the material's id")
    use: bool = Field(True, description="false withdraws the consent")


class CaseTimelineOut(Schema):
    at: dt.datetime
    kind: str
    label: str
    department: str = Field(description="the acting department (never a staff member)")
    note: str


class CaseCorrectionItemOut(Schema):
    what: str
    reason: str


class CaseCorrectionOut(Schema):
    items: list[CaseCorrectionItemOut]
    requested_at: dt.datetime
    respond_by: dt.datetime | None


class CaseNoticeItemOut(Schema):
    material: int | None
    name: str
    reason: str


class CaseNoticeOut(Schema):
    items: list[CaseNoticeItemOut]
    note: str
    at: dt.datetime


class CaseTaskOut(Schema):
    id: int = Field(description="for claim, complete, corrections and decisions")
    step: str
    name: str
    role: str
    department: str
    status: str = Field(description="open (waiting to be claimed) or claimed")
    due_at: dt.datetime | None


class CaseCertificateOut(Schema):
    identifier: str = Field(description="1.2.156.3005.2.… (GB/T 36903)")
    type: str
    type_name: str
    version: int
    status: str
    holder: str = Field(description="the holder's name")


class CertificateProposalFieldOut(Schema):
    key: str
    label: str
    required: bool
    value: str = Field(description="what the case already says")


class CertificateProposalOut(Schema):
    type: str
    type_name: str
    renews: str | None = Field(description="the identifier of the certificate being renewed")
    establishes: bool = Field(description="a company is founded: holder_name names it")
    fields: list[CertificateProposalFieldOut]


class CaseOut(Schema):
    number: str = Field(description="办件编号 (docs/case-numbers.md)")
    item: str
    item_name: str
    department: str
    applicant: str
    channel: str
    status: str
    status_label: str
    answers: dict[str, list[str]]
    form: dict[str, Any]
    submitted_at: dt.datetime | None
    accepted_at: dt.datetime | None
    decided_at: dt.datetime | None
    closed_at: dt.datetime | None
    handed_over_at: dt.datetime | None
    legal_due_at: dt.datetime | None = Field(description="null before acceptance or while paused")
    promised_due_at: dt.datetime | None
    deferred_due_at: dt.datetime | None = Field(description="when 容缺 materials are due")
    outcome_reason: str
    legal_basis: str
    materials: list[CaseMaterialOut]
    correction: CaseCorrectionOut | None = Field(description="the open correction request")
    notice: CaseNoticeOut | None = Field(description="the one-time notice, while returned")
    tasks: list[CaseTaskOut] = Field(
        description="the approval steps open now (none before acceptance and after the decision)"
    )
    timeline: list[CaseTimelineOut]
    certificates: list[CaseCertificateOut] = Field(
        description="the electronic certificates this case's approval issued"
    )


class CaseSummaryOut(Schema):
    number: str
    item: str
    item_name: str
    department: str
    status: str
    status_label: str
    submitted_at: dt.datetime | None
    legal_due_at: dt.datetime | None
    promised_due_at: dt.datetime | None


class CaseDraftOut(Schema):
    id: int
    item: str
    item_name: str
    answers: dict[str, list[str]]
    form: dict[str, Any]
    form_schema: dict[str, Any] = Field(description="the application form (JSON Schema)")
    materials: list[CaseMaterialOut]


class CaseUploadOut(Schema):
    material: int
    name: str
    state: str
    filename: str
    content_type: str
    size: int
    sha256: str


class TaskOut(Schema):
    id: int
    case_number: str
    case_status: str
    item_name: str
    step: str
    name: str
    role: str
    department: str
    status: str
    claimed_by_me: bool
    created_at: dt.datetime
    due_at: dt.datetime | None
