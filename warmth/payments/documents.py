"""The documents of 实名制发放.

- ``voucher_pdf``: the 慰问金发放凭证 (seed 004 附件1), one portrait A4 page per payment, in the form's order:
  姓名 / 性别 / 困难职工档案编号; 身份证号 / 联系电话; 居住地址 / 所在单位; 致困原因; 享受低保情况; 其它帮扶措施;
  the approvals of the payment's chain (each with its approver and date, from the trail); 资助金额（大写）in the
  仟佰拾元角分 boxes and in ￥; 收款人（或代收人）签字 with a date line; 经办人 with name and date.
- ``roster_xlsx``: the 实名制发放凭证汇总表 (seed 004 附件2), one sheet per 帮扶项目 with the official title
  and columns and a totals row (with 经办人签字 for the 001 variant). Written row by row in xlsxwriter's
  constant-memory mode.

ID numbers and phones are masked unless the caller says ``full`` (its own permission check decides)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak

from warmth.core import pdf, pii
from warmth.core.exporting import safe_cell
from warmth.core.money import amount_in_words, format_yuan, voucher_boxes
from warmth.payments.models import Payment

FORM_PLACES = ("仟", "佰", "拾", "元", "角", "分")  # the boxes printed on the seed's form
WIDE_PLACES = ("拾万", "万", "仟", "佰", "拾", "元", "角", "分")
MARGINS = (14 * mm, 16 * mm, 14 * mm, 16 * mm)
ROW_H = 24


def season_title(year: int) -> str:
    """Money of year Y is spent in the 两节 of Y+1's 元旦 and 春节 (the demo's 2025 is the 2026 season)."""
    return f"{year + 1}年元旦春节送温暖活动慰问金发放凭证"


def _id(value: str, full: bool) -> str:
    return value if full else pii.mask_id_number(value)


def _phone(value: str, full: bool) -> str:
    return value if full or not value else pii.mask_phone(value)


def _approvals(p: Payment) -> list[tuple[str, str, str]]:
    """(step, approver, date) for each step of the chain as last approved since the last submission."""
    steps = list(p.steps.select_related("actor").order_by("id"))
    last_submit = max((i for i, s in enumerate(steps) if s.action == "submit"), default=-1)
    done = {s.step_name: s for s in steps[last_submit + 1:] if s.action == "approve"}
    out = []
    for name in p.chain or []:
        s = done.get(name)
        out.append((name, s.actor.display_name if s else "", f"{s.at:%Y年%m月%d日}" if s else "    年  月  日"))
    return out


def _boxes(amount: Decimal) -> list[tuple[str, str]]:
    places = FORM_PLACES if amount < 10000 else WIDE_PLACES
    return voucher_boxes(amount, places=places)


def _voucher_story(p: Payment, width: float, *, full: bool) -> list:
    band = pdf.grid_band
    story: list = [pdf.Title(season_title(p.pot.year), size=16, space_after=8)]
    story.append(pdf.text_line(f"发放单位：{p.org.name}　　凭证号：{p.pk}　　帮扶项目：{p.get_aid_type_display()}"
                               f"　　资金来源：{p.pot.get_source_display()}", width, size=9.5, space_after=4))
    story.append(band([["姓　名", p.name, "性别", p.sex, "困难职工\n档案编号", p.archive_no or "（非建档对象）"]],
                      [10, 18, 7, 7, 12, 22], width, first=True, row_heights=[ROW_H * 1.3]))
    story.append(band([["身份证号", _id(p.id_number, full), "联系电话", _phone(p.phone, full)]],
                      [10, 32, 12, 22], width, row_heights=[ROW_H]))
    story.append(band([["居住地址", pdf.Cell(p.address or p.unit_or_address, align="left"), "所在单位",
                        pdf.Cell(p.employer, align="left")]], [10, 32, 12, 22], width, row_heights=[ROW_H * 1.3]))
    story.append(band([["致困原因", pdf.Cell(p.causes, align="left")]], [10, 66], width, row_heights=[ROW_H]))
    story.append(band([["享受低保情况", pdf.Cell(p.dibao or "未享受低保", align="left")]], [10, 66], width,
                      row_heights=[ROW_H]))
    story.append(band([["其它帮扶措施", pdf.Cell(p.note, align="left")]], [10, 66], width, row_heights=[ROW_H]))
    approvals = _approvals(p)
    for i in range(0, len(approvals), 2):
        row, weights = [], []
        for name, who, when in approvals[i:i + 2]:
            row += [name, pdf.Cell(f"{who}\n（盖章）\n{when}", align="center")]
            weights += [12, 26]
        if len(row) == 2:
            row, weights = [*row, "", ""], [*weights, 12, 26]
        story.append(band([row], weights, width, row_heights=[ROW_H * 2.4]))
    boxes = _boxes(p.amount)
    story.append(band([["资助金额（大写）", *[place for place, _ in boxes], "￥"],
                       ["", *[digit for _, digit in boxes], format_yuan(p.amount)]],
                      [16, *[5] * len(boxes), 16], width, spans=[((0, 0), (0, 1))],
                      row_heights=[ROW_H * 0.8, ROW_H]))
    story.append(band([["大写金额", pdf.Cell(amount_in_words(p.amount), align="left")]], [16, 60], width,
                      row_heights=[ROW_H]))
    method = p.get_method_display() + (f"（{p.goods_items}）" if p.goods_items else "")
    story.append(band([["发放方式", method, "收款人（或代收人）签字", pdf.Cell("\n\n年　　月　　日", align="right")]],
                      [12, 22, 16, 26], width, row_heights=[ROW_H * 2.2]))
    story.append(band([["经办人", p.created_by.display_name, "日期", f"{p.created_at:%Y年%m月%d日}"]],
                      [12, 30, 8, 26], width, last=True, row_heights=[ROW_H]))
    return story


def voucher_pdf(payments: Iterable[Payment], *, full: bool = False) -> bytes:
    """One 发放凭证 page per payment (in the order given)."""
    payments = list(payments)

    def build(doc):
        story: list = []
        for i, p in enumerate(payments):
            if i:
                story.append(PageBreak())
            story += pdf.fit_one_page(_voucher_story(p, doc.width, full=full), doc.width, doc.height)
        return story

    title = season_title(payments[0].pot.year) if payments else "慰问金发放凭证"
    return pdf.pdf_bytes(build, margins=MARGINS, title=title, author=payments[0].org.name if payments else "")


# --- the roster ------------------------------------------------------------------------------------------

COLUMNS = ["序号", "姓名", "性别", "年龄", "身份证号", "工作单位或家庭住址", "帮扶金额", "家庭联系电话", "资金来源",
           "备注"]


def roster_xlsx(rows: Iterable[Payment], path: Path, *, org_name: str, year: int, full: bool,
                signature: bool = False, progress=None) -> dict:
    """Write the 汇总表 of ``rows`` (ordered by 帮扶项目) to ``path``; returns counts and totals per sheet."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    title_fmt = book.add_format({"bold": True, "font_size": 14, "align": "center"})
    head = book.add_format({"bold": True, "border": 1, "align": "center", "bg_color": "#EEEEEE"})
    cell = book.add_format({"border": 1})
    money = book.add_format({"border": 1, "num_format": "#,##0.00"})
    total_fmt = book.add_format({"border": 1, "bold": True, "num_format": "#,##0.00"})
    columns = COLUMNS + (["经办人签字"] if signature else [])
    sheets: dict[str, dict] = {}
    ws = None
    current = None
    r = n = 0
    total = Decimal("0.00")

    def close_sheet():
        if ws is None:
            return
        ws.write_string(r, 0, "合计", head)
        ws.write_string(r, 1, f"{n} 人", cell)
        ws.write_number(r, 6, float(total), total_fmt)  # the sheet's figure; the count and sum stay exact
        sheets[current] = {"rows": n, "total": total}

    written = 0
    sources: dict[int, str] = {}  # 资金来源 label per pot, looked up once
    for p in rows:
        if p.aid_type != current:
            close_sheet()
            current, n, total = p.aid_type, 0, Decimal("0.00")
            ws = book.add_worksheet(p.aid_type[:31])
            ws.set_column(0, 0, 6)
            ws.set_column(1, 3, 8)
            ws.set_column(4, 4, 21)
            ws.set_column(5, 5, 30)
            ws.set_column(6, 8, 14)
            ws.set_column(9, len(columns) - 1, 12)
            title = f"{year + 1}年两节{p.pot.get_source_display()}实名制发放凭证汇总表（帮扶项目：{p.aid_type}）"
            ws.merge_range(0, 0, 0, len(columns) - 1, title, title_fmt)
            ws.write_string(1, 0, f"填报单位：{org_name}　　单位：元")
            for c, h in enumerate(columns):
                ws.write_string(2, c, h, head)
            r = 3
        n += 1
        total += p.amount
        source = sources.get(p.pot_id)
        if source is None:
            source = sources[p.pot_id] = p.pot.get_source_display()
        put = ws.write_string
        put(r, 0, str(n), cell)
        put(r, 1, p.name, cell)
        put(r, 2, p.sex, cell)
        put(r, 3, str(p.age or ""), cell)
        put(r, 4, p.id_number if full else pii.mask_id_number(p.id_number), cell)
        put(r, 5, p.unit_or_address, cell)
        ws.write_number(r, 6, float(p.amount), money)
        put(r, 7, _phone(p.phone, full), cell)
        put(r, 8, source, cell)
        put(r, 9, p.note, cell)
        if signature:
            ws.write_string(r, len(columns) - 1, "", cell)
        r += 1
        written += 1
        if progress and written % 2000 == 0:
            progress.advance(written)
    close_sheet()
    if not sheets:
        ws = book.add_worksheet("汇总表")
        ws.write_string(0, 0, "没有符合条件的发放记录")
    book.close()
    return {"sheets": {k: {"rows": v["rows"], "total": str(v["total"])} for k, v in sheets.items()},
            "rows": written}


# --- the bank batch file and the public notice -----------------------------------------------------------------

BANK_COLUMNS = ["序号", "户名", "账号", "开户银行", "金额", "摘要"]


def bank_rows(payments: Iterable[Payment]):
    for n, p in enumerate(payments, start=1):
        yield [str(n), p.name, p.bank_account, p.bank_name, p.amount, f"{p.get_aid_type_display()} 凭证{p.pk}"]


def bank_csv(payments: Iterable[Payment]) -> tuple[str, int, Decimal]:
    """The bank batch as CSV (UTF-8 with BOM for Excel), ending with the control line: count and total."""
    import csv
    import io


    buf = io.StringIO()
    buf.write("\ufeff")
    w = csv.writer(buf)
    w.writerow(BANK_COLUMNS)
    count, total = 0, Decimal("0.00")
    for row in bank_rows(payments):
        count += 1
        total += row[4]
        w.writerow([safe_cell(str(v)) for v in row])
    w.writerow(["合计", f"{count} 笔", "", "", str(total), "控制总额"])
    return buf.getvalue(), count, total


def bank_xlsx(payments: Iterable[Payment], path: Path) -> tuple[int, Decimal]:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    ws = book.add_worksheet("代发明细")
    head = book.add_format({"bold": True, "border": 1})
    money = book.add_format({"num_format": "0.00"})
    for c, h in enumerate(BANK_COLUMNS):
        ws.write_string(0, c, h, head)
    count, total = 0, Decimal("0.00")
    for r, row in enumerate(bank_rows(payments), start=1):
        count += 1
        total += row[4]
        for c, v in enumerate(row):
            if c == 4:
                ws.write_number(r, c, float(v), money)
            else:
                ws.write_string(r, c, v)
    ws.write_string(count + 1, 0, "合计", head)
    ws.write_string(count + 1, 1, f"{count} 笔", head)
    ws.write_number(count + 1, 4, float(total), money)
    book.close()
    return count, total


def notice_rows(payments: Iterable[Payment]) -> list[list[str]]:
    """The 公示 list for public posting: masked name (张*明), work unit (else the paying union, never the home
    address), 帮扶项目, amount — nothing else."""
    return [[pii.mask_name(p.name), p.employer or p.org.name, p.get_aid_type_display(), format_yuan(p.amount)]
            for p in payments]
