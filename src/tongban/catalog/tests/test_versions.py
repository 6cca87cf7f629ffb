from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from tongban.catalog import selectors, services
from tongban.catalog.models import ImplementationItem, ItemVersion
from tongban.catalog.tests.factories import base_code, item_document
from tongban.core.errors import Conflict, Forbidden, InvalidInput
from tongban.core.models import AuditRecord
from tongban.core.types import Actor, RoleGrant

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(system_actor) -> ImplementationItem:
    services.catalog_import(
        actor=system_actor,
        content=json.dumps(item_document(20)).encode(),
        filename="c.json",
        publish=True,
    )
    return ImplementationItem.objects.get(base_item__base_code=base_code(20))


def test_new_draft_copies_everything(system_actor, published):
    draft = services.item_version_draft_create(actor=system_actor, item_id=published.pk)
    assert draft.number == 2 and draft.is_draft
    assert draft.materials.count() == published.current_version.materials.count()
    q2 = draft.situations.get(code="Q2")
    assert q2.depends_on.situation.version_id == draft.pk  # linked inside the copy
    rent = draft.situations.get(code="Q1").options.get(code="rent")
    assert list(rent.materials.values_list("code", flat=True)) == ["M2"]
    with pytest.raises(Conflict):
        services.item_version_draft_create(actor=system_actor, item_id=published.pk)


def test_publish_replaces_the_public_version_and_keeps_history(system_actor, published):
    draft = services.item_version_draft_create(actor=system_actor, item_id=published.pk)
    draft.name = "测试事项二十（新版）"
    services.item_version_draft_update(actor=system_actor, version=draft, changed_fields=["name"])
    services.item_version_publish(actor=system_actor, version_id=draft.pk)
    guide = selectors.item_guide_get(implementation_code=published.implementation_code)
    assert guide.number == 2 and guide.name == "测试事项二十（新版）"
    history = selectors.item_version_history(implementation_code=published.implementation_code)
    assert [v.number for v in history] == [2, 1]
    old = selectors.item_guide_get(
        implementation_code=published.implementation_code, version_number=1
    )
    assert old.name == "测试事项20"
    assert selectors.item_search(text="新版").total == 1
    assert AuditRecord.objects.filter(
        action="catalog.version.publish", object_id=str(draft.pk)
    ).exists()


def test_a_published_version_cannot_change(system_actor, published):
    version = published.current_version
    version.name = "篡改"
    with pytest.raises(Conflict):
        services.item_version_draft_update(
            actor=system_actor, version=version, changed_fields=["name"]
        )
    with pytest.raises(Conflict):
        services.item_version_publish(actor=system_actor, version_id=version.pk)
    assert ItemVersion.objects.get(pk=version.pk).name == "测试事项20"


def test_future_effective_date_waits_for_activation(system_actor, published):
    draft = services.item_version_draft_create(actor=system_actor, item_id=published.pk)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    services.item_version_publish(actor=system_actor, version_id=draft.pk, effective_from=tomorrow)
    published.refresh_from_db()
    assert published.current_version.number == 1
    assert services.catalog_activate_due() == 0
    assert services.catalog_activate_due(today=tomorrow) >= 1
    published.refresh_from_db()
    assert published.current_version.number == 2


def test_past_effective_date_is_refused(system_actor, published):
    draft = services.item_version_draft_create(actor=system_actor, item_id=published.pk)
    with pytest.raises(InvalidInput):
        services.item_version_publish(
            actor=system_actor,
            version_id=draft.pk,
            effective_from=timezone.localdate() - dt.timedelta(days=1),
        )


def test_incomplete_draft_is_not_published(system_actor, published):
    draft = services.item_version_draft_create(actor=system_actor, item_id=published.pk)
    draft.situations.get(code="Q1").options.get(code="own").materials.clear()
    with pytest.raises(InvalidInput) as info:
        services.item_version_publish(actor=system_actor, version_id=draft.pk)
    assert "materials.M3" in {p.field for p in info.value.problems}


def test_scope_of_catalog_managers(system_actor, published):
    own = Actor(
        kind="user",
        user_id=1,
        label="own",
        grants=(RoleGrant("catalog_manager", department_id=published.department_id),),
    )
    other_region = Actor(
        kind="user",
        user_id=2,
        label="other",
        grants=(RoleGrant("catalog_manager", region_code="110000"),),
    )
    clerk = Actor(kind="user", user_id=3, label="clerk", grants=(RoleGrant("window_clerk"),))
    assert services.catalog_may_manage(own, published)
    for outsider in (other_region, clerk, Actor.anonymous()):
        with pytest.raises(Forbidden):
            services.item_version_draft_create(actor=outsider, item_id=published.pk)
    draft = services.item_version_draft_create(actor=own, item_id=published.pk)
    with pytest.raises(Forbidden):
        services.item_version_publish(actor=other_region, version_id=draft.pk)
    services.item_version_publish(actor=own, version_id=draft.pk)


def test_discarding_a_draft(system_actor, published):
    draft = services.item_version_draft_create(actor=system_actor, item_id=published.pk)
    services.item_version_draft_discard(actor=system_actor, version_id=draft.pk)
    assert not ItemVersion.objects.filter(pk=draft.pk).exists()
    with pytest.raises(Conflict):
        services.item_version_draft_discard(
            actor=system_actor, version_id=published.current_version_id
        )
