"""The certificate library's tables: types, certificates, their events, signing keys, status lists.

Holders' ID numbers and credit codes, face fields and the issued credential are stored sealed
(``tongban.core.crypto``), with a keyed blind index of the holder's code for look-up, like every
ID number on the platform. State changes go through ``services``; events are append-only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tongban.core.crypto import unseal

HOLDER_CODE_CONTEXT = "certificate.holder_code"
FIELDS_CONTEXT = "certificate.fields"
CREDENTIAL_CONTEXT = "certificate.credential"


def face_label(spec: dict) -> str:
    """A face field's label in the active language (Chinese unless English is chosen)."""
    if (get_language() or "").startswith("en") and spec.get("label_en"):
        return str(spec["label_en"])
    return str(spec.get("label") or spec["key"])


PRIVATE_KEY_CONTEXT = "certificate.signing_key"


class HolderKind(models.TextChoices):
    PERSON = "person", _("Person (自然人)")
    COMPANY = "company", _("Company (法人)")


# GB/T 36903 持证主体代码类型: 111 citizen ID number, 001 unified social credit code.
HOLDER_CODE_TYPES = {HolderKind.PERSON: "111", HolderKind.COMPANY: "001"}


class CertificateType(models.Model):
    """证照类型: what a certificate is, who issues it, what its face shows, how long it lasts."""

    code = models.CharField(_("type code"), max_length=21, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    holder_kind = models.CharField(_("holder kind"), max_length=10, choices=HolderKind)
    # [{"key": "address", "label": "住所", "label_en": "Address", "required": true}, …]
    face_fields = models.JSONField(_("face fields"), default=list, blank=True)
    # Years from the date of issue; None: valid until revoked (长期).
    validity_years = models.PositiveSmallIntegerField(_("validity (years)"), null=True, blank=True)
    issuing_departments = models.ManyToManyField(
        "organizations.Department",
        verbose_name=_("issuing departments"),
        related_name="certificate_types",
        blank=True,
    )
    # Base item codes (基本编码) whose approval produces this certificate, and the one that
    # renews it: "same item, same code" across every implementing department.
    producing_item_codes = models.JSONField(_("producing items"), default=list, blank=True)
    renewal_item_code = models.CharField(_("renewal item"), max_length=12, blank=True)
    # Claims the holder chooses to reveal in a presentation (face field keys and derived claims
    # such as age_over_18); every other claim is always shown.
    disclosable_claims = models.JSONField(_("disclosable claims"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("certificate type")
        verbose_name_plural = _("certificate types")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class SigningKey(models.Model):
    """A department's signing key (ES256 by default); retired keys stay published."""

    department = models.ForeignKey(
        "organizations.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="certificate_signing_keys",
    )
    kid = models.CharField(_("key id"), max_length=64, unique=True)
    algorithm = models.CharField(_("algorithm"), max_length=10, default="ES256")
    public_jwk = models.JSONField(_("public key (JWK)"))
    private_key_sealed = models.TextField(_("private key (encrypted)"))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        ordering = ["department_id", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["department"], condition=Q(active=True), name="signing_key_one_active"
            )
        ]

    def __str__(self) -> str:
        return self.kid


class StatusList(models.Model):
    """A department's Token Status List (IETF draft-ietf-oauth-status-list): 2 bits a
    certificate, 0 valid, 1 invalid (revoked or superseded), 2 suspended."""

    department = models.ForeignKey(
        "organizations.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="certificate_status_lists",
    )
    number = models.PositiveIntegerField(_("number"), default=1)
    size = models.PositiveIntegerField(_("entries"))
    allocated = models.PositiveIntegerField(_("entries allocated"), default=0)
    bits = models.BinaryField(_("status bits"))
    # The signed list as last published (statuslist+jwt) and when it was signed.
    token = models.TextField(_("signed list"), blank=True)
    token_issued_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("status list")
        verbose_name_plural = _("status lists")
        constraints = [
            models.UniqueConstraint(fields=["department", "number"], name="status_list_unique")
        ]

    def __str__(self) -> str:
        return f"{self.department_id}/{self.number}"


class Certificate(models.Model):
    """电子证照: one version of an issued certificate (a renewal or 加注 is a new version)."""

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        SUSPENDED = "suspended", _("Suspended")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")
        SUPERSEDED = "superseded", _("Superseded by a newer version")

    class Source(models.TextChoices):
        CASE = "case", _("Issued on a case")
        MANUAL = "manual", _("Issued by staff")
        IMPORT = "import", _("Imported")

    identifier = models.CharField(_("identifier"), max_length=100, unique=True)
    type = models.ForeignKey(
        CertificateType,
        verbose_name=_("certificate type"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    serial = models.CharField(_("serial"), max_length=32)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("previous version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_version",
    )
    holder_kind = models.CharField(_("holder kind"), max_length=10, choices=HolderKind)
    holder_person = models.ForeignKey(
        "identity.Person",
        verbose_name=_("holder (person)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    holder_company = models.ForeignKey(
        "identity.Company",
        verbose_name=_("holder (company)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    holder_name = models.CharField(_("holder"), max_length=200)
    holder_code_index = models.CharField(_("holder code index"), max_length=64, db_index=True)
    holder_code_sealed = models.TextField(_("holder code (encrypted)"))
    holder_code_masked = models.CharField(_("holder code"), max_length=18)
    issuer = models.ForeignKey(
        "organizations.Department",
        verbose_name=_("issuer"),
        on_delete=models.PROTECT,
        related_name="certificates_issued",
    )
    signing_key = models.ForeignKey(
        SigningKey,
        verbose_name=_("signing key"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    fields_sealed = models.TextField(_("face fields (encrypted)"))
    issued_on = models.DateField(_("date of issue"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.VALID)
    status_list = models.ForeignKey(
        StatusList, verbose_name=_("status list"), on_delete=models.PROTECT, related_name="+"
    )
    status_index = models.PositiveIntegerField(_("status list index"))
    credential_sealed = models.TextField(_("credential (encrypted)"))
    source = models.CharField(_("source"), max_length=10, choices=Source)
    case_number = models.CharField(
        _("case number"), max_length=40, null=True, blank=True, db_index=True
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # The day the holder was reminded that it expires soon (once per version).
    expiry_reminded_on = models.DateField(_("expiry reminder sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["status_list", "status_index"], name="certificate_status_index_unique"
            ),
            models.UniqueConstraint(
                fields=["type", "issuer", "serial", "version"], name="certificate_version_unique"
            ),
            models.CheckConstraint(
                condition=(Q(holder_kind="person") & Q(holder_company__isnull=True))
                | (Q(holder_kind="company") & Q(holder_person__isnull=True)),
                name="certificate_holder_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "valid_until"], name="certificate_expiry_idx"),
        ]

    def __str__(self) -> str:
        return self.identifier

    @property
    def holder_code(self) -> str:
        return unseal(self.holder_code_sealed, context=HOLDER_CODE_CONTEXT)

    @property
    def fields(self) -> dict[str, str]:
        import json

        return json.loads(unseal(self.fields_sealed, context=FIELDS_CONTEXT) or "{}")

    @property
    def credential(self) -> str:
        return unseal(self.credential_sealed, context=CREDENTIAL_CONTEXT)


class CertificateEvent(models.Model):
    """One change in a certificate's life, appended and never edited."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("Issued")
        SUSPENDED = "suspended", _("Suspended")
        RESUMED = "resumed", _("Resumed")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")
        SUPERSEDED = "superseded", _("Superseded")

    certificate = models.ForeignKey(
        Certificate,
        verbose_name=_("certificate"),
        on_delete=models.PROTECT,
        related_name="events",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    actor = models.CharField(_("actor"), max_length=80)
    actor_label = models.CharField(_("actor name"), max_length=200, blank=True)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("certificate event")
        verbose_name_plural = _("certificate events")
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.kind}"


class CertificateUse(models.Model):
    """用证: one use of a certificate — attached to an application with the holder's consent, or
    looked up by a department with a stated purpose (用证事由). Appended, never edited; the
    holder sees every one."""

    class Channel(models.TextChoices):
        APPLICATION = "application", _("Attached to an application")
        LOOKUP = "lookup", _("Looked up by a department")

    certificate = models.ForeignKey(
        Certificate, verbose_name=_("certificate"), on_delete=models.PROTECT, related_name="uses"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    channel = models.CharField(_("how"), max_length=12, choices=Channel)
    purpose = models.CharField(_("purpose"), max_length=200)
    case_number = models.CharField(_("case number"), max_length=40, blank=True)
    department = models.ForeignKey(
        "organizations.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    outcome = models.CharField(_("verification"), max_length=20)  # "valid" or the reason

    class Meta:
        verbose_name = _("certificate use")
        verbose_name_plural = _("certificate uses")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["certificate", "-at"], name="certificate_use_idx")]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.channel} {self.at:%Y-%m-%d}"


SHOW_CONTEXT = "certificate.show"


class CertificateShow(models.Model):
    """亮证: one showing of a certificate, a QR code good for one scan within minutes. Only the
    hash of the code is kept; the presentation (with just the chosen claims) is sealed."""

    certificate = models.ForeignKey(
        Certificate,
        verbose_name=_("certificate"),
        on_delete=models.CASCADE,
        related_name="shows",
    )
    token_hash = models.CharField(_("code hash"), max_length=64, unique=True)
    presentation_sealed = models.TextField(_("presentation (encrypted)"))
    disclosed = models.JSONField(_("claims disclosed"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("shown by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("shown"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("scanned"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificate showing")
        verbose_name_plural = _("certificate showings")

    def __str__(self) -> str:
        return f"{self.certificate_id} @ {self.created_at:%Y-%m-%d %H:%M}"
