"""A report in its official layout and as data.

- ``report_xlsx`` and ``report_pdf`` (A4 portrait): the title, 填报单位 and the date, 填报人 and 联系电话, the
  说明 lines, then every item in print order as a ruled table (栏目 code, 项目 as printed, 数值, 单位), 其中
  items indented under their parent, the header repeated on every page, 第 n 页 共 m 页 at the foot. A form whose
  notes are a ``注：`` (the 2013 帮扶中心表, the 2014 统计表) prints them under the table, as the originals do.
- ``report_csv`` (UTF-8 with BOM, for Excel) and ``report_json``: one row per item with its value and origin.
- ``narrative``: the 送温暖活动报告 as an editable plain-text template, its key figures taken from the cells,
  each followed by its 栏目 code in 【】 for checking, and 请补充 placeholders for what records cannot say.

Blank cells stay blank everywhere (blank is not zero; the narrative says ``（未填）``); 万元 with 4 decimals,
counts as integers, 是/否 as 是 or 否. Text put into xlsx and CSV cells goes through ``safe_cell``."""

from __future__ import annotations

import csv
import json
import re
from io import BytesIO, StringIO
from xml.sax.saxutils import escape

import xlsxwriter
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from warmth.core import pdf
from warmth.core.exporting import PrintSetup, apply_print_setup, safe_cell
from warmth.reports.definitions import YES_NO, Definition, Item, quantize

HEAD = ("栏目", "项目", "数值", "单位")
BLANK = "（未填）"


def _depth(defn: Definition, code: str) -> int:
    n, parent = 0, defn.item(code).parent
    while parent:
        n, parent = n + 1, defn.item(parent).parent
    return n


def display(defn: Definition, code: str, value) -> str:
    """A cell's value as printed: blank for blank, 是/否, 万元 with 4 decimals, counts as integers."""
    if value is None:
        return ""
    it = defn.item(code)
    if it.unit == YES_NO:
        return "是" if value else "否"
    return format(quantize(it, value), "f")


def _value(cells: dict, code: str):
    cell = cells.get(code)
    return None if cell is None else cell.value


def _group(code: str) -> str:
    """The printed number an item belongs to: ``5`` for ``5.A``, ``9`` for ``9-2``."""
    return re.split(r"[.-]", code, maxsplit=1)[0]


def _notes_after(defn: Definition) -> bool:
    """A ``注：`` block is printed under the table in the originals; a ``说明：`` above it."""
    return bool(defn.notes) and defn.notes[0].startswith("注")


def _day(report):
    return timezone.localdate(report.submitted_at) if report and report.submitted_at else timezone.localdate()


def _date_text(report) -> str:
    """The date of submission; before it, the form's blank ``年　　月　　日`` to write the date in by hand."""
    if not (report and report.submitted_at):
        return "　　　　年　　月　　日"
    day = _day(report)
    return f"{day.year}年{day.month}月{day.day}日"


def _people(report) -> tuple[str, str]:
    return (report.filled_by, report.phone) if report else ("", "")


def season_line(year: int, kind: str = "warmth") -> str:
    """The season a report is filled for, printed in the header: season 2025 is the 两节 of 2026; a 帮扶中心表
    counts the year to its 31 December."""
    if kind == "center":
        return f"统计年度：{year}年度（截至{year}年12月31日）"
    return f"统计季度：{year}年度（{year + 1}年元旦、春节“两节”送温暖）"


def _rows(defn: Definition, year: int):
    """What the table prints, in order: ``("lead", text)`` for a printed lead-in line (“2015年元旦、春节期间送温暖
    活动中” before items 4, 7 and 8), ``("item", item, text)`` for an item with its whole printed phrase."""
    lead = defn.lead_ins_for(year)
    for it in defn.items:
        if it.code in lead:
            yield ("lead", lead[it.code])
        yield ("item", it, it.text_for(year))


# --- xlsx -------------------------------------------------------------------------------------------------

COL_WIDTHS = (8, 60, 16, 8)  # Excel character units; a Chinese character takes about 2


def _lines(text: str, width: float) -> int:
    """How many lines ``text`` takes in a wrapping cell ``width`` characters wide (CJK counts double)."""
    units = sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
    return max(1, -(-units // max(1, int(width) - 2)))


def report_xlsx(defn: Definition, org, year: int, cells: dict, report=None) -> bytes:
    buf = BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = book.add_worksheet("统计表")
    base = {"font_size": 10, "valign": "vcenter"}

    def fmt(**kw):
        return book.add_format({**base, **kw})

    title = fmt(bold=True, font_size=16, align="center")
    plain = fmt(text_wrap=True)
    plain_right = fmt(align="right")
    head = fmt(bold=True, border=1, align="center", bg_color="#EEEEEE")
    code_f = fmt(border=1, align="center")
    label_f = [fmt(border=1, indent=2 * n, text_wrap=True) for n in range(4)]
    num_f = fmt(border=1, align="right", num_format="0")
    wan_f = fmt(border=1, align="right", num_format="0.0000")
    yes_f = fmt(border=1, align="center")
    unit_f = fmt(border=1, align="center")
    for c, w in enumerate(COL_WIDTHS):
        ws.set_column(c, c, w)
    full = sum(COL_WIDTHS)

    ws.set_row(0, 30)
    ws.merge_range(0, 0, 0, 3, safe_cell(defn.title_for(year)), title)
    filled_by, phone = _people(report)
    unit_word, person_word = defn.head
    ws.merge_range(1, 0, 1, 3, season_line(year, defn.kind), plain)
    ws.merge_range(2, 0, 2, 1, safe_cell(f"{unit_word}：{org.name}"), plain)
    ws.merge_range(2, 2, 2, 3, _date_text(report), plain_right)
    ws.merge_range(3, 0, 3, 1, safe_cell(f"{person_word}：{filled_by}"), plain)
    ws.merge_range(3, 2, 3, 3, safe_cell(f"联系电话：{phone}"), plain)
    r = 4
    lead_f = fmt(border=1, bold=True, text_wrap=True)

    def notes(r: int) -> int:
        for note in defn.notes_for(year):
            ws.set_row(r, 15 * _lines(note, full))
            ws.merge_range(r, 0, r, 3, safe_cell(note), plain)
            r += 1
        return r

    if not _notes_after(defn):
        r = notes(r)
    header_row = r
    for c, h in enumerate(HEAD):
        ws.write_string(r, c, h, head)
    ws.set_row(r, 20)
    r += 1
    for row in _rows(defn, year):
        if row[0] == "lead":
            ws.merge_range(r, 0, r, 3, safe_cell(row[1]), lead_f)
            r += 1
            continue
        _, it, text = row
        depth = min(_depth(defn, it.code), 3)
        ws.set_row(r, max(18, 14 * _lines(text, COL_WIDTHS[1] - 2 * depth)))
        ws.write_string(r, 0, it.code, code_f)
        ws.write_string(r, 1, safe_cell(text), label_f[depth])
        value = _value(cells, it.code)
        if value is None:
            ws.write_blank(r, 2, None, num_f)
        elif it.unit == YES_NO:
            ws.write_string(r, 2, display(defn, it.code, value), yes_f)
        else:
            ws.write_number(r, 2, float(value), wan_f if it.places else num_f)  # the sheet's figure; cells stay Decimal
        ws.write_string(r, 3, it.unit, unit_f)
        r += 1
    if _notes_after(defn):
        r = notes(r)

    ws.freeze_panes(header_row + 1, 0)
    apply_print_setup(ws, PrintSetup(repeat=(header_row, header_row)), last_row=r - 1, last_col=3)
    book.close()
    return buf.getvalue()


# --- pdf --------------------------------------------------------------------------------------------------

PDF_MARGINS = (14 * mm, 14 * mm, 16 * mm, 14 * mm)  # top, right, bottom (room for the page number), left
PDF_WEIGHTS = (15, 115, 34, 22)
SIZE = 10
INDENT = 1.5 * SIZE  # per level of 其中


def _label_style(depth: int) -> ParagraphStyle:
    base = pdf.cell_style(SIZE, "left")
    return ParagraphStyle(f"{base.name}-indent{depth}", parent=base, leftIndent=depth * INDENT)


def _item_table(defn: Definition, cells: dict, width: float, year: int) -> Table:
    styles = {}
    rows = [list(HEAD)]
    spans, extra, heights = [], [], [20]
    prev = None
    for row in _rows(defn, year):
        r = len(rows)
        if row[0] == "lead":  # a printed lead-in line across the table, as the form heads items 4, 7 and 8
            rows.append([pdf.Cell(row[1], align="left"), "", "", ""])
            spans.append(((0, r), (-1, r)))
            extra.append(("BACKGROUND", (0, r), (-1, r), colors.HexColor("#F7F7F7")))
            heights.append(18)
            continue
        _, it, text = row
        depth = _depth(defn, it.code)
        style = styles.setdefault(depth, _label_style(depth))
        value = display(defn, it.code, _value(cells, it.code))
        rows.append([it.code, Paragraph(pdf.keep_blanks(escape(text), SIZE), style),
                     pdf.Cell(value, align="center" if it.unit == YES_NO else "right") if value else "", it.unit])
        heights.append(18)
        if prev is not None and _group(it.code) != prev:
            above = r - 1 if rows[r - 1][1] == "" else r  # a lead-in belongs to the number it heads
            extra.append(("LINEABOVE", (0, above), (-1, above), 1.0, colors.black))  # between the printed numbers
        prev = _group(it.code)
    extra = [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
             ("LINEBELOW", (0, 0), (-1, 0), pdf.BOX_WIDTH * 0.8, colors.black),
             ("LEFTPADDING", (1, 1), (1, -1), 4), ("RIGHTPADDING", (2, 1), (2, -1), 5), *extra]
    return pdf.grid_table(rows, pdf.widths(PDF_WEIGHTS, width), size=SIZE, padding=3, repeat_rows=1,
                          spans=spans, row_heights=heights, extra_style=extra)


def _head_lines(defn: Definition, org, report, width: float, year: int) -> Table:
    filled_by, phone = _people(report)
    unit_word, person_word = defn.head
    rows = [[pdf.para(season_line(year, defn.kind), size=10.5, align="left"), ""],
            [pdf.para(f"{unit_word}：{org.name}", size=10.5, align="left"),
             pdf.para(_date_text(report), size=10.5, align="right")],
            [pdf.para(f"{person_word}：{filled_by}", size=10.5, align="left"),
             pdf.para(f"联系电话：{phone}", size=10.5, align="left")]]
    return Table(rows, colWidths=pdf.widths((62, 38), width), hAlign="CENTER", style=TableStyle([
        ("SPAN", (0, 0), (-1, 0)),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))


def _notes_pdf(defn: Definition, width: float, year: int) -> list[Table]:
    """The 说明 / 注 lines; a continuation line (``2.职工包括…``) is set under the first line's text, after its
    ``说明：``, as the originals print it."""
    size = 9.5
    notes = defn.notes_for(year)
    prefix = re.match(r"^(说明|注)[:：]", notes[0]) if notes else None
    indent = pdfmetrics.stringWidth(prefix.group(0), pdf.register_cjk_font(), size) if prefix else 0
    rows = [[Paragraph(escape(note), ParagraphStyle(f"note-{n}", parent=pdf.cell_style(size, "left"),
                                                    leftIndent=indent if n else 0))]
            for n, note in enumerate(notes)]
    if not rows:
        return []
    # a table exactly ``width`` wide, as pdf.text_line: it lines up with the grid's edge, not the frame's padding
    return [Table(rows, colWidths=[width], hAlign="CENTER", style=TableStyle([
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))]


def report_pdf(defn: Definition, org, year: int, cells: dict, report=None) -> bytes:
    def build(doc):
        notes = _notes_pdf(defn, doc.width, year)
        story = [pdf.Title(defn.title_for(year), size=16, space_after=8),
                 _head_lines(defn, org, report, doc.width, year)]
        if _notes_after(defn):
            return [*story, Spacer(1, 4), _item_table(defn, cells, doc.width, year), Spacer(1, 6), *notes]
        return [*story, *notes, Spacer(1, 4), _item_table(defn, cells, doc.width, year)]

    font = pdf.register_cjk_font()
    pages = [0]

    def count(canvas, doc):
        pages[0] = max(pages[0], doc.page)

    def number(canvas, doc):
        canvas.saveState()
        canvas.setFont(font, 9)
        canvas.drawCentredString(doc.pagesize[0] / 2, 8 * mm, f"第 {doc.page} 页 共 {pages[0]} 页")
        canvas.restoreState()

    kwargs = {"margins": PDF_MARGINS, "title": defn.title_for(year), "author": org.name}
    pdf.pdf_bytes(build, on_page=count, **kwargs)  # a first pass counts the pages for 共 m 页
    return pdf.pdf_bytes(build, on_page=number, **kwargs)


# --- data -------------------------------------------------------------------------------------------------

CSV_HEAD = ("form", "org_code", "org_name", "year", "code", "label", "unit", "value", "origin")


def _origin(cells: dict, code: str) -> str:
    cell = cells.get(code)
    return "" if cell is None else cell.origin


def report_csv(defn: Definition, org, year: int, cells: dict, report=None) -> bytes:
    out = StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEAD)
    for it in defn.items:
        writer.writerow([safe_cell(v) for v in (defn.id, org.code, org.name, year, it.code, it.label_for(year), it.unit,
                                                display(defn, it.code, _value(cells, it.code)),
                                                _origin(cells, it.code))])
    return out.getvalue().encode("utf-8-sig")


def report_json(defn: Definition, org, year: int, cells: dict, report=None) -> bytes:
    data = {"form": defn.id, "title": defn.title_for(year), "org": org.code, "name": org.name, "year": year,
            "status": report.status if report else None,
            "cells": [{"code": it.code, "label": it.label_for(year), "unit": it.unit,
                       "value": display(defn, it.code, v) if (v := _value(cells, it.code)) is not None else None,
                       "origin": _origin(cells, it.code)} for it in defn.items]}
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


# --- the narrative ----------------------------------------------------------------------------------------


class _Figures:
    """Finds a form's items by source (``visits.enterprises``) or label and writes them as figures."""

    def __init__(self, defn: Definition, cells: dict):
        self.defn, self.cells = defn, cells

    def item(self, key: str) -> Item | None:
        items = self.defn.items
        return (next((it for it in items if it.source == key), None)
                or next((it for it in items if it.label == key), None)
                or next((it for it in items if key in it.label and not it.parent), None))

    def after(self, it: Item | None) -> Item | None:
        """The item printed right after ``it`` (the 帮扶款物 of a 人次 line)."""
        if it is None:
            return None
        i = self.defn.items.index(it)
        return self.defn.items[i + 1] if i + 1 < len(self.defn.items) else None

    def fig(self, it: Item) -> str:
        value = _value(self.cells, it.code)
        if value is None:
            return f"{BLANK}【{it.code}】"
        return f"{display(self.defn, it.code, value)}{'' if it.unit == YES_NO else it.unit}【{it.code}】"

    def clause(self, phrase: str, key: str | Item | None) -> str | None:
        it = self.item(key) if isinstance(key, str) else key
        return None if it is None else f"{phrase}{self.fig(it)}"

    def parts(self, total: Item | None, *, skip: Item | None = None, lead: str = "其中") -> str | None:
        """``其中A x、B y`` over the 其中 items of ``total`` (but ``skip``)."""
        if total is None:
            return None
        kids = [it for it in self.defn.items if it.parent == total.code and it != skip]
        if not kids:
            return None
        return lead + "、".join(f"{_strip_qizhong(it.label)}{self.fig(it)}" for it in kids)


def _strip_qizhong(label: str) -> str:
    return label.removeprefix("其中").removeprefix("：")


def _sentence(*clauses: str | None, lead: str = "", sep: str = "，") -> str:
    got = [c for c in clauses if c]
    return f"{lead}{sep.join(got)}。" if got else ""


def _paragraphs(sections: list[tuple[str, list[str]]]) -> list[str]:
    out, n = [], 0
    for heading, lines in sections:
        lines = [line for line in lines if line]
        if not lines:
            continue
        n += 1
        out += ["", f"{_CN_NUM[n]}、{heading}", *("　　" + line for line in lines)]
    return out


_CN_NUM = "〇一二三四五六七八九十"


def _warmth_sections(f: _Figures, season: int) -> list[tuple[str, list[str]]]:
    when = f"{season}年元旦、春节期间"
    households, hard = f.item("visits.households"), f.item("visits.enterprises_in_difficulty")
    raised, paid = f.item("funds.raised_total"), f.item("payments.paid_total")
    services = f.item("activity:counselling:count")
    services_total = f.defn.item(services.parent) if services is not None and services.parent else None
    young = next((it for it in f.defn.items if services_total and it.parent == services_total.code
                  and "新生代" in it.label), None)  # the 2014 form's 9-2
    return [
        ("基本情况", [
            _sentence(f.clause("职工总数", "当地职工总数"), f.clause("其中农民工", "其中农民工总数"),
                      f.clause("困难职工", "archives.workers"), f.clause("其中困难农民工", "archives.migrant_workers"),
                      lead="本地区"),
            _sentence(f.clause("已建档困难职工家庭", "archives.households"),
                      f.clause("其中困难农民工家庭", "archives.migrant_households"),
                      f.clause("低保家庭", "archives.below_dibao"), f.clause("低保边缘家庭", "archives.near_dibao"),
                      f.clause("因意外事件、重大疾病、自然灾害等致困家庭", "archives.accident"),
                      f.clause("经工会帮扶实现脱贫的困难职工家庭", "archives.lifted")),
            "（请补充：活动的组织领导、部署安排和总体情况。）"]),
        ("走访慰问", [
            _sentence(f.clause("走访企业", "visits.enterprises"),
                      f.clause("其中困难企业" if hard and hard.parent else "慰问困难企业", hard),
                      f.clause("走访职工家庭", "走访职工家庭"), f.clause("慰问一线职工", "visits.frontline"),
                      f.clause("慰问困难家庭", households), f.parts(households), lead=f"{when}，共")]),
        ("资金筹集与发放", [
            _sentence(f.clause("共筹集慰问款物", raised), f.parts(raised)),
            _sentence(f.clause("发放慰问款物", paid), f.parts(paid))]),
        ("帮扶救助", [
            _sentence(f.clause("组织召开学习宣传十八大精神会议（活动）", "activity:meeting:count"),
                      f.clause("提供政策宣传", "activity:policy_publicity:count"),
                      f.clause("帮助符合条件的困难职工落实民生政策", "activity:policy_help:count"),
                      f.clause("为下岗失业人员提供就业岗位", "activity:jobs:count"),
                      f.clause("提供生活救助", "activity:life_relief:count"),
                      f.clause("就业培训", "activity:training:count"),
                      f.clause("医疗救助", "activity:medical_relief:count"),
                      f.clause("为困难职工子女提供助学帮扶", "activity:school_help:count"),
                      f.clause("提供法律援助", "activity:legal_aid:count"),
                      f.clause("为困难职工家庭提供过冬取暖补贴", "activity:heating:count"),
                      f.clause("补贴金额", "activity:heating:amount"),
                      f.clause("与困难职工结对帮扶", "activity:pairing:count"))]),
        ("维权帮扶", [
            _sentence(f.clause("为权益受损的职工开展维权工作", "activity:rights_case:count"),
                      f.clause("开展权益维护方面知识宣传教育", "activity:rights_education:count"),
                      f.clause("协助政府有关部门帮助职工追讨欠薪", "activity:wage_recovery:count"),
                      f.clause("追回欠薪", "activity:wage_recovery:amount"),
                      f.clause("其中帮助农民工追讨欠薪", "activity:wage_recovery:part"),
                      f.clause("金额", "activity:wage_recovery:part_amount"))]),
        ("服务职工", [
            _sentence(f.clause("为职工提供各项服务", services_total), f.clause("其中新生代农民工", young),
                      f.parts(services_total, skip=young, lead="包括" if young else "其中"))]),
        ("农民工平安返乡", [
            _sentence(f.clause("帮助农民工平安返乡", "activity:trip_helped:count"),
                      f.clause("包专列", "activity:train:count"), f.clause("运送", "activity:train:people"),
                      f.clause("包火车车厢", "activity:carriage:count"), f.clause("运送", "activity:carriage:people"),
                      f.clause("包汽车", "activity:bus:count"), f.clause("运送", "activity:bus:people"),
                      f.clause("包船", "activity:ship:count"), f.clause("运送", "activity:ship:people"),
                      f.clause("包机", "activity:flight:count"), f.clause("运送", "activity:flight:people"),
                      f.clause("帮助农民工购买车（船）票", "activity:tickets:count"),
                      f.clause("开设购票窗口的帮扶中心", "activity:ticket_centre:count"),
                      f.clause("与用人单位协商为农民工返乡争取经济补贴", "activity:trip_subsidy:amount"),
                      lead="送温暖活动期间，")]),
    ]


def _centre_sections(f: _Figures, year: int) -> list[tuple[str, list[str]]]:
    centres, staff = f.item("县级以上困难职工帮扶中心"), f.item("工作人员")
    funds = f.item("帮扶中心资金来源总额")
    workers, migrants = f.item("帮扶中心帮扶困难职工"), f.item("帮扶中心帮扶农民工")
    station_keys = ("乡镇（街道）工会帮扶工作站", "工业园区", "社区（村）工会帮扶站点", "企业帮扶站点")
    stations = sorted({it for key in station_keys if (it := f.item(key)) is not None}, key=f.defn.items.index)
    return [
        ("帮扶中心建设", [
            _sentence(f.clause("县级以上困难职工帮扶中心", centres), f.parts(centres),
                      lead=f"截至{year}年底，本地区有"),
            _sentence(f.clause("帮扶中心工作人员", staff), f.parts(staff), f.clause("工会志愿者", "工会志愿者")),
            _sentence(*(c for it in stations for c in (f.clause(it.label, it), f.parts(it))), lead="建有")]),
        ("帮扶资金", [
            _sentence(f.clause(f"{year}年度帮扶中心资金来源总额", funds), f.parts(funds)),
            _sentence(f.clause("帮扶中心建设费用投入", "帮扶中心建设费用投入"),
                      f.clause("工作经费投入", "帮扶中心工作经费投入"))]),
        ("帮扶工作", [
            _sentence(f.clause("帮扶中心帮扶困难职工", workers), f.clause("帮扶款物", f.after(workers))),
            _sentence(f.clause("帮扶农民工", migrants), f.clause("帮扶款物", f.after(migrants))),
            _sentence(f.clause("为职工提供各项服务", "帮扶中心为职工提供各项服务"))]),
        ("送温暖活动情况", ["（请补充：走访慰问、资金筹集与发放等情况，可依据本单位《工会送温暖活动统计表》。）"]),
    ]


def narrative(defn: Definition, org, year: int, cells: dict, report=None) -> bytes:
    """The 送温暖活动报告 of season ``year`` (the 两节 of ``year + 1``) as an editable plain-text template."""
    season = year + 1
    f = _Figures(defn, cells)
    sections = _warmth_sections(f, season) if defn.kind == "warmth" else _centre_sections(f, year)
    sections += [
        ("典型事例", ["（请补充：走访慰问、帮扶救助、维权服务中的典型事例和受帮扶职工的反映。）"]),
        ("存在问题", ["（请补充：活动中发现的问题和困难，如资金、覆盖面、基层落实等方面。）"]),
        ("下一步打算", ["（请补充：下一步工作打算和建议。）"]),
    ]
    filled_by, phone = _people(report)
    lines = [f"{org.name}{season}年“两节”送温暖活动报告", "",
             f"（本稿由系统根据{org.name}{year}年度（{season}年“两节”）的《{defn.title_for(year)}》生成。【】内为统计表"
             f"栏目代码，供核对，定稿前请删除；“{BLANK}”表示统计表中该栏目未填。）",
             *_paragraphs(sections), "",
             f"{org.name}",
             _date_text(report) if report and report.submitted_at else "　　　　年　　月　　日"]
    if filled_by or phone:
        lines.append(f"填报人：{filled_by}　联系电话：{phone}")
    return ("\n".join(lines) + "\n").encode("utf-8")
