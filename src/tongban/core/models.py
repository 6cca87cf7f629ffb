"""Core tables: the hash-chained audit log.

Writers only ever INSERT an ``AuditRecord`` (with the hash of its own content) inside their own
transaction, so no write waits on a shared lock. A sealer (``audit_seal``) later links records
into the chain in batches — assigning chain positions in the order it finds them — and signs a
checkpoint per batch. See ``core/audit.py``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChainedRecord(models.Model):
    """A record of a hash-chained log (``core/chain.py``): the hash of its own content, and
    its position and the running chain hash once a sealer has linked it."""

    record_hash = models.CharField(max_length=64)
    chain_position = models.BigIntegerField(null=True, blank=True, unique=True)
    chain_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        abstract = True


class ChainCheckpoint(models.Model):
    """A signed statement: the chain up to ``last_position`` has hash ``chain_hash``."""

    first_position = models.BigIntegerField()
    last_position = models.BigIntegerField(unique=True)
    chain_hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField()
    key_id = models.CharField(max_length=32)
    signature = models.CharField(max_length=128)

    class Meta:
        abstract = True
        ordering = ["last_position"]

    def __str__(self) -> str:
        return f"checkpoint {self.first_position}-{self.last_position}"


class ChainHead(models.Model):
    """One row: where a chain ends. Only sealers lock it, never writers."""

    singleton = models.PositiveSmallIntegerField(primary_key=True, default=1)
    position = models.BigIntegerField(default=0)
    chain_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"chain head at {self.position}"


class AuditRecord(ChainedRecord):
    """审计日志: one state change or data access, append-only."""

    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    actor = models.CharField(_("actor"), max_length=80)
    actor_label = models.CharField(_("actor label"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object id"), max_length=80, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # The sealer's query: unsealed records in insertion order.
            models.Index(
                fields=["id"],
                name="audit_unsealed_idx",
                condition=models.Q(chain_position__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action}"


class AuditCheckpoint(ChainCheckpoint):
    """A signed statement: the audit chain up to ``last_position`` has hash ``chain_hash``."""

    class Meta(ChainCheckpoint.Meta):
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")


class AuditChainHead(ChainHead):
    """Where the audit chain ends."""


class DataUseRecord(models.Model):
    """数据使用记录: one access to a person's or a company's data by a department system
    through the exchange or by staff through the platform's own pages: what the data tracker
    (我的数据用在哪) shows its subject. Appended, never edited."""

    class Channel(models.TextChoices):
        EXCHANGE = "exchange", _("Data exchange")
        STAFF = "staff", _("Platform staff")
        CERTIFICATE = "certificate", _("Certificate look-up")

    at = models.DateTimeField(_("when"), db_index=True)
    # A person: the blind index of the ID number (as identity and the registries keep it);
    # a company: its unified social credit code.
    subject_kind = models.CharField(max_length=8)
    subject_index = models.CharField(max_length=64)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel)
    department = models.CharField(_("department"), max_length=150)
    system = models.CharField(_("system"), max_length=150, blank=True)
    service = models.CharField(_("service"), max_length=150)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    case_number = models.CharField(_("case number"), max_length=40, blank=True)
    reference = models.CharField(_("reference"), max_length=64, blank=True)  # message id
    served = models.BooleanField(_("answered"), default=True)

    class Meta:
        verbose_name = _("data-use record")
        verbose_name_plural = _("data-use records")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["subject_kind", "subject_index", "-at"], name="data_use_idx")
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.department} {self.service}"
