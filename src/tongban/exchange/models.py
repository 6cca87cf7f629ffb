"""The data-sharing exchange (数据共享交换平台): consuming systems, the resource catalog, the
services on resources, grants, and the hash-chained message log.

A department's information system (信息系统) calls the gateway with a signed client assertion
under a key it registered; it may call a service only under a grant that names the fields it
receives. Every request, served or refused, is one ``ExchangeMessage``, appended in the same
transaction as the answer and later sealed into the chain (``core/chain.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core.models import ChainCheckpoint, ChainedRecord, ChainHead


class InformationSystem(models.Model):
    """信息系统: a department's system registered as a consumer of the exchange (an X-Road
    subsystem). It authenticates with ES256 client assertions under ``public_jwks``."""

    code = models.SlugField(_("system code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=150)
    department = models.ForeignKey(
        "organizations.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="exchange_systems",
    )
    public_jwks = models.JSONField(_("public keys (JWKS)"), default=dict)
    enabled = models.BooleanField(_("enabled"), default=True)
    # Requests a minute before the gateway answers 429 (per system, all services together).
    rate_per_minute = models.PositiveIntegerField(_("requests per minute"), default=6000)
    created_at = models.DateTimeField(_("registered"), default=timezone.now)

    class Meta:
        verbose_name = _("information system")
        verbose_name_plural = _("information systems")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class SharingType(models.TextChoices):
    UNCONDITIONAL = "unconditional", _("Unconditional (无条件共享)")
    CONDITIONAL = "conditional", _("Conditional (有条件共享)")
    NOT_SHARED = "not_shared", _("Not shared (不予共享)")


class Resource(models.Model):
    """政务信息资源: one entry of the resource catalog (政务信息资源目录)."""

    class Classification(models.TextChoices):
        BASE = "base", _("Base resource (基础信息资源)")
        THEME = "theme", _("Theme resource (主题信息资源)")
        DEPARTMENT = "department", _("Department resource (部门信息资源)")

    class OpenType(models.TextChoices):
        OPEN = "open", _("Open to the public")
        CONDITIONAL = "conditional", _("Open on conditions")
        CLOSED = "closed", _("Not open")

    code = models.CharField(_("resource code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150)
    classification = models.CharField(_("classification"), max_length=12, choices=Classification)
    provider = models.ForeignKey(
        "organizations.Department",
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="exchange_resources",
    )
    summary = models.TextField(_("summary"), blank=True)
    format = models.CharField(_("format"), max_length=40, default="JSON")
    # [{"key": "name", "name": "名称", "type": "string"}, ...]
    data_items = models.JSONField(_("data items"), default=list)
    sharing_type = models.CharField(_("sharing type"), max_length=14, choices=SharingType)
    sharing_condition = models.CharField(_("sharing condition"), max_length=300, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    open_type = models.CharField(
        _("open type"), max_length=12, choices=OpenType, default=OpenType.CLOSED
    )
    update_cycle = models.CharField(_("update cycle"), max_length=40, blank=True)
    published_on = models.DateField(_("published"), default=timezone.localdate)

    class Meta:
        verbose_name = _("information resource")
        verbose_name_plural = _("information resources")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ExchangeService(models.Model):
    """A service on a resource: a query returning chosen fields of one record, or a
    verification (核验) answering only yes or no. Served by a built-in provider
    (``handler``) or an external HTTP service (``endpoint_url``)."""

    class Kind(models.TextChoices):
        QUERY = "query", _("Query")
        VERIFICATION = "verification", _("Verification (核验)")

    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.PROTECT, related_name="services"
    )
    code = models.SlugField(_("service code"), max_length=60)
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    handler = models.CharField(_("built-in provider"), max_length=60, blank=True)
    endpoint_url = models.URLField(_("external endpoint"), blank=True)
    timeout_seconds = models.FloatField(_("timeout (seconds)"), default=3.0)
    # What a caller sends and what it may receive (a grant names a subset of ``fields``).
    inputs = models.JSONField(_("inputs"), default=list)
    fields = models.JSONField(_("fields returned"), default=list)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("exchange service")
        verbose_name_plural = _("exchange services")
        ordering = ["resource__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "code"], name="exchange_service_code"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def provider_code(self) -> str:
        return self.resource.provider.credit_code


class Grant(models.Model):
    """共享授权: a consuming system's access to one service for a purpose and a legal basis,
    down to the fields it receives. Requested, then granted (at once for unconditional
    resources, by the provider within 10 working days for conditional ones) or refused."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")
        REVOKED = "revoked", _("Revoked")

    system = models.ForeignKey(
        InformationSystem,
        verbose_name=_("consuming system"),
        on_delete=models.PROTECT,
        related_name="grants",
    )
    service = models.ForeignKey(
        ExchangeService, verbose_name=_("service"), on_delete=models.PROTECT, related_name="grants"
    )
    fields = models.JSONField(_("fields"), default=list)
    purpose = models.CharField(_("purpose"), max_length=200)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_at = models.DateTimeField(_("answer due"), null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["-requested_at", "-id"]
        constraints = [
            # One open request or live grant per system and service.
            models.UniqueConstraint(
                fields=["system", "service"],
                condition=Q(status__in=["requested", "granted"]),
                name="exchange_grant_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.system_id} → {self.service_id} ({self.status})"

    def live(self, now: object = None) -> bool:
        moment = now or timezone.now()
        return self.status == self.Status.GRANTED and (
            self.expires_at is None or self.expires_at > moment
        )


class ExchangeMessage(ChainedRecord):
    """One request through the gateway and its outcome (served, refused, failed): who asked
    (system, end user), for what (service, purpose, case), about whom (``subject_index``:
    the blind index of the person's ID number, or the company's credit code), and the hashes
    binding the answer to the question. Appended, never edited; sealed into the chain."""

    class Outcome(models.TextChoices):
        SERVED = "served", _("Served")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", _("Failed")

    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    message_id = models.CharField(_("message id"), max_length=64)
    system = models.ForeignKey(
        InformationSystem,
        verbose_name=_("consuming system"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
    )
    client = models.CharField(_("client as claimed"), max_length=80)
    consumer_department = models.CharField(_("consuming department"), max_length=150, blank=True)
    provider = models.CharField(_("provider"), max_length=40)
    service = models.CharField(_("service"), max_length=60)
    user = models.CharField(_("end user"), max_length=80, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    case_number = models.CharField(_("case number"), max_length=40, blank=True)
    subject_kind = models.CharField(max_length=8, blank=True)  # "person" / "company"
    subject_index = models.CharField(max_length=64, blank=True)
    fields = models.JSONField(_("fields returned"), default=list)
    request_hash = models.CharField(_("request hash"), max_length=64)
    response_hash = models.CharField(_("response hash"), max_length=64, blank=True)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome)
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    http_status = models.PositiveSmallIntegerField()
    duration_ms = models.FloatField(default=0)

    class Meta:
        verbose_name = _("exchange message")
        verbose_name_plural = _("exchange messages")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            # A message id is used once by a system: a replayed request is refused.
            models.UniqueConstraint(
                fields=["system", "message_id"],
                condition=~Q(outcome="refused"),
                name="exchange_message_once",
            ),
        ]
        indexes = [
            models.Index(fields=["subject_index", "-occurred_at"], name="exchange_subject_idx"),
            models.Index(fields=["service", "-occurred_at"], name="exchange_service_idx"),
            models.Index(
                fields=["id"],
                name="exchange_unsealed_idx",
                condition=Q(chain_position__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} {self.client} {self.service} {self.outcome}"


class ExchangeCheckpoint(ChainCheckpoint):
    class Meta(ChainCheckpoint.Meta):
        verbose_name = _("exchange log checkpoint")
        verbose_name_plural = _("exchange log checkpoints")


class ExchangeChainHead(ChainHead):
    pass


class GatewayKey(models.Model):
    """The platform's key that signs the gateway's answers (ES256); retired keys stay
    published so old answers stay verifiable."""

    kid = models.CharField(_("key id"), max_length=64, unique=True)
    public_jwk = models.JSONField(_("public key (JWK)"))
    private_key_sealed = models.TextField(_("private key (encrypted)"))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        verbose_name = _("gateway key")
        verbose_name_plural = _("gateway keys")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=Q(active=True), name="gateway_key_one_active"
            )
        ]

    def __str__(self) -> str:
        return self.kid


class RoutingVersion(models.Model):
    """A token that changes, in the same transaction, with every change to what the gateway
    routes by (systems, their departments, resources, services, grants): each process keeps
    its look-ups of systems and grants under the token it last read and logs a call only
    while that token is current (``exchange/routing.py``), so a revocation or a disabled
    system applies to the next call everywhere. A random token rather than a counter: a
    rolled-back change can never leave two states under one token."""

    singleton = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("routing version")
        verbose_name_plural = _("routing versions")

    def __str__(self) -> str:
        return self.token
