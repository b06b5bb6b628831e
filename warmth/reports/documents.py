"""A report in its official layout: the title, 填报单位, the date, 填报人, 联系电话, the 说明 lines, then every
item in print order (栏目 code, label, value, unit), 其中 items indented under their parent. xlsx; blank cells
stay blank (blank is not zero)."""

from __future__ import annotations

from io import BytesIO

import xlsxwriter
from django.utils import timezone

from warmth.core.exporting import safe_cell
from warmth.reports.definitions import YES_NO, Definition


def _depth(defn: Definition, code: str) -> int:
    n, parent = 0, defn.item(code).parent
    while parent:
        n, parent = n + 1, defn.item(parent).parent
    return n


def display(defn: Definition, code: str, value) -> str:
    if value is None:
        return ""
    if defn.item(code).unit == YES_NO:
        return "是" if value else "否"
    return format(value, "f")


def report_xlsx(defn: Definition, org, year: int, cells: dict, report=None) -> bytes:
    buf = BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = book.add_worksheet("统计表")
    title = book.add_format({"bold": True, "font_size": 16, "align": "center"})
    plain = book.add_format({"font_size": 10})
    head = book.add_format({"bold": True, "border": 1, "align": "center", "bg_color": "#EEEEEE"})
    code_f = book.add_format({"border": 1, "align": "center"})
    label_f = [book.add_format({"border": 1, "indent": n, "text_wrap": True}) for n in range(4)]
    num_f = book.add_format({"border": 1, "align": "right", "num_format": "0"})
    wan_f = book.add_format({"border": 1, "align": "right", "num_format": "0.0000"})
    unit_f = book.add_format({"border": 1, "align": "center"})
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 58)
    ws.set_column(2, 2, 16)
    ws.set_column(3, 3, 8)
    ws.merge_range(0, 0, 0, 3, defn.title, title)
    day = timezone.localdate(report.submitted_at) if report and report.submitted_at else timezone.localdate()
    filled_by = report.filled_by if report else ""
    phone = report.phone if report else ""
    ws.merge_range(1, 0, 1, 3, safe_cell(f"填报单位：{org.name}    {day:%Y}年{day.month}月{day.day}日    "
                                         f"填报人：{filled_by}    联系电话：{phone}"), plain)
    r = 2
    for note in defn.notes:
        ws.merge_range(r, 0, r, 3, safe_cell(note), plain)
        r += 1
    for c, h in enumerate(("栏目", "项目", "数值", "单位")):
        ws.write_string(r, c, h, head)
    r += 1
    for it in defn.items:
        cell = cells.get(it.code)
        ws.write_string(r, 0, it.code, code_f)
        ws.write_string(r, 1, safe_cell(it.label), label_f[min(_depth(defn, it.code), 3)])
        value = None if cell is None else cell.value
        if value is None:
            ws.write_blank(r, 2, None, num_f)
        elif it.unit == YES_NO:
            ws.write_string(r, 2, display(defn, it.code, value), num_f)
        else:
            ws.write_number(r, 2, float(value), wan_f if it.places else num_f)  # the sheet's figure; cells stay Decimal
        ws.write_string(r, 3, it.unit, unit_f)
        r += 1
    book.close()
    return buf.getvalue()
