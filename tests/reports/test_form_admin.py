"""Forms as data at run time: the shipped forms are loaded into the database; the system admin of the top org
copies one to a new year, edits it (every problem refused at once, the item named: unknown source, broken
parent, duplicate code…), previews and publishes it; a published form is fillable at once, and once a report
uses it it is frozen (a new version takes the edits; the report keeps the version it was filled with). Anyone
else — a province admin, a county handler, the 海南 outsider — gets 403; every change is an audit row. The
report pages show the season's years, not the form's."""

import json
from urllib.parse import quote_plus

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.conftest import actor_of, make_user
from warmth.audit.models import AuditEvent
from warmth.orgs.models import Role
from warmth.reports import formstore, services
from warmth.reports.definitions import definition, definitions
from warmth.reports.models import FormStatus, ReportForm

pytestmark = pytest.mark.django_db
F = FormStatus


@pytest.fixture
def root_admin(tree):
    return make_user("root_admin", tree.root, Role.ADMIN)


def shipped(form_id="warmth-2015") -> ReportForm:
    definitions()  # loads the shipped forms
    return ReportForm.objects.get(form_id=form_id, origin="package")


def copy_2020(admin) -> ReportForm:
    return formstore.form_copy(actor=actor_of(admin), source=shipped(), form_id="warmth-2020", year=2020,
                               title="{year}年元旦春节期间各级工会送温暖统计表")


def body_text(row: ReportForm, change=None) -> str:
    """The editor's JSON of ``row`` after ``change(body)``."""
    body = json.loads(json.dumps(row.body))
    if change:
        change(body)
    return formstore.editable_text(body)


def item(body, code) -> dict:
    return next(i for i in body["items"] if i["code"] == code)


def save(admin, row, change=None, **kw):
    return formstore.form_save(actor=actor_of(admin), row=row, title=kw.get("title", row.body["title"]),
                               year=kw.get("year", row.year), body_text=body_text(row, change))


def test_the_shipped_forms_are_loaded_into_the_database_as_published_version_1():
    definitions()
    rows = {r.form_id: r for r in ReportForm.objects.all()}
    assert set(rows) == {"warmth-2014", "warmth-2015", "center-2013", "center-2014"}
    assert all(r.status == F.PUBLISHED and r.version == 1 and r.origin == "package" for r in rows.values())
    assert definitions()["warmth-2015"].item("5.A").label_t == "{year}年元旦、春节期间送温暖活动中筹集款物总额"
    assert AuditEvent.objects.filter(action="report_form.load").count() == 4


def test_a_copy_is_a_draft_not_offered_for_filling_until_published(users, tree, root_admin):
    row = copy_2020(root_admin)
    assert (row.status, row.version, row.year, row.body["season"]) == (F.DRAFT, 1, 2020, 2019)
    assert "warmth-2020" not in definitions()
    with pytest.raises(KeyError):
        definition("warmth-2020")
    formstore.form_publish(actor=actor_of(root_admin), row=row)
    d = definitions()["warmth-2020"]
    assert d.title_for(2025) == "2026年元旦春节期间各级工会送温暖统计表"
    # a county fills it
    county = actor_of(users.county)
    r = services.report_get_or_create(actor=county, form="warmth-2020", org=tree.k1, year=2025)
    assert r.form_version == 1
    services.cells_save(actor=county, report=r, values={"1.A": {"value": "1200"}})
    assert r.cells.get(code="1.A").value == 1200
    actions = list(AuditEvent.objects.filter(object_type="report_form").values_list("action", flat=True))
    assert "report_form.copy" in actions and "report_form.publish" in actions


@pytest.mark.parametrize(("change", "named"), [
    (lambda b: item(b, "5.B").update(source="funds.no_such_source"), "栏目 5.B 的数据来源 funds.no_such_source 不存在"),
    (lambda b: item(b, "3.B").update(parent="3.Z"), "栏目 3.B 的上级栏目 3.Z 不存在"),
    (lambda b: item(b, "4.C").update(code="4.B"), "栏目 4.B 重复"),
    (lambda b: item(b, "1.A").update(unit="万元"), None),  # a manual count made money: allowed
    (lambda b: item(b, "5.C").update(unit="人"), "栏目 5.C 的单位 人 与数据来源 funds.raised_local 不符"),
    (lambda b: b.setdefault("rules", []).append({"left": "7.J", "op": "=<", "right": "6.A"}),
     "校验规则 1 的比较符 =< 无效"),
    (lambda b: b.setdefault("rules", []).append({"left": "7.J", "op": "<=", "right": "6.Q"}),
     "校验规则 1 引用的栏目 6.Q 不存在"),
    (lambda b: b["sums"].append({"total": "9.A", "parts": ["9.B", "9.X"]}), "合计 9.A 引用的栏目 9.X 不存在"),
    (lambda b: item(b, "2.A").update(code="2.A.TOO-LONG-CODE"), "编号须为 1–12 个"),
])
def test_an_edit_that_makes_the_form_unusable_is_refused_naming_the_item(root_admin, change, named):
    row = copy_2020(root_admin)
    before = row.body
    if named is None:
        save(root_admin, row, change)
        return
    with pytest.raises(ValidationError) as exc:
        save(root_admin, row, change)
    assert any(named in m for m in exc.value.messages), exc.value.messages
    row.refresh_from_db()
    assert row.body == before


def test_every_problem_is_listed_at_once_on_the_page(client, root_admin):
    row = copy_2020(root_admin)

    def three(b):
        item(b, "5.B")["source"] = "funds.no_such_source"
        item(b, "3.B")["parent"] = "3.Z"
        item(b, "4.C")["code"] = "4.B"
    client.force_login(root_admin)
    r = client.post(reverse("report_form", args=[row.pk]), {
        "action": "save", "title": "", "year": "2020", "body": body_text(row, three)})
    page = r.content.decode()
    assert r.status_code == 422
    for msg in ("标题：请填写标题", "栏目 5.B 的数据来源 funds.no_such_source 不存在", "栏目 3.B 的上级栏目 3.Z 不存在",
                "栏目 4.B 重复"):
        assert msg in page
    row.refresh_from_db()
    assert item(row.body, "4.C")  # nothing written


def test_broken_json_names_the_line(client, root_admin):
    row = copy_2020(root_admin)
    client.force_login(root_admin)
    text = body_text(row).replace('"code": "3.A",', '"code": "3.A"', 1)
    r = client.post(reverse("report_form", args=[row.pk]), {"action": "save", "title": "x", "year": "2020",
                                                              "body": text})
    assert r.status_code == 422
    line = next(n for n, ln in enumerate(text.splitlines(), 1) if '"code": "3.A"' in ln)
    assert f"栏目定义的 JSON 格式有误：第 {line} 行" in r.content.decode()


def test_check_reports_without_saving_and_save_audits_the_items_changed(client, root_admin):
    row = copy_2020(root_admin)
    client.force_login(root_admin)

    def add(b):
        b["items"].append({"code": "12.A", "label": "慰问工匠人才、劳动模范、先进人物", "unit": "人次",
                           "parent": None, "source": "manual"})
        item(b, "3.F")["label"] = "{year-1}年度经过工会帮扶实现解困脱困的困难职工家庭"
    data = {"title": row.body["title"], "year": "2020", "body": body_text(row, add)}
    r = client.post(reverse("report_form", args=[row.pk]), {**data, "action": "check"})
    assert r.status_code == 200 and "检查通过" in r.content.decode()
    row.refresh_from_db()
    assert "12.A" not in {i["code"] for i in row.body["items"]}
    r = client.post(reverse("report_form", args=[row.pk]), {**data, "action": "save"})
    assert r.status_code == 302
    row.refresh_from_db()
    assert item(row.body, "12.A")["label"] == "慰问工匠人才、劳动模范、先进人物"
    event = AuditEvent.objects.filter(action="report_form.edit").latest("pk")
    assert event.after["changes"]["added"] == ["12.A"] and "3.F" in event.after["changes"]["changed"]


def test_a_published_form_used_by_a_report_is_frozen_and_a_new_version_leaves_the_report_alone(
        client, users, tree, root_admin):
    admin = actor_of(root_admin)
    row = formstore.form_publish(actor=admin, row=copy_2020(root_admin))
    save(root_admin, row, lambda b: item(b, "1.A").update(label="当地职工总数（含农民工）"))  # not used yet: may
    county = actor_of(users.county)
    report = services.report_get_or_create(actor=county, form="warmth-2020", org=tree.k1, year=2025)
    assert formstore.frozen_because(row) == "该版本已有 1 份统计表使用，不能修改（请建立新版本或复制）"
    with pytest.raises(ValidationError, match="1 份统计表使用"):
        save(root_admin, row, lambda b: item(b, "1.A").update(label="改掉"))
    client.force_login(root_admin)
    r = client.post(reverse("report_form", args=[row.pk]), {"action": "save", "title": "t", "year": "2020",
                                                              "body": body_text(row)})
    assert r.status_code == 422 and "不能修改" in r.content.decode()
    # the new version: edited, published; the report keeps version 1, a new report takes version 2
    r = client.post(reverse("report_forms"), {"source": row.pk, "form_id": "warmth-2020", "year": "2020"})
    v2 = ReportForm.objects.get(form_id="warmth-2020", version=2)
    assert r.status_code == 302 and v2.status == F.DRAFT
    save(root_admin, v2, lambda b: item(b, "1.A").update(label="当地职工总数（第二版）"))
    formstore.form_publish(actor=admin, row=v2)
    row.refresh_from_db()
    assert row.status == F.RETIRED
    assert services.report_definition(report).item("1.A").label == "当地职工总数（含农民工）"
    assert definition("warmth-2020").item("1.A").label == "当地职工总数（第二版）"
    other = services.report_get_or_create(actor=actor_of(make_user("k2h", tree.k2, Role.HANDLER)),
                                          form="warmth-2020", org=tree.k2, year=2025)
    assert other.form_version == 2
    client.force_login(users.county)
    page = client.get(reverse("report_detail", args=["warmth-2020", 2025]) + "?org=510107").content.decode()
    assert "当地职工总数（含农民工）" in page and "第二版" not in page


def test_shipped_forms_are_only_copied(root_admin):
    with pytest.raises(ValidationError, match="系统内置"):
        save(root_admin, shipped(), lambda b: item(b, "1.A").update(label="x"))


def test_the_preview_prints_the_form_for_a_season(client, root_admin):
    row = copy_2020(root_admin)
    client.force_login(root_admin)
    r = client.get(reverse("report_form_preview", args=[row.pk]) + "?year=2025")
    page = r.content.decode()
    assert r.status_code == 200
    assert "2026年元旦春节期间各级工会送温暖统计表" in page
    assert "2026年元旦、春节期间送温暖活动中" in page  # the lead-in, with the season's year
    assert "为　　户困难职工家庭提供过冬取暖补贴" in page
    pdf = client.get(reverse("report_form_preview", args=[row.pk]) + "?year=2025&fmt=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_retire_takes_the_form_off_the_list_but_its_reports_still_open(client, users, tree, root_admin):
    admin = actor_of(root_admin)
    row = formstore.form_publish(actor=admin, row=copy_2020(root_admin))
    services.report_get_or_create(actor=actor_of(users.county), form="warmth-2020", org=tree.k1, year=2025)
    client.force_login(root_admin)
    r = client.post(reverse("report_form_retire", args=[row.pk]), {"reason": ""})
    row.refresh_from_db()
    assert r.status_code == 302 and row.status == F.PUBLISHED  # no reason: refused
    client.post(reverse("report_form_retire", args=[row.pk]), {"reason": "改用新表"})
    row.refresh_from_db()
    assert row.status == F.RETIRED and "warmth-2020" not in definitions()
    client.force_login(users.county)
    assert 'id="form-warmth-2020"' not in client.get(reverse("report_index") + "?year=2025").content.decode()
    r = client.get(reverse("report_detail", args=["warmth-2020", 2025]) + "?org=510107")
    assert r.status_code == 200


def urls(row):
    return [("get", reverse("report_forms")), ("post", reverse("report_forms")),
            ("get", reverse("report_form", args=[row.pk])), ("post", reverse("report_form", args=[row.pk])),
            ("get", reverse("report_form_preview", args=[row.pk])),
            ("post", reverse("report_form_publish", args=[row.pk])),
            ("post", reverse("report_form_retire", args=[row.pk]))]


@pytest.mark.parametrize("who", ["admin", "county", "outsider", "leader"])
def test_only_the_top_orgs_admin_manages_forms(client, users, root_admin, who):
    """A province admin (users.admin), a county handler, the 海南 outsider and a leader all get 403, and
    nothing changes."""
    row = copy_2020(root_admin)
    client.force_login(getattr(users, who))
    for method, url in urls(row):
        r = getattr(client, method)(url, {"source": row.pk, "form_id": "warmth-2021", "year": "2021",
                                          "title": "x", "body": "{}", "action": "save", "reason": "x"})
        assert r.status_code == 403, (who, url)
    assert ReportForm.objects.filter(origin="custom").count() == 1
    assert ReportForm.objects.get(pk=row.pk).status == F.DRAFT


def test_anonymous_is_sent_to_login(client, root_admin):
    row = copy_2020(root_admin)
    for method, url in urls(row):
        r = getattr(client, method)(url)
        assert r.status_code == 302 and "/login/" in r.url


def test_the_admin_sees_the_list_and_the_link(client, root_admin):
    client.force_login(root_admin)
    assert 'id="manage-forms"' in client.get(reverse("report_index")).content.decode()
    page = client.get(reverse("report_forms")).content.decode()
    assert "warmth-2015" in page and "系统内置" in page


def test_report_pages_show_the_seasons_years(client, users, tree):
    """The cell page, the board and the index show the years of the season, not the form's 2015."""
    client.force_login(users.county)
    cell = client.get(reverse("report_cell", args=["warmth-2015", 2025, "5.A"]) + "?org=510107").content.decode()
    assert "2026年元旦、春节期间送温暖活动中筹集款物总额" in cell and "2015年元旦" not in cell
    assert "2026年工会送温暖活动统计表" in cell
    client.force_login(make_user("c1_rev", tree.c1, Role.REVIEWER))
    board = client.get(reverse("report_board", args=["warmth-2015", 2025]) + "?org=510100").content.decode()
    assert "2026年工会送温暖活动统计表" in board and "2015年工会" not in board
    index = client.get(reverse("report_index") + "?year=2025").content.decode()
    assert "2026年工会送温暖活动统计表" in index and "2015年工会" not in index


HOSTILE = {
    "title": ["\x00", "甲\x00乙", "\x1b[2J", "   ", "长" * 3000, "{year", "{year+x}年", "{yr}"],
    "year": ["-1", "1e309", "NaN", "１２３", "\x00", "1999", "2100", "长" * 3000, ""],
    "body": ["\x00", "\ud800", "{year", "[]", "null", "长" * 3000, '{"items": 5}', '{"items": [5]}',
             '{"items": [{"code": 5}]}',
             '{"kind": "warmth", "items": [{"code": "1.A", "label": "\\u0000", "unit": "人"}]}',
             '{"kind": "warmth", "items": [{"code": "1.A", "label": "x", "unit": "人", "parent": 3}]}',
             '{"kind": "warmth", "sums": [{"total": 1}], "items": [{"code": "1.A", "label": "x", "unit": "人"}]}',
             '{"kind": "warmth", "rules": [{"op": "<="}], "items": [{"code": "1.A", "label": "x", "unit": "人"}]}',
             '{"kind": "warmth", "notes": "x", "head": 3, "items": [{"code": "1.A", "label": "x", "unit": "人"}]}',
             '{"kind": "other", "items": [{"code": "1.A", "label": "x", "unit": "人"}]}'],
}


@pytest.mark.parametrize("field", sorted(HOSTILE))
def test_hostile_editor_input_is_refused_in_chinese_and_writes_nothing(client, root_admin, field):
    """Raw bytes as a hostile client sends them (a lone surrogate as invalid UTF-8): never a server error."""
    row = copy_2020(root_admin)
    before = row.body
    client.force_login(root_admin)
    good = {"action": "save", "title": row.body["title"], "year": "2020", "body": body_text(row)}
    events = AuditEvent.objects.count()
    for value in HOSTILE[field]:
        data = {**good, field: value}
        encoded = "&".join(f"{k}={quote_plus(v.encode('utf-8', 'surrogatepass'))}" for k, v in data.items())
        r = client.post(reverse("report_form", args=[row.pk]), encoded,
                        content_type="application/x-www-form-urlencoded")
        assert r.status_code in (400, 422), (field, value[:20], r.status_code)  # 400: the NUL guard of core
        if r.status_code == 422:
            assert 'id="errors"' in r.content.decode()
    row.refresh_from_db()
    assert row.body == before
    assert AuditEvent.objects.count() == events
