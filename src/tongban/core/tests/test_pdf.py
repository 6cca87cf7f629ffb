"""Tests for the PDF builder (plain pytest, no Django or database needed)."""

from __future__ import annotations

import io
import threading
from typing import Any

import pytest
from pypdf import PdfReader

from tongban.core.pdf import FONT_PATH, PdfDocument, escape_text, register_fonts

HOSTILE = "<script>&amp;</b>"
LONG_CODE = "11440300MB2C92166X4440300000010"  # 31 characters, no break opportunity


def _sample_document(footer_template: str | None = None) -> PdfDocument:
    kwargs: dict[str, Any] = {}
    if footer_template is not None:
        kwargs["footer_template"] = footer_template
    doc = PdfDocument(
        title="受理回执 Receipt",
        subject="居民身份证换领",
        author="通办 Tongban",
        lang="zh-CN",
        **kwargs,
    )
    doc.heading("受理回执", level=1)
    doc.paragraph("您的申请已受理。\n请于 5 个工作日内携带原件到窗口领取。Version 2.0")
    doc.paragraph(HOSTILE)
    doc.key_values(
        [
            ("事项名称", "居民身份证换领"),
            ("实施编码", LONG_CODE),
            ("备注", HOSTILE),
        ]
    )
    doc.bullets(["携带户口簿原件", "本人到场", "Fee: 20 元"])
    doc.qr_code("https://tongban.example.gov.cn/t/AbC123", caption="扫码查看办理进度")
    doc.heading("办理记录", level=2)
    doc.table(
        headers=["序号", "环节", "办理编码", "说明"],
        rows=[
            [str(i), f"审核环节{i}", LONG_CODE, f"第{i}条记录：材料齐全，准予受理。" * 2]
            for i in range(1, 61)
        ],
        col_widths=[1, 2, 3, 4],
    )
    doc.spacer()
    doc.paragraph("（完）", align="center", small=True)
    return doc


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    return _sample_document().render()


@pytest.fixture(scope="module")
def reader(pdf_bytes: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf_bytes))


def test_is_a_pdf(pdf_bytes: bytes) -> None:
    assert pdf_bytes.startswith(b"%PDF")
    assert pdf_bytes.rstrip().endswith(b"%%EOF")


def test_spans_several_pages(reader: PdfReader) -> None:
    assert len(reader.pages) >= 2


def test_font_is_embedded_everywhere(reader: PdfReader) -> None:
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        assert fonts, "every page uses a font"
        for ref in fonts.values():
            font = ref.get_object()
            if font.get("/Subtype") == "/Type0":
                font = font["/DescendantFonts"][0].get_object()
            descriptor = font["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, f"font {font.get('/BaseFont')} is not embedded"


def test_page_one_text_is_extractable(reader: PdfReader) -> None:
    text = reader.pages[0].extract_text()
    for expected in (
        "受理回执",
        "居民身份证换领",
        "事项名称",
        "扫码查看办理进度",
        "携带户口簿原件",
    ):
        assert expected in text
    assert "Version 2.0" in text
    # The hostile text is shown literally, not interpreted as markup.
    assert HOSTILE in text


def test_long_code_wraps_in_cells(reader: PdfReader) -> None:
    lines = [line.strip() for line in reader.pages[0].extract_text().splitlines()]
    # In the narrow table column the 31-character code is broken across two lines.
    head = [
        line
        for line in lines
        if len(line) > 10 and line != LONG_CODE and LONG_CODE.startswith(line)
    ]
    assert head, "the long code was not wrapped"
    assert LONG_CODE[len(head[0]) :] in lines


def test_header_row_repeats_and_footer(reader: PdfReader) -> None:
    pages = len(reader.pages)
    last = reader.pages[-1].extract_text()
    assert "办理编码" in reader.pages[1].extract_text()
    assert f"第 1 页 / 共 {pages} 页" in reader.pages[0].extract_text()
    assert f"第 {pages} 页 / 共 {pages} 页" in last


def test_metadata(reader: PdfReader) -> None:
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "受理回执 Receipt"
    assert meta.author == "通办 Tongban"
    assert meta.subject == "居民身份证换领"
    assert meta.creation_date is not None
    assert reader.trailer["/Root"]["/Lang"] == "zh-CN"


def test_translated_footer() -> None:
    reader = PdfReader(io.BytesIO(_sample_document("Page {page} of {pages}").render()))
    pages = len(reader.pages)
    assert f"Page 1 of {pages}" in reader.pages[0].extract_text()


def test_render_is_repeatable() -> None:
    doc = PdfDocument(title="t")
    doc.paragraph("重复渲染")
    first = PdfReader(io.BytesIO(doc.render()))
    second = PdfReader(io.BytesIO(doc.render()))
    assert "重复渲染" in first.pages[0].extract_text()
    assert "重复渲染" in second.pages[0].extract_text()


def test_empty_document_renders() -> None:
    reader = PdfReader(io.BytesIO(PdfDocument(title="空").render()))
    assert len(reader.pages) == 1


def test_escape_text() -> None:
    assert escape_text("<b>&amp;</b>") == "&lt;b&gt;&amp;amp;&lt;/b&gt;"
    assert escape_text("a\r\nb\nc") == "a<br/>b<br/>c"
    assert escape_text("x\x00y\x1b") == "xy"
    assert escape_text(None) == ""
    assert escape_text(42) == "42"


def test_invalid_arguments() -> None:
    doc = PdfDocument(title="t")
    with pytest.raises(ValueError):
        doc.heading("x", level=4)
    with pytest.raises(ValueError):
        doc.table(headers=["a", "b"], rows=[["1", "2", "3"]])
    with pytest.raises(ValueError):
        doc.table(headers=["a", "b"], rows=[], col_widths=[1])
    with pytest.raises(KeyError):
        PdfDocument(title="t", footer_template="{nope}")


def test_font_registration_is_thread_safe() -> None:
    assert FONT_PATH.is_file()
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(register_fonts())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1


def test_concurrent_renders() -> None:
    outputs: list[bytes] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            outputs.append(_sample_document().render())
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    for output in outputs:
        text = PdfReader(io.BytesIO(output)).pages[0].extract_text()
        assert "受理回执" in text
