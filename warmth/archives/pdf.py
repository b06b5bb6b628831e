"""The 困难职工档案登记表 (seed 004 附件3) as a filled PDF, one A4 page.

Orientation: **landscape A4**. The official form is a wide table: its widest band prints ten fields side by
side (姓名 … 6劳模类型, with the 18-digit 3身份证号 among them) and the 18家庭成员关系 block prints ten
columns for each member (姓名 … 单位或学校, again with a full ID number). In portrait A4 (≈ 186 mm inside
the margins) ten columns leave about 18 mm each, too narrow for an ID number or an employer's name in a
legible size without wrapping every value; landscape (≈ 273 mm) keeps each value on one line at 9 pt,
the form's own proportions, and the whole form — with up to five members and a few attachment kinds —
on one page.

Layout, top to bottom, exactly in the form's order: the title; the 填报单位（盖章） line; then one framed
grid drawn as stacked bands, each a row of labels over a row of values: 档案编号 / 职工编号 / 1困难类别;
姓名 … 6劳模类型; 7住房类型 … 12户口类型; 家庭住址 … 15是否单亲; 本人月平均收入 … 17是否进入医保; the
18家庭成员关系 block (its label down the left, at least five member rows); 19 and 20; 21致困主要原因;
所附附件 (附件类型 / 附件文件); 备注. 职工编号 is the national system's number, which the form says not to fill
(此栏暂不填), so that cell stays as printed; the system's own 档案编号 is printed beside it.

Personal data: ID numbers (the head's and every member's) and the phone number are masked unless the
caller passes ``show_full_id=True`` (its own permission check decides that; this module decides nothing).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from reportlab.lib.units import mm

from warmth.archives.models import Archive
from warmth.core import pdf, pii

TITLE = "困难职工档案登记表"
MIN_MEMBER_ROWS = 5
MIN_ATTACHMENT_ROWS = 2

LABEL_H = 18  # minimum height of a label row, points
VALUE_H = 22  # minimum height of a value row
MEMBER_H = 19  # a row of the member block
MARGINS = (10 * mm, 12 * mm, 10 * mm, 12 * mm)
REMARKS_MAX_H = VALUE_H * 4  # the tallest 备注 cell printed inside the form


def registration_form_pdf(archive: Archive, *, show_full_id: bool) -> bytes:
    """The filled 登记表 of ``archive`` as PDF bytes (landscape A4; see the module docstring)."""
    def build(doc):
        return pdf.fit_one_page(_story(archive, doc.width, show_full_id=show_full_id), doc.width, doc.height)

    return pdf.pdf_bytes(build, pagesize=pdf.A4_LANDSCAPE, margins=MARGINS, title=f"{TITLE} {archive.archive_no}",
                         author=archive.org.name)


# --- values -----------------------------------------------------------------------------------------------


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{Decimal(value):.2f}"


def _date(value: date | None) -> str:
    return value.isoformat() if value else ""


def _id(value: str, show_full: bool) -> str:
    return pii.normalize(pii.ID_NUMBER, value) if show_full else pii.mask_id_number(value)


def _phone(value: str, show_full: bool) -> str:
    return pii.normalize(pii.PHONE, value) if show_full else pii.mask_phone(value)


# --- the form ---------------------------------------------------------------------------------------------


def _pairs(labels: Iterable[str], values: Iterable[object]) -> list[list[object]]:
    return [list(labels), ["" if v is None else v for v in values]]


def _story(a: Archive, width: float, *, show_full_id: bool) -> list:
    band = pdf.grid_band
    story: list = [pdf.Title(pdf.spaced(TITLE), size=18, space_after=6)]
    story.append(pdf.text_line(f"填报单位（盖章）：{a.org.name}", width, size=10.5, space_after=4))

    # 档案编号 / 职工编号 / 1困难类别
    story.append(band([["档案编号", a.archive_no, "职工编号", "（此栏暂不填）", "1困难类别", a.category]],
                      [8, 15, 8, 11, 8, 15], width, first=True, row_heights=[VALUE_H]))

    story.append(band(
        _pairs(["姓名", "民族", "性别", "2政治面貌", "出生日期", "3身份证号", "4健康状况", "残疾类别", "5身份",
                "6劳模类型"],
               [a.name, a.ethnicity, a.sex, a.political_status, _date(a.birth_date), _id(a.id_number, show_full_id),
                a.health, a.disability_type, a.identity, a.model_worker_type]),
        [8, 6, 4.5, 7.5, 8.5, 15, 7.5, 7.5, 8.5, 8.5], width, row_heights=[LABEL_H, VALUE_H]))

    story.append(band(
        _pairs(["7住房类型", "8建筑面积", "邮政编码", "联系电话", "9工作时间", "10所属行业", "11婚姻状况",
                "12户口类型"],
               [a.housing_type, a.housing_area, a.postcode, _phone(a.phone, show_full_id), _date(a.work_start_date),
                a.industry, a.marital_status, a.hukou_type]),
        [10, 8, 8, 10, 9, 11, 8, 8], width, row_heights=[LABEL_H, VALUE_H]))

    story.append(band(
        _pairs(["家庭住址", "工作单位", "13单位性质", "14企业状况", "15是否单亲"],
               [a.address, a.employer, a.employer_type, a.enterprise_status, _yes_no(a.single_parent)]),
        [26, 22, 12, 10, 7], width, row_heights=[LABEL_H, VALUE_H]))

    story.append(band(
        _pairs(["本人月平均收入", "家庭年度总收入", "家庭人口", "家庭年人均收入", "16户口所在地行政区划",
                "17是否进入医保"],
               [_money(a.monthly_income), _money(a.household_annual_income), a.household_size,
                _money(a.per_capita_income), a.hukou_region_name, _yes_no(a.in_medical_insurance)]),
        [9, 9, 6, 9, 17, 8], width, row_heights=[LABEL_H, VALUE_H]))

    story.append(_members_band(a, width, show_full_id=show_full_id))

    story.append(band([["19是否有一定自救能力", _yes_no(a.self_help_capable), "20是否为零就业家庭",
                        _yes_no(a.zero_employment)]], [14, 24, 14, 24], width, row_heights=[VALUE_H]))
    story.append(band([["21致困主要原因", "、".join(a.causes)]], [14, 62], width, row_heights=[VALUE_H]))
    story.append(_attachments_band(a, width))
    remarks = band([["备注", pdf.Cell(a.remarks, align="left")]], [4, 72], width, last=True,
                   row_heights=[VALUE_H * 1.6])
    if remarks.wrap(width, REMARKS_MAX_H)[1] <= REMARKS_MAX_H:
        story.append(remarks)
        return story
    # Long remarks (up to core.validation.LONG_TEXT characters, line breaks allowed) would make one table row
    # taller than a page, which reportlab cannot lay out: the form's cell points to the full text, printed
    # after the form as paragraphs that flow onto further pages.
    story.append(band([["备注", pdf.Cell("（内容较长，全文见表后“备注（续）”）", align="left")]], [4, 72], width,
                      last=True, row_heights=[VALUE_H * 1.6]))
    story.append(pdf.text_line("备注（续）：", width, size=10.5, space_after=2))
    story.extend(pdf.para(line, size=10, align="left") for line in a.remarks.split("\n") if line.strip())
    return story


MEMBER_LABELS = ["姓名", "关系", "性别", "政治面貌", "出生日期", "身份证号", "健康状况", "月收入", "身份", "单位或学校"]
MEMBER_WEIGHTS = [3, 7, 5, 4, 7, 8.5, 14, 6.5, 7, 8, 16]


def _members_band(a: Archive, width: float, *, show_full_id: bool):
    rows: list[list[object]] = [["", *MEMBER_LABELS]]
    for m in a.members.all():
        rows.append(["", m.name, m.relation, m.sex, m.political_status, _date(m.birth_date),
                     _id(m.id_number, show_full_id), m.health, _money(m.monthly_income), m.identity,
                     m.school_or_employer])
    while len(rows) < MIN_MEMBER_ROWS + 1:
        rows.append([""] * (len(MEMBER_LABELS) + 1))
    rows[0][0] = pdf.vertical("18家庭成员关系")
    return pdf.grid_band(rows, MEMBER_WEIGHTS, width, spans=[((0, 0), (0, -1))],
                         row_heights=[LABEL_H] + [MEMBER_H] * (len(rows) - 1))


def _attachments_band(a: Archive, width: float):
    """所附附件: one row per kind of attachment (its files' names together), at least two rows as printed."""
    by_kind: dict[str, list[str]] = {}
    for att in a.attachments.filter(withdrawn_at__isnull=True).order_by("uploaded_at", "id"):
        by_kind.setdefault(att.kind, []).append(att.original_name)
    rows: list[list[object]] = [["", "附件类型", "附件文件"]]
    rows += [["", kind, pdf.Cell("；".join(names), align="left")] for kind, names in by_kind.items()]
    while len(rows) < MIN_ATTACHMENT_ROWS + 1:
        rows.append(["", "", ""])
    rows[0][0] = pdf.vertical("所附附件")
    return pdf.grid_band(rows, [4, 14, 58], width, spans=[((0, 0), (0, -1))],
                         row_heights=[LABEL_H] + [MEMBER_H] * (len(rows) - 1))
