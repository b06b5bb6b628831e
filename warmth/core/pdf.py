"""Shared PDF helpers: the embedded CJK font, A4 pages, ruled grid tables with merged cells, rendering to bytes.

The official documents (档案登记表, 慰问金发放凭证, 花名册, 统计报表) are ruled tables of centred Chinese text.
They are built as reportlab *platypus* stories: :func:`grid_table` turns rows of plain strings into a ruled
``Table`` whose cells are wrapping, centred ``Paragraph`` s (Chinese wraps between any two characters),
with merged cells given as ``SPAN`` ranges. A wide form whose rows have different numbers of columns is
drawn as a stack of such tables of the same total width (:func:`grid_band`); the shared edges coincide, so
the stack prints as one grid. :func:`pdf_bytes` renders a story on A4 and returns the PDF.

Font: :func:`register_cjk_font` embeds (subsets) the TrueType font named by ``settings.WARMTH_PDF_FONT``
(WenQuanYi Zen Hei by default), so the PDF looks the same everywhere and its text can be extracted. If the
file is missing or unreadable it falls back, with a warning, to reportlab's built-in CID font
``STSong-Light``: not embedded, so the reader's own 宋体 substitute is used, but Chinese still prints.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, KeepInFrame, Paragraph, SimpleDocTemplate, Table, TableStyle

logger = logging.getLogger(__name__)

FALLBACK_FONT = "STSong-Light"

A4_PORTRAIT = A4
A4_LANDSCAPE = landscape(A4)
DEFAULT_MARGINS = (12 * mm, 12 * mm, 12 * mm, 12 * mm)  # top, right, bottom, left

ALIGN = {"center": TA_CENTER, "left": TA_LEFT, "right": TA_RIGHT}

LINE_WIDTH = 0.6  # inner rules
BOX_WIDTH = 1.2  # the outer frame of a form


# --- font -------------------------------------------------------------------------------------------------


def register_cjk_font() -> str:
    """Register the configured CJK TrueType font (once per path) and return its reportlab font name."""
    return _register(str(getattr(settings, "WARMTH_PDF_FONT", "") or ""))


@lru_cache(maxsize=8)
def _register(path: str) -> str:
    if path and Path(path).is_file():
        name = "WarmthCJK-" + hashlib.sha256(path.encode()).hexdigest()[:8]
        try:
            # subfontIndex picks the face in a .ttc collection (0 = Zen Hei); ignored for a plain .ttf
            pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
        except Exception as exc:  # a corrupt or unsupported font file: fall back rather than fail the document
            logger.warning("PDF font %s could not be loaded (%s); using %s", path, exc, FALLBACK_FONT)
        else:
            return name
    else:
        logger.warning("PDF font %s not found; using %s (not embedded)", path or "(not set)", FALLBACK_FONT)
    if FALLBACK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT


# --- text -------------------------------------------------------------------------------------------------


def cell_style(size: float = 9, align: str = "center", leading: float | None = None,
               font: str | None = None) -> ParagraphStyle:
    """A paragraph style for a table cell: the CJK font, centred, wrapping between any two characters."""
    return _style(size, align, leading, font or register_cjk_font())


@lru_cache(maxsize=128)
def _style(size: float, align: str, leading: float | None, font: str) -> ParagraphStyle:
    return ParagraphStyle(
        f"cell-{font}-{size}-{align}-{leading}", fontName=font, fontSize=size, leading=leading or size * 1.25,
        alignment=ALIGN[align], wordWrap="CJK", splitLongWords=True)


FULL_SPACE = "\u3000"


def keep_blanks(markup: str, size: float, font: str | None = None) -> str:
    """Markup in which every full-width space (U+3000) keeps its full width.

    reportlab's paragraph parser collapses any run of whitespace, U+3000 included, into one narrow space, so
    ``年　　月　　日`` would print as ``年 月 日`` with no room to write the date. A no-break space is not
    collapsed: each full-width space becomes the fewest no-break spaces that reach one em, set a little
    smaller than the text so that together they advance exactly one em of ``size`` (never larger than the
    text, so the line's ascent and leading do not change)."""
    if FULL_SPACE not in markup:
        return markup
    font = font or register_cjk_font()
    ratio = pdfmetrics.stringWidth("\u00a0", font, 1) or 0.25
    n = math.ceil(1 / ratio - 1e-9)
    spaces = "\u00a0" * n
    blank = f'<font size="{size / (n * ratio):.4f}">{spaces}</font>'
    return markup.replace(FULL_SPACE, blank)


def para(text: object, *, size: float = 9, align: str = "center", leading: float | None = None) -> Paragraph:
    """A wrapping paragraph of plain text (escaped; a newline breaks the line; full-width spaces keep their
    width, see :func:`keep_blanks`)."""
    markup = "<br/>".join(escape(line) for line in str(text).split("\n"))
    return Paragraph(keep_blanks(markup, size), cell_style(size, align, leading))


@dataclass(frozen=True)
class Cell:
    """A grid cell with its own alignment or size; plain strings use the table's defaults."""

    text: object = ""
    align: str | None = None
    size: float | None = None


class Title(Flowable):
    """A centred one-line heading, drawn fake-bold (fill and stroke: CJK TrueType fonts have no bold face)."""

    def __init__(self, text: str, *, size: float = 18, space_after: float = 4, bold: bool = True):
        super().__init__()
        self.text, self.size, self.space_after, self.bold = text, size, space_after, bold
        self.font = register_cjk_font()

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        return avail_width, self.size * 1.3 + self.space_after

    def draw(self):
        c = self.canv
        c.saveState()
        c.setFont(self.font, self.size)
        if self.bold:
            c.setLineWidth(self.size / 40)
            text = c.beginText()
            text.setTextRenderMode(2)
            text.setFont(self.font, self.size)
            w = pdfmetrics.stringWidth(self.text, self.font, self.size)
            text.setTextOrigin((self.width - w) / 2, self.space_after + self.size * 0.25)
            text.textOut(self.text)
            c.drawText(text)
        else:
            c.drawCentredString(self.width / 2, self.space_after + self.size * 0.25, self.text)
        c.restoreState()


def text_line(text: str, width: float, *, size: float = 10.5, align: str = "left", height: float | None = None,
              space_after: float = 3) -> Table:
    """A line of text outside the grid (``填报单位（盖章）：…``), exactly ``width`` wide so it stays lined
    up with the grid's edge even when the page is scaled to fit (:func:`fit_one_page`)."""
    t = Table([[para(text, size=size, align=align)]], colWidths=[width], rowHeights=[height] if height else None,
              style=TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), space_after),
                                ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]), hAlign="CENTER")
    return t


def spaced(text: str) -> str:
    """``困 难 职 工`` : a title with a space between characters, as official forms print them."""
    return " ".join(text)


def vertical(text: str, *, keep_leading_digits: bool = True) -> str:
    """One character a line, for a label down a tall narrow cell; a leading number stays with the first
    character (``18家`` / ``庭`` / ...), as the forms print it."""
    head = ""
    rest = text
    if keep_leading_digits:
        while rest and rest[0].isdigit():
            head, rest = head + rest[0], rest[1:]
    if rest:
        head, rest = head + rest[0], rest[1:]
    return "\n".join([head, *rest])


# --- tables -----------------------------------------------------------------------------------------------


def widths(weights: Sequence[float], total: float) -> list[float]:
    """Column widths in points: ``weights`` scaled to fill ``total``."""
    s = float(sum(weights))
    return [total * w / s for w in weights]


Span = tuple[tuple[int, int], tuple[int, int]]  # ((first col, first row), (last col, last row))


def grid_table(rows: Sequence[Sequence[object]], col_widths: Sequence[float], *, spans: Iterable[Span] = (),
               row_heights: Sequence[float | None] | float | None = None, size: float = 9, align: str = "center",
               shrink: float = 0.75, padding: float = 2, line_width: float = LINE_WIDTH,
               box_width: float | None = BOX_WIDTH, repeat_rows: int = 0, extra_style: Iterable[tuple] = ()) -> Table:
    """A ruled table: every cell bordered, text centred (vertically too) and kept inside its cell.

    Cells are ``str`` (or any value, printed with ``str``), :class:`Cell` for another alignment or size,
    a ready ``Flowable``, or ``None``/``""`` for an empty cell (also the covered cells of a span).
    ``spans`` merge cells, as ``((col0, row0), (col1, row1))``. Text too long for its cell is first set
    smaller, down to ``shrink`` × its size, then wrapped; ``row_heights`` are minimums, a row grows to hold
    its wrapped text. ``box_width=None`` leaves the outer frame at the inner line width (for the bands of
    a stacked form, see :func:`grid_band`)."""
    spans = list(spans)
    n_rows, n_cols = len(rows), len(col_widths)
    cell_widths = [list(col_widths) for _ in rows]
    spans_rows: set[tuple[int, int]] = set()  # first cells of spans over several rows
    for (c0, r0), (c1, r1) in spans:
        c0, c1 = sorted((c0 % n_cols, c1 % n_cols))
        r0, r1 = sorted((r0 % n_rows, r1 % n_rows))
        cell_widths[r0][c0] = sum(col_widths[c0:c1 + 1])
        if r1 > r0:
            spans_rows.add((c0, r0))
    data = [[_cell(v, size=size, align=align, shrink=shrink, avail=w - 2 * padding)
             for v, w in zip(row, widths_, strict=True)] for row, widths_ in zip(rows, cell_widths, strict=True)]
    if isinstance(row_heights, int | float):
        row_heights = [row_heights] * n_rows
    style = [
        ("GRID", (0, 0), (-1, -1), line_width, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), padding),
        ("RIGHTPADDING", (0, 0), (-1, -1), padding),
        ("TOPPADDING", (0, 0), (-1, -1), padding),
        ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
    ]
    if box_width:
        style.append(("BOX", (0, 0), (-1, -1), box_width, colors.black))
    style += [("SPAN", a, b) for a, b in spans]
    style += list(extra_style)
    heights = None
    if row_heights is not None:
        # A fixed reportlab row height never grows (the text would overflow the cell), so each minimum is
        # raised here to what the row's wrapped text needs; a cell spanning rows is left to their heights.
        heights = []
        for r, (row, want) in enumerate(zip(data, row_heights, strict=True)):
            need = max((v.wrap(cell_widths[r][c] - 2 * padding, 10_000)[1] + 2 * padding
                        for c, v in enumerate(row) if isinstance(v, Flowable) and (c, r) not in spans_rows),
                       default=0.0)
            heights.append(None if want is None else max(want, need))
    return Table(data, colWidths=list(col_widths), rowHeights=heights, style=TableStyle(style),
                 repeatRows=repeat_rows, hAlign="CENTER")


def grid_band(rows: Sequence[Sequence[object]], weights: Sequence[float], total_width: float, *,
              outer_width: float = BOX_WIDTH, first: bool = False, last: bool = False, **kwargs) -> Table:
    """One band of a stacked form: ``grid_table`` with columns in proportion to ``weights`` over the form's
    full width; the thick frame is drawn on the sides, plus the top of the first band and the bottom of
    the last, so the stacked bands print as one framed grid."""
    extra = [("LINEBEFORE", (0, 0), (0, -1), outer_width, colors.black),
             ("LINEAFTER", (-1, 0), (-1, -1), outer_width, colors.black)]
    if first:
        extra.append(("LINEABOVE", (0, 0), (-1, 0), outer_width, colors.black))
    if last:
        extra.append(("LINEBELOW", (0, -1), (-1, -1), outer_width, colors.black))
    extra += list(kwargs.pop("extra_style", ()))
    return grid_table(rows, widths(weights, total_width), box_width=None, extra_style=extra, **kwargs)


def fitted_size(text: str, avail: float, size: float, *, shrink: float = 0.75, font: str | None = None) -> float:
    """The font size for ``text`` in a cell ``avail`` points wide: ``size`` if it fits one line; else
    smaller, down to ``shrink`` × ``size``, to keep it on one line; else the largest size (up to ``size``,
    in 0.25 pt steps) at which it wraps onto the fewest lines, never below the minimum."""
    font = font or register_cjk_font()
    natural = max((pdfmetrics.stringWidth(line, font, size) for line in text.split("\n")), default=0.0)
    if natural <= avail or natural == 0 or avail <= 0:
        return size
    smallest = size * shrink
    for lines in range(1, 20):
        slack = 1.0 if lines == 1 else 0.9  # wrapped lines never come out quite full
        fit = int(size * avail * lines * slack / natural * 4) / 4
        if fit >= smallest:
            return min(size, fit)
    return smallest


def _cell(value: object, *, size: float, align: str, shrink: float, avail: float):
    if value is None or value == "":
        return ""
    if isinstance(value, Flowable):
        return value
    if isinstance(value, Cell):
        text, size, align = str(value.text), value.size or size, value.align or align
    else:
        text = str(value)
    if not text:
        return ""
    return para(text, size=fitted_size(text, avail, size, shrink=shrink), align=align)


def fit_one_page(story: list[Flowable], width: float, height: float, *, min_scale: float = 0.6) -> list[Flowable]:
    """The story as is if it fits a ``width`` × ``height`` frame; else scaled down uniformly to fit it, as
    long as that needs no smaller scale than ``min_scale`` (a form stays one page); else as is, to flow
    onto further pages (legibility first)."""
    total = sum(f.wrap(width, height)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in story)
    if total <= height or height / total < min_scale:
        return story
    return [KeepInFrame(width, height, story, mode="shrink", hAlign="CENTER", vAlign="TOP")]


# --- documents --------------------------------------------------------------------------------------------


PageHook = Callable[[object, object], None]


def pdf_bytes(build_fn: Callable[[SimpleDocTemplate], list[Flowable]], *, pagesize=A4_PORTRAIT,
              margins: tuple[float, float, float, float] = DEFAULT_MARGINS, title: str = "", author: str = "",
              on_page: PageHook | None = None) -> bytes:
    """Render a document to PDF bytes. ``build_fn(doc)`` returns the story (a list of flowables); it may use
    ``doc.width`` / ``doc.height`` (the frame inside the margins, in points) to lay out full-width tables.
    ``on_page(canvas, doc)`` draws on every page (page numbers, watermarks)."""
    register_cjk_font()
    buf = BytesIO()
    top, right, bottom, left = margins
    doc = SimpleDocTemplate(buf, pagesize=pagesize, topMargin=top, rightMargin=right, bottomMargin=bottom,
                            leftMargin=left, title=title, author=author, creator="warmth", subject=title)
    story = build_fn(doc)
    hook = on_page or _no_op
    doc.build(story, onFirstPage=hook, onLaterPages=hook)
    return buf.getvalue()


def _no_op(canvas, doc) -> None:
    return None
