"""The voucher and the roster on paper, against seed 004 附件1 and 附件2 (and 001 附件3): every printed word of
the voucher's blocks, blanks with room to write a date, the 草稿·未审批 and 已冲正 stamps; the roster a sheet per
帮扶项目 and 资金来源 titled in the seed's words, numbers as numbers, printed on A4 landscape by LibreOffice.
Pages go to test-artifacts/ as PNG."""

import re
import subprocess
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from tests.funds.factories import decided, raised
from tests.paper import date_blanks, png_ink, raw_text, save_pngs, words
from tests.payments.test_services import create, through
from tests.tools import needs
from warmth.funds.choices import FundSource
from warmth.payments.documents import dibao_line, roster_title, roster_xlsx, voucher_pdf
from warmth.payments.models import Payment
from warmth.payments.services import payment_reverse, payment_submit

pytestmark = pytest.mark.django_db
poppler = needs("pdftotext", "pdftoppm", why="reading the PDF back needs poppler-utils")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@poppler
def test_the_voucher_prints_every_block_of_004_attachment_1_word_for_word(pay, make_active, tmp_path):
    p = through(pay, create(pay, make_active(), amount="800"))
    text = squash(raw_text(voucher_pdf([p]), tmp_path))
    for words_ in ("单位（工会）意见", "区（产业）工会意见", "市总领导：", "部门领导：", "经办人：",
                   "资助金额（大写）：", "收款人（或代收人）签字：", "享受低保情况", "每月领低保金",
                   "其它帮扶措施：", "街道（镇）（盖章）日期：", "（盖章）", "致困原因", "居住地址", "所在单位"):
        assert words_ in text, words_
    assert "单位(工会)" not in text and "区(产业)" not in text  # no half-width brackets
    assert text.count("年月日") >= 3  # 市总领导 and 部门领导 not signed yet, 收款人, 街道 (blank dates)
    assert pay.first.user.display_name in text and pay.second.user.display_name in text
    assert "草稿" not in text and "已冲正" not in text  # approved: no stamp


def test_the_dibao_line_is_the_seeds_with_the_figures_or_blanks():
    assert dibao_line("") == "　　　　年　　月　　日至　　月　　日每月领低保金　　　　元，"
    assert dibao_line("月额 500.00 元（2025-01-01至2025-12-31）") == "2025年1月1日至12月31日每月领低保金500.00元，"
    assert dibao_line("月额 620.00 元（2025-07-01至2026-06-30）") == "2025年7月1日至2026年6月30日每月领低保金620.00元，"


@poppler
def test_a_draft_and_a_reversed_voucher_carry_their_stamp(pay, make_active, tmp_path):
    draft = create(pay, make_active(), amount="300")
    submitted = create(pay, make_active(), amount="200")
    payment_submit(actor=pay.handler, payment=submitted)
    reversed_ = through(pay, create(pay, make_active(), amount="500"))
    reversed_ = payment_reverse(actor=pay.handler, payment=reversed_, reason="重复发放")
    assert reversed_.status == "reversed"
    for p, mark in ((draft, "草稿·未审批"), (Payment.objects.get(pk=submitted.pk), "草稿·未审批"),
                    (reversed_, "已冲正")):
        text = raw_text(voucher_pdf([p]), tmp_path)
        assert squash(text).count(mark) >= 2, (p.status, mark)  # the stamp line and the watermark across the page
    one = squash(raw_text(voucher_pdf([draft]), tmp_path))
    assert "单位（工会）意见" in one and "区（产业）工会意见" in one  # a draft still prints its approval blocks
    save_pngs(voucher_pdf([draft]), "voucher-draft")
    save_pngs(voucher_pdf([reversed_]), "voucher-reversed")


@poppler
def test_the_vouchers_date_blanks_keep_room_to_write(pay, make_active, tmp_path):
    """Rendered to PNG: every 年　　月　　日 on the voucher leaves at least one and a half characters of empty paper
    between 年 and 月 and between 月 and 日 (the PDFs printed "年 月 日" with a narrow space before)."""
    p = through(pay, create(pay, make_active(), amount="800"))
    data = voucher_pdf([p])
    dpi = 100
    png = save_pngs(data, "voucher-approved", dpi=dpi)[0]
    ws = words(data, tmp_path)
    blanks = date_blanks(ws)
    # 收款人, 市总领导, 部门领导, 街道 (年–月 and 月–日 each) and the 低保 line
    assert len(blanks) >= 8, [(w.text, round(w.x0), round(w.y0)) for w in ws if set(w.text) & set("年月日")]
    for b in blanks:
        assert b.width >= 1.5 * b.em, (b.before.text, b.after.text, b.width, b.em)
        box = (b.before.x1 + 1, b.before.y0, b.after.x0 - 1, b.before.y1)
        assert png_ink(png, box, dpi=dpi) == 0, box  # empty paper to write on


def _mixed(pay, fin, tree, make_active):
    """武侯's own-funds payments plus one out of 中央财政 money (two sources under one 帮扶项目)."""
    central = raised(fin.k1_finance, tree.k1, "5000.00", source=FundSource.CENTRAL)
    decided(fin.k1_leader, central)
    for amount, aid in [("300", "送温暖慰问"), ("450.50", "送温暖慰问"), ("800", "生活救助")]:
        through(pay, create(pay, make_active(), amount=amount, aid_type=aid))
    p = create(pay, make_active(), amount="600", aid_type="送温暖慰问")
    p.pot = central
    p.save(update_fields=["pot"])
    through(pay, p)


def test_the_roster_has_a_sheet_per_aid_type_and_source_titled_in_the_seeds_words(pay, fin, tree, make_active,
                                                                                    tmp_path):
    from warmth.payments.exporters import roster_queryset, roster_rows

    _mixed(pay, fin, tree, make_active)
    out = tmp_path / "roster.xlsx"
    result = roster_xlsx(roster_rows(roster_queryset(tree.k1, 2025)), out, org_name="武侯区总工会", year=2025,
                         full=False)
    sheets = result["sheets"]
    assert {k: (v["rows"], v["total"]) for k, v in sheets.items()} == {
        "生活救助-本级工会经费": (1, "800.00"), "送温暖慰问-中央财政帮扶专项资金": (1, "600.00"),
        "送温暖慰问-本级工会经费": (2, "750.50")}
    book = CalamineWorkbook.from_path(str(out))
    central = book.get_sheet_by_name("送温暖慰问-中央财政帮扶专项资金").to_python()
    assert central[0][0] == "2026年两节中央财政帮扶专项资金实名制发放凭证汇总表（帮扶项目：送温暖慰问）"
    assert central[3][0] == 1 and isinstance(central[3][3], float) and central[3][8] == "中央财政帮扶专项资金"
    own = book.get_sheet_by_name("送温暖慰问-本级工会经费").to_python()
    assert own[0][0] == "2026年两节本级工会经费实名制发放凭证汇总表（帮扶项目：送温暖慰问）"
    assert {r[8] for r in own[3:-1]} == {"本级工会经费"}  # no sheet names a source for another's rows


def test_the_roster_titles_of_both_seeds_and_of_a_mixed_sheet():
    assert roster_title(year=2025, aid="生活救助", sources={"central"}) == \
        "2026年两节中央财政帮扶专项资金实名制发放凭证汇总表（帮扶项目：生活救助）"
    assert roster_title(year=2025, aid="送温暖慰问", sources={"central"}, variant="001") == \
        "2026年中央财政帮扶专项资金送温暖慰问实名制汇总表（帮扶项目：送温暖慰问）"
    assert roster_title(year=2025, aid="送温暖慰问", sources={"central", "own_union"}) == \
        "2026年两节实名制发放凭证汇总表（帮扶项目：送温暖慰问）"


@pytest.mark.slow
@needs("soffice", "pdfinfo", why="printing the xlsx needs LibreOffice")
@pytest.mark.parametrize("variant", ["004", "001"])
def test_the_roster_prints_on_a4_landscape_one_page_wide_through_libreoffice(pay, fin, tree, make_active, tmp_path,
                                                                            variant):
    from warmth.payments.exporters import roster_queryset, roster_rows

    _mixed(pay, fin, tree, make_active)
    xlsx = tmp_path / f"roster-{variant}.xlsx"
    roster_xlsx(roster_rows(roster_queryset(tree.k1, 2025)), xlsx, org_name="武侯区总工会", year=2025, full=False,
                signature=variant == "001", variant=variant)
    data = print_xlsx(xlsx, tmp_path)
    info = subprocess.run(["pdfinfo", str(xlsx.with_suffix(".pdf"))], check=True, capture_output=True,
                          text=True).stdout
    assert re.search(r"Page size:\s+841(\.\d+)? x 595(\.\d+)? pts \(A4\)", info), info  # landscape
    assert re.search(r"^Pages:\s+3$", info, re.M), info  # one page per sheet: nothing spills to a second page
    text = squash(raw_text(data, tmp_path))
    title = "实名制发放凭证汇总表" if variant == "004" else "送温暖慰问实名制汇总表"
    assert text.count(title) == 3 and "中央财政帮扶专项资金" in text
    assert ("经办人签字" in text) == (variant == "001")
    save_pngs(data, f"roster-{variant}")


def print_xlsx(xlsx: Path, tmp_path: Path) -> bytes:
    """The xlsx as Excel or WPS would print it: LibreOffice with the workbook's own page set-up."""
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(xlsx)], check=True, capture_output=True, timeout=180)
    return xlsx.with_suffix(".pdf").read_bytes()
