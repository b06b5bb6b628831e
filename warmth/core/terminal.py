"""Text for a terminal (the CLI's tables)."""

from __future__ import annotations

import unicodedata


def pad(text: str, width: int) -> str:
    """Left-justify for a terminal, counting a CJK character as two columns."""
    cols = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - cols, 0)
