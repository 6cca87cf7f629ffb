from __future__ import annotations

import pytest

from tongban.catalog import search, selectors

pytestmark = pytest.mark.django_db


def test_finds_business_licence_and_residence_permit():
    for words in ("营业执照", "居住证"):
        page = selectors.item_search(text=words)
        assert page.total > 0, words
        assert words in page.results[0].name


def test_titles_are_highlighted_and_escaped():
    page = selectors.item_search(text="居住证")
    assert "<mark>居住证</mark>" in str(page.results[0].title)
    html = search.highlight("<b>居住证</b>", ["居住证"])
    assert str(html) == "&lt;b&gt;<mark>居住证</mark>&lt;/b&gt;"


def test_synonyms_find_the_long_form():
    short = selectors.item_search(text="社保")
    long = selectors.item_search(text="社会保险")
    assert short.total > 0 and long.total > 0
    assert {r.item_id for r in short.results} & {r.item_id for r in long.results}


def test_question_words_are_ignored():
    assert (
        selectors.item_search(text="怎么办理居住证").total
        == selectors.item_search(text="居住证").total
    )


def test_english_words_search_english_names():
    page = selectors.item_search(text="residence permit")
    assert page.total > 0


def test_did_you_mean_for_a_typo():
    page = selectors.item_search(text="居住正")
    assert page.total == 0
    assert page.suggestion and "居住" in page.suggestion


def test_filters_and_pagination():
    everything = selectors.item_search(text="", page_size=10)
    assert everything.total >= 150 and len(everything.results) == 10
    second = selectors.item_search(text="", page=2, page_size=10)
    assert {r.item_id for r in second.results}.isdisjoint({r.item_id for r in everything.results})
    companies = selectors.item_search(text="", audience="company", page_size=100)
    assert companies.total > 0
    assert all(r.audience in ("company", "both") for r in companies.results)
    licences = selectors.item_search(text="", item_type="01", page_size=100)
    assert all(r.item_type == "01" for r in licences.results)


def test_hostile_queries_do_not_break_search():
    for text in ['"', "' OR 1=1 --", "NEAR(a b)", "*", "a" * 5000, "营业执照 AND OR NOT", "\x00"]:
        page = selectors.item_search(text=text)
        assert page.total >= 0


def test_department_and_theme_filters_in_search():
    page = selectors.item_search(text="营业执照")
    dept = page.results[0].department_id
    filtered = selectors.item_search(text="营业执照", department_id=dept)
    assert filtered.total >= 1
    assert all(r.department_id == dept for r in filtered.results)


def test_region_filter_includes_everything_inside_the_region():
    district = selectors.item_search(text="", region_code="990102", page_size=100)
    assert district.total > 0
    assert all(r.region_code.startswith("990102") for r in district.results)
    city = selectors.item_search(text="", region_code="990100", page_size=100)
    assert city.total == selectors.item_search(text="").total  # the city covers its districts
    found = selectors.item_search(text="居住证", region_code="990102")
    assert found.total >= 1
    assert all(r.region_code.startswith("990102") for r in found.results)


def test_huge_match_sets_come_in_tiers_titles_first(monkeypatch):
    """Past RANK_LIMIT matches, titles with the words come first and the count is capped."""
    monkeypatch.setattr(search, "RANK_LIMIT", 5)
    first = selectors.item_search(text="证", page_size=3)
    assert first.total_capped and first.total == 5
    assert all("证" in r.name for r in first.results)
    seen = set()
    for page in range(1, 4):
        results = selectors.item_search(text="证", page=page, page_size=2).results
        ids = {r.item_id for r in results}
        assert ids and not ids & seen  # pages do not repeat items
        seen |= ids
    uncapped = selectors.item_search(text="居住证申领")
    assert not uncapped.total_capped
