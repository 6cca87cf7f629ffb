"""The standard service catalog (事项库).

- ``BaseItem`` (基本目录): the standard definition set at the higher level.
- ``ImplementationItem`` (实施清单事项): one department in one region implementing a base item;
  its code is derived: department credit code + base code ("same item, same standard, same code").
- ``ItemVersion``: the guide content of an implementation item. A draft is edited; a published
  version is immutable and carries its effective date. ``ImplementationItem.current_version``
  points at the published version in force, which is what the public sees.
- ``Material``, ``Situation`` and ``SituationOption`` hang off a version; options decide which
  conditional materials apply (data, never code).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def localised(obj: object, field: str) -> str:
    """The English text of ``field`` when the reader chose English and it exists."""
    if (get_language() or "").startswith("en"):
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, field)


class ItemType(models.TextChoices):
    """The "10 + 1" item types."""

    LICENSING = "01", _("Administrative licensing (行政许可)")
    PENALTY = "02", _("Administrative penalty (行政处罚)")
    ENFORCEMENT = "03", _("Administrative enforcement (行政强制)")
    LEVY = "04", _("Administrative levy (行政征收)")
    BENEFIT = "05", _("Administrative benefit (行政给付)")
    INSPECTION = "06", _("Administrative inspection (行政检查)")
    CONFIRMATION = "07", _("Administrative confirmation (行政确认)")
    REWARD = "08", _("Administrative reward (行政奖励)")
    ADJUDICATION = "09", _("Administrative adjudication (行政裁决)")
    OTHER_POWER = "10", _("Other administrative power (其他行政权力)")
    PUBLIC_SERVICE = "20", _("Public service (公共服务)")


class ExercisingLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")


class Audience(models.TextChoices):
    PERSON = "person", _("Persons")
    COMPANY = "company", _("Companies")
    BOTH = "both", _("Persons and companies")


class AssuranceLevel(models.IntegerChoices):
    """The identity assurance level (实名认证等级) an applicant's account must have.

    The same scale as the identity app's person levels; defined here because the catalog does
    not depend on identity (the import-layer contract).
    """

    L1 = 1, _("L1 · registered with a verified phone or e-mail")
    L2 = 2, _("L2 · identity matched with the population registry")
    L3 = 3, _("L3 · confirmed in person at a service window")


class Theme(models.Model):
    """主题 / 人生事: a topic or life event used to browse the catalog."""

    class Kind(models.TextChoices):
        TOPIC = "topic", _("Topic")
        LIFE_EVENT = "life_event", _("Life event")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    audience = models.CharField(_("audience"), max_length=8, choices=Audience.choices)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["kind", "order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return localised(self, "name")


class BaseItem(models.Model):
    """基本目录事项: the standard item (name, code, type, legal basis)."""

    base_code = models.CharField(_("base code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    item_type = models.CharField(_("item type"), max_length=2, choices=ItemType.choices)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    exercising_level = models.CharField(
        _("exercising level"), max_length=10, choices=ExercisingLevel.choices
    )

    class Meta:
        verbose_name = _("base item")
        verbose_name_plural = _("base items")
        ordering = ["base_code"]

    def __str__(self) -> str:
        return f"{self.base_code} {self.name}"


class ImplementationItem(models.Model):
    """实施清单事项: a base item as implemented by one department in one region."""

    implementation_code = models.CharField(_("implementation code"), max_length=30, unique=True)
    base_item = models.ForeignKey(
        BaseItem,
        verbose_name=_("base item"),
        on_delete=models.PROTECT,
        related_name="implementations",
    )
    department = models.ForeignKey(
        "organizations.Department",
        verbose_name=_("implementing department"),
        on_delete=models.PROTECT,
        related_name="implementation_items",
    )
    region = models.ForeignKey(
        "organizations.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="implementation_items",
    )
    current_version = models.OneToOneField(
        "ItemVersion",
        verbose_name=_("current published version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("implementation item")
        verbose_name_plural = _("implementation items")
        ordering = ["implementation_code"]

    def __str__(self) -> str:
        return self.implementation_code


class ItemVersion(models.Model):
    """One version of an implementation item's guide (办事指南). Published = immutable."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    class TimeUnit(models.TextChoices):
        WORKING_DAY = "working_day", _("working days")
        NATURAL_DAY = "natural_day", _("natural days")

    class CaseKind(models.TextChoices):
        ON_THE_SPOT = "on_the_spot", _("On-the-spot case (即办件)")
        PROMISED = "promised", _("Promised case (承诺件)")

    class HandlingScope(models.TextChoices):
        DISTRICT = "district", _("Within the district")
        CITY_WIDE = "city_wide", _("Anywhere in the city (全市通办)")
        PROVINCE_WIDE = "province_wide", _("Anywhere in the province (全省通办)")
        CROSS_PROVINCE = "cross_province", _("Across provinces (跨省通办)")

    class ResultType(models.TextChoices):
        CERTIFICATE = "certificate", _("Certificate or licence")
        APPROVAL_DOCUMENT = "approval_document", _("Approval document")
        OTHER = "other", _("Other")
        NONE = "none", _("No result document")

    item = models.ForeignKey(
        ImplementationItem,
        verbose_name=_("implementation item"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.CharField(_("published by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    audience = models.CharField(_("audience"), max_length=8, choices=Audience.choices)
    min_assurance_level = models.PositiveSmallIntegerField(
        _("minimum identity assurance level"),
        choices=AssuranceLevel.choices,
        default=AssuranceLevel.L1,
        help_text=_("The identity assurance level an applicant's account needs to apply."),
    )
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), blank=True)
    keywords = models.CharField(_("search keywords"), max_length=300, blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    acceptance_conditions = models.TextField(_("acceptance conditions"), blank=True)
    acceptance_conditions_en = models.TextField(_("acceptance conditions (English)"), blank=True)
    legal_time_limit = models.PositiveIntegerField(_("legal time limit"), null=True, blank=True)
    legal_time_limit_unit = models.CharField(
        _("unit"), max_length=12, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAY
    )
    promised_time_limit = models.PositiveIntegerField(
        _("promised time limit"), null=True, blank=True
    )
    promised_time_limit_unit = models.CharField(
        _("unit"), max_length=12, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAY
    )
    process = models.TextField(_("process"), blank=True)
    process_en = models.TextField(_("process (English)"), blank=True)
    case_kind = models.CharField(_("case kind"), max_length=12, choices=CaseKind.choices)
    visits_needed = models.PositiveSmallIntegerField(_("visits needed on site"), default=0)
    fee_required = models.BooleanField(_("fees charged"), default=False)
    fees = models.TextField(_("fees"), blank=True)
    fee_basis = models.TextField(_("basis for fees"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    office_hours = models.CharField(_("office hours"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    complaint_channel = models.CharField(_("complaint channel"), max_length=300, blank=True)
    online_depth = models.PositiveSmallIntegerField(
        _("online depth"), choices=[(1, "I"), (2, "II"), (3, "III"), (4, "IV")], default=1
    )
    handling_scope = models.CharField(
        _("handling scope"),
        max_length=16,
        choices=HandlingScope.choices,
        default=HandlingScope.DISTRICT,
    )
    delivery_by_post = models.BooleanField(_("result delivered by post"), default=False)
    online_payment = models.BooleanField(_("online payment"), default=False)
    appointment = models.BooleanField(_("appointment"), default=False)
    result_name = models.CharField(_("result name"), max_length=200, blank=True)
    result_name_en = models.CharField(_("result name (English)"), max_length=300, blank=True)
    result_type = models.CharField(
        _("result type"), max_length=20, choices=ResultType.choices, default=ResultType.NONE
    )
    special_procedures = models.TextField(_("special procedures"), blank=True)
    # The application form (a JSON Schema with layout hints) and the approval steps: data, read
    # by ``catalog.application``; empty means the platform's defaults.
    application_form = models.JSONField(_("application form"), default=dict, blank=True)
    approval_steps = models.JSONField(_("approval steps"), default=list, blank=True)

    class Meta:
        verbose_name = _("item version")
        verbose_name_plural = _("item versions")
        ordering = ["item_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="item_version_unique"),
            models.UniqueConstraint(
                fields=["item"], condition=models.Q(status="draft"), name="one_draft_per_item"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.number} ({self.get_status_display()})"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def display_name(self) -> str:
        return localised(self, "name")


class Material(models.Model):
    """申请材料: a document an application needs, with every national attribute."""

    class Necessity(models.TextChoices):
        REQUIRED = "required", _("Required")
        CONDITIONAL = "conditional", _("Required in some situations")
        DEFERRABLE = "deferrable", _("May follow after acceptance (容缺)")

    class Form(models.TextChoices):
        PAPER = "paper", _("Paper")
        ELECTRONIC = "electronic", _("Electronic")
        PAPER_OR_ELECTRONIC = "paper_or_electronic", _("Paper or electronic")

    class OriginalCopy(models.TextChoices):
        ORIGINAL = "original", _("Original")
        COPY = "copy", _("Copy")
        ORIGINAL_AND_COPY = "original_and_copy", _("Original and copy")

    class Source(models.TextChoices):
        APPLICANT = "applicant", _("Provided by the applicant")
        DEPARTMENT = "department", _("Issued by a department")
        CERTIFICATE_LIBRARY = "certificate_library", _("Fetched from the certificate library")
        DATA_SHARING = "data_sharing", _("Fetched through data sharing")

    class PaperSize(models.TextChoices):
        NONE = "", _("Not applicable")
        A4 = "A4", "A4"
        A3 = "A3", "A3"
        OTHER = "other", _("Other")

    version = models.ForeignKey(
        ItemVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="materials",
    )
    code = models.CharField(_("code"), max_length=20)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    necessity = models.CharField(_("necessity"), max_length=12, choices=Necessity.choices)
    form = models.CharField(_("form"), max_length=20, choices=Form.choices)
    original_copy = models.CharField(
        _("original or copy"), max_length=20, choices=OriginalCopy.choices
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    source_detail = models.CharField(_("source detail"), max_length=200, blank=True)
    # For a material fetched from the certificate library: the certificate type's code
    # (GB/T 36903 证照类型代码) whose valid certificate the applicant's holding replaces it.
    certificate_type = models.CharField(
        _("certificate type code"), max_length=21, blank=True, default=""
    )
    # For a material fetched through data sharing: the code of the exchange service that gives
    # it (e.g. company-status); the platform fetches it when the case is submitted.
    sharing_service = models.CharField(
        _("exchange service code"), max_length=60, blank=True, default=""
    )
    paper_size = models.CharField(
        _("paper size"), max_length=6, choices=PaperSize.choices, blank=True, default=""
    )
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    blank_form = models.FileField(
        _("blank form"), upload_to="catalog/forms/%Y/", blank=True, max_length=200
    )
    sample = models.FileField(
        _("filled sample"), upload_to="catalog/samples/%Y/", blank=True, max_length=200
    )
    notes = models.TextField(_("notes"), blank=True)
    notes_en = models.TextField(_("notes (English)"), blank=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["version_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="material_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def display_name(self) -> str:
        return localised(self, "name")

    @property
    def display_notes(self) -> str:
        return localised(self, "notes")


class Situation(models.Model):
    """办理情形: a question whose answer changes the materials or conditions."""

    version = models.ForeignKey(
        ItemVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="situations",
    )
    code = models.CharField(_("code"), max_length=20)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    question = models.CharField(_("question"), max_length=300)
    question_en = models.CharField(_("question (English)"), max_length=500, blank=True)
    multiple = models.BooleanField(_("several answers allowed"), default=False)
    depends_on = models.ForeignKey(
        "SituationOption",
        verbose_name=_("asked only when"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dependent_situations",
    )

    class Meta:
        verbose_name = _("situation")
        verbose_name_plural = _("situations")
        ordering = ["version_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="situation_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.question}"

    @property
    def display_question(self) -> str:
        return localised(self, "question")


class SituationOption(models.Model):
    """An answer to a situation question, with the materials and conditions it brings."""

    situation = models.ForeignKey(
        Situation, verbose_name=_("situation"), on_delete=models.CASCADE, related_name="options"
    )
    code = models.CharField(_("code"), max_length=20)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label = models.CharField(_("label"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=300, blank=True)
    conditions = models.TextField(_("additional conditions"), blank=True)
    conditions_en = models.TextField(_("additional conditions (English)"), blank=True)
    materials = models.ManyToManyField(
        Material, verbose_name=_("materials it requires"), blank=True, related_name="options"
    )

    class Meta:
        verbose_name = _("situation option")
        verbose_name_plural = _("situation options")
        ordering = ["situation_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["situation", "code"], name="option_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.situation.code}:{self.code} {self.label}"

    @property
    def display_label(self) -> str:
        return localised(self, "label")

    @property
    def display_conditions(self) -> str:
        return localised(self, "conditions")


class SearchEntry(models.Model):
    """The search document of an item's current version (jieba tokens, space separated).

    On SQLite the tokens are mirrored into the FTS5 table ``catalog_fts``; on PostgreSQL the
    column ``tsv`` (a weighted ``tsvector`` with a GIN index) is added by a migration.
    """

    item = models.OneToOneField(
        ImplementationItem,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="search_entry",
    )
    title_tokens = models.TextField()
    body_tokens = models.TextField()
    # What a result line shows, so that a search is answered from this table alone.
    implementation_code = models.CharField(max_length=30)
    base_code = models.CharField(max_length=12)
    name = models.CharField(max_length=200)
    name_en = models.CharField(max_length=300, blank=True)
    department_name = models.CharField(max_length=150)
    department_name_en = models.CharField(max_length=250, blank=True)
    online_depth = models.PositiveSmallIntegerField(default=1)
    visits_needed = models.PositiveSmallIntegerField(default=0)
    audience = models.CharField(max_length=8)
    department_id = models.BigIntegerField(db_index=True)
    region_code = models.CharField(max_length=12)
    item_type = models.CharField(max_length=2)
    theme_codes = models.CharField(max_length=400, blank=True)

    class Meta:
        indexes = [models.Index(fields=["base_code", "implementation_code"])]

    def __str__(self) -> str:
        return f"search entry {self.item_id}"
