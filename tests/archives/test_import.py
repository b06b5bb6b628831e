"""Importing 困难职工档案 from the xlsx template: the CLI, the rules, re-imports and hostile files."""

from __future__ import annotations

import json
import re
import zipfile
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
import xlsxwriter
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from tests.archives.factories import archive_input, new_id
from tests.conftest import actor_of
from warmth.archives import importing, template
from warmth.archives.importing import ImportRefused, archive_import
from warmth.archives.models import Archive, ArchivePerson, FamilyMember
from warmth.archives.services import archive_file
from warmth.archives.template import HEAD_COLUMNS, HEAD_SHEET, MEMBER_COLUMNS, MEMBER_SHEET, write_template
from warmth.audit.models import AuditEvent


def head(**values) -> dict:
    """One household's head row by header text (the defaults make a valid 低保户 of 武侯区)."""
    row = {
        "困难类别": "低保户", "姓名": "王建华", "民族": "汉族", "政治面貌": "群众",
        "身份证号": values["身份证号"] if "身份证号" in values else new_id(sex="男"),
        "健康状况": "疾病", "残疾类别": "无", "身份": "下（待）岗", "劳模类型": "非劳模", "住房类型": "租房",
        "建筑面积": "20至50", "邮政编码": "610041", "联系电话": "13912345678", "工作时间": "1995-07-01",
        "所属行业": "机电系统", "婚姻状况": "已婚", "户口类型": "非农业", "家庭住址": "成都市武侯区某街道12号",
        "工作单位": "成都某机械厂", "单位性质": "国有企业", "企业状况": "关闭破产企业", "是否单亲": "否",
        "本人月平均收入": 850, "家庭年度总收入": 14400, "家庭人口": 3, "户口所在地行政区划": "510107",
        "是否进入医保": "是", "是否有一定自救能力": "是", "是否为零就业家庭": "否", "致困主要原因1": "本人大病",
        "致困主要原因2": "下岗失业",
    }
    row.update(values)
    return row


def member(head_row: dict, **values) -> dict:
    row = {"户主身份证号": head_row["身份证号"], "姓名": "李秀兰", "关系": "妻子", "政治面貌": "群众",
           "身份证号": values["身份证号"] if "身份证号" in values else new_id(sex="女"),
           "健康状况": "良好", "月收入": 600, "身份": "失（无）业"}
    row.update(values)
    return row


def build(path: Path, heads: list[dict], members: list[dict] = ()) -> Path:
    """A file made with the app's own template writer, filled with these rows."""
    rows = [(HEAD_SHEET, [h.get(c.header, "") for c in HEAD_COLUMNS]) for h in heads]
    rows += [(MEMBER_SHEET, [m.get(c.header, "") for c in MEMBER_COLUMNS]) for m in members]
    write_template(path, rows)
    return path


def cli(*args) -> tuple[dict, bool]:
    """Run ``warmth archives import … --format json``; returns the JSON and whether it exited non-zero."""
    out = StringIO()
    failed = False
    try:
        call_command("archives", "import", *map(str, args), "--format", "json", stdout=out)
    except CommandError:
        failed = True
    return json.loads(out.getvalue()), failed


def run(actor, org, path, **kw) -> dict:
    return archive_import(actor=actor, org=org, path=path, **kw)


def written() -> tuple[int, int, int]:
    return Archive.objects.count(), FamilyMember.objects.count(), AuditEvent.objects.count()


@pytest.fixture
def owner(users):
    return actor_of(users.owner)


def test_the_cli_imports_a_file_made_from_the_apps_own_template(tree, users, tmp_path):
    old = new_id(born=date(1968, 4, 2), sex="男")
    fifteen = old[:6] + old[8:17]  # the legacy 15-digit form of the same person
    a = head(身份证号=fifteen, 工作时间=32939, 本人月平均收入="８５０．５０", 家庭人口="３")
    b = head(姓名="赵红", 身份证号=" " + new_id(sex="女") + " ", 工作时间="1990年3月7日", 是否单亲="是",
             家庭人口=2, 家庭年度总收入="12,000", 致困主要原因2="")
    c = head(姓名="孙强", 身份证号=new_id(born=date(1980, 1, 1), sex="男"), 工作时间="2001/9/1", 家庭人口=1,
             联系电话="028-8555 1234", 户口所在地行政区划="四川省成都市锦江区")
    child = member(a, 姓名="王小宝", 关系="儿子", 身份证号="", 性别="男", 出生日期="2019年3月7日", 身份="幼儿")
    son = member(b, 关系="儿子", 姓名="赵小明", 身份证号=new_id(born=date(2010, 5, 5), sex="男"), 身份="初中")
    path = build(tmp_path / "filled.xlsx", [a, b, c], [member(a), child, son])

    result, failed = cli(path, "--org", "510107", "--user", "owner")

    assert result == {"rows": 3, "created": 3, "updated": 0, "unchanged": 0, "errors": []}
    assert not failed
    first = Archive.objects.get(name="王建华")
    assert first.id_number == old and first.birth_date == date(1968, 4, 2) and first.sex == "男"
    assert first.work_start_date == date(1990, 3, 7)  # Excel serial 32939
    assert first.monthly_income == Decimal("850.50") and first.household_size == 3
    assert first.status == "draft" and first.org == tree.k1 and first.created_by == users.owner
    assert re.fullmatch(r"510107-\d{4}-\d{5}", first.archive_no)
    assert [(m.name, m.relation, m.birth_date, m.sex) for m in first.members.all()][1] == (
        "王小宝", "儿子", date(2019, 3, 7), "男")
    second = Archive.objects.get(name="赵红")
    assert second.work_start_date == date(1990, 3, 7) and second.single_parent is True
    assert second.household_annual_income == Decimal("12000.00") and second.causes == ["本人大病"]
    third = Archive.objects.get(name="孙强")
    assert third.hukou_region_code == "510104" and third.phone == "02885551234"
    assert ArchivePerson.objects.filter(live=True).count() == 3 + 2  # three heads, two members with an ID
    assert third.steps.get().action == "file"
    event = AuditEvent.objects.get(action="archive.import")
    assert event.after["created"] == 3 and event.actor == users.owner and event.org == tree.k1


def test_columns_are_found_by_their_header_text_wherever_they_stand(tree, users, tmp_path):
    """No hint row, columns shuffled, headers with spaces, full-width letters, the form's numbering and units."""
    row = head()
    headers = list(row)[::-1]
    shown = {"身份证号": " 3身份证号 ", "困难类别": "1困难类别", "本人月平均收入": "本人月平均收入（元）",
             "姓名": "姓　名", "户口所在地行政区划": "16户口所在地行政区划"}
    path = tmp_path / "shuffled.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Sheet1")
    ws.write_row(0, 0, [shown.get(h, h) for h in headers] + ["自编序号"])
    ws.write_row(1, 0, [row[h] for h in headers] + [17])
    book.close()

    result = run(actor_of(users.owner), tree.k1, path)

    assert result["errors"] == [] and result["created"] == 1
    assert Archive.objects.get().monthly_income == Decimal("850.00")


def test_a_dry_run_writes_nothing_and_says_what_would_happen(tree, users, tmp_path):
    rows = [head(), head(姓名="赵红", 身份证号=new_id(sex="女"))]
    path = build(tmp_path / "f.xlsx", rows, [member(rows[0])])
    before = written()

    result, failed = cli(path, "--org", "510107", "--user", "owner", "--dry-run")

    assert not failed and result == {"rows": 2, "created": 2, "updated": 0, "unchanged": 0, "errors": []}
    assert written() == before


def test_one_bad_row_imports_nothing_by_default_and_the_good_rows_with_valid_only(tree, users, tmp_path):
    valid = new_id(sex="女")
    wrong = "0" if valid[-1] != "0" else "1"
    good, bad = head(), head(姓名="赵红", 身份证号=valid[:-1] + wrong, 家庭人口=2)
    path = build(tmp_path / "f.xlsx", [good, bad, head(姓名="孙强", 身份证号=new_id())])
    before = written()

    result, failed = cli(path, "--org", "510107", "--user", "owner")

    assert result["created"] == 0 and written() == before, result
    assert failed
    assert result["errors"] == [{"row": 4, "column": "身份证号",
                                 "message": f"身份证号校验位错误：应为{valid[-1]}，实际为{wrong}"}]

    result, failed = cli(path, "--org", "510107", "--user", "owner", "--valid-only")

    assert not failed and result["created"] == 2 and len(result["errors"]) == 1
    assert sorted(Archive.objects.values_list("name", flat=True)) == ["孙强", "王建华"]


def test_importing_the_same_file_twice_creates_nothing_new(tree, users, tmp_path):
    rows = [head(), head(姓名="赵红", 身份证号=new_id(sex="女"), 家庭人口=1)]
    son = member(rows[0], 姓名="王小明", 关系="儿子", 身份证号=new_id(born=date(2008, 9, 1)), 身份="高中")
    path = build(tmp_path / "f.xlsx", rows, [member(rows[0]), son])
    actor = actor_of(users.owner)
    assert run(actor, tree.k1, path)["created"] == 2
    before = written()

    again = run(actor, tree.k1, path)

    assert again == {"rows": 2, "created": 0, "updated": 0, "unchanged": 2, "errors": []}
    assert written() == before


def test_a_changed_row_updates_the_existing_archive_and_only_that_one(tree, users, tmp_path):
    rows = [head(), head(姓名="赵红", 身份证号=new_id(sex="女"), 家庭人口=1)]
    actor = actor_of(users.owner)
    run(actor, tree.k1, build(tmp_path / "a.xlsx", rows, [member(rows[0])]))
    rows[0]["本人月平均收入"] = 900
    numbers = set(Archive.objects.values_list("archive_no", flat=True))

    result = run(actor, tree.k1, build(tmp_path / "b.xlsx", rows, [member(rows[0])]))

    assert result == {"rows": 2, "created": 0, "updated": 1, "unchanged": 1, "errors": []}
    assert Archive.objects.get(name="王建华").monthly_income == Decimal("900.00")
    assert set(Archive.objects.values_list("archive_no", flat=True)) == numbers
    assert AuditEvent.objects.filter(action="archive.update").count() == 1


def test_a_person_live_in_an_archive_elsewhere_is_an_error_with_the_uniqueness_message(tree, users, tmp_path):
    elsewhere = archive_file(actor=actor_of(users.owner), org=tree.k2, data=archive_input())
    row = head(身份证号=elsewhere.id_number)
    row_member = head(姓名="赵红", 身份证号=new_id(sex="女"), 家庭人口=2)
    path = build(tmp_path / "f.xlsx", [row, row_member],
                 [member(row_member, 身份证号=elsewhere.members.first().id_number)])

    result = run(actor_of(users.owner), tree.k1, path)

    assert result["created"] == 0
    assert result["errors"][0] == {"row": 3, "column": "身份证号", "message":
                                   f"该身份证号已在锦江区总工会的档案{elsewhere.archive_no}中（户主），一人只能在一份在档档案中"}
    assert result["errors"][1]["row"] == 3 and result["errors"][1]["column"] == "家庭成员·身份证号"
    assert "（家庭成员）" in result["errors"][1]["message"]
    hidden = run(actor_of(users.county), tree.k1, path)  # 武侯区 does not see 锦江区
    assert hidden["errors"][0]["message"] == "已在其他单位建档，请联系上级工会"


def test_the_same_person_twice_in_one_file_is_an_error_on_the_second_row(tree, users, tmp_path):
    row = head()
    again = head(姓名="王建华2", 身份证号=row["身份证号"])
    path = build(tmp_path / "f.xlsx", [row, again])

    result = run(actor_of(users.owner), tree.k1, path, valid_only=True)

    assert result["created"] == 1
    assert result["errors"] == [{"row": 4, "column": "身份证号",
                                 "message": f"该身份证号已在本文件“{HEAD_SHEET}”表第3行出现，一人只能在一户中"}]


CLOSED = [c for c in HEAD_COLUMNS if c.choices] + [c for c in MEMBER_COLUMNS if c.choices]


@pytest.mark.parametrize("col", CLOSED, ids=[f"{c.field}" for c in CLOSED])
def test_every_closed_list_column_rejects_a_value_outside_the_list(tree, users, tmp_path, col):
    row = head()
    people = [member(row)]
    if col in HEAD_COLUMNS:
        row[col.header] = "不存在的值"
        column = col.header
    else:
        people[0][col.header] = "不存在的值"
        column = f"{MEMBER_SHEET}·{col.header}"
    path = build(tmp_path / "f.xlsx", [row], people)

    result = run(actor_of(users.owner), tree.k1, path, dry_run=True)

    assert len(result["errors"]) == 1
    error = result["errors"][0]
    assert (error["row"], error["column"]) == (3, column)
    assert "不存在的值" in error["message"] and col.header in error["message"]


def test_cells_are_read_leniently_and_checked_strictly(tree, users, tmp_path):
    rows = [
        head(工作时间="19950701", 本人月平均收入="850元", 家庭年度总收入=14400.5, 身份="下(待)岗"),
        head(姓名="赵红", 身份证号=new_id(sex="女"), 健康状况="其他", 是否单亲="Y", 家庭人口=0,
             本人月平均收入="1.234", 致困主要原因2="本人大病", 邮政编码="61004", 工作时间="1995-02-30"),
    ]
    result = run(actor_of(users.owner), tree.k1, build(tmp_path / "f.xlsx", rows), dry_run=True)

    assert {(e["row"], e["column"]) for e in result["errors"]} == {
        (4, "是否单亲"), (4, "家庭人口"), (4, "本人月平均收入"), (4, "致困主要原因2"), (4, "邮政编码"), (4, "工作时间")}
    assert result["created"] == 1  # the first row is fine: 19950701, "850元", 下(待)岗 with ASCII brackets


def test_an_18_digit_id_stored_as_a_number_is_refused_with_advice(tree, users, tmp_path):
    path = tmp_path / "f.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet()
    row = head()
    while row["身份证号"].endswith("X"):  # a number cell holds digits only (1 in 11 random IDs ends in X)
        row = head()
    ws.write_row(0, 0, list(row))
    ws.write_row(1, 0, [int(v) if k == "身份证号" else v for k, v in row.items()])
    book.close()

    result = run(actor_of(users.owner), tree.k1, path, dry_run=True)

    assert result["errors"][0]["column"] == "身份证号" and "文本" in result["errors"][0]["message"]


def test_an_imported_household_equals_the_same_household_filed_by_hand(tree, users, tmp_path):
    row = head(工作时间="1995-07-01", 本人月平均收入=850, 民族="回族", 备注="  家中有病人 ")
    person = member(row, 身份证号=new_id(sex="女"))
    run(actor_of(users.owner), tree.k1, build(tmp_path / "f.xlsx", [row], [person]))
    imported = Archive.objects.get()
    imported_members = list(imported.members.values("name", "relation", "sex", "political_status", "birth_date",
                                                     "health", "monthly_income", "identity", "school_or_employer"))
    imported.persons.update(live=False)  # free the people for the hand-filed twin

    by_hand = archive_file(actor=actor_of(users.owner), org=tree.k1, data=archive_input(
        member_count=0, id_number=row["身份证号"], ethnicity="回族", remarks="家中有病人",
        monthly_income=Decimal("850"), causes=["本人大病", "下岗失业"]))
    by_hand.members.create(name="李秀兰", relation="妻子", sex="女", political_status="群众",
                           birth_date=imported_members[0]["birth_date"], monthly_income=Decimal("600"),
                           identity="失（无）业", health="良好")

    skip = {"id", "archive_no", "created_at", "updated_at", "id_number_bidx", "phone_bidx"}
    fields = [f.attname for f in Archive._meta.concrete_fields if f.attname not in skip]
    assert {f: getattr(imported, f) for f in fields} == {f: getattr(by_hand, f) for f in fields}
    assert imported_members == list(by_hand.members.values(*imported_members[0]))


def test_the_outsider_cannot_import_into_510107(tree, users, tmp_path):
    path = build(tmp_path / "f.xlsx", [head()])

    with pytest.raises(PermissionDenied):
        run(actor_of(users.outsider), tree.k1, path)
    with pytest.raises(CommandError, match="只能导入到本级及下级组织"):
        call_command("archives", "import", str(path), "--org", "510107", "--user", "outsider", stdout=StringIO())
    assert Archive.objects.count() == 0


def test_a_role_without_archive_write_cannot_import(tree, users, tmp_path):
    with pytest.raises(PermissionDenied):
        run(actor_of(users.colleague), tree.k1, build(tmp_path / "f.xlsx", [head()]))


# --- hostile files ---------------------------------------------------------------------------------------

def _zip_with(src: Path, dst: Path, extra: dict[str, bytes], *, level=6) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zout:
        for info in zin.infolist():
            if info.filename not in extra:
                zout.writestr(info, zin.read(info))
        for name, data in extra.items():
            zout.writestr(name, data)
    return dst


def bomb(tmp: Path) -> Path:
    """A sheet part of 64 MB of one repeated row, compressed about a thousand times."""
    valid = build(tmp / "valid.xlsx", [head()])
    body = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            + b"<row><c><v>1</v></c></row>" * (64 * 2**20 // 26) + b"</sheetData></worksheet>")
    return _zip_with(valid, tmp / "bomb.xlsx", {"xl/worksheets/sheet1.xml": body}, level=9)


def lying(tmp: Path) -> Path:
    """A part that declares 1 KB but inflates to 4 MB (the central directory lies)."""
    valid = build(tmp / "valid.xlsx", [head()])
    path = _zip_with(valid, tmp / "lying.xlsx", {"docProps/custom.xml": b"<a>" + b" " * 4 * 2**20 + b"</a>"})
    data = bytearray(path.read_bytes())
    name = b"docProps/custom.xml"
    for sig, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(sig + b"", 0)
        while at != -1:
            name_at = at + (30 if sig == b"PK\x03\x04" else 46)
            if data[name_at:name_at + len(name)] == name:
                data[at + size_at:at + size_at + 4] = (1024).to_bytes(4, "little")
            at = data.find(sig, at + 4)
    path.write_bytes(bytes(data))
    return path


def formula(tmp: Path) -> Path:
    path = build(tmp / "formula.xlsx", [head()])
    src = tmp / "plain.xlsx"
    path.rename(src)
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet(HEAD_SHEET)
    row = head()
    ws.write_row(0, 0, list(row))
    ws.write_row(1, 0, list(row.values()))
    ws.write_formula(1, list(row).index("家庭年度总收入"), "=850*12+4200", None, 14400)
    book.close()
    return path


def macro(tmp: Path) -> Path:
    return _zip_with(build(tmp / "valid.xlsx", [head()]), tmp / "with-macro.xlsx",
                     {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 not really VBA"})


def xlsm(tmp: Path) -> Path:
    path = build(tmp / "book.xlsx", [head()])
    return path.rename(tmp / "book.xlsm")


def text_file(tmp: Path) -> Path:
    path = tmp / "names.xlsx"
    path.write_text("姓名,身份证号\n王建华,510107197505200000\n", encoding="utf-8")
    return path


def long_cell(tmp: Path) -> Path:
    return build(tmp / "long.xlsx", [head(备注="很" * 3000)])


def wide(tmp: Path) -> Path:
    path = tmp / "wide.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet()
    row = head()
    ws.write_row(0, 0, list(row))
    ws.write_row(1, 0, list(row.values()))
    ws.write_string(1_000, 16_000, "x")  # calamine would allocate 1,000 × 16,000 cells
    book.close()
    return path


def tall(tmp: Path) -> Path:
    path = tmp / "tall.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet()
    row = head()
    ws.write_row(0, 0, list(row))
    ws.write_row(1, 0, list(row.values()))
    ws.write_string(600_000, 0, "x")
    book.close()
    return path


HOSTILE = {
    "zip bomb": (bomb, importing.BOMB),
    "lying sizes": (lying, importing.BOMB),
    "formula": (formula, "文件包含公式，请粘贴为数值后再导入"),
    "vbaProject.bin": (macro, importing.MACRO),
    ".xlsm": (xlsm, importing.MACRO),
    "text renamed .xlsx": (text_file, importing.NOT_XLSX),
    "3000-character cell": (long_cell, "第3行“备注”列超过2000个字符（单元格最多2000个字符），文件不予导入"),
    "far-away column": (wide, importing.TOO_WIDE),
    "far-away row": (tall, importing.TOO_LONG),
}


def test_the_far_reference_scan_stops_exactly_at_the_limits():
    def refused(ref: str) -> bool:
        return any(m.start() > 0 for m in importing._FAR.finditer(f' r="{ref}"'.encode()))

    assert importing.MAX_COLUMNS == 48 and importing.MAX_SHEET_ROW == 409_999
    assert not any(map(refused, ["A1", "AV3", "Z100", "AV409999", "409999"]))
    assert all(map(refused, ["AW3", "BA1", "ZZ1", "AAA1", "A410000", "410000", "A1048576"]))


def test_a_formula_in_a_sheet_stored_under_another_name_is_still_found(tree, users, tmp_path):
    plain = formula(tmp_path)
    moved = tmp_path / "moved.xlsx"
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(moved, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"worksheets/sheet1.xml", b"media/image1.png")
            zout.writestr("xl/media/image1.png" if info.filename == "xl/worksheets/sheet1.xml" else info.filename,
                          data)
    from python_calamine import CalamineWorkbook

    assert CalamineWorkbook.from_path(str(moved)).get_sheet_by_index(0).to_python()  # calamine reads it

    with pytest.raises(ImportRefused, match="公式"):
        run(actor_of(users.owner), tree.k1, moved)


def test_text_that_looks_like_a_reference_is_not_mistaken_for_one(tree, users, tmp_path):
    path = build(tmp_path / "f.xlsx", [head(备注='颜色colour="AAA1"，<f>不是公式')])

    assert run(actor_of(users.owner), tree.k1, path)["created"] == 1


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_each_hostile_file_is_refused_with_its_message_and_nothing_is_written(tree, users, tmp_path, kind):
    make, message = HOSTILE[kind]
    path = make(tmp_path)
    before = written()

    with pytest.raises(ImportRefused) as refused:
        run(actor_of(users.owner), tree.k1, path)
    result, failed = cli(path, "--org", "510107", "--user", "owner")

    assert str(refused.value) == message
    assert failed and result == {"rows": 0, "created": 0, "updated": 0, "unchanged": 0,
                                 "errors": [{"row": 0, "column": "", "message": message}]}
    assert written() == before


def test_a_file_expanding_beyond_the_limit_is_refused_before_it_is_read(tree, users, tmp_path, monkeypatch):
    path = build(tmp_path / "f.xlsx", [head()])
    monkeypatch.setattr(importing, "MAX_UNCOMPRESSED_BYTES", 10_000)

    with pytest.raises(ImportRefused, match="解压后超过"):
        run(actor_of(users.owner), tree.k1, path)


def test_too_many_rows_are_refused(tree, users, tmp_path, monkeypatch):
    path = build(tmp_path / "f.xlsx", [head(), head(身份证号=new_id()), head(身份证号=new_id())])
    monkeypatch.setattr(template, "MAX_ROWS", 2)

    with pytest.raises(ImportRefused, match="超过2户"):
        run(actor_of(users.owner), tree.k1, path)
    assert Archive.objects.count() == 0


def test_a_file_without_the_header_row_is_refused(tree, users, tmp_path):
    path = tmp_path / "f.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet().write_row(0, 0, ["序号", "名字", "号码"])
    book.close()

    with pytest.raises(ImportRefused, match="没有找到"):
        run(actor_of(users.owner), tree.k1, path)


# --- as a background job ---------------------------------------------------------------------------------

def test_the_import_runs_as_a_job_whose_result_is_the_summary(tree, users, tmp_path,
                                                              django_capture_on_commit_callbacks):
    from warmth.archives.importing import archive_import_start
    from warmth.jobs.models import Job

    path = build(tmp_path / "f.xlsx", [head(), head(姓名="坏", 身份证号="123")])
    with django_capture_on_commit_callbacks(execute=True):
        job = archive_import_start(actor=actor_of(users.owner), chunks=[path.read_bytes()], filename="名单.xlsx",
                                   org=tree.k1, valid_only=True)
    job = Job.objects.get(pk=job.pk)

    assert job.status == "done", job.error
    assert job.result["created"] == 1 and job.result["errors"][0]["row"] == 4
    assert "新建1户" in job.message
    assert not (Path(settings.WARMTH_FILES_DIR) / job.params["path"]).exists()  # removed after a real run


def test_the_fast_id_check_agrees_with_idcard_parse():
    import random

    from warmth.archives.template import _fast_id
    from warmth.core import idcard

    rng, today = random.Random(7), idcard.today_in_china()
    for _ in range(3000):
        number = idcard.random_valid(rng, birth_from=date(1900, 1, 1), birth_to=date(2030, 12, 31))
        i = rng.randrange(18)
        variants = [number, number.lower(), number[:i] + str(rng.randrange(10)) + number[i + 1:],
                    number[:10] + "1301" + number[14:], number[:6] + "2999" + number[10:]]
        for text in variants:
            try:
                expected = idcard.parse(text, today=today).number
            except idcard.IdCardError:
                expected = None
            fast = _fast_id(text, today)
            assert fast is None or fast == expected, text


def test_a_member_sharing_an_id_with_a_head_on_the_same_row_number_is_caught(tree, users, tmp_path):
    first, second = head(), head(姓名="赵红", 身份证号=new_id(sex="女"))
    people = [member(second, 身份证号=first["身份证号"])]  # 家庭成员 row 3, like the first head's row

    result = run(actor_of(users.owner), tree.k1, build(tmp_path / "f.xlsx", [first, second], people), dry_run=True)

    assert result["errors"] == [{"row": 3, "column": "家庭成员·身份证号",
                                 "message": f"该身份证号已在本文件“{HEAD_SHEET}”表第3行出现，一人只能在一户中"}]


def test_a_refused_file_fails_the_job_with_its_message(tree, users, tmp_path, django_capture_on_commit_callbacks):
    from warmth.archives.importing import archive_import_start
    from warmth.jobs.models import Job

    with django_capture_on_commit_callbacks(execute=True):
        job = archive_import_start(actor=actor_of(users.owner), chunks=[b"name,id\n"], filename="名单.xlsx",
                                   org=tree.k1)
    job = Job.objects.get(pk=job.pk)

    assert job.status == "failed" and job.error == importing.NOT_XLSX
    assert not (Path(settings.WARMTH_FILES_DIR) / job.params["path"]).exists()


def test_a_person_filed_elsewhere_while_the_import_runs_undoes_the_whole_import(tree, users, tmp_path,
                                                                                monkeypatch):
    """A colleague files the first head elsewhere after the import looked them up: the database's unique index
    refuses the import's row, and every chunk written before it is undone with it (chunks of one household)."""
    rows = [head(姓名="赵红", 身份证号=new_id(sex="女")), head(), head(姓名="孙强", 身份证号=new_id())]
    archive_file(actor=actor_of(users.owner), org=tree.k2, data=archive_input(id_number=rows[1]["身份证号"]))
    monkeypatch.setattr(importing, "CHUNK", 1)
    monkeypatch.setattr(importing, "_live_persons", lambda bidxs: {})  # as if the lookup ran before the filing

    result = run(actor_of(users.owner), tree.k1, build(tmp_path / "f.xlsx", rows))

    assert result["created"] == 0 and result["errors"] == [{"row": 0, "column": "", "message": importing.RACE}]
    assert list(Archive.objects.values_list("org__code", flat=True)) == ["510104"]
    assert not AuditEvent.objects.filter(action="archive.import").exists()


def test_a_huge_number_in_a_date_column_is_a_refusal_with_its_row_not_a_crash(tree, users, tmp_path):
    """Found by the long fuzz run: calamine panics (a Rust panic, not an Exception) reading this number in the
    date-formatted 工作时间 column; the file is refused with the row named, nothing written."""
    path = build(tmp_path / "f.xlsx", [head(), head(工作时间=-8243936769766)])
    before = written()
    with pytest.raises(ImportRefused, match=r"“困难职工档案”表第 4 行有单元格的日期或时间超出范围"):
        archive_import(actor=actor_of(users.owner), org=tree.k1, path=path, dry_run=False)
    assert written() == before
    out, failed = cli(path, "--org", tree.k1.code, "--user", users.owner.username)
    assert failed and "日期或时间超出范围" in json.dumps(out, ensure_ascii=False) and written() == before


# --- in chunks -------------------------------------------------------------------------------------------

@pytest.fixture
def small_chunks(monkeypatch):
    """Two households a chunk, so a file of a few rows runs through several chunks."""
    monkeypatch.setattr(importing, "CHUNK", 2)


def test_a_file_of_several_chunks_is_imported_whole_with_each_member_in_its_household(tree, users, tmp_path,
                                                                                      small_chunks):
    rows = [head(姓名=f"户主{i}", 身份证号=new_id(), 家庭人口=3) for i in range(5)]
    # the member sheet out of the heads' order: the last household's members first, the first's last
    people = [member(rows[4], 姓名="甲"), member(rows[2], 姓名="乙"), member(rows[0], 姓名="丙"),
              member(rows[4], 姓名="丁"), member(rows[0], 姓名="戊")]
    path = build(tmp_path / "f.xlsx", rows, people)
    actor = actor_of(users.owner)

    dry = run(actor, tree.k1, path, dry_run=True)
    result = run(actor, tree.k1, path)

    assert dry == result == {"rows": 5, "created": 5, "updated": 0, "unchanged": 0, "errors": []}
    members = {a.name: [m.name for m in a.members.order_by("position")] for a in Archive.objects.all()}
    assert members == {"户主0": ["丙", "戊"], "户主1": [], "户主2": ["乙"], "户主3": [], "户主4": ["甲", "丁"]}
    assert ArchivePerson.objects.filter(live=True).count() == 5 + 5
    numbers = sorted(Archive.objects.values_list("archive_no", flat=True))
    assert [int(n[-5:]) for n in numbers] == list(range(int(numbers[0][-5:]), int(numbers[0][-5:]) + 5))
    assert run(actor, tree.k1, path)["unchanged"] == 5


def test_an_error_in_the_last_chunk_leaves_nothing_of_the_earlier_chunks(tree, users, tmp_path, small_chunks):
    rows = [head(姓名=f"户主{i}", 身份证号=new_id()) for i in range(4)] + [head(困难类别="不存在的类别")]
    path = build(tmp_path / "f.xlsx", rows, [member(rows[0])])
    before = written()

    result = run(actor_of(users.owner), tree.k1, path)

    assert result["created"] == 0 and result["rows"] == 5
    assert [(e["row"], e["column"]) for e in result["errors"]] == [(7, "困难类别")]
    assert written() == before and not ArchivePerson.objects.exists()
    assert run(actor_of(users.owner), tree.k1, path, valid_only=True)["created"] == 4


def test_a_person_twice_in_different_chunks_is_caught_with_the_row_of_the_first(tree, users, tmp_path, small_chunks):
    first = head()
    rows = [first, head(姓名="赵红", 身份证号=new_id(sex="女")), head(姓名="孙强", 身份证号=new_id()),
            head(姓名="王建华2", 身份证号=first["身份证号"])]
    people = [member(rows[2], 身份证号=rows[1]["身份证号"])]  # a member of the second chunk, head in the first

    result = run(actor_of(users.owner), tree.k1, build(tmp_path / "f.xlsx", rows, people), valid_only=True)

    assert result["created"] == 2  # 王建华 and 赵红; 孙强 (his member) and the second 王建华 are errors
    assert result["errors"] == [
        {"row": 6, "column": "身份证号", "message": f"该身份证号已在本文件“{HEAD_SHEET}”表第3行出现，一人只能在一户中"},
        {"row": 3, "column": "家庭成员·身份证号",
         "message": f"该身份证号已在本文件“{HEAD_SHEET}”表第4行出现，一人只能在一户中"}]


def test_member_rows_of_no_household_are_errors_after_the_last_chunk(tree, users, tmp_path, small_chunks):
    rows = [head(姓名=f"户主{i}", 身份证号=new_id()) for i in range(3)]
    stranger = {"身份证号": new_id()}
    people = [member(stranger, 姓名="早"), member(rows[2]), member(stranger, 姓名="晚")]

    result = run(actor_of(users.owner), tree.k1, build(tmp_path / "f.xlsx", rows, people), dry_run=True)

    assert [(e["row"], e["column"], e["message"]) for e in result["errors"]] == [
        (3, "家庭成员·户主身份证号", f"在“{HEAD_SHEET}”表中找不到这位户主"),
        (5, "家庭成员·户主身份证号", f"在“{HEAD_SHEET}”表中找不到这位户主")]
    assert result["created"] == 3
    before = written()
    assert run(actor_of(users.owner), tree.k1, build(tmp_path / "f.xlsx", rows, people))["created"] == 0
    assert written() == before  # found after the last chunk was written: every chunk undone


def test_the_job_reports_progress_chunk_by_chunk(tree, users, tmp_path, small_chunks):
    seen = []

    class Progress:
        def start(self, total, message=""):
            seen.append(("start", total))

        def advance(self, done, message=None):
            seen.append(("advance", done))

        def message(self, text):
            pass

    rows = [head(姓名=f"户主{i}", 身份证号=new_id()) for i in range(5)]
    run(actor_of(users.owner), tree.k1, build(tmp_path / "f.xlsx", rows), progress=Progress())

    assert seen == [("start", 5), ("advance", 2), ("advance", 4), ("advance", 5)]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_on_postgresql_chunks_are_written_beside_the_checks_in_one_transaction(
        tree, users, tmp_path, small_chunks, monkeypatch):
    """The worker's case: chunks go to a background thread holding the import's one transaction. Everything is
    committed at the end; a database error in a later chunk undoes the chunks written before it."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the background writer runs on PostgreSQL only")
    assert not connection.in_atomic_block
    threads = []
    real_create = importing._create

    def create(*args):
        threads.append(threading.current_thread().name)
        real_create(*args)

    monkeypatch.setattr(importing, "_create", create)
    rows = [head(姓名=f"户主{i}", 身份证号=new_id(), 家庭人口=2) for i in range(5)]
    path = build(tmp_path / "f.xlsx", rows, [member(rows[4]), member(rows[0])])
    actor = actor_of(users.owner)

    assert run(actor, tree.k1, path)["created"] == 5
    assert threads and all(t.startswith("warmth-import") for t in threads)
    assert Archive.objects.count() == 5 and FamilyMember.objects.count() == 2

    # a person filed elsewhere that the lookup of the last chunk missed: the database refuses, nothing is kept
    late = [head(姓名=f"新户{i}", 身份证号=new_id()) for i in range(4)]
    archive_file(actor=actor, org=tree.k2, data=archive_input(id_number=late[3]["身份证号"]))
    before = written()
    monkeypatch.setattr(importing, "_live_persons", lambda bidxs: {})

    result = run(actor, tree.k1, build(tmp_path / "g.xlsx", late))

    assert result["created"] == 0 and result["errors"][-1]["message"] == importing.RACE
    assert written() == before
    assert not Archive.objects.filter(name__startswith="新户").exists()
