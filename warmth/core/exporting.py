"""Exporters are row generators; renderers here turn (header, rows) into files.

The CSV renderer neutralizes spreadsheet formulas: a text cell starting with ``= + - @`` (or a tab/CR) gets a
leading apostrophe, so opening an export in Excel never runs something a user typed into a record.

Every xlsx meant to be printed (the 统计表, the 汇总表, the 周报, the 分组表, the not-visited list) gets its page
set-up from one place, :func:`apply_print_setup` with a :class:`PrintSetup`: A4, the orientation of the paper
form, one page wide (as many long as needed), the title and column-head rows repeated on every page, centred,
the page number at the foot. What Excel, WPS or LibreOffice print then matches the PDF.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    if value is None:
        return ""
    text = str(value)
    if text.startswith(_DANGEROUS) and not _is_plain_number(text):
        return "'" + text
    return text


def _is_plain_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence],
              *, on_row: Callable[[int], None] | None = None) -> int:
    """Write UTF-8 with BOM (Excel opens Chinese text correctly); returns the number of data rows."""
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([safe_cell(h) for h in header])
        for row in rows:
            writer.writerow([safe_cell(v) for v in row])
            count += 1
            if on_row:
                on_row(count)
    return count


# --- printing an xlsx -------------------------------------------------------------------------------------------

A4_PAPER = 9  # the paper code of A4 in the xlsx page set-up


@dataclass(frozen=True)
class PrintSetup:
    """How a sheet prints. ``repeat``: the first and last row (0-based) printed at the top of every page."""

    landscape: bool = False
    repeat: tuple[int, int] | None = None
    margins: tuple[float, float, float, float] = (0.6, 0.6, 0.7, 0.7)  # left, right, top, bottom (inches)
    footer: str = "&C第 &P 页 共 &N 页"


def apply_print_setup(ws, setup: PrintSetup, *, last_row: int | None = None, last_col: int | None = None) -> None:
    """Give an xlsxwriter worksheet its page set-up: A4, ``setup``'s orientation, fit to one page wide,
    ``setup.repeat`` rows on every page, the page number at the foot and, when ``last_row``/``last_col`` are
    given, the print area. Works in constant-memory mode too (the set-up is written when the book closes)."""
    ws.set_paper(A4_PAPER)
    if setup.landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, 0)  # one page wide, as many long as needed
    if setup.repeat is not None:
        ws.repeat_rows(*setup.repeat)
    left, right, top, bottom = setup.margins
    ws.set_margins(left=left, right=right, top=top, bottom=bottom)
    ws.center_horizontally()
    if setup.footer:
        ws.set_footer(setup.footer)
    if last_row is not None and last_col is not None:
        ws.print_area(0, 0, last_row, last_col)
