"""Exporting 困难职工档案 to the import layout, and the blank template."""

from __future__ import annotations

import re
import zipfile
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import timezone
from python_calamine import CalamineWorkbook

from tests.archives.factories import archive_input, new_id
from tests.archives.test_import import build as build_file
from tests.archives.test_import import head, member
from tests.conftest import actor_of
from warmth.archives.exporters import archive_export
from warmth.archives.importing import archive_import
from warmth.archives.services import archive_file
from warmth.archives.template import HEAD_COLUMNS, HEAD_SHEET, LISTS_SHEET, MEMBER_COLUMNS, MEMBER_SHEET
from warmth.audit.models import AuditEvent
from warmth.core.validation import FUTURE_DAYS, LONG_TEXT
from warmth.orgs.models import Role
from warmth.orgs.permissions import MATRIX, Perm


def sheet_rows(path, name) -> list[list]:
    book = CalamineWorkbook.from_path(str(path))
    try:
        return book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    finally:
        book.close()


def export(*args) -> str:
    out = StringIO()
    call_command("archives", "export", *map(str, args), stdout=out)
    return out.getvalue()


@pytest.fixture
def households(users, tree, make_active):
    """An active archive in 武侯区, a draft in its grassroots union (with a child without ID and a remark that
    looks like a formula) and one in 锦江区 (outside 510107)."""
    active = make_active()
    kid = {"name": "王小宝", "relation": "儿子", "sex": "男", "birth_date": date(2020, 6, 1), "identity": "幼儿",
           "health": "良好", "monthly_income": "0"}
    data = archive_input(id_number=new_id(sex="女"), name="赵红", household_size=4,
                         remarks='=HYPERLINK("http://x")')
    data.members.append(kid)
    draft = archive_file(actor=actor_of(users.owner), org=tree.g1, data=data)
    other = archive_file(actor=actor_of(users.owner), org=tree.k2, data=archive_input(id_number=new_id()))
    return active, draft, other


def test_an_export_re_imports_as_unchanged(users, tree, households, tmp_path):
    path = tmp_path / "export.xlsx"
    out = export("--org", "510107", "--out", path, "--user", "owner")
    assert "已导出 2 户、5 名家庭成员" in out and "完整身份证号" in out

    result = archive_import(actor=actor_of(users.owner), org=tree.k1, path=path)

    assert result == {"rows": 2, "created": 0, "updated": 0, "unchanged": 2, "errors": []}


def test_an_export_re_imported_elsewhere_after_exit_creates_the_same_households(users, tree, households, tmp_path):
    """The export carries every imported field: after the archives are released, the file recreates them."""
    active, draft, _ = households
    path = tmp_path / "export.xlsx"
    archive_export(actor=actor_of(users.owner), org=tree.k1, path=path)
    for a in (active, draft):
        a.persons.update(live=False)

    result = archive_import(actor=actor_of(users.owner), org=tree.k1, path=path)

    assert result["created"] == 2 and result["errors"] == []
    twin = type(draft).objects.exclude(pk=draft.pk).get(name="赵红")
    fields = [c.field for c in HEAD_COLUMNS]
    assert [getattr(twin, f) for f in fields] == [getattr(draft, f) for f in fields]
    keys = [c.field for c in MEMBER_COLUMNS if c.field != "head_id"]
    assert [[getattr(m, k) for k in keys] for m in twin.members.all()] == [
        [getattr(m, k) for k in keys] for m in draft.members.all()]


def test_an_archive_with_dates_at_the_edges_of_the_policy_makes_the_round_trip(users, tree, tmp_path):
    """The earliest and latest dates the input policy accepts (and the longest remarks, with line breaks)
    are written to Excel and read back by the importer unchanged."""
    today = timezone.localdate()
    data = archive_input(work_start_date=date(1900, 1, 1), dibao_monthly="500",
                         dibao_from=today + timedelta(days=366), dibao_to=today + timedelta(days=FUTURE_DAYS),
                         remarks=("第一行\n" + "长" * LONG_TEXT)[:LONG_TEXT])
    data.members.append({"name": "王老太", "relation": "母亲", "sex": "女", "birth_date": date(1900, 1, 1),
                         "identity": "退休", "health": "良好", "monthly_income": "0"})
    data.fields["household_size"] = 4
    draft = archive_file(actor=actor_of(users.owner), org=tree.k1, data=data)
    path = tmp_path / "edges.xlsx"
    archive_export(actor=actor_of(users.owner), org=tree.k1, path=path)
    draft.persons.update(live=False)

    result = archive_import(actor=actor_of(users.owner), org=tree.k1, path=path)

    assert result["created"] == 1 and result["errors"] == []
    twin = type(draft).objects.exclude(pk=draft.pk).get()
    fields = [c.field for c in HEAD_COLUMNS]
    assert [getattr(twin, f) for f in fields] == [getattr(draft, f) for f in fields]
    assert twin.members.get(name="王老太").birth_date == date(1900, 1, 1)


def test_the_export_has_the_template_layout_and_guards_formula_text(users, tree, households, tmp_path):
    path = tmp_path / "export.xlsx"
    archive_export(actor=actor_of(users.owner), org=tree.k1, path=path)

    rows = sheet_rows(path, HEAD_SHEET)
    assert rows[1][:len(HEAD_COLUMNS)] == [c.header for c in HEAD_COLUMNS]
    assert rows[1][len(HEAD_COLUMNS):] == ["家庭年人均收入", "档案编号", "状态", "建档单位"]
    remarks = {r[1]: r[[c.header for c in HEAD_COLUMNS].index("备注")] for r in rows[2:]}
    assert remarks["赵红"] == "'=HYPERLINK(\"http://x\")"
    assert [r[1] for r in sheet_rows(path, MEMBER_SHEET)[2:]].count("王小宝") == 1


def test_the_export_masks_ids_for_a_role_without_pii_full_and_writes_the_audit_row(
        users, tree, households, tmp_path, monkeypatch):
    monkeypatch.setitem(MATRIX, Role.LEADER, MATRIX[Role.LEADER] | {Perm.EXPORT})
    leader = actor_of(users.leader)
    assert not leader.can(Perm.PII_FULL)
    path = tmp_path / "masked.xlsx"

    result = archive_export(actor=leader, org=tree.k1, path=path)

    ids = [r[4] for r in sheet_rows(path, HEAD_SHEET)[2:]]
    assert ids and all(re.fullmatch(r"\d{6}\*{8}\d{3}[\dX]", i) for i in ids)
    phones = [r[12] for r in sheet_rows(path, HEAD_SHEET)[2:]]
    assert all(p == "139****5678" for p in phones)
    member_ids = [r[0] for r in sheet_rows(path, MEMBER_SHEET)[2:]] + [
        r[6] for r in sheet_rows(path, MEMBER_SHEET)[2:] if r[6]]
    assert member_ids and all("********" in i for i in member_ids)
    event = AuditEvent.objects.get(action="pii.export")
    assert event.actor == users.leader and event.object_type == "archive_export" and event.object_id == "510107"
    assert event.after == {"rows": 2, "members": 5, "full_ids": False} == result


def test_a_full_export_is_audited_as_such(users, tree, households, tmp_path):
    archive_export(actor=actor_of(users.owner), org=tree.k1, path=tmp_path / "full.xlsx")
    archive_export(actor=None, org=tree.root, path=tmp_path / "all.xlsx")  # the operator, on the CLI

    events = list(AuditEvent.objects.filter(action="pii.export").order_by("id"))
    assert [(e.after["rows"], e.after["full_ids"], e.actor_id) for e in events] == [
        (2, True, users.owner.pk), (3, True, None)]


def test_the_outsider_cannot_export_510107(users, tree, households, tmp_path):
    with pytest.raises(PermissionDenied):
        archive_export(actor=actor_of(users.outsider), org=tree.k1, path=tmp_path / "x.xlsx")
    with pytest.raises(CommandError, match="只能导出本级及下级组织的档案"):
        export("--org", "510107", "--out", tmp_path / "x.xlsx", "--user", "outsider")
    assert not AuditEvent.objects.filter(action="pii.export").exists()


def test_a_role_without_the_export_permission_cannot_export(users, tree, tmp_path):
    with pytest.raises(PermissionDenied):
        archive_export(actor=actor_of(users.leader), org=tree.k1, path=tmp_path / "x.xlsx")


def test_the_export_runs_as_a_job_with_a_download(users, tree, households, django_capture_on_commit_callbacks):
    from django.conf import settings

    from warmth.jobs.models import Job
    from warmth.jobs.services import job_create

    with django_capture_on_commit_callbacks(execute=True):
        job = job_create(actor=actor_of(users.owner), kind="archives.export", title="导出困难职工档案",
                         params={"org": "510107"})
    job = Job.objects.get(pk=job.pk)

    assert job.status == "done", job.error
    assert job.result == {"rows": 2, "members": 5, "full_ids": True}
    assert job.result_name.startswith("困难职工档案-武侯区总工会-")
    assert (settings.WARMTH_FILES_DIR / job.result_file).is_file()
    assert AuditEvent.objects.filter(action="pii.export", object_id="510107").count() == 1


def test_the_outsiders_export_job_fails_with_a_chinese_message(users, tree, django_capture_on_commit_callbacks):
    from warmth.jobs.models import Job
    from warmth.jobs.services import job_create

    with django_capture_on_commit_callbacks(execute=True):
        job = job_create(actor=actor_of(users.outsider), kind="archives.export", title="导出", params={"org": "510107"})

    assert Job.objects.get(pk=job.pk).error == "组织不存在或不在您的管辖范围内"


def test_the_template_has_the_official_headers_and_a_drop_down_for_every_closed_list(tmp_path):
    path = tmp_path / "template.xlsx"
    call_command("archives", "template", "--out", str(path), stdout=StringIO())

    assert sheet_rows(path, HEAD_SHEET)[1] == [c.header for c in HEAD_COLUMNS]
    assert sheet_rows(path, MEMBER_SHEET)[1] == [c.header for c in MEMBER_COLUMNS]
    assert "填表说明" in sheet_rows(path, HEAD_SHEET)[0][0]
    with zipfile.ZipFile(path) as zf:
        workbook = zf.read("xl/workbook.xml").decode()
        sheets = [zf.read(f"xl/worksheets/sheet{i}.xml").decode() for i in (1, 2)]
    assert re.search(rf'<sheet name="{LISTS_SHEET}"[^>]*state="hidden"', workbook)
    for xml, columns in zip(sheets, (HEAD_COLUMNS, MEMBER_COLUMNS), strict=True):
        lists = re.findall(r'<dataValidation type="list"[^>]*sqref="([A-Z]+)3:[A-Z]+\d+"', xml)
        letters = [chr(65 + i) if i < 26 else "A" + chr(39 + i) for i, c in enumerate(columns) if c.choices]
        assert lists == letters
        assert f"<formula1>'{LISTS_SHEET}'!" in xml
    lists = {r[0]: [v for v in r[1:] if v] for r in zip(*sheet_rows(path, LISTS_SHEET), strict=True)}
    assert lists["困难类别"] == ["低保户", "低保边缘户", "意外致困户", "深度困难", "相对困难", "意外致困"]
    assert len(lists["民族"]) == 57


def test_a_filled_template_round_trips_through_import_and_export(users, tree, tmp_path):
    rows = [head(), head(姓名="赵红", 身份证号=new_id(sex="女"), 家庭人口=1)]
    archive_import(actor=actor_of(users.owner), org=tree.k1,
                   path=build_file(tmp_path / "in.xlsx", rows, [member(rows[0])]))
    path = tmp_path / "out.xlsx"
    archive_export(actor=actor_of(users.owner), org=tree.k1, path=path)

    again = archive_import(actor=actor_of(users.owner), org=tree.k1, path=path)

    assert again == {"rows": 2, "created": 0, "updated": 0, "unchanged": 2, "errors": []}


def _rows_from_models(org, *, full: bool) -> list[tuple[str, list]]:
    """The export's rows built from model instances (each field decrypted by the model), independently of the
    streaming code."""
    from warmth.archives.exporters import export_queryset
    from warmth.core import pii

    shown = (lambda v: v) if full else pii.mask_id_number
    out = []
    for a in export_queryset(org):
        row = [getattr(a, c.field) for c in HEAD_COLUMNS]
        row[[c.field for c in HEAD_COLUMNS].index("id_number")] = shown(a.id_number)
        phone_at = [c.field for c in HEAD_COLUMNS].index("phone")
        row[phone_at] = a.phone if full else pii.mask_phone(a.phone)
        out.append((HEAD_SHEET, [*row, a.per_capita_income, a.archive_no, a.get_status_display(), a.org.name]))
        for m in a.members.all():
            out.append((MEMBER_SHEET, [shown(a.id_number) if c.field == "head_id" else shown(m.id_number)
                                       if c.field == "id_number" else getattr(m, c.field) for c in MEMBER_COLUMNS]))
    return out


@pytest.mark.parametrize("full", [True, False])
@pytest.mark.parametrize("chunk", [1, 2, 100])
def test_the_streamed_export_rows_are_the_records_across_chunk_boundaries(users, tree, households, make_active,
                                                                          full, chunk):
    from warmth.archives.exporters import archive_rows

    for _ in range(2):
        make_active()
    expected = _rows_from_models(tree.k1, full=full)
    assert sum(1 for sheet, _ in expected if sheet == HEAD_SHEET) == 4
    assert sum(1 for sheet, _ in expected if sheet == MEMBER_SHEET) >= 5
    assert list(archive_rows(tree.k1, full=full, chunk=chunk)) == expected


def test_the_export_job_streams_across_chunks_and_audits(users, tree, households, make_active, monkeypatch,
                                                          settings):
    from pathlib import Path

    from warmth.archives import exporters
    from warmth.jobs.models import Job, JobStatus
    from warmth.jobs.services import job_create, job_run

    make_active()
    monkeypatch.setattr(exporters, "CHUNK", 2)
    job = job_create(actor=actor_of(users.owner), kind="archives.export", title="导出", params={"org": "510107"})
    job_run(job.pk)
    job = Job.objects.get(pk=job.pk)
    assert job.status == JobStatus.DONE and job.result["rows"] == 3
    path = Path(settings.WARMTH_FILES_DIR) / job.result_file
    expected = _rows_from_models(tree.k1, full=True)
    heads = [r for r in sheet_rows(path, HEAD_SHEET)[2:] if any(c != "" for c in r)]
    assert [r[[c.field for c in HEAD_COLUMNS].index("id_number")] for r in heads] == \
        [v[[c.field for c in HEAD_COLUMNS].index("id_number")] for s, v in expected if s == HEAD_SHEET]
    ev = AuditEvent.objects.get(action="pii.export", object_type="archive_export")
    assert ev.after["rows"] == 3 and ev.after["full_ids"] is True
