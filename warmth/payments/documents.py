"""The documents of 实名制发放.

- ``voucher_pdf``: the 慰问金发放凭证 (seed 004 附件1), one portrait A4 page per payment, word for word with the
  seed: 姓名 / 性别 / 困难职工档案编号; 身份证号 / 联系电话; 居住地址 / 所在单位; 致困原因; 享受低保情况 with the 低保
  line, 其它帮扶措施 and 街道（镇）（盖章）日期; the 单位（工会）意见 and 区（产业）工会意见 blocks (approver, 盖章,
  date or a blank 年　　月　　日); 资助金额（大写）in the 仟佰拾元角分 boxes and ￥; 收款人（或代收人）签字 with a date
  blank; the bottom row 市总领导 / 部门领导 / 经办人. Not yet approved: stamped 草稿·未审批; reversed: 已冲正.
- ``roster_xlsx``: the 实名制发放凭证汇总表 (seed 004 附件2, or 001 附件3's 送温暖慰问实名制汇总表), one sheet per
  帮扶项目 and 资金来源 titled in the seed's words, numbers as numbers, a totals row (with 经办人签字 if asked),
  A4 landscape. Written row by row in xlsxwriter's constant-memory mode.

ID numbers and phones are masked unless the caller says ``full`` (its own permission check decides)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import xlsxwriter
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak

from warmth.core import pdf, pii
from warmth.core.exporting import PrintSetup, apply_print_setup, safe_cell
from warmth.core.money import amount_in_words, format_yuan, voucher_boxes
from warmth.payments.choices import AidType, PaymentStatus
from warmth.payments.models import Payment

FORM_PLACES = ("仟", "佰", "拾", "元", "角", "分")  # the boxes printed on the seed's form
WIDE_PLACES = ("拾万", "万", "仟", "佰", "拾", "元", "角", "分")
MARGINS = (14 * mm, 16 * mm, 14 * mm, 16 * mm)
ROW_H = 24
BLANK_DATE = "年　　月　　日"  # room to write a date by hand (full-width spaces: core.pdf keeps their width)

# The approval blocks printed on 004 附件1, by the chain step that fills them: the two 意见 blocks side by side
# under the recipient's lines, and the bottom row 市总领导 / 部门领导 / 经办人. Chain steps are matched with their
# brackets made full-width (a chain may be stored as "单位(工会)意见"); other steps of an org's chain (单位领导,
# 主要领导) print in a row of their own above the amount.
OPINIONS = ("单位（工会）意见", "区（产业）工会意见")
BOTTOM = ("市总领导", "部门领导")
DRAFT_MARK = "草稿·未审批"
REVERSED_MARK = "已冲正"


def season_title(year: int) -> str:
    """Money of year Y is spent in the 两节 of Y+1's 元旦 and 春节 (the demo's 2025 is the 2026 season)."""
    return f"{year + 1}年元旦春节送温暖活动慰问金发放凭证"


def step_label(name: str) -> str:
    """A chain step's name as the form prints it: full-width brackets (单位（工会）意见)."""
    return name.replace("(", "（").replace(")", "）").strip()


def mark_of(p: Payment) -> str:
    """The stamp a voucher carries: 草稿·未审批 until the chain has approved it, 已冲正 once reversed."""
    if p.status == PaymentStatus.REVERSED:
        return REVERSED_MARK
    if p.status in (PaymentStatus.DRAFT, PaymentStatus.SUBMITTED, PaymentStatus.RETURNED):
        return DRAFT_MARK
    return ""


def _id(value: str, full: bool) -> str:
    return value if full else pii.mask_id_number(value)


def _phone(value: str, full: bool) -> str:
    return value if full or not value else pii.mask_phone(value)


def opinions(p: Payment) -> list[dict[str, str]]:
    """Each 意见 block of the voucher (a step of the chain) as last approved since the last submission: the
    step's name, the opinion typed on it, who gave it and the date (blank while the step is not done)."""
    steps = list(p.steps.select_related("actor").order_by("id"))
    last_submit = max((i for i, s in enumerate(steps) if s.action == "submit"), default=-1)
    done = {s.step_name: s for s in steps[last_submit + 1:] if s.action == "approve"}
    out = []
    for name in p.chain or []:
        s = done.get(name)
        out.append({"step": name, "opinion": s.note if s else "", "actor": s.actor.display_name if s else "",
                    "date": _date(s.at) if s else BLANK_DATE})
    return out


def _approvals(p: Payment) -> dict[str, tuple[str, str]]:
    """{step as printed: (opinion and approver, date)} for each step of the chain (``opinions``); a step not
    (yet) approved has no name and the blank date."""
    return {step_label(o["step"]): ("\n".join(x for x in (o["opinion"], o["actor"]) if x), o["date"])
            for o in opinions(p)}


def _date(value) -> str:
    day = timezone.localdate(value) if hasattr(value, "tzinfo") and value.tzinfo else value
    return f"{day.year}年{day.month}月{day.day}日"


_DIBAO = re.compile(r"月额\s*([\d.,]+)\s*元（(\d{4}-\d{2}-\d{2})?至(\d{4}-\d{2}-\d{2})?）")


def dibao_line(snapshot: str) -> str:
    """The 享受低保情况 line of 004 附件1, "年　月　日至　月　日每月领低保金　元，", filled from the payment's snapshot
    (``月额 500.00 元（2025-01-01至2025-12-31）``) where it says so and blank (with room to write) where not."""
    m = _DIBAO.search(snapshot or "")
    if not m:
        return "　　　　年　　月　　日至　　月　　日每月领低保金　　　　元，"
    amount, start, end = m.groups()
    a = date.fromisoformat(start) if start else None
    b = date.fromisoformat(end) if end else None
    first = f"{a.year}年{a.month}月{a.day}日" if a else "　　　　年　　月　　日"
    second = ("" if b is None else f"{b.year}年" if a is None or b.year != a.year else "")
    second += f"{b.month}月{b.day}日" if b else "　　月　　日"
    return f"{first}至{second}每月领低保金{format_yuan(amount.replace(',', ''))}元，"


def _block(label: str, who: str, when: str) -> pdf.Cell:
    return pdf.Cell(f"{label}\n{who}\n（盖章）\n{when}", align="center")


class Watermark(Flowable):
    """A stamp across the page (草稿·未审批, 已冲正), drawn light behind the form. Placed first on a voucher's
    page, outside any scaling, so its coordinates are the page's."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text
        self.width = self.height = 0

    def wrap(self, avail_width, avail_height):
        return 0, 0

    def drawOn(self, canvas, x, y, _sW=0):  # reportlab's name: drawn at the page's own coordinates
        width, height = canvas._pagesize
        canvas.saveState()
        canvas.setFillColor(colors.Color(0.8, 0.1, 0.1, alpha=0.16))
        canvas.setFont(pdf.register_cjk_font(), 64)
        canvas.translate(width / 2, height / 2)
        canvas.rotate(35)
        canvas.drawCentredString(0, -20, self.text)
        canvas.restoreState()


def _voucher_story(p: Payment, width: float, *, full: bool) -> list:
    band = pdf.grid_band
    story: list = [pdf.Title(season_title(p.pot.year), size=16, space_after=8)]
    mark = mark_of(p)
    if mark:
        story.append(pdf.text_line(f"【{mark}】" + ("本凭证尚未审批完毕，不能作为发放依据" if mark == DRAFT_MARK
                                                  else "本笔发放已冲正，款项已退回原资金，不再作为发放依据"),
                                   width, size=11, align="center", space_after=4))
    story.append(pdf.text_line(f"发放单位：{p.org.name}　　凭证号：{p.pk}　　帮扶项目：{p.get_aid_type_display()}"
                               f"　　资金来源：{source_name(p.pot.source)}", width, size=9.5, space_after=4))
    story.append(band([["姓　名", p.name, "性别", p.sex, "困难职工\n档案编号", p.archive_no or "（非建档对象）"]],
                      [10, 18, 7, 7, 12, 22], width, first=True, row_heights=[ROW_H * 1.3]))
    story.append(band([["身份证号", _id(p.id_number, full), "联系电话", _phone(p.phone, full)]],
                      [10, 32, 12, 22], width, row_heights=[ROW_H]))
    story.append(band([["居住地址", pdf.Cell(p.address or p.unit_or_address, align="left"), "所在单位",
                        pdf.Cell(p.employer, align="left")]], [10, 32, 12, 22], width, row_heights=[ROW_H * 1.3]))
    story.append(band([["致困原因", pdf.Cell(p.causes, align="left")]], [10, 66], width, row_heights=[ROW_H]))
    dibao = (f"{dibao_line(p.dibao)}\n其它帮扶措施：{p.note or '　' * 12}。\n"
             f"{'　' * 10}街道（镇）（盖章）日期：{BLANK_DATE}")
    story.append(band([["享受低保情况", pdf.Cell(dibao, align="left")]], [10, 66], width, row_heights=[ROW_H * 2.6]))
    approvals = _approvals(p)
    story.append(band([[_block(label, *approvals.get(label, ("", BLANK_DATE))) for label in OPINIONS]],
                      [38, 38], width, row_heights=[ROW_H * 3]))
    others = [name for name in approvals if name not in OPINIONS and name not in BOTTOM]
    for i in range(0, len(others), 2):  # steps of this org's chain that the printed form has no block for
        pair = others[i:i + 2]
        cells = [_block(name, *approvals[name]) for name in pair] + ([""] if len(pair) == 1 else [])
        story.append(band([cells], [38, 38], width, row_heights=[ROW_H * 3]))
    boxes = _boxes(p.amount)
    story.append(band([["资助金额（大写）：", *[place for place, _ in boxes], "￥："],
                       ["", *[digit for _, digit in boxes], format_yuan(p.amount)]],
                      [16, *[5] * len(boxes), 16], width, spans=[((0, 0), (0, 1))],
                      row_heights=[ROW_H * 0.8, ROW_H]))
    story.append(band([["大写金额", pdf.Cell(amount_in_words(p.amount), align="left")]], [16, 60], width,
                      row_heights=[ROW_H]))
    method = p.get_method_display() + (f"（{p.goods_items}）" if p.goods_items else "")
    story.append(band([["发放方式", method, "收款人（或代收人）签字：", pdf.Cell(f"\n\n{BLANK_DATE}", align="right")]],
                      [12, 22, 16, 26], width, row_heights=[ROW_H * 2.2]))
    bottom = [pdf.Cell(f"{label}：{who}\n\n{when}", align="left")
              for label in BOTTOM for who, when in [approvals.get(label, ("", BLANK_DATE))]]
    bottom.append(pdf.Cell(f"经办人：{p.created_by.display_name}\n\n{_date(p.created_at)}", align="left"))
    story.append(band([bottom], [25, 25, 26], width, last=True, row_heights=[ROW_H * 2.4]))
    return story


def _boxes(amount: Decimal) -> list[tuple[str, str]]:
    places = FORM_PLACES if amount < 10000 else WIDE_PLACES
    return voucher_boxes(amount, places=places)


def voucher_pdf(payments: Iterable[Payment], *, full: bool = False) -> bytes:
    """One 发放凭证 page per payment (in the order given); a payment not yet approved carries 草稿·未审批 and a
    reversed one 已冲正, as a stamp line and across the page."""
    payments = list(payments)

    def build(doc):
        story: list = []
        for i, p in enumerate(payments):
            if i:
                story.append(PageBreak())
            if mark_of(p):
                story.append(Watermark(mark_of(p)))
            story += pdf.fit_one_page(_voucher_story(p, doc.width, full=full), doc.width, doc.height)
        return story

    title = season_title(payments[0].pot.year) if payments else "慰问金发放凭证"
    return pdf.pdf_bytes(build, margins=MARGINS, title=title, author=payments[0].org.name if payments else "")


# --- the roster ------------------------------------------------------------------------------------------

COLUMNS = ["序号", "姓名", "性别", "年龄", "身份证号", "工作单位或家庭住址", "帮扶金额", "家庭联系电话", "资金来源",
           "备注"]
# The seed's names of the sources where the system's short label differs (004 附件2 "中央财政帮扶专项资金").
SOURCE_NAMES = {"central": "中央财政帮扶专项资金"}
TITLES = {  # the roster's title in each seed's wording
    "004": "{season}年两节{source}实名制发放凭证汇总表（帮扶项目：{aid}）",   # 004 附件2
    "001": "{season}年{source}送温暖慰问实名制汇总表（帮扶项目：{aid}）",      # 001 附件3
}
ROSTER_PRINT = PrintSetup(landscape=True, repeat=(0, 2))  # A4 landscape, title and column heads on every page


def source_name(code: str) -> str:
    from warmth.funds.choices import FundSource

    return SOURCE_NAMES.get(code) or FundSource(code).label


def roster_title(*, year: int, aid: str, sources: set[str], variant: str = "004") -> str:
    """The sheet's title: the season's year, the fund source when the sheet has one (a sheet of mixed sources
    names none), the 帮扶项目."""
    source = source_name(next(iter(sources))) if len(sources) == 1 else ""
    return TITLES[variant].format(season=year + 1, source=source, aid=aid)


def _sheet_name(aid: str, source: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "", f"{aid}-{source_name(source)}")[:31]
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base[:28]}({n})"
    taken.add(name)
    return name


class RosterRow(NamedTuple):
    """One line of the 汇总表 as the export streams it (``exporters.roster_rows``): the plain values, the ID
    number and the phone decrypted (masked, or not, by ``roster_xlsx``)."""

    aid_type: str
    source: str  # the pot's 资金来源 code
    name: str
    sex: str
    age: int | None
    id_number: str
    unit_or_address: str
    amount: Decimal
    phone: str
    note: str


def roster_row(p: Payment) -> RosterRow:
    """The roster line of a payment already loaded (with its pot)."""
    return RosterRow(p.aid_type, p.pot.source, p.name, p.sex, p.age, p.id_number, p.unit_or_address, p.amount,
                     p.phone, p.note)


def roster_xlsx(rows: Iterable[RosterRow], path: Path, *, org_name: str, year: int, full: bool,
                signature: bool = False, variant: str = "004", progress=None) -> dict:
    """Write the 汇总表 of ``rows`` to ``path``: one sheet per 帮扶项目 and 资金来源 (rows ordered by both, as
    ``exporters.roster_queryset`` gives them and ``exporters.roster_rows`` streams them), each titled with its
    source in the wording of seed 004 附件2 or, ``variant="001"``, 001 附件3's 送温暖慰问实名制汇总表;
    ``signature`` adds 经办人签字. 序号, 年龄 and the amount are numbers; each sheet prints on A4 landscape, one
    page wide, its heads repeated. Returns counts and totals per sheet. Each row is written as it comes
    (xlsxwriter's constant-memory mode), so memory stays flat however many rows."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    title_fmt = book.add_format({"bold": True, "font_size": 14, "align": "center"})
    head = book.add_format({"bold": True, "border": 1, "align": "center", "bg_color": "#EEEEEE"})
    cell = book.add_format({"border": 1})
    number = book.add_format({"border": 1, "align": "center", "num_format": "0"})
    money = book.add_format({"border": 1, "num_format": "#,##0.00"})
    total_fmt = book.add_format({"border": 1, "bold": True, "num_format": "#,##0.00"})
    columns = COLUMNS + (["经办人签字"] if signature else [])
    last_col = len(columns) - 1
    shown_id = (lambda v: v) if full else pii.mask_id_number
    shown_phone = (lambda v: v) if full else (lambda v: pii.mask_phone(v) if v else v)
    sheets: dict[str, dict] = {}
    taken: set[str] = set()
    ws = None
    current = name = None
    r = n = 0
    total = Decimal("0.00")
    source_label = ""

    def close_sheet():
        if ws is None:
            return
        ws.write_string(r, 0, "合计", head)
        ws.write_string(r, 1, f"{n} 人", cell)
        ws.write_number(r, 6, float(total), total_fmt)  # the sheet's figure; the count and sum stay exact
        apply_print_setup(ws, ROSTER_PRINT, last_row=r, last_col=last_col)
        sheets[name] = {"rows": n, "total": total, "aid_type": current[0], "source": source_label}

    written = 0
    for aid, source, person, sex, age, id_number, unit, amount, phone, note in rows:
        if (aid, source) != current:
            close_sheet()
            current, n, total = (aid, source), 0, Decimal("0.00")
            source_label = source_name(source)  # once per sheet, not per row
            name = _sheet_name(aid, source, taken)
            ws = book.add_worksheet(name)
            ws.set_column(0, 0, 6)
            ws.set_column(1, 3, 8)
            ws.set_column(4, 4, 21)
            ws.set_column(5, 5, 30)
            ws.set_column(6, 7, 14)
            ws.set_column(8, 8, 22)  # 中央财政帮扶专项资金
            ws.set_column(9, last_col, 12)
            ws.set_row(0, 24)
            title = roster_title(year=year, aid=aid, sources={source}, variant=variant)
            ws.merge_range(0, 0, 0, last_col, title, title_fmt)
            ws.write_string(1, 0, f"填报单位：{org_name}　　单位：元")
            for c, h in enumerate(columns):
                ws.write_string(2, c, h, head)
            r = 3
            put, put_number = ws.write_string, ws.write_number
        n += 1
        total += amount
        put_number(r, 0, n, number)
        put(r, 1, safe_cell(person), cell)
        put(r, 2, sex, cell)
        if age is None:
            ws.write_blank(r, 3, None, number)
        else:
            put_number(r, 3, age, number)
        put(r, 4, shown_id(id_number), cell)
        put(r, 5, safe_cell(unit), cell)
        put_number(r, 6, float(amount), money)
        put(r, 7, shown_phone(phone), cell)
        put(r, 8, source_label, cell)
        put(r, 9, safe_cell(note), cell)
        if signature:
            put(r, last_col, "", cell)
        r += 1
        written += 1
        if progress and written % 2000 == 0:
            progress.advance(written)
    close_sheet()
    if not sheets:
        ws = book.add_worksheet("汇总表")
        ws.write_string(0, 0, "没有符合条件的发放记录")
    book.close()
    return {"sheets": {k: {**v, "total": str(v["total"])} for k, v in sheets.items()}, "rows": written}


# --- the bank batch file and the public notice -----------------------------------------------------------------

BANK_COLUMNS = ["序号", "户名", "账号", "开户银行", "金额", "摘要"]


class BankRow(NamedTuple):
    """One transfer of the bank batch as the export streams it (``exporters.bank_records``): the account
    decrypted, nothing else of the person read."""

    pk: int
    name: str
    bank_account: str
    bank_name: str
    amount: Decimal
    aid_type: str


def bank_row(p: Payment) -> BankRow:
    return BankRow(p.pk, p.name, p.bank_account, p.bank_name, p.amount, p.aid_type)


def bank_rows(records: Iterable[BankRow]):
    labels = dict(AidType.choices)  # looked up once; a value without a label prints as stored (as get_…_display)
    for n, (pk, name, account, bank, amount, aid) in enumerate(records, start=1):
        yield [str(n), name, account, bank, amount, f"{labels.get(aid, aid)} 凭证{pk}"]


def bank_csv(payments: Iterable[BankRow]) -> tuple[str, int, Decimal]:
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


def bank_xlsx(payments: Iterable[BankRow], path: Path) -> tuple[int, Decimal]:
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
