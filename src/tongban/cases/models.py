"""Cases (办件): an application from submission to closing, its materials, its history (append
only), its approval tasks, corrections and suspensions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Case(models.Model):
    """办件: one application for one implementation item."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Waiting for acceptance")
        RETURNED = "returned", _("Materials missing (one-time notice)")
        REFUSED = "refused", _("Not accepted")
        IN_PROGRESS = "in_progress", _("Accepted, being processed")
        CORRECTION = "correction", _("Correction requested")
        SUSPENDED = "suspended", _("Special procedure")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CLOSED = "closed", _("Closed")

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        WINDOW = "window", _("At a window")

    number = models.CharField(_("case number"), max_length=24, unique=True, null=True)
    item = models.ForeignKey(
        "catalog.ImplementationItem",
        verbose_name=_("item"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    version = models.ForeignKey(
        "catalog.ItemVersion",
        verbose_name=_("guide version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "organizations.Department",
        verbose_name=_("competent department"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    region_code = models.CharField(_("region"), max_length=12)
    applicant_person = models.ForeignKey(
        "identity.Person",
        verbose_name=_("applicant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    applicant_company = models.ForeignKey(
        "identity.Company",
        verbose_name=_("applicant company"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.CharField(
        _("submitted through"), max_length=8, choices=Channel, default=Channel.ONLINE
    )
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.DRAFT)
    answers = models.JSONField(_("situation answers"), default=dict, blank=True)
    form_data = models.JSONField(_("form"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # The legal and promised due times (None while the clock is stopped or before acceptance).
    legal_due_at = models.DateTimeField(_("legal due time"), null=True, blank=True)
    promised_due_at = models.DateTimeField(_("promised due time"), null=True, blank=True)
    deferred_due_at = models.DateTimeField(_("deferred materials due"), null=True, blank=True)
    outcome_reason = models.TextField(_("reason"), blank=True)
    outcome_basis = models.TextField(_("legal basis"), blank=True)
    handed_over_at = models.DateTimeField(_("result handed over"), null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["department", "status"], name="case_queue"),
            models.Index(fields=["applicant_person", "-created_at"], name="case_person"),
            models.Index(fields=["applicant_company", "-created_at"], name="case_company"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(applicant_person__isnull=False) | Q(applicant_company__isnull=False),
                name="case_has_an_applicant",
            )
        ]

    def __str__(self) -> str:
        return self.number or f"draft {self.pk}"


class CaseMaterial(models.Model):
    """A material of a case: a file the applicant or the clerk supplied, or a note that the
    department fetches it (certificate library, data sharing) or that it follows later (容缺)."""

    class State(models.TextChoices):
        PROVIDED = "provided", _("Provided")
        FETCHED = "fetched", _("Fetched by the department")
        DEFERRED = "deferred", _("To follow (容缺)")
        CERTIFICATE = "certificate", _("Electronic certificate (证照免带)")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(
        "catalog.Material", verbose_name=_("material"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("state"), max_length=12, choices=State, default=State.PROVIDED)
    # The holder's own certificate, attached with their consent instead of a file.
    certificate = models.ForeignKey(
        "certificates.Certificate",
        verbose_name=_("electronic certificate"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    # Fetched through data sharing: the exchange message that answered, and its answer (the
    # minimum the grant gives); empty when the department is to fetch it itself.
    exchange_message_id = models.CharField(_("exchange message id"), max_length=64, blank=True)
    fetched_data = models.JSONField(_("fetched data"), default=dict, blank=True)
    file = models.FileField(_("file"), upload_to="cases/%Y/%m/", blank=True)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("type"), max_length=60, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("case material")
        verbose_name_plural = _("case materials")
        constraints = [
            models.UniqueConstraint(fields=["case", "material"], name="case_material_once")
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.material}"


class CaseEvent(models.Model):
    """One step of a case's history (append only). The applicant sees the department and the
    public note, never the staff member."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"), default=timezone.now)
    kind = models.CharField(_("kind"), max_length=40)
    status = models.CharField(_("status after"), max_length=12, choices=Case.Status)
    department = models.ForeignKey(
        "organizations.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case} · {self.kind}"


class Task(models.Model):
    """An approval step of a case for a role in a department (后台审批任务)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting to be claimed")
        CLAIMED = "claimed", _("Claimed")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    stage = models.PositiveSmallIntegerField(_("stage"))
    key = models.CharField(_("step"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role"), max_length=30)
    department = models.ForeignKey(
        "organizations.Department", on_delete=models.PROTECT, related_name="tasks"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [models.Index(fields=["department", "role", "status"], name="task_worklist")]

    def __str__(self) -> str:
        return f"{self.case} · {self.name}"


class ClockPause(models.Model):
    """A stretch when the legal clock stands still: a correction (补正) or a special procedure
    (特别程序: hearing, expert review, on-site inspection)."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction")
        HEARING = "hearing", _("Hearing")
        EXPERT_REVIEW = "expert_review", _("Expert review")
        INSPECTION = "inspection", _("On-site inspection")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    reason = models.TextField(_("reason"))
    items = models.JSONField(_("what to correct"), default=list, blank=True)
    started_at = models.DateTimeField(_("from"), default=timezone.now)
    respond_by = models.DateTimeField(_("respond by"), null=True, blank=True)
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("clock pause")
        verbose_name_plural = _("clock pauses")

    def __str__(self) -> str:
        return f"{self.case} · {self.get_kind_display()}"


class SubmissionKey(models.Model):
    """An idempotency key of a submission: the same key from the same user is the same case."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="submission_key_once")]

    def __str__(self) -> str:
        return self.key
