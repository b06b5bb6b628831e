"""Exporters are row generators; renderers here turn (header, rows) into files.

The CSV renderer neutralizes spreadsheet formulas: a text cell starting with ``= + - @`` (or a tab/CR) gets a
leading apostrophe, so opening an export in Excel never runs something a user typed into a record.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
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
