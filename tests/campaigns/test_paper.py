"""The campaign's papers as printed: the 周报 (004 附件4) with room to write its 报出日期, its xlsx and the 分组表's
printed by LibreOffice on A4 from the workbooks' own page set-up. Pages go to test-artifacts/ as PNG."""

import re
import subprocess
from datetime import date
from decimal import Decimal

import pytest

from tests.paper import date_blanks, png_ink, raw_text, save_pngs, words
from tests.payments.test_paper import print_xlsx
from tests.tools import needs
from warmth.campaigns import documents, services

pytestmark = pytest.mark.django_db
LINES = {"state": {"amount": Decimal("3.5"), "enterprises": 1, "people": 9},
         "migrant": {"amount": Decimal("2"), "enterprises": 1, "people": 5}}


def pdfinfo(path) -> str:
    return subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout


@needs("pdftotext", "pdftoppm", why="reading the PDF back needs poppler-utils")
def test_the_weekly_report_leaves_room_to_write_its_date(camp, tmp_path):
    data = documents.arrears_pdf(camp.campaign, "武侯区总工会", date(2025, 12, 5), LINES, head="王", filled_by="李")
    assert "报出日期：年月日" in re.sub(r"\s+", "", raw_text(data, tmp_path))
    dpi = 100
    png = save_pngs(data, "arrears-week", dpi=dpi)[0]
    blanks = date_blanks(words(data, tmp_path))
    assert len(blanks) == 2  # 报出日期：　　　　年　　月　　日 (时间 is the week's date, printed)
    for b in blanks:
        assert b.width >= 1.5 * b.em
        assert png_ink(png, (b.before.x1 + 1, b.before.y0, b.after.x0 - 1, b.before.y1), dpi=dpi) == 0


@pytest.mark.slow
@needs("soffice", "pdfinfo", "pdftoppm", why="printing the xlsx needs LibreOffice")
def test_the_weekly_report_xlsx_prints_on_one_a4_page(camp, tmp_path):
    xlsx = tmp_path / "arrears.xlsx"
    xlsx.write_bytes(documents.arrears_xlsx(camp.campaign, "武侯区总工会", date(2025, 12, 5), LINES, head="王",
                                            filled_by="李", phone="028-1234567"))
    data = print_xlsx(xlsx, tmp_path)
    info = pdfinfo(xlsx.with_suffix(".pdf"))
    assert re.search(r"Page size:\s+595(\.\d+)? x 841(\.\d+)? pts \(A4\)", info), info
    assert re.search(r"^Pages:\s+1$", info, re.M), info
    text = re.sub(r"\s+", "", raw_text(data, tmp_path))
    assert "2026年“两节”期间企业工资拖欠情况周报表" in text and "拖欠数额（万元）" in text
    assert "报出日期：年月日" in text
    save_pngs(data, "arrears-week-xlsx")


@pytest.mark.slow
@needs("soffice", "pdfinfo", "pdftoppm", why="printing the xlsx needs LibreOffice")
def test_the_group_table_prints_on_a4_landscape_and_as_pdf(camp, tree, tmp_path):
    services.group_create(actor=camp.planner, campaign=camp.campaign, name="第一组", leaders="李丰海 唐建勋",
                          liaison="邱军", units=[tree.k1, tree.k2], departments=["保障部", "女工部", "宣教部"])
    groups = camp.campaign.groups.prefetch_related("units", "households")
    save_pngs(documents.groups_pdf(camp.campaign, groups), "groups")
    xlsx = tmp_path / "groups.xlsx"
    xlsx.write_bytes(documents.groups_xlsx(camp.campaign, groups))
    data = print_xlsx(xlsx, tmp_path)
    info = pdfinfo(xlsx.with_suffix(".pdf"))
    assert re.search(r"Page size:\s+841(\.\d+)? x 595(\.\d+)? pts \(A4\)", info), info
    text = re.sub(r"\s+", "", raw_text(data, tmp_path))
    assert "走访慰问活动分组表" in text and "市总领导" in text and "参加人员（部门）" in text  # 003 附件4's heads
    save_pngs(data, "groups-xlsx")
