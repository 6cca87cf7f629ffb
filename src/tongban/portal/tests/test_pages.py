from __future__ import annotations

import io

import pytest
from django.test import Client
from pypdf import PdfReader

pytestmark = pytest.mark.django_db


def test_home_is_chinese_by_default_with_a_language_switch(client: Client):
    html = client.get("/").content.decode()
    assert 'lang="zh-CN"' in html
    assert 'name="language"' in html and "English" in html
    assert "人生" in html or "主题" in html


def test_switching_to_english(client: Client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    html = response.content.decode()
    assert 'lang="en"' in html
    assert "Search" in html


def test_search_page_and_htmx_fragment(client: Client):
    page = client.get("/search/", {"q": "营业执照"}).content.decode()
    assert "<mark>营业执照</mark>" in page
    fragment = client.get("/search/", {"q": "营业执照"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "<mark>" in fragment


def test_search_with_nothing_found_suggests(client: Client):
    html = client.get("/search/", {"q": "居住正"}).content.decode()
    assert "居住" in html


def test_search_escapes_hostile_queries(client: Client):
    html = client.get("/search/", {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)</script>" not in html


def test_guide_questionnaire_without_javascript(client: Client, item_finder):
    item = item_finder("居住证")
    version = item.current_version
    situation = version.situations.all()[0]
    option = situation.options.all()[0]
    html = client.get(f"/items/{item.implementation_code}/").content.decode()
    assert version.name in html and situation.question in html
    answered = client.get(
        f"/items/{item.implementation_code}/materials/", {situation.code: option.code}
    ).content.decode()
    for material in option.materials.all():
        assert material.name in answered
    fragment = client.get(
        f"/items/{item.implementation_code}/materials/",
        {situation.code: option.code},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "<html" not in fragment and 'id="questionnaire"' in fragment


def test_guide_in_english(client: Client, item_finder):
    item = item_finder("居住证")
    html = client.get(f"/items/{item.implementation_code}/", HTTP_ACCEPT_LANGUAGE="en").content
    assert item.current_version.name_en in html.decode()


def test_guide_pdf_has_the_materials(client: Client, item_finder):
    item = item_finder("居住证")
    response = client.get(f"/items/{item.implementation_code}/guide.pdf")
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert item.current_version.name in text
    first = item.current_version.materials.all()[0]
    assert first.name[:4] in text
    level = str(item.current_version.get_min_assurance_level_display())
    assert level.split()[0] in text


def test_browse_pages(client: Client, item_finder):
    item = item_finder("居住证")
    assert client.get(f"/departments/{item.department_id}/").status_code == 200
    assert client.get("/departments/").status_code == 200
    theme = item.current_version.themes.first()
    if theme:
        assert client.get(f"/themes/{theme.code}/").status_code == 200
    assert client.get(f"/items/{item.implementation_code}/versions/").status_code == 200


def test_unknown_pages_are_404_in_the_site_layout(client: Client):
    response = client.get("/items/NOPE/")
    assert response.status_code == 404
    assert "通办" in response.content.decode()
    assert client.get("/themes/nope/").status_code == 404
    assert client.get("/departments/999999/").status_code == 404
