"""Reading documents back as paper: pages rendered to PNG (pdftoppm) into test-artifacts/ for a person to look
at, the words with their boxes (pdftotext -bbox), and the width of the blanks left for a handwritten date."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from html import unescape
from pathlib import Path

from tests.tools import tool

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def save_pngs(data: bytes, name: str, *, dpi: int = 80) -> list[Path]:
    """Every page of the PDF ``data`` as ``test-artifacts/<name>-<n>.png`` (old pages of that name removed)."""
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    src = ARTIFACTS / f"{name}.pdf"
    src.write_bytes(data)
    subprocess.run([tool("pdftoppm", "rendering needs poppler-utils"), "-png", "-r", str(dpi), str(src),
                    str(ARTIFACTS / name)], check=True, timeout=120)
    src.unlink()
    pngs = sorted(ARTIFACTS.glob(f"{name}-*.png"))
    assert pngs and all(p.read_bytes().startswith(b"\x89PNG") and p.stat().st_size > 2000 for p in pngs)
    return pngs


def words(data: bytes, tmp_path: Path) -> list[Word]:
    src = tmp_path / "words.pdf"
    src.write_bytes(data)
    html = subprocess.run([tool("pdftotext", "reading back needs poppler-utils"), "-bbox", str(src), "-"],
                          check=True, capture_output=True, text=True, timeout=60).stdout
    out, page = [], 0
    for line in html.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line)
        if m:
            out.append(Word(page, unescape(m.group(5)), *(float(m.group(i)) for i in range(1, 5))))
    return out


def raw_text(data: bytes, tmp_path: Path) -> str:
    """The text in drawing order (``pdftotext -raw``): a table's row reads as one line."""
    src = tmp_path / "raw.pdf"
    src.write_bytes(data)
    return subprocess.run([tool("pdftotext", "reading back needs poppler-utils"), "-raw", str(src), "-"],
                          check=True, capture_output=True, text=True, timeout=60).stdout


@dataclass(frozen=True)
class Blank:
    page: int
    before: Word          # the word ending in 年 (or 月)
    after: Word           # the word starting with 月 (or 日)

    @property
    def width(self) -> float:
        return self.after.x0 - self.before.x1

    @property
    def em(self) -> float:
        return self.after.y1 - self.after.y0


def date_blanks(ws: list[Word]) -> list[Blank]:
    """Each gap between a word ending in 年 and the next word to its right on its line when that starts with
    月, and between 月 and 日: the room a ``年　　月　　日`` leaves to write in."""
    out = []
    for a in ws:
        if not a.text.endswith(("年", "月")):
            continue
        right = [b for b in ws if b.page == a.page and abs(b.y0 - a.y0) < 2 and b.x0 > a.x1]
        if not right:
            continue
        b = min(right, key=lambda w: w.x0)
        if b.text.startswith("月" if a.text.endswith("年") else "日"):
            out.append(Blank(a.page, a, b))
    return out


def png_ink(png: Path, box: tuple[float, float, float, float], *, dpi: int) -> int:
    """Dark pixels inside ``box`` (PDF points, top-left origin as pdftotext gives them) of a rendered page."""
    from PIL import Image  # reportlab's own dependency

    scale = dpi / 72
    with Image.open(png) as im:
        crop = im.convert("L").crop(tuple(round(v * scale) for v in box))
        return sum(crop.histogram()[:160])
