"""The xlsx layout of 困难职工档案: the columns and their closed lists, the writer, the reader.

One column list serves three uses: the blank import template, the importer (which finds columns by their
header text, never by position) and the export (which writes the same layout, so an export re-imports
cleanly). Header texts are the official field names of the 登记表 (seed 004 附件3); closed lists come from
``warmth.archives.choices`` and appear in the template as drop-downs fed from a hidden sheet.

Layout of every data sheet: row 1 a 填表说明 hint, row 2 the header, data from row 3. The reader finds the
header row by its texts and types every cell leniently (full-width digits, stray spaces, 15-digit IDs,
Excel serial or written dates, 是/否, amounts as numbers or text); the rules across cells and rows, and the
checks for hostile files that run before the reader, are the importer's (``importing.py``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import operator
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import python_calamine
import xlsxwriter

from warmth.archives.choices import (
    ETHNICITIES,
    DisabilityType,
    EmployerType,
    EnterpriseStatus,
    HardshipCategory,
    HardshipCause,
    Health,
    HousingArea,
    HousingType,
    HukouType,
    Identity,
    Industry,
    MaritalStatus,
    MemberIdentity,
    ModelWorkerType,
    PoliticalStatus,
    Relation,
    Sex,
)
from warmth.core import idcard, pii, regions
from warmth.core.exporting import safe_cell
from warmth.core.money import MAX_YUAN, AmountError, parse_amount
from warmth.jobs.services import JobInputError

HEAD_SHEET = "困难职工档案"
MEMBER_SHEET = "家庭成员"
LISTS_SHEET = "选项"
HINT_ROW, HEADER_ROW, FIRST_DATA_ROW = 0, 1, 2  # zero-based: Excel rows 1, 2, 3
#: How far down the template's drop-downs reach (Excel rows).
VALIDATION_ROWS = 200_000
YES_NO_CHOICES = ("是", "否")


@dataclass(frozen=True)
class Column:
    """One column of the layout.

    ``kind`` says how a cell is read: text, choice (one of ``choices``), id (身份证号), date, money, int,
    bool (是/否), region (6-digit county code), postcode, phone, cause (one of the 致困主要原因), head_id
    (the member sheet's key) or info (written by the export, ignored by the importer)."""

    header: str
    field: str
    kind: str
    required: bool = False
    choices: tuple[str, ...] = ()
    hint: str = ""
    width: int = 12
    max_length: int = 0


def _choice(header, field, choices, *, required=True, width=12, hint=""):
    values = tuple(choices.values) if hasattr(choices, "values") else tuple(choices)
    return Column(header, field, "choice", required, values, hint or "请从下拉列表中选择", width)


def _bool(header, field, width):
    return Column(header, field, "bool", True, YES_NO_CHOICES, "请填写“是”或“否”", width)


_CAUSES = tuple(HardshipCause.values)

HEAD_COLUMNS: tuple[Column, ...] = (
    _choice("困难类别", "category", HardshipCategory, width=12),
    Column("姓名", "name", "text", True, hint="户主（困难职工本人）姓名", width=10, max_length=50),
    _choice("民族", "ethnicity", ETHNICITIES, required=False, width=8, hint="不填视为汉族"),
    _choice("政治面貌", "political_status", PoliticalStatus, width=10),
    Column("身份证号", "id_number", "id", True, hint="15位或18位；性别、出生日期由身份证号得出", width=21),
    _choice("健康状况", "health", Health, width=9),
    _choice("残疾类别", "disability_type", DisabilityType, required=False, width=10, hint="不填视为“无”"),
    _choice("身份", "identity", Identity, width=10),
    _choice("劳模类型", "model_worker_type", ModelWorkerType, required=False, width=11, hint="不填视为“非劳模”"),
    _choice("住房类型", "housing_type", HousingType, width=13),
    _choice("建筑面积", "housing_area", HousingArea, width=9, hint="平方米，请从下拉列表中选择"),
    Column("邮政编码", "postcode", "postcode", hint="6位数字", width=9),
    Column("联系电话", "phone", "phone", hint="手机或固定电话", width=14),
    Column("工作时间", "work_start_date", "date", hint="开始参加工作的年月日，如1995-07-01", width=11),
    _choice("所属行业", "industry", Industry, width=14),
    _choice("婚姻状况", "marital_status", MaritalStatus, width=9),
    _choice("户口类型", "hukou_type", HukouType, width=9),
    Column("家庭住址", "address", "text", True, width=30, max_length=200),
    Column("工作单位", "employer", "text", width=24, max_length=200),
    _choice("单位性质", "employer_type", EmployerType, width=17),
    _choice("企业状况", "enterprise_status", EnterpriseStatus, width=12),
    _bool("是否单亲", "single_parent", 8),
    Column("本人月平均收入", "monthly_income", "money", True, hint="元", width=13),
    Column("家庭年度总收入", "household_annual_income", "money", True, hint="元；家庭年人均收入由系统计算", width=13),
    Column("家庭人口", "household_size", "int", True, hint="含户主本人", width=8),
    Column("户口所在地行政区划", "hukou_region_code", "region", True,
           hint="县（区）级6位行政区划代码，如510107（四川省成都市武侯区）", width=17),
    _bool("是否进入医保", "in_medical_insurance", 11),
    _bool("是否有一定自救能力", "self_help_capable", 15),
    _bool("是否为零就业家庭", "zero_employment", 14),
    Column("致困主要原因1", "cause_1", "cause", True, _CAUSES, "最少填1项，最多填3项，不能重复", 20),
    Column("致困主要原因2", "cause_2", "cause", False, _CAUSES, "可不填", 20),
    Column("致困主要原因3", "cause_3", "cause", False, _CAUSES, "可不填", 20),
    Column("备注", "remarks", "text", width=20, max_length=2000),
    Column("家庭年度刚性支出", "rigid_expenses", "money", hint="元，可不填（医疗、教育等必需支出）", width=14),
    Column("年度致困支出", "hardship_costs", "money", hint="元，可不填（意外、大病等当年支出）", width=12),
    Column("享受低保月额", "dibao_monthly", "money", hint="元，可不填", width=12),
    Column("低保起始", "dibao_from", "date", hint="可不填", width=11),
    Column("低保截止", "dibao_to", "date", hint="可不填", width=11),
)

MEMBER_COLUMNS: tuple[Column, ...] = (
    Column("户主身份证号", "head_id", "head_id", True, hint="与“困难职工档案”表中户主的身份证号相同", width=21),
    Column("姓名", "name", "text", True, width=10, max_length=50),
    _choice("关系", "relation", Relation, width=8, hint="与户主的关系"),
    _choice("性别", "sex", Sex, required=False, width=6, hint="有身份证号时可不填"),
    _choice("政治面貌", "political_status", PoliticalStatus, required=False, width=10, hint="不填视为群众"),
    Column("出生日期", "birth_date", "date", hint="有身份证号时可不填", width=11),
    Column("身份证号", "id_number", "id", hint="15位或18位；幼儿等没有身份证号的可不填", width=21),
    _choice("健康状况", "health", Health, required=False, width=9, hint="不填视为良好"),
    Column("月收入", "monthly_income", "money", hint="元，不填视为0", width=9),
    _choice("身份", "identity", MemberIdentity, width=10),
    Column("单位或学校", "school_or_employer", "text", width=24, max_length=200),
)

#: Written by the export after the template's columns; the importer ignores them (家庭年人均收入 is derived).
INFO_COLUMNS: tuple[Column, ...] = (
    Column("家庭年人均收入", "", "info", width=13),
    Column("档案编号", "", "info", width=20),
    Column("状态", "", "info", width=8),
    Column("建档单位", "", "info", width=20),
)

HINTS = {
    HEAD_SHEET: "填表说明：第2行为表头（请勿修改），从第3行起每行填写一户（户主即困难职工本人）。"
                "带下拉箭头的列请从列表中选择；身份证号可填15位或18位；日期可写作1990-03-07、1990/3/7或1990年3月7日；"
                "金额以元为单位；家庭年人均收入由系统计算，无需填写。家庭成员请填写在“家庭成员”表中。",
    MEMBER_SHEET: "填表说明：每行填写一位家庭成员（不含户主），“户主身份证号”须与“困难职工档案”表中"
                  "该户户主的身份证号相同；有身份证号的，性别和出生日期以身份证号为准。",
}

_TEXT_KINDS = frozenset({"id", "head_id", "phone", "postcode", "region"})


def list_columns() -> list[tuple[str, tuple[str, ...]]]:
    """The distinct closed lists, each once, in first-use order: (name, values) for the hidden sheet."""
    seen: dict[tuple[str, ...], str] = {}
    for col in (*HEAD_COLUMNS, *MEMBER_COLUMNS):
        if col.choices and col.choices not in seen:
            seen[col.choices] = col.header
    return [(name, values) for values, name in seen.items()]


def _col_letter(n: int) -> str:
    letters = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


class LayoutWriter:
    """Writes the layout with xlsxwriter: hint row, header row, drop-downs, then data rows in order.

    ``constant_memory`` (for exports) flushes each row as soon as the next one starts; rows of each sheet
    must then come in order, which a row generator gives naturally."""

    def __init__(self, path: Path, *, constant_memory: bool = False, info: bool = False):
        self.book = xlsxwriter.Workbook(str(path), {"constant_memory": constant_memory, "strings_to_numbers": False,
                                                    "strings_to_formulas": False, "strings_to_urls": False})
        self.fmt_hint = self.book.add_format({"text_wrap": True, "valign": "top", "font_color": "#595959"})
        self.fmt_head = self.book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                              "align": "center", "valign": "vcenter"})
        self.fmt_head_req = self.book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1,
                                                  "text_wrap": True, "align": "center", "valign": "vcenter",
                                                  "font_color": "#C00000"})
        self.fmt_text = self.book.add_format({"num_format": "@"})
        self.fmt_date = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self.fmt_money = self.book.add_format({"num_format": "0.00"})
        self.rows = {HEAD_SHEET: FIRST_DATA_ROW, MEMBER_SHEET: FIRST_DATA_ROW}
        self.columns = {HEAD_SHEET: HEAD_COLUMNS + (INFO_COLUMNS if info else ()), MEMBER_SHEET: MEMBER_COLUMNS}
        self.sheets = {name: self.book.add_worksheet(name) for name in (HEAD_SHEET, MEMBER_SHEET)}
        sources = self._write_lists()
        for name, ws in self.sheets.items():
            self._prepare(ws, name, self.columns[name], sources)

    def _write_lists(self) -> dict[tuple[str, ...], str]:
        ws = self.book.add_worksheet(LISTS_SHEET)
        sources = {}
        for i, (name, values) in enumerate(list_columns()):
            ws.write_string(0, i, name)
            for r, v in enumerate(values, start=1):
                ws.write_string(r, i, v)
            letter = _col_letter(i)
            sources[values] = f"='{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
        ws.hide()
        return sources

    def _prepare(self, ws, name: str, columns: Sequence[Column], sources: dict) -> None:
        for i, col in enumerate(columns):
            fmt = self.fmt_text if col.kind in _TEXT_KINDS or col.kind in ("text", "choice", "cause") else (
                self.fmt_date if col.kind == "date" else self.fmt_money if col.kind == "money" else None)
            ws.set_column(i, i, col.width, fmt)
        ws.set_row(HINT_ROW, 48)
        ws.merge_range(HINT_ROW, 0, HINT_ROW, len(columns) - 1, HINTS[name], self.fmt_hint)
        ws.set_row(HEADER_ROW, 30)
        for i, col in enumerate(columns):
            ws.write_string(HEADER_ROW, i, col.header, self.fmt_head_req if col.required else self.fmt_head)
            if col.kind == "info":
                continue
            options = {"input_title": col.header[:32], "input_message": col.hint[:255]} if col.hint else {}
            if col.choices:
                options |= {"validate": "list", "source": sources[col.choices], "error_type": "stop",
                            "error_title": "不是可选值", "error_message": f"“{col.header}”请从下拉列表中选择"}
            else:
                options |= {"validate": "any"}
            ws.data_validation(FIRST_DATA_ROW, i, FIRST_DATA_ROW + VALIDATION_ROWS - 1, i, options)
        ws.freeze_panes(FIRST_DATA_ROW, 0)

    def write(self, sheet: str, values: Sequence) -> None:
        """One data row; text goes through ``safe_cell`` (an export never carries a live formula)."""
        ws, r = self.sheets[sheet], self.rows[sheet]
        for c, v in enumerate(values):
            if v is None or v == "":
                continue
            if isinstance(v, bool):
                ws.write_string(r, c, "是" if v else "否")
            elif isinstance(v, date):
                ws.write_datetime(r, c, v, self.fmt_date)
            elif isinstance(v, int):
                ws.write_number(r, c, v)
            elif isinstance(v, Decimal):  # xlsx stores numbers as doubles; the reader takes back the shortest decimal
                ws.write_number(r, c, float(v), self.fmt_money)
            else:
                ws.write_string(r, c, safe_cell(v))
        self.rows[sheet] = r + 1

    def close(self) -> None:
        self.book.close()


def write_template(path: Path, rows: Iterable[tuple[str, Sequence]] = (), *, constant_memory: bool = False,
                   info: bool = False) -> dict[str, int]:
    """Write the layout with ``rows`` of (sheet, values); returns the number of data rows per sheet."""
    writer = LayoutWriter(path, constant_memory=constant_memory, info=info)
    try:
        for sheet, values in rows:
            writer.write(sheet, values)
    finally:
        writer.close()
    return {name: r - FIRST_DATA_ROW for name, r in writer.rows.items()}


# --- reading -------------------------------------------------------------------------------------------

MAX_ROWS = 200_000            # households (data rows of 困难职工档案)
MAX_MEMBER_ROWS = 400_000     # data rows of 家庭成员
MAX_CELL_CHARS = 2_000
HEADER_SEARCH_ROWS = 10       # the header row must be among the first rows of a sheet
CORRUPT = "文件已损坏或格式异常，无法读取，请用 Excel 打开后重新保存再导入"
NO_HEADER = (f"没有找到“{HEAD_SHEET}”表的表头：表头行应包含“困难类别”“姓名”“身份证号”等列"
             "（请使用系统生成的导入模板）")


class ImportRefused(JobInputError):
    """The whole file is refused (hostile, unreadable or not this layout); the message is for the user."""


class Bad(Exception):
    """One cell or one rule broken: the message says what, in Chinese."""


_ALIASES = {
    "身份证号码": "身份证号", "公民身份号码": "身份证号", "户主身份证号码": "户主身份证号", "劳模类别": "劳模类型",
    "住房面积": "建筑面积", "户口所在地": "户口所在地行政区划", "致困主要原因": "致困主要原因1", "电话": "联系电话",
    "家庭人口数": "家庭人口", "与户主关系": "关系", "单位/学校": "单位或学校",
}
_NUMBERING = re.compile(r"^[0-9]+[.、)]?(?=\D)")
_TRAILING_NOTE = re.compile(r"\([^()]*\)$")


def header_key(text: Any) -> str:
    """A header cell as a lookup key: full-width folded (NFKC), no spaces, no "3" numbering as printed on
    the 登记表 ("3身份证号"), no trailing "(元)" note, no "*" required marks; common variants aliased."""
    if not isinstance(text, str):
        return ""
    t = "".join(unicodedata.normalize("NFKC", text).split()).replace("*", "")
    t = _TRAILING_NOTE.sub("", _NUMBERING.sub("", t))
    return _ALIASES.get(t, t)


def _fold(text: str) -> str:
    """How a closed-list value is compared: NFKC, no spaces, 其它 = 其他."""
    return "".join(unicodedata.normalize("NFKC", text).split()).replace("其它", "其他")


@functools.cache
def _region_names() -> dict[str, str]:
    found: dict[str, str] = {}
    for code in regions.all_codes():
        r = regions.current(code)
        if r is not None and r.level == "county":
            found.setdefault(r.full_name, code)
    return found


def _as_text(raw: Any) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() else repr(raw)
    if isinstance(raw, dt.datetime | dt.date):
        return raw.strftime("%Y-%m-%d")
    return str(raw)


def _digits_text(raw: Any) -> str:
    return "".join(unicodedata.normalize("NFKC", _as_text(raw)).split())


# Cell readers: ``reader(col)`` returns a function of the (stripped, non-blank) cell value that returns the
# typed value or raises Bad. The common case of each is a dictionary lookup or a type test.

def _text_reader(col: Column):
    def read(raw):
        text = raw if raw.__class__ is str else _as_text(raw).strip()
        if text.startswith("'") and text[1:2] in ("=", "+", "-", "@"):  # the export's formula guard, undone
            text = text[1:]
        if col.max_length and len(text) > col.max_length:
            raise Bad(f"“{col.header}”最多{col.max_length}个字，实际{len(text)}个字")
        return text
    return read


def _choice_reader(col: Column):
    mapping = {_fold(c): c for c in col.choices} | {c: c for c in col.choices}
    shown = f"，应为：{'、'.join(col.choices)}" if len(col.choices) <= 10 else "，请从下拉列表中选择"

    def read(raw):
        value = mapping.get(raw)
        if value is None:
            text = _as_text(raw)
            value = mapping.get(_fold(text))
            if value is None:
                raise Bad(f"“{text}”不是“{col.header}”的可选值{shown}")
        return value
    return read


def _bool_reader(col: Column):
    mapping = {"是": True, "否": False, True: True, False: False}

    def read(raw):
        value = mapping.get(raw)
        if value is None:
            value = mapping.get(_fold(_as_text(raw)))
            if value is None:
                raise Bad(f"“{col.header}”应填写“是”或“否”，不能是“{_as_text(raw)}”")
        return value
    return read


_DATE_TEXT = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\d{1,2}:\d{2}(?::\d{2})?)?")
_DATE_8 = re.compile(r"(\d{4})(\d{2})(\d{2})")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_LAST_SERIAL = 73051  # 2100-01-01


def _date_reader(col: Column):
    def read(raw):
        if raw.__class__ is dt.date:
            return raw
        if isinstance(raw, dt.datetime):
            return raw.date()
        serial = None
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            serial = raw
        else:
            text = _digits_text(raw)
            m = _DATE_TEXT.fullmatch(text) or _DATE_8.fullmatch(text)
            if m:
                try:
                    day = dt.date(int(m[1]), int(m[2]), int(m[3]))
                except ValueError:
                    day = None
                if day and 1900 <= day.year <= 2099:
                    return day
            elif text.isdigit() and len(text) == 5:
                serial = int(text)
        if serial is not None and 1 <= serial < _LAST_SERIAL:
            return _EXCEL_EPOCH + dt.timedelta(days=int(serial))
        raise Bad(f"“{col.header}”的“{_as_text(raw)}”不是有效日期"
                  "（可写作1990-03-07、1990/3/7、19900307或1990年3月7日）")
    return read


def _money_reader(col: Column):
    def read(raw):
        if raw.__class__ is float:  # xlsx keeps numbers as doubles: whole yuan is the common case
            if raw.is_integer() and 0 <= raw < MAX_YUAN:
                return Decimal(f"{int(raw)}.00")
            try:
                raw = Decimal(repr(raw))  # the shortest decimal that is this double
            except InvalidOperation:
                raw = "?"
        elif raw.__class__ is str:
            raw = raw.removesuffix("元")
        try:
            return parse_amount(raw, allow_zero=True)
        except AmountError as exc:
            raise Bad(f"{col.header}：{exc}") from None
    return read


def _int_reader(col: Column):
    def read(raw):
        if raw.__class__ is float and raw.is_integer():
            n = int(raw)
        else:
            text = _digits_text(raw).removesuffix("人")
            n = int(text) if text.isdigit() else -1
        if not 1 <= n <= 99:
            raise Bad(f"“{col.header}”应为1至99之间的整数")
        return n
    return read


_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # GB 11643-1999, as in warmth.core.idcard
_ID_OFFSET = 48 * sum(_ID_WEIGHTS)                           # the weighted sum of 17 ASCII "0"s
_ID_CHECK = "10X98765432"


@functools.lru_cache(maxsize=65536)
def _region_in_use(code: str, year: int) -> bool:
    return regions.valid_for_birth_year(code, year)


def _fast_id(text: str, today: dt.date) -> str | None:
    """The number when ``text`` is a plain, valid 18-character ID; None for anything else, which then goes
    through ``idcard.parse`` for its exact message. The same checks as ``idcard.parse`` (check character,
    real birth date between 1850 and today, region code in use for the birth year), for the common case
    only and a few times faster (tests/archives/test_import.py holds the two to agreement)."""
    if len(text) != 18 or not text.isascii() or not text[:17].isdigit():
        return None
    last = "X" if text[17] == "x" else text[17]
    if _ID_CHECK[(sum(map(operator.mul, text[:17].encode(), _ID_WEIGHTS)) - _ID_OFFSET) % 11] != last:
        return None
    try:
        born = dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return None
    if not idcard.EARLIEST_BIRTH_DATE <= born <= today or not _region_in_use(text[:6], born.year):
        return None
    return text if last == text[17] else text[:17] + last


def _id_reader(col: Column, known: dict[str, str]):
    """``known``: raw text -> number, shared by the ID columns of one file (a member row's 户主身份证号 is
    usually a head's 身份证号 read just before)."""
    today = idcard.today_in_china()

    def read(raw) -> str:
        if raw.__class__ is str:
            number = known.get(raw) or _fast_id(raw, today)
            if number:
                known[raw] = number
                return number
            text = raw
        elif isinstance(raw, int | float) and not isinstance(raw, bool):
            if isinstance(raw, float) and not raw.is_integer():
                raise Bad("身份证号只能包含数字，18位号码的最后一位可以是X")
            text = str(int(raw))
            if len(text) > 15:
                raise Bad("身份证号被 Excel 存成了数字，末几位已经丢失：请把该列设为“文本”格式后重新填写")
        else:
            text = _as_text(raw)
        try:
            return idcard.parse(text, today=today).number
        except idcard.IdCardError as exc:
            raise Bad(exc.message) from None
    return read


def _region_reader(col: Column):
    def read(raw) -> str:
        text = _digits_text(raw)
        code = text[:6] if re.match(r"\d{6}(?!\d)", text) else _region_names().get(text, "")
        if not code:
            raise Bad("户口所在地行政区划应填写县（区）级6位代码，如510107（也可填写完整名称，如四川省成都市武侯区）")
        if not regions.is_known(code):
            raise Bad(f"户口所在地行政区划代码{code}不在区划代码表中")
        if code.endswith("00"):
            raise Bad("户口所在地须填写到县（区）一级（省、市、县（区））")
        return code
    return read


def _postcode_reader(col: Column):
    def read(raw) -> str:
        if raw.__class__ is float and raw.is_integer() and 0 <= raw < 10**6:
            return f"{int(raw):06d}"
        text = _digits_text(raw)
        if not (len(text) == 6 and text.isdigit()):
            raise Bad("邮政编码应为6位数字")
        return text
    return read


def _phone_reader(col: Column):
    def read(raw) -> str:
        digits = pii.normalize(pii.PHONE, _as_text(raw))
        if not digits.isdigit() or not 7 <= len(digits) <= 12:
            raise Bad("联系电话应为7至12位数字")
        return digits
    return read


READERS = {"text": _text_reader, "choice": _choice_reader, "cause": _choice_reader, "bool": _bool_reader,
           "date": _date_reader, "money": _money_reader, "int": _int_reader, "region": _region_reader,
           "postcode": _postcode_reader, "phone": _phone_reader}


@dataclass(slots=True, eq=False)
class MemberRow:
    row: int
    head: str                 # the head's 18-digit ID ("" when that cell is unreadable)
    data: dict
    errors: list
    bidx: str = ""


@dataclass(slots=True, eq=False)
class HeadRow:
    """One household as read, plus what the importer decides about it (bidx, action, archive)."""

    row: int
    fields: dict
    errors: list
    members: list = field(default_factory=list)
    bidx: str = ""
    action: str = ""
    archive: Any = None

    @property
    def number(self) -> str:
        return self.fields.get("id_number", "")

    @property
    def failed(self) -> bool:
        return bool(self.errors) or any(m.errors for m in self.members)


@dataclass(frozen=True)
class Book:
    """What is known of the file as a whole (its rows come in chunks from ``BookReader``)."""

    has_members: bool              # the file has a 家庭成员 sheet (else an update keeps the current members)
    columns: frozenset[str]        # the head fields present as columns


def member_label(header: str) -> str:
    """How a 家庭成员 column is named in a problem: the sheet is part of the name."""
    return f"{MEMBER_SHEET}·{header}"


def _plan_columns(keys: list[str], columns: tuple[Column, ...], sheet: str,
                  known: dict[str, str]) -> list[tuple[int, str, Any, Column]]:
    by_key = {header_key(c.header): c for c in columns}
    plan, seen = [], set()
    for idx, key in enumerate(keys):
        col = by_key.get(key)
        if col is None:
            continue
        if key in seen:
            raise ImportRefused(f"“{sheet}”表的表头“{col.header}”出现了两次")
        seen.add(key)
        read = _id_reader(col, known) if col.kind in ("id", "head_id") else READERS[col.kind](col)
        plan.append((idx, col.field, read, col))
    missing = [c.header for c in columns if c.required and header_key(c.header) not in seen]
    if missing:
        raise ImportRefused(f"“{sheet}”表缺少以下列：{'、'.join(missing)}（请使用系统生成的导入模板）")
    return plan


def _sheet_kind(keys: list[str]) -> str:
    present = set(keys)
    if {"困难类别", "姓名", "身份证号"} <= present:
        return "head"
    if {"户主身份证号", "姓名", "关系"} <= present:
        return "member"
    return ""


def _parse_row(cells: list, plan, rownum: int, label, limit: int = MAX_CELL_CHARS) -> tuple[dict, list] | None:
    """Typed values of one data row and its problems; None for a blank row. (The hot loop of an import:
    a few hundred nanoseconds a cell.)"""
    values: dict = {}
    errors: list = []
    filled = False
    for idx, name, read, col in plan:
        raw = cells[idx]
        if raw.__class__ is str:
            if len(raw) > limit:
                raise ImportRefused(f"第{rownum}行“{col.header}”列超过{limit}个字符"
                                    f"（单元格最多{limit}个字符），文件不予导入")
            raw = raw.strip()
            if not raw:
                if col.required:
                    errors.append((rownum, label(col.header), f"请填写“{col.header}”"))
                continue
        filled = True
        try:
            values[name] = read(raw)
        except Bad as exc:
            errors.append((rownum, label(col.header), str(exc)))
    return (values, errors) if filled else None


def is_rust_panic(exc: BaseException) -> bool:
    """A panic inside a Rust extension (pyo3's ``PanicException``, which is not importable by name)."""
    return type(exc).__name__ == "PanicException"


class BookReader:
    """The 困难职工档案 rows in chunks, each household with its 家庭成员 rows, without holding the file in Python.

    Sheets are recognised by their header row. calamine keeps each sheet's cells in its own (Rust) memory; in
    Python only one chunk of typed households is held at a time, plus a light index of the member sheet (the
    head's ID → the last row of their members, from a first pass over that one column) and the member rows read
    ahead of their household (none when members follow the order of their heads, as the export and most
    hand-filled files have them). A member row whose head is in no chunk is an orphan, known at the end."""

    def __init__(self, path: Path, *, progress=None):
        self.progress = progress
        self.orphans: list[MemberRow] = []   # after ``chunks`` is exhausted
        self.rows = 0                        # households read so far
        self._known: dict[str, str] = {}
        try:
            self._wb = python_calamine.CalamineWorkbook.from_path(str(path))
        except Exception:
            raise ImportRefused(CORRUPT) from None
        self._head = self._members = None    # (sheet name, CalamineSheet, header row number, plan)
        try:
            self._find_sheets()
        except BaseException:
            self.close()
            raise
        if self._head is None:
            self.close()
            raise ImportRefused(NO_HEADER)
        self.book = Book(self._members is not None, frozenset(name for _i, name, _r, _c in self._head[3]))
        end = self._head[1].end  # the last row with a cell (zero-based)
        self.total_hint = max(end[0] + 1 - self._head[2], 0) if end else 0  # data rows, blank ones included

    def close(self) -> None:
        self._head = self._members = None
        self._wb.close()

    def __enter__(self) -> BookReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _rows(self, name: str, sheet, after: int = 0):
        """(Excel row number, cells) of every row below row ``after``; calamine's failures as refusals."""
        rownum = 0
        try:
            for rownum, cells in enumerate(sheet.iter_rows(), start=1):  # iter_rows starts at the sheet's row 1
                if rownum > after:
                    yield rownum, cells
        except (python_calamine.CalamineError, python_calamine.XmlError, python_calamine.ZipError):
            raise ImportRefused(CORRUPT) from None
        except BaseException as exc:
            # calamine panics (a Rust panic, raised by pyo3 as a BaseException) on a date or time cell whose number
            # is out of range, e.g. 1e20 typed into a date-formatted column; its reader cannot go on after that
            if not is_rust_panic(exc):
                raise
            raise ImportRefused(f"“{name}”表第 {rownum + 1} 行有单元格的日期或时间超出范围（例如在日期格式的"
                                "单元格里填了很大的数字），请改正后再导入") from None

    def _find_sheets(self) -> None:
        try:
            metas = self._wb.sheets_metadata
        except Exception:
            raise ImportRefused(CORRUPT) from None
        for meta in metas:
            if meta.name == LISTS_SHEET or meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            if self._head is not None and self._members is not None:
                break
            try:
                sheet = self._wb.get_sheet_by_name(meta.name)
            except (python_calamine.CalamineError, python_calamine.XmlError, python_calamine.ZipError):
                raise ImportRefused(CORRUPT) from None
            except BaseException as exc:
                if not is_rust_panic(exc):
                    raise
                raise ImportRefused(CORRUPT) from None
            for rownum, cells in self._rows(meta.name, sheet):
                if rownum > HEADER_SEARCH_ROWS:
                    break
                keys = [header_key(c) for c in cells]
                kind = _sheet_kind(keys)
                if kind == "head" and self._head is None:
                    self._head = (meta.name, sheet, rownum, _plan_columns(keys, HEAD_COLUMNS, HEAD_SHEET, self._known))
                    break
                if kind == "member" and self._members is None:
                    self._members = (meta.name, sheet, rownum,
                                     _plan_columns(keys, MEMBER_COLUMNS, MEMBER_SHEET, self._known))
                    break

    @staticmethod
    def _width(plan) -> int:
        return max((i for i, _n, _r, _c in plan), default=0) + 1

    def _member_index(self) -> dict[str, int]:
        """First pass over the member sheet, one column: each head's ID → the last row of their members."""
        name, sheet, header, plan = self._members
        idx, read = next(((i, r) for i, n, r, _c in plan if n == "head_id"))
        last: dict[str, int] = {}
        count = 0
        for rownum, cells in self._rows(name, sheet, header):
            if not any(cells):
                continue
            count += 1
            if count > MAX_MEMBER_ROWS:
                raise ImportRefused(f"“{MEMBER_SHEET}”表超过{MAX_MEMBER_ROWS:,}行，请拆分后再导入")
            raw = cells[idx] if idx < len(cells) else ""
            if raw.__class__ is str:
                raw = raw.strip()
            if raw == "" or (raw.__class__ is str and len(raw) > MAX_CELL_CHARS):
                continue
            with contextlib.suppress(Bad):  # an unreadable 户主身份证号 matches no household
                last[read(raw)] = rownum
            if len(self._known) > 20_000:
                self._known.clear()
        self._known.clear()
        return last

    def _typed_members(self):
        name, sheet, header, plan = self._members
        width = self._width(plan)
        for rownum, cells in self._rows(name, sheet, header):
            if not any(cells):
                continue
            if len(cells) < width:
                cells = [*cells, *[""] * (width - len(cells))]
            parsed = _parse_row(cells, plan, rownum, member_label)
            if parsed:
                values, errors = parsed
                yield MemberRow(rownum, values.pop("head_id", ""), values, errors)

    def chunks(self, size: int):
        """Lists of at most ``size`` households in the order of the sheet, each with its member rows."""
        last = self._member_index() if self._members is not None else {}
        members = self._typed_members() if self._members is not None else iter(())
        ahead: dict[str, list[MemberRow]] = {}  # member rows read before their household's chunk
        at = 0                                  # the member sheet is read up to this row
        name, sheet, header, plan = self._head
        width = self._width(plan)
        chunk: list[HeadRow] = []

        def attach(chunk: list[HeadRow]) -> None:
            nonlocal at
            mine: dict[str, HeadRow] = {}
            for h in chunk:
                if h.number and h.number not in mine:
                    mine[h.number] = h
                    h.members.extend(ahead.pop(h.number, ()))
            need = max((last.get(n, 0) for n in mine), default=0)
            while at < need:
                m = next(members, None)
                if m is None:
                    break
                at = m.row
                h = mine.get(m.head) if m.head else None
                if h is not None:
                    h.members.append(m)
                elif m.head:
                    ahead.setdefault(m.head, []).append(m)
                else:
                    self.orphans.append(m)
            if len(self._known) > 20_000:
                self._known.clear()

        for rownum, cells in self._rows(name, sheet, header):
            if not any(cells):
                continue
            if len(cells) < width:
                cells = [*cells, *[""] * (width - len(cells))]
            parsed = _parse_row(cells, plan, rownum, str)
            if not parsed:
                continue
            chunk.append(HeadRow(rownum, *parsed))
            self.rows += 1
            if self.rows > MAX_ROWS:
                raise ImportRefused(f"“{HEAD_SHEET}”表超过{MAX_ROWS:,}户（行），请拆分后再导入")
            if len(chunk) >= size:
                attach(chunk)
                yield chunk
                chunk = []
        if chunk:
            attach(chunk)
            yield chunk
        # what is left matches no household: read ahead for a head that never came, or after the last one
        leftovers = [m for rows in ahead.values() for m in rows]
        leftovers.extend(members)
        for m in leftovers:
            if m.head:
                m.errors.append((m.row, member_label("户主身份证号"), f"在“{HEAD_SHEET}”表中找不到这位户主"))
        self.orphans.extend(leftovers)
        for m in self.orphans:
            if not m.head and not m.errors:
                m.errors.append((m.row, member_label("户主身份证号"), "请填写“户主身份证号”"))
