"""The funds statement as an xlsx workbook: the org's own pots, its subtree, each child's subtree total and the
money unspent at its deadline. Amounts are written as numbers with two decimals (Excel keeps 15 significant
digits, enough for any yuan amount below a trillion); the figures come from ``queries.statement``."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import xlsxwriter

from warmth.core.exporting import PrintSetup, apply_print_setup
from warmth.funds.queries import COLUMN_LABELS, COLUMNS, Line, Statement, Unspent
from warmth.orgs.models import Org

HEAD = ["资金来源", "用途", *[COLUMN_LABELS[c] for c in COLUMNS], "执行率(%)", "最早使用期限"]


def _line_cells(ln: Line, first: str, second: str) -> list:
    rate = ln.spend_rate
    return [first, second, *[getattr(ln, c) for c in COLUMNS], rate if rate is not None else "",
            ln.spend_by.isoformat() if ln.spend_by else ""]


def statement_xlsx(st: Statement, children: list[tuple[Org, Line]], unspent: list[Unspent], *,
                   today: date) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "bg_color": "#EEEEEE", "border": 1, "text_wrap": True})
    money = book.add_format({"num_format": "#,##0.00", "border": 1})
    text = book.add_format({"border": 1})
    total_fmt = book.add_format({"num_format": "#,##0.00", "border": 1, "bold": True})

    def cell(ws, r, c, value, fmt_money=money):
        if isinstance(value, Decimal):
            ws.write_number(r, c, float(value), fmt_money)  # written to the sheet only; sums stay Decimal
        else:
            ws.write_string(r, c, str(value), text)

    def table(ws, row: int, lines: list[Line]) -> int:
        for c, h in enumerate(HEAD):
            ws.write_string(row, c, h, head)
        row += 1
        for ln in lines:
            for c, v in enumerate(_line_cells(ln, ln.source_label, ln.purpose_label)):
                cell(ws, row, c, v)
            row += 1
        for c, v in enumerate(_line_cells(Statement.total(lines), "合计", "")):
            cell(ws, row, c, v, total_fmt)
        return row + 2

    ws = book.add_worksheet("资金收支")
    ws.set_column(0, 1, 18)
    ws.set_column(2, len(HEAD) - 1, 14)
    ws.write_string(0, 0, f"{st.org.name}（{st.org.code}）{st.year}年送温暖资金收支表", bold)
    ws.write_string(1, 0, f"生成日期：{today.isoformat()}；单位：元")
    row = 3
    ws.write_string(row, 0, "一、本级", bold)
    row = table(ws, row + 1, st.own)
    ws.write_string(row, 0, "二、本级及所属下级合计", bold)
    row = table(ws, row + 1, st.subtree)

    ws2 = book.add_worksheet("下级单位")
    ws2.set_column(0, 1, 22)
    ws2.set_column(2, 2 + len(COLUMNS), 14)
    heads = ["组织代码", "单位名称", *[COLUMN_LABELS[c] for c in COLUMNS], "执行率(%)"]
    for c, h in enumerate(heads):
        ws2.write_string(0, c, h, head)
    for r, (org, ln) in enumerate(children, start=1):
        rate = ln.spend_rate
        for c, v in enumerate([org.code, org.name, *[getattr(ln, k) for k in COLUMNS],
                               rate if rate is not None else ""]):
            cell(ws2, r, c, v)

    ws3 = book.add_worksheet("逾期未用")
    ws3.set_column(0, 4, 20)
    for c, h in enumerate(["组织代码", "单位名称", "资金", "使用期限", "逾期未用金额"]):
        ws3.write_string(0, c, h, head)
    for r, u in enumerate(unspent, start=1):
        for c, v in enumerate([u.pot.org.code, u.pot.org.name, u.pot.label, u.deadline.isoformat(), u.amount]):
            cell(ws3, r, c, v)
    apply_print_setup(ws, PrintSetup(landscape=True), last_row=row, last_col=len(HEAD) - 1)
    apply_print_setup(ws2, PrintSetup(landscape=True, repeat=(0, 0)), last_row=len(children),
                      last_col=len(heads) - 1)
    apply_print_setup(ws3, PrintSetup(repeat=(0, 0)), last_row=len(unspent), last_col=4)
    book.close()
    return buf.getvalue()
