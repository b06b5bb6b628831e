"""The shared PDF helpers: the CJK font (configured TrueType, else STSong-Light) and the grid tables."""

from __future__ import annotations

import logging
import re

from reportlab.pdfbase import pdfmetrics

from tests.tools import cjk_font
from warmth.core import pdf


def test_font_registers_from_the_configured_path(settings):
    settings.WARMTH_PDF_FONT = cjk_font()  # the configured font; without it the test skips (fails in CI)
    name = pdf.register_cjk_font()
    assert name.startswith("WarmthCJK-")
    assert name in pdfmetrics.getRegisteredFontNames()
    assert pdf.register_cjk_font() == name  # cached: registered once
    font = pdfmetrics.getFont(name)
    assert font.face.name  # a real TrueType face was read
    assert pdfmetrics.stringWidth("困难职工", name, 10) > 0


def test_font_falls_back_to_stsong_when_the_file_is_missing(settings, caplog, tmp_path):
    settings.WARMTH_PDF_FONT = str(tmp_path / "no-such-font.ttc")
    with caplog.at_level(logging.WARNING, logger="warmth.core.pdf"):
        assert pdf.register_cjk_font() == pdf.FALLBACK_FONT == "STSong-Light"
    assert "not found" in caplog.text
    assert "STSong-Light" in pdfmetrics.getRegisteredFontNames()


def test_font_falls_back_when_the_file_is_not_a_font(settings, caplog, tmp_path):
    bad = tmp_path / "broken.ttf"
    bad.write_bytes(b"this is not a font")
    settings.WARMTH_PDF_FONT = str(bad)
    with caplog.at_level(logging.WARNING, logger="warmth.core.pdf"):
        assert pdf.register_cjk_font() == "STSong-Light"
    assert "could not be loaded" in caplog.text


def test_fallback_font_still_renders_a_pdf(settings, tmp_path):
    settings.WARMTH_PDF_FONT = str(tmp_path / "missing.ttf")
    data = pdf.pdf_bytes(lambda doc: [pdf.Title("困难职工"), pdf.grid_table([["姓名", "王建华"]], [80, 120])])
    assert data.startswith(b"%PDF") and b"STSong-Light" in data


def test_grid_table_with_spans_and_wrapping_text(settings):
    settings.WARMTH_PDF_FONT = cjk_font()
    long_text = "成都市武侯区某街道某社区某小区十二栋三单元四楼五号" * 2
    rows = [["18家", "姓名", "关系"], ["", "王小明", long_text], ["", "", ""]]
    table = pdf.grid_table(rows, [30, 60, 80], spans=[((0, 0), (0, -1))], row_heights=[16, 16, 16])
    _, h = table.wrap(500, 500)
    assert table._rowHeights[1] > 16  # the row grew to hold the wrapped text
    assert h == sum(table._rowHeights)
    data = pdf.pdf_bytes(lambda doc: [table], pagesize=pdf.A4_LANDSCAPE)
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type /Page\b", data)) == 1


def test_widths_and_vertical_helpers():
    assert pdf.widths([1, 3], 100) == [25, 75]
    assert pdf.vertical("18家庭成员关系") == "18家\n庭\n成\n员\n关\n系"
    assert pdf.vertical("所附附件") == "所\n附\n附\n件"
    assert pdf.spaced("登记表") == "登 记 表"


def test_full_width_spaces_keep_their_width_in_a_paragraph():
    """reportlab collapses U+3000 like any whitespace: "年　　月　　日" printed as "年 月 日" with no room to
    write. The paragraph keeps two ems between 年 and 月 (and prints the same characters otherwise)."""
    from reportlab.pdfbase import pdfmetrics

    from warmth.core import pdf

    font = pdf.register_cjk_font()
    blank = pdf.para("年　　月　　日", size=10, align="left")
    blank.wrap(400, 100)
    def used(p) -> float:  # the width the first line takes (a plain line is (extra space, words))
        line = p.blPara.lines[0]
        return 400 - (line.extraSpace if hasattr(line, "extraSpace") else line[0])

    width = used(blank)
    chars = pdfmetrics.stringWidth("年月日", font, 10)
    assert abs(width - (chars + 4 * 10)) < 0.5, width  # three characters and four full-width blanks of 10 pt
    plain = pdf.para("年 月 日", size=10, align="left")  # half-width spaces are left alone
    plain.wrap(400, 100)
    assert used(plain) < chars + 10
