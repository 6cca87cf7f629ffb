from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tongban.core.audit import audit_log, audit_seal, audit_seal_all, audit_verify
from tongban.core.models import AuditCheckpoint, AuditRecord
from tongban.core.types import Actor

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("tests")


def _write(n: int) -> list[AuditRecord]:
    return [
        audit_log(
            actor=ACTOR,
            action="test.event",
            object_type="thing",
            object_id=i,
            data={"n": i, "名字": "张三"},
        )
        for i in range(n)
    ]


def test_sealed_chain_verifies():
    _write(5)
    audit_seal_all()
    report = audit_verify()
    assert report.ok, report.problems
    assert report.records_checked == AuditRecord.objects.count()
    assert report.unsealed == 0


def test_sealing_happens_in_batches_with_signed_checkpoints():
    audit_seal_all()
    before = AuditCheckpoint.objects.count()
    _write(7)
    assert audit_seal(batch_size=3) == 3
    assert audit_seal(batch_size=3) == 3
    assert audit_seal(batch_size=3) == 1
    assert audit_seal(batch_size=3) == 0
    assert AuditCheckpoint.objects.count() == before + 3
    assert audit_verify().ok


def test_edited_record_is_detected():
    records = _write(3)
    audit_seal_all()
    AuditRecord.objects.filter(pk=records[1].pk).update(data={"n": 999})
    report = audit_verify()
    assert not report.ok
    assert any("edited" in p for p in report.problems)


def test_deleted_record_is_detected():
    records = _write(3)
    audit_seal_all()
    AuditRecord.objects.filter(pk=records[1].pk).delete()
    report = audit_verify()
    assert not report.ok
    assert any("deleted" in p or "missing" in p for p in report.problems)


def test_deleted_tail_is_detected():
    records = _write(3)
    audit_seal_all()
    AuditRecord.objects.filter(pk=records[-1].pk).delete()
    assert not audit_verify().ok


def test_inserted_record_with_forged_link_is_detected():
    _write(2)
    audit_seal_all()
    last = AuditRecord.objects.order_by("-chain_position").first()
    forged = audit_log(actor=ACTOR, action="test.forged")
    # An attacker with database access links the record in by hand, hashes and all.
    from tongban.core.chain import link as _link

    AuditRecord.objects.filter(pk=forged.pk).update(
        chain_position=last.chain_position + 1,
        chain_hash=_link(last.chain_hash, forged.record_hash),
    )
    report = audit_verify()
    assert not report.ok
    assert any("not covered by a signed checkpoint" in p or "head" in p for p in report.problems)


def test_forged_checkpoint_is_detected():
    _write(2)
    audit_seal_all()
    AuditCheckpoint.objects.filter(pk=AuditCheckpoint.objects.last().pk).update(signature="0" * 64)
    report = audit_verify()
    assert any("forged" in p for p in report.problems)


def test_verify_command_exit_status():
    _write(1)
    call_command("audit_seal")
    call_command("audit_verify")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditrecord SET action = 'x.y' WHERE id = %s",
            [AuditRecord.objects.order_by("-id").first().pk],
        )
    with pytest.raises(CommandError):
        call_command("audit_verify")


def test_writers_do_not_touch_the_chain_head():
    """Appending never reads or locks the head: the record is simply unsealed."""
    record = _write(1)[0]
    assert record.chain_position is None and record.chain_hash == ""
