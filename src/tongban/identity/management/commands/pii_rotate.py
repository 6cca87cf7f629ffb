from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from tongban.core.audit import audit_log
from tongban.core.crypto import seal, sealed_with_current_key, unseal
from tongban.core.types import Actor
from tongban.identity.models import ID_NUMBER_CONTEXT, PHONE_CONTEXT, Person
from tongban.registries.models import PopulationRecord

BATCH = 500


class Command(BaseCommand):
    help = "Re-seal personal numbers under the first key of PII_KEYS (after adding a new key)."

    def handle(self, *args: Any, **options: Any) -> None:
        persons = self._rotate(
            Person, {"id_number_sealed": ID_NUMBER_CONTEXT, "phone_sealed": PHONE_CONTEXT}
        )
        records = self._rotate(PopulationRecord, {"id_number_sealed": ID_NUMBER_CONTEXT})
        audit_log(
            actor=Actor.system("pii_rotate"),
            action="core.pii.rotate",
            data={"persons": persons, "population_records": records},
        )
        self.stdout.write(f"Re-sealed {persons} persons and {records} population records.")

    def _rotate(self, model: Any, columns: dict[str, str]) -> int:
        changed = 0
        last = 0
        while True:
            with transaction.atomic():
                rows = list(
                    model.objects.select_for_update().filter(pk__gt=last).order_by("pk")[:BATCH]
                )
                if not rows:
                    return changed
                for row in rows:
                    stale = [c for c in columns if not sealed_with_current_key(getattr(row, c))]
                    for column in stale:
                        value = unseal(getattr(row, column), context=columns[column])
                        setattr(row, column, seal(value, context=columns[column]))
                    if stale:
                        row.save(update_fields=stale)
                        changed += 1
                last = rows[-1].pk
