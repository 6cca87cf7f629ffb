"""Small PDF builder for receipts, notices, printable guides and certificate faces.

The module wraps reportlab's platypus layer behind a tiny, safe API. All text is
treated as *plain text* (it may come from users or administrators): it is
escaped before reaching reportlab's mini-markup parser, so it can never inject
tags, and newlines are kept as line breaks.

Every glyph is drawn with an embedded, vendored CJK font (WenQuanYi Micro Hei,
Apache-2.0, TrueType outlines, see ``fonts/``). reportlab subsets the font into
each PDF, so documents are self-contained and small, and no system font or
network access is needed at run time.

This module deliberately does not import Django, so it can be used (and
tested) without settings.

Example::

    doc = PdfDocument(title="受理回执", author="通办 Tongban")
    doc.heading("受理回执", level=1)
    doc.key_values([("事项名称", "居民身份证换领"), ("受理编号", "TB2025…")])
    doc.qr_code("https://example.gov.cn/t/abc", caption="扫码查看办理进度")
    pdf_bytes = doc.render()
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import Any, Literal

import qrcode
import qrcode.constants
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    ListFlowable,
    ListItem,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

__all__ = [
    "DEFAULT_FOOTER_TEMPLATE",
    "FONT_FAMILY",
    "FONT_NAME",
    "FONT_NAME_BOLD",
    "FONT_PATH",
    "PdfDocument",
    "QrCodeFlowable",
    "escape_text",
    "register_fonts",
]

# --------------------------------------------------------------------------- fonts

FONT_PATH: Path = Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"
#: Index of the proportional "WenQuanYi Micro Hei" face inside the collection
#: (index 1 is the monospaced variant).
_FONT_SUBFONT_INDEX = 0

FONT_FAMILY = "TongbanSans"
FONT_NAME = "TongbanSans"
#: The vendored font has no bold face; the bold name maps to the same outlines so
#: that ``<b>`` and bold styles still resolve to a font that has every CJK glyph.
FONT_NAME_BOLD = "TongbanSans-Bold"

_font_lock = threading.Lock()
_render_lock = threading.Lock()
_fonts_registered = False


def register_fonts() -> str:
    """Register the embedded font family with reportlab (once, thread-safe).

    Returns the regular font name. Safe to call any number of times.
    """
    global _fonts_registered
    if _fonts_registered:
        return FONT_NAME
    with _font_lock:
        if not _fonts_registered:
            regular = TTFont(FONT_NAME, str(FONT_PATH), subfontIndex=_FONT_SUBFONT_INDEX)
            bold = TTFont(FONT_NAME_BOLD, str(FONT_PATH), subfontIndex=_FONT_SUBFONT_INDEX)
            pdfmetrics.registerFont(regular)
            pdfmetrics.registerFont(bold)
            pdfmetrics.registerFontFamily(
                FONT_FAMILY,
                normal=FONT_NAME,
                bold=FONT_NAME_BOLD,
                italic=FONT_NAME,
                boldItalic=FONT_NAME_BOLD,
            )
            _fonts_registered = True
    return FONT_NAME


# ------------------------------------------------------------------------ escaping

# C0/C1 control characters (except tab and newline) and lone surrogates would
# either break reportlab's parser or produce garbage; they are dropped.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def escape_text(text: object) -> str:
    """Turn untrusted plain text into safe reportlab paragraph markup.

    ``None`` becomes an empty string and other objects are converted with
    ``str()``. ``&``, ``<`` and ``>`` are escaped, control characters are
    removed, tabs become spaces and newlines become ``<br/>``.
    """
    if text is None:
        return ""
    value = str(text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    value = _CONTROL_CHARS.sub("", value)
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("\n", "<br/>")


# -------------------------------------------------------------------------- styles

Align = Literal["left", "center", "right"]
_ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT}

_TEXT_COLOR = colors.HexColor("#1f2328")
_MUTED_COLOR = colors.HexColor("#57606a")
_RULE_COLOR = colors.HexColor("#8c959f")
_HEADER_BG = colors.HexColor("#eaeef2")
_LABEL_BG = colors.HexColor("#f6f8fa")

DEFAULT_FOOTER_TEMPLATE = "第 {page} 页 / 共 {pages} 页"


def _build_styles() -> dict[str, ParagraphStyle]:
    font = register_fonts()
    base = ParagraphStyle(
        "tb-body",
        fontName=font,
        fontSize=10.5,
        leading=16,
        textColor=_TEXT_COLOR,
        wordWrap="CJK",  # break anywhere: CJK text has no spaces, codes may be long
        spaceAfter=4,
    )

    def derive(name: str, **overrides: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **overrides)

    return {
        "body": base,
        "small": derive("tb-small", fontSize=9, leading=13, textColor=_MUTED_COLOR),
        "h1": derive("tb-h1", fontName=FONT_NAME_BOLD, fontSize=18, leading=26, spaceAfter=8),
        "h2": derive(
            "tb-h2", fontName=FONT_NAME_BOLD, fontSize=14, leading=20, spaceBefore=8, spaceAfter=6
        ),
        "h3": derive(
            "tb-h3", fontName=FONT_NAME_BOLD, fontSize=12, leading=17, spaceBefore=6, spaceAfter=4
        ),
        "cell": derive("tb-cell", fontSize=9.5, leading=13.5, spaceAfter=0),
        "cell_head": derive("tb-cell-head", fontName=FONT_NAME_BOLD, fontSize=9.5, leading=13.5),
        "caption": derive(
            "tb-caption",
            fontSize=9,
            leading=13,
            alignment=TA_CENTER,
            textColor=_MUTED_COLOR,
            spaceBefore=2,
        ),
    }


# ---------------------------------------------------------------------- flowables


class QrCodeFlowable(Flowable):
    """A QR code drawn as vector rectangles (crisp at any print resolution)."""

    def __init__(
        self,
        data: str,
        *,
        size: float = 32 * mm,
        error_correction: int = qrcode.constants.ERROR_CORRECT_M,
        quiet_zone: int = 2,
    ) -> None:
        super().__init__()
        qr = qrcode.QRCode(error_correction=error_correction, border=quiet_zone)
        qr.add_data(data)
        qr.make(fit=True)
        self._matrix: list[list[bool]] = qr.get_matrix()
        self.size = size
        self.width = size
        self.height = size
        self.hAlign = "CENTER"

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        modules = len(self._matrix)
        cell = self.size / modules
        canv = self.canv
        canv.saveState()
        canv.setFillColor(colors.white)
        canv.rect(0, 0, self.size, self.size, stroke=0, fill=1)
        canv.setFillColor(colors.black)
        path = canv.beginPath()
        for row_index, row in enumerate(self._matrix):
            y = self.size - (row_index + 1) * cell
            col = 0
            while col < modules:
                if not row[col]:
                    col += 1
                    continue
                start = col
                while col < modules and row[col]:
                    col += 1
                # Merge horizontal runs of dark modules into one rectangle; a tiny
                # overlap avoids hairline gaps between rows in some renderers.
                path.rect(start * cell, y - 0.01, (col - start) * cell, cell + 0.02)
        canv.drawPath(path, stroke=0, fill=1)
        canv.restoreState()


class _NumberedCanvas(rl_canvas.Canvas):
    """Canvas that defers pages so the footer can show the total page count."""

    def __init__(self, *args: Any, footer_template: str, footer_font: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._footer_template = footer_template
        self._footer_font = footer_font
        self._saved_pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._saved_pages)
        for number, state in enumerate(self._saved_pages, start=1):
            self.__dict__.update(state)
            self._draw_footer(number, total)
            super().showPage()
        super().save()

    def _draw_footer(self, page: int, pages: int) -> None:
        if not self._footer_template:
            return
        text = self._footer_template.format(page=page, pages=pages)
        width, _height = self._pagesize
        self.saveState()
        self.setFont(self._footer_font, 9)
        self.setFillColor(_MUTED_COLOR)
        self.drawCentredString(width / 2, 10 * mm, text)
        self.restoreState()


# ------------------------------------------------------------------------ document

_FlowableFactory = Callable[[], list[Flowable]]


class PdfDocument:
    """Accumulates content blocks and renders them to an A4 PDF.

    Content methods only record what to draw; :meth:`render` builds fresh
    flowables each time, so it may be called more than once.
    """

    def __init__(
        self,
        title: str,
        *,
        subject: str = "",
        author: str = "通办 Tongban",
        creator: str = "Tongban",
        keywords: Sequence[str] = (),
        lang: str = "zh-CN",
        footer_template: str = DEFAULT_FOOTER_TEMPLATE,
        pagesize: tuple[float, float] = A4,
        margin: float = 20 * mm,
    ) -> None:
        """Create a document.

        ``footer_template`` is formatted with ``page`` and ``pages`` (ints), e.g.
        ``"Page {page} of {pages}"``; an empty string disables the footer.
        ``margin`` is in points (use ``reportlab.lib.units.mm``).
        """
        # Validate the template early rather than at render time.
        footer_template.format(page=1, pages=1)
        self.title = title
        self.subject = subject
        self.author = author
        self.creator = creator
        self.keywords = list(keywords)
        self.lang = lang
        self.footer_template = footer_template
        self.pagesize = pagesize
        self.margin = margin
        self.styles = _build_styles()
        self._blocks: list[_FlowableFactory] = []

    # -- geometry ------------------------------------------------------------------

    @property
    def content_width(self) -> float:
        """Usable width between the left and right margins, in points."""
        return self.pagesize[0] - 2 * self.margin

    # -- content -------------------------------------------------------------------

    def add(self, flowable: Flowable) -> PdfDocument:
        """Append a custom reportlab flowable (escape any text it contains yourself).

        Note: a flowable added this way is reused as-is by every :meth:`render`.
        """
        self._blocks.append(lambda: [flowable])
        return self

    def heading(self, text: str, level: int = 1, *, align: Align = "left") -> PdfDocument:
        """Add a heading; ``level`` is 1 (title), 2 or 3."""
        if level not in (1, 2, 3):
            raise ValueError("heading level must be 1, 2 or 3")
        style = self._aligned(self.styles[f"h{level}"], align)
        markup = escape_text(text)
        self._blocks.append(lambda: [Paragraph(markup, style)])
        return self

    def paragraph(self, text: str, *, align: Align = "left", small: bool = False) -> PdfDocument:
        """Add a paragraph of plain text (newlines are kept as line breaks)."""
        style = self._aligned(self.styles["small" if small else "body"], align)
        markup = escape_text(text)
        self._blocks.append(lambda: [Paragraph(markup, style)])
        return self

    def key_values(
        self, pairs: Iterable[tuple[object, object]], *, label_width: float = 0.28
    ) -> PdfDocument:
        """Add a two-column label/value table; ``label_width`` is a fraction of the width."""
        if not 0 < label_width < 1:
            raise ValueError("label_width must be a fraction between 0 and 1")
        items = [(escape_text(k), escape_text(v)) for k, v in pairs]
        if not items:
            return self
        widths = [self.content_width * label_width, self.content_width * (1 - label_width)]

        def build() -> list[Flowable]:
            data = [
                [Paragraph(k, self.styles["cell_head"]), Paragraph(v, self.styles["cell"])]
                for k, v in items
            ]
            table = Table(data, colWidths=widths, hAlign="LEFT")
            table.setStyle(
                TableStyle(
                    [
                        *self._grid_style(),
                        ("BACKGROUND", (0, 0), (0, -1), _LABEL_BG),
                    ]
                )
            )
            return [table, Spacer(1, 3 * mm)]

        self._blocks.append(build)
        return self

    def table(
        self,
        headers: Sequence[object],
        rows: Iterable[Sequence[object]],
        col_widths: Sequence[float] | None = None,
    ) -> PdfDocument:
        """Add a table whose header row repeats on every page it spans.

        ``col_widths`` are relative weights (e.g. ``[1, 3, 1]``) scaled to the
        content width; ``None`` gives equal columns. Short rows are padded with
        empty cells; cells wrap, including long unbroken strings.
        """
        head = [escape_text(h) for h in headers]
        ncols = len(head)
        if ncols == 0:
            raise ValueError("a table needs at least one column")
        body: list[list[str]] = []
        for row in rows:
            cells = [escape_text(c) for c in row]
            if len(cells) > ncols:
                raise ValueError("a row has more cells than there are headers")
            body.append(cells + [""] * (ncols - len(cells)))
        weights = list(col_widths) if col_widths is not None else [1.0] * ncols
        if len(weights) != ncols or any(w <= 0 for w in weights):
            raise ValueError("col_widths must give one positive weight per column")
        total = sum(weights)
        widths = [self.content_width * w / total for w in weights]

        def build() -> list[Flowable]:
            data = [[Paragraph(h, self.styles["cell_head"]) for h in head]]
            data += [[Paragraph(c, self.styles["cell"]) for c in row] for row in body]
            table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
            table.setStyle(
                TableStyle(
                    [
                        *self._grid_style(),
                        ("BACKGROUND", (0, 0), (-1, 0), _HEADER_BG),
                    ]
                )
            )
            return [table, Spacer(1, 3 * mm)]

        self._blocks.append(build)
        return self

    def bullets(self, items: Iterable[object]) -> PdfDocument:
        """Add a bulleted list of plain-text items."""
        markups = [escape_text(i) for i in items]
        if not markups:
            return self

        def build() -> list[Flowable]:
            style = self.styles["body"]
            return [
                ListFlowable(
                    [ListItem(Paragraph(m, style), leftIndent=14) for m in markups],
                    bulletType="bullet",
                    start="•",
                    bulletFontName=FONT_NAME,
                    bulletFontSize=style.fontSize,
                    leftIndent=14,
                    spaceAfter=4,
                )
            ]

        self._blocks.append(build)
        return self

    def qr_code(
        self, data: str, *, caption: str | None = None, size: float = 32 * mm
    ) -> PdfDocument:
        """Add a centred QR code (``size`` in points) with an optional caption."""
        caption_markup = escape_text(caption) if caption else None
        QrCodeFlowable(data, size=size)  # fail fast on data that does not fit a QR code

        def build() -> list[Flowable]:
            parts: list[Flowable] = [QrCodeFlowable(data, size=size)]
            if caption_markup:
                parts.append(Paragraph(caption_markup, self.styles["caption"]))
            parts.append(Spacer(1, 3 * mm))
            return [KeepTogether(parts)]

        self._blocks.append(build)
        return self

    def spacer(self, height: float = 5 * mm) -> PdfDocument:
        """Add vertical space (``height`` in points)."""
        self._blocks.append(lambda: [Spacer(1, height)])
        return self

    def page_break(self) -> PdfDocument:
        """Start a new page."""
        self._blocks.append(lambda: [PageBreak()])
        return self

    # -- output --------------------------------------------------------------------

    def render(self) -> bytes:
        """Lay out all blocks and return the PDF as bytes."""
        buffer = io.BytesIO()
        footer_space = 8 * mm if self.footer_template else 0
        template = SimpleDocTemplate(
            buffer,
            pagesize=self.pagesize,
            leftMargin=self.margin,
            rightMargin=self.margin,
            topMargin=self.margin,
            bottomMargin=self.margin + footer_space,
            title=self.title,
            author=self.author,
            subject=self.subject,
            creator=self.creator,
            keywords=self.keywords,
            lang=self.lang,
            initialFontName=FONT_NAME,
            displayDocTitle=True,
        )
        story: list[Flowable] = []
        for block in self._blocks:
            story.extend(block())
        if not story:
            story.append(Spacer(1, 1))
        canvasmaker = partial(
            _NumberedCanvas, footer_template=self.footer_template, footer_font=FONT_NAME
        )
        # reportlab keeps per-document font subsetting state on the shared font object, which
        # is not safe across threads (seen as IndexError under concurrent renders): one build
        # at a time per process; web servers run several processes.
        with _render_lock:
            template.build(story, canvasmaker=canvasmaker)
        return buffer.getvalue()

    # -- helpers -------------------------------------------------------------------

    @staticmethod
    def _aligned(style: ParagraphStyle, align: Align) -> ParagraphStyle:
        if align == "left":
            return style
        return ParagraphStyle(f"{style.name}-{align}", parent=style, alignment=_ALIGN[align])

    @staticmethod
    def _grid_style() -> list[tuple[Any, ...]]:
        return [
            ("FONTNAME", (0, 0), (-1, -1), FONT_NAME),
            ("GRID", (0, 0), (-1, -1), 0.5, _RULE_COLOR),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 5),
            ("RIGHTPADDING", (0, 0), (-1, -1), 5),
            ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]
