"""Files of the campaign in their official layouts: the 走访慰问活动分组表 (003 附件4) as xlsx and A4 PDF, the
企业工资拖欠情况周报表 (004 附件4) as xlsx and A4 PDF. Text cells go through
``safe_cell`` (a value typed as ``=…`` never becomes a formula)."""

from __future__ import annotations

from io import BytesIO

import xlsxwriter

from warmth.campaigns.choices import ARREARS_COLUMNS, ArrearsRow
from warmth.campaigns.models import Campaign
from warmth.core import pdf
from warmth.core.exporting import PrintSetup, apply_print_setup, safe_cell

BLANK_DATE = "　　　　年　　月　　日"  # room to write the date by hand
GROUP_HEAD = ["组别", "领导", "联络员", "走访单位", "参加人员（部门）", "计划慰问户", "走访日期"]
LEADERS = {"city": "市总领导", "province": "省总领导"}  # 003 附件4 heads the column 市总领导 (a 市总's campaign)


def group_head(campaign: Campaign) -> list[str]:
    """The 分组表's column heads: 003 附件4's, with the leaders named after the organizing union's level."""
    return [GROUP_HEAD[0], LEADERS.get(campaign.org.level, "领导"), *GROUP_HEAD[2:]]


def _group_rows(groups) -> list[list[str]]:
    rows = []
    for g in groups:
        planned = [h for h in g.households.all() if not h.dropped]
        day = f"{g.planned_on:%m月%d日}" if g.planned_on else ""
        rows.append([g.name, g.leaders, g.liaison, "  ".join(u.name for u in g.units.all()),
                     "  ".join(g.departments), f"{len(planned)} 户", day])
    return rows


def group_title(campaign: Campaign) -> tuple[str, str]:
    return f"{campaign.org.name} {campaign.year + 1}年春节期间", "走访慰问活动分组表"


def groups_xlsx(campaign: Campaign, groups) -> bytes:
    buf = BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = book.add_worksheet("分组表")
    title = book.add_format({"bold": True, "font_size": 16, "align": "center"})
    sub = book.add_format({"font_size": 12, "align": "center"})
    head = book.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True})
    cell = book.add_format({"border": 1, "align": "center", "valign": "vcenter", "text_wrap": True})
    ws.set_column(0, 0, 10)
    ws.set_column(1, 2, 14)
    ws.set_column(3, 4, 30)
    ws.set_column(5, 6, 12)
    line1, line2 = group_title(campaign)
    ws.merge_range(0, 0, 0, len(GROUP_HEAD) - 1, line1, sub)
    ws.merge_range(1, 0, 1, len(GROUP_HEAD) - 1, line2, title)
    for c, h in enumerate(group_head(campaign)):
        ws.write_string(2, c, h, head)
    r = 3
    for row in _group_rows(groups):
        ws.set_row(r, 36)
        for c, v in enumerate(row):
            ws.write_string(r, c, safe_cell(v), cell)
        r += 1
    apply_print_setup(ws, PrintSetup(landscape=True, repeat=(0, 2)), last_row=max(r - 1, 2),
                      last_col=len(GROUP_HEAD) - 1)
    book.close()
    return buf.getvalue()


def groups_pdf(campaign: Campaign, groups) -> bytes:
    line1, line2 = group_title(campaign)

    def build(doc):
        rows = [group_head(campaign), *_group_rows(groups)]
        table = pdf.grid_table(rows, pdf.widths([8, 12, 9, 26, 22, 9, 10], doc.width), row_heights=[24] +
                               [40] * (len(rows) - 1), size=10, repeat_rows=1)
        return [pdf.text_line(line1, doc.width, size=12, align="center"),
                pdf.text_line(line2, doc.width, size=18, align="center", height=30), table]

    return pdf.pdf_bytes(build, pagesize=pdf.A4_LANDSCAPE, title=line1 + line2, author=campaign.org.name)


ARREARS_TITLE = "“两节”期间企业工资拖欠情况周报表"


def _arrears_grid(lines: dict) -> list[list[str]]:
    rows = [["项目", "", *(label for _, label in ARREARS_COLUMNS)]]
    for i, row in enumerate(ArrearsRow.values):
        group = "企业类型" if i == 0 else ("用工来源" if i == 3 else "")
        v = lines.get(row, {})
        rows.append([group, ArrearsRow(row).label, _wan(v.get("amount")), str(v.get("enterprises", 0)),
                     str(v.get("people", 0))])
    return rows


def _wan(value) -> str:
    if value is None:
        return "0"
    return format(value.normalize(), "f") if value else "0"


def arrears_xlsx(campaign: Campaign, org_name: str, week_of, lines: dict, *, head="", filled_by="", phone="",
                 reported_on=None, summed_from: int | None = None) -> bytes:
    """The weekly report in the layout of 004 附件4. ``summed_from``: a level above's sum of that many units."""
    buf = BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = book.add_worksheet("周报表")
    title = book.add_format({"bold": True, "font_size": 16, "align": "center"})
    cell = book.add_format({"border": 1, "align": "center", "valign": "vcenter"})
    num = book.add_format({"border": 1, "align": "center", "num_format": "0.0000"})
    ws.set_column(0, 1, 16)
    ws.set_column(2, 4, 18)
    ws.merge_range(0, 0, 0, 4, f"{campaign.year + 1}年{ARREARS_TITLE}", title)
    ws.write_string(1, 0, safe_cell(f"填报单位（盖章）：{org_name}"))
    ws.write_string(1, 3, f"时间：{week_of:%Y年%m月%d日}")
    grid = _arrears_grid(lines)
    ws.merge_range(2, 0, 2, 1, "项目", cell)
    for c, h in enumerate(grid[0][2:], start=2):
        ws.write_string(2, c, h, cell)
    ws.merge_range(3, 0, 5, 0, "企业类型", cell)
    ws.merge_range(6, 0, 8, 0, "用工来源", cell)
    for r, row in enumerate(grid[1:], start=3):
        ws.write_string(r, 1, row[1], cell)
        ws.write_number(r, 2, float(lines.get(ArrearsRow.values[r - 3], {}).get("amount") or 0), num)
        ws.write_number(r, 3, int(row[3]), cell)
        ws.write_number(r, 4, int(row[4]), cell)
    ws.write_string(10, 0, safe_cell(f"单位负责人：{head}"))
    ws.write_string(10, 2, safe_cell(f"填表人：{filled_by}"))
    ws.write_string(10, 4, safe_cell(f"联系电话：{phone}"))
    ws.write_string(11, 0, f"报出日期：{reported_on:%Y年%m月%d日}" if reported_on else f"报出日期：{BLANK_DATE}")
    ws.write_string(12, 0, "（具体案例所涉及企业等情况请另附文字说明）")
    last = 12
    if summed_from is not None:
        ws.write_string(13, 0, f"本表为 {summed_from} 个下级单位已报送周报的合计")
        last = 13
    apply_print_setup(ws, PrintSetup(repeat=(0, 2)), last_row=last, last_col=4)
    book.close()
    return buf.getvalue()


def arrears_pdf(campaign: Campaign, org_name: str, week_of, lines: dict, *, head="", filled_by="", phone="",
                reported_on=None) -> bytes:
    def build(doc):
        grid = _arrears_grid(lines)
        spans = [((0, 0), (1, 0)), ((0, 1), (0, 3)), ((0, 4), (0, 6))]
        table = pdf.grid_table(grid, pdf.widths([14, 20, 22, 22, 22], doc.width), spans=spans, row_heights=30,
                               size=11)
        w = doc.width
        return [pdf.text_line(f"{campaign.year + 1}年{ARREARS_TITLE}", w, size=16, align="center", height=34),
                pdf.text_line(f"填报单位（盖章）：{org_name}　　　　时间：{week_of:%Y年%m月%d日}", w, size=11), table,
                pdf.text_line(f"单位负责人：{head}　　　填表人：{filled_by}　　　联系电话：{phone}", w, size=11,
                              height=28),
                pdf.text_line(f"报出日期：{reported_on:%Y年%m月%d日}" if reported_on else f"报出日期：{BLANK_DATE}", w,
                              size=11),
                pdf.text_line("（具体案例所涉及企业等情况请另附文字说明）", w, size=10)]

    return pdf.pdf_bytes(build, title=ARREARS_TITLE, author=org_name)
