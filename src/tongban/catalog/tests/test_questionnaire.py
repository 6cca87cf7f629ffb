from __future__ import annotations

import pytest

from tongban.catalog import selectors
from tongban.catalog.models import Material
from tongban.core.errors import InvalidInput

pytestmark = pytest.mark.django_db


def _guide(item):
    return selectors.item_guide_get(implementation_code=item.implementation_code)


def test_residence_permit_situations_change_the_materials(item_finder):
    version = _guide(item_finder("居住证"))
    base = selectors.materials_for_answers(version=version, answers={})
    situation = version.situations.all()[0]
    seen = []
    for option in situation.options.all():
        outcome = selectors.materials_for_answers(
            version=version, answers={situation.code: [option.code]}
        )
        seen.append(frozenset(m.code for m in outcome.materials))
        assert {m.code for m in base.materials} <= {m.code for m in outcome.materials}
        for m in option.materials.all():
            assert m in outcome.materials
    assert len(set(seen)) > 1, "different answers must give different material lists"


def test_business_licence_situations_change_the_materials(item_finder):
    version = _guide(item_finder("营业执照", audience="company"))
    assert version.situations.exists()
    lists = set()
    for situation in version.situations.all():
        for option in situation.options.all():
            outcome = selectors.materials_for_answers(
                version=version, answers={situation.code: [option.code]}
            )
            lists.add(frozenset(m.code for m in outcome.materials))
    assert len(lists) > 1


def test_unlinked_materials_always_apply_and_linked_only_when_chosen(item_finder):
    version = _guide(item_finder("居住证"))
    outcome = selectors.materials_for_answers(version=version, answers={})
    linked = set(
        Material.objects.filter(version=version, options__isnull=False).values_list("pk", flat=True)
    )
    assert all(m.pk not in linked for m in outcome.materials)
    assert not outcome.complete


def test_unknown_answers_are_refused(item_finder):
    version = _guide(item_finder("居住证"))
    code = version.situations.all()[0].code
    with pytest.raises(InvalidInput):
        selectors.materials_for_answers(version=version, answers={"nope": ["x"]})
    with pytest.raises(InvalidInput):
        selectors.materials_for_answers(version=version, answers={code: ["<script>"]})


def test_dependent_questions_are_asked_only_after_their_answer():
    from tongban.catalog.models import Situation

    dependent = (
        Situation.objects.filter(
            depends_on__isnull=False, version__item__current_version__isnull=False
        )
        .select_related("depends_on__situation", "version")
        .first()
    )
    assert dependent is not None, "the demo city needs a dependent question"
    version = dependent.version
    parent = dependent.depends_on
    without = selectors.materials_for_answers(version=version, answers={})
    assert dependent not in without.asked
    with_parent = selectors.materials_for_answers(
        version=version, answers={parent.situation.code: [parent.code]}
    )
    assert dependent in with_parent.asked
