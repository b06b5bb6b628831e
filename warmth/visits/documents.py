"""The not-yet-visited list of a campaign as xlsx. Text cells go through ``safe_cell`` (a value typed as ``=…``
never becomes a formula)."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import xlsxwriter

from warmth.campaigns.models import Campaign
from warmth.core.exporting import PrintSetup, apply_print_setup, safe_cell


def not_visited_xlsx(campaign: Campaign | str, org_name: str, archives, as_of: date | None = None) -> tuple[bytes, int]:
    """``campaign``: the campaign, or the season's name; ``as_of``: the day the households are 在档 on."""
    buf = BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "constant_memory": False})
    ws = book.add_worksheet("未走访")
    head = book.add_format({"bold": True, "border": 1, "align": "center"})
    cell = book.add_format({"border": 1})
    ws.merge_range(0, 0, 0, 5, f"{campaign}：{org_name}尚未走访的在档困难职工家庭"
                   + (f"（在档截至 {as_of:%Y-%m-%d}）" if as_of else ""),
                   book.add_format({"bold": True, "font_size": 14, "align": "center"}))
    columns = ["序号", "档案编号", "姓名", "困难类别", "建档单位", "劳模"]
    widths = [6, 22, 10, 10, 30, 10]
    for c, (h, w) in enumerate(zip(columns, widths, strict=True)):
        ws.write_string(1, c, h, head)
        ws.set_column(c, c, w)
    n = 0
    for n, a in enumerate(archives, 1):
        for c, v in enumerate([str(n), a.archive_no, a.name, a.category, a.org.name,
                               "" if a.model_worker_type in ("", "非劳模") else a.model_worker_type]):
            ws.write_string(n + 1, c, safe_cell(v), cell)
    ws.write_string(n + 2, 0, f"合计 {n} 户")
    apply_print_setup(ws, PrintSetup(repeat=(0, 1)), last_row=n + 2, last_col=len(columns) - 1)
    book.close()
    return buf.getvalue(), n
