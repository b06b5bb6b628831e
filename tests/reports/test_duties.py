"""报送范围 (who must report a form for a season): by default the county and above and the 产业/直属/企业集团
unions report and the 基层工会 do not, so a county's report is approved without its grassroots units; a union that
asks its 基层工会 for the form makes the approval wait for them until they report (or are exempted); the nearest
decision above a parent applies, per form and season; the board, the deadline, the reminder, the waiting line and
the to-do follow it; only the union itself, with the approve permission, decides (audited); the outsider reaches
nothing, on the page and in the API."""

import json
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.conftest import actor_of, make_org, make_user
from warmth.audit.models import AuditEvent
from warmth.campaigns.services import campaign_create
from warmth.orgs.models import OrgLevel, Role
from warmth.orgs.services import token_create
from warmth.reports import duties, services
from warmth.reports.models import Report, ReportDuty, ReportStatus
from warmth.todo.queries import todo_for

pytestmark = pytest.mark.django_db
S = ReportStatus
FORM, YEAR = "warmth-2015", 2025
EVERY_KIND = ["industry", "direct", "group", "grassroots"]


@pytest.fixture
def a(users, tree):
    k1_rev = make_user("k1_rev", tree.k1, Role.REVIEWER)
    g1 = make_user("g1_handler", tree.g1, Role.HANDLER)
    return {"city": actor_of(users.owner), "city_rev": actor_of(users.colleague), "k1": actor_of(users.county),
            "k1_rev": actor_of(k1_rev), "g1": actor_of(g1), "outsider": actor_of(users.outsider),
            "auditor": actor_of(users.auditor), "leader": actor_of(users.leader)}


def submit(actor, org, year=YEAR, form=FORM):
    r = services.report_get_or_create(actor=actor, form=form, org=org, year=year)
    return services.report_submit(actor=actor, report=r, filled_by="张三", phone="028-1")


# --- the default and the guard, both ways -----------------------------------------------------------------------

def test_by_default_the_county_is_approved_without_its_grassroots_units(a, tree):
    assert not duties.must_report(FORM, YEAR, tree.g1)
    assert duties.must_report(FORM, YEAR, tree.k1) and duties.must_report(FORM, YEAR, tree.c1)
    assert services.expected_children(tree.k1, FORM, YEAR) == []
    k1 = submit(a["k1"], tree.k1)
    assert "approve" in services.WORKFLOW.allowed(a["city_rev"], k1)
    assert services.report_approve(actor=a["city_rev"], report=k1).status == S.APPROVED
    assert not Report.objects.filter(status=S.EXEMPT).exists()  # nobody was exempted one by one
    board = services.completeness(FORM, YEAR, tree.k1)
    assert (board["expected"], board["not_required"], board["missing"]) == (0, 1, [])


def test_a_county_that_asks_its_grassroots_units_makes_the_approval_wait_until_they_report(a, tree):
    duties.report_duty_set(actor=a["k1_rev"], form=FORM, year=YEAR, org=tree.k1, levels=["grassroots"])
    assert duties.must_report(FORM, YEAR, tree.g1)
    k1 = submit(a["k1"], tree.k1)
    assert "approve" not in services.WORKFLOW.allowed(a["city_rev"], k1)
    assert "供电公司" in services.WORKFLOW.held(a["city_rev"], k1)
    with pytest.raises(ValidationError, match="须报送此表的下级尚未全部审核通过或免报：武侯区供电公司工会委员会"):
        services.report_approve(actor=a["city_rev"], report=k1)
    assert Report.objects.get(pk=k1.pk).status == S.SUBMITTED
    board = services.completeness(FORM, YEAR, tree.k1)
    assert [o.code for o in board["missing"]] == [tree.g1.code]
    # the grassroots unit reports and 武侯 approves it: now 成都 may approve 武侯
    g1 = submit(a["g1"], tree.g1)
    services.report_approve(actor=a["k1_rev"], report=g1)
    assert services.report_approve(actor=a["city_rev"], report=k1).status == S.APPROVED


def test_the_city_decides_for_its_subtree_the_county_may_decide_for_its_own_and_each_form_and_season_apart(a, tree):
    duties.report_duty_set(actor=a["city_rev"], form=FORM, year=YEAR, org=tree.c1,
                           levels=["county", *EVERY_KIND], note="基层工会全部报送")
    assert duties.must_report(FORM, YEAR, tree.g1)  # 成都's decision reaches 武侯's children
    assert duties.duty_for(FORM, YEAR, tree.k1).source == "成都市总工会设定"
    assert not duties.must_report(FORM, YEAR + 1, tree.g1)  # another season: the default
    assert not duties.must_report("warmth-2014", YEAR, tree.g1)  # another form: the default
    duties.report_duty_set(actor=a["k1_rev"], form=FORM, year=YEAR, org=tree.k1, levels=["industry"])
    assert not duties.must_report(FORM, YEAR, tree.g1)  # the nearest decision wins
    assert duties.must_report(FORM, YEAR, tree.k1)      # 武侯's own duty is 成都's to decide
    duties.report_duty_set(actor=a["city_rev"], form=FORM, year=YEAR, org=tree.c1, levels=["grassroots"])
    assert not duties.must_report(FORM, YEAR, tree.k1)  # 成都 no longer asks its counties
    assert services.expected_children(tree.c1, FORM, YEAR) == []
    duties.report_duty_set(actor=a["k1_rev"], form=FORM, year=YEAR, org=tree.k1, levels=None)  # back to 成都's
    assert duties.must_report(FORM, YEAR, tree.g1)
    assert not ReportDuty.objects.filter(org=tree.k1).exists()


def test_a_union_asks_single_children_whatever_their_level(a, tree):
    g2 = make_org(tree.k1, "510107-0002", "武侯区自来水有限公司工会委员会", OrgLevel.GRASSROOTS, "510107")
    duties.report_duty_set(actor=a["k1_rev"], form=FORM, year=YEAR, org=tree.k1, levels=["industry"],
                           units=[tree.g1.code], note="供电公司须报送")
    assert duties.must_report(FORM, YEAR, tree.g1) and not duties.must_report(FORM, YEAR, g2)
    assert services.expected_children(tree.k1, FORM, YEAR) == [tree.g1]
    k1 = submit(a["k1"], tree.k1)
    with pytest.raises(ValidationError, match="供电公司"):
        services.report_approve(actor=a["city_rev"], report=k1)
    services.report_exempt(actor=a["k1_rev"], form=FORM, org=tree.g1, year=YEAR, reason="已停产")
    assert services.report_approve(actor=a["city_rev"], report=k1).status == S.APPROVED
    ev = AuditEvent.objects.get(action="report.duty")
    assert ev.after["units"] == tree.g1.name and ev.before["units"] == "（无）"
    # only its own direct children: not a unit of another subtree, not a grandchild, not a made-up code
    for bad in ([tree.k3.code], [tree.k2.code], ["nope"], [tree.g1.code, 7]):
        with pytest.raises(ValidationError, match="只能选择武侯区总工会的直属下级"):
            duties.report_duty_set(actor=a["k1_rev"], form=FORM, year=YEAR, org=tree.k1, levels=[], units=bad)
    with pytest.raises(ValidationError, match="直属下级"):
        duties.report_duty_set(actor=a["city_rev"], form=FORM, year=YEAR, org=tree.c1, levels=[],
                               units=[tree.g1.code])
    assert list(ReportDuty.objects.get().units.all()) == [tree.g1]


def test_the_root_decision_is_the_nationwide_default(users, tree):
    root_rev = actor_of(make_user("root_rev", tree.root, Role.REVIEWER))
    duties.report_duty_set(actor=root_rev, form=FORM, year=YEAR, org=tree.root, levels=["province", "grassroots"])
    assert duties.must_report(FORM, YEAR, tree.g1) and duties.must_report(FORM, YEAR, tree.p1)
    assert not duties.must_report(FORM, YEAR, tree.k1) and not duties.must_report(FORM, YEAR, tree.c1)
    assert duties.must_report(FORM, YEAR, tree.root)  # the top reports to no one; its own report is due


def test_only_the_union_itself_with_the_approve_permission_decides_and_each_decision_is_audited(a, tree):
    for who, org in (("k1", tree.k1), ("auditor", tree.p1), ("city_rev", tree.k1), ("outsider", tree.k1),
                     ("city", tree.c1)):
        with pytest.raises(PermissionDenied):
            duties.report_duty_set(actor=a[who], form=FORM, year=YEAR, org=org, levels=["grassroots"])
    with pytest.raises(ValidationError, match="武侯区总工会的下级中没有市\\(州\\)总工会、未知层级"):
        duties.report_duty_set(actor=a["k1_rev"], form=FORM, year=YEAR, org=tree.k1, levels=["city", "x" * 400])
    with pytest.raises(ValidationError, match="说明"):
        duties.report_duty_set(actor=a["k1_rev"], form=FORM, year=YEAR, org=tree.k1, levels=[], note="长" * 301)
    assert not ReportDuty.objects.exists() and not AuditEvent.objects.filter(action="report.duty").exists()
    duties.report_duty_set(actor=a["k1_rev"], form=FORM, year=YEAR, org=tree.k1, levels=["grassroots", "industry"],
                           note="企业工会须报送")
    duties.report_duty_set(actor=a["k1_rev"], form=FORM, year=YEAR, org=tree.k1, levels=[])  # nobody below
    row = ReportDuty.objects.get()
    assert (row.levels, row.set_by.username) == ([], "k1_rev")
    ev = list(AuditEvent.objects.filter(action="report.duty").order_by("id"))
    assert [e.org_id for e in ev] == [tree.k1.pk, tree.k1.pk]
    assert ev[0].before["levels"].startswith("省总工会") and ev[0].before["duty_source"] == "系统默认"
    assert ev[0].after["levels"] == "产业工会(工委)、基层工会" and ev[0].after["note"] == "企业工会须报送"
    assert ev[1].after["levels"] == "（无）"


# --- what follows the duty: deadline, lateness, board, reminder, waiting line, to-do ------------------------------

def test_only_units_that_must_report_have_a_deadline_and_count_as_late(a, users, tree):
    campaign_create(actor=actor_of(users.owner), org=tree.c1, year=YEAR, theme="两节",
                    report_deadline=date(2027, 2, 27))
    assert services.deadline_of(tree.k1, YEAR, FORM) == date(2027, 2, 27)
    assert services.deadline_of(tree.g1, YEAR, FORM) is None
    g1 = submit(a["g1"], tree.g1)  # a voluntary report
    assert g1.deadline is None and not g1.late
    late = services.completeness(FORM, YEAR, tree.k1, today=date(2027, 3, 1))
    assert late["late"] == 0 and late["expected"] == 0
    assert [x["org"].code for x in late["voluntary"]] == [tree.g1.code]
    # asked for the form, the same unit is late after the deadline
    services.report_return(actor=a["k1_rev"], report=g1, reason="补充")
    duties.report_duty_set(actor=a["k1_rev"], form=FORM, year=YEAR, org=tree.k1, levels=["grassroots"])
    late = services.completeness(FORM, YEAR, tree.k1, today=date(2027, 3, 1))
    assert late["late"] == 1 and late["voluntary"] == []
    assert services.report_submit(actor=a["g1"], report=g1, filled_by="张三", phone="1").deadline == date(2027, 2, 27)


def test_a_voluntary_draft_rests_and_a_required_one_waits_on_its_unit_and_the_to_do_follows(a, tree):
    g1 = services.report_get_or_create(actor=a["g1"], form=FORM, org=tree.g1, year=YEAR)
    assert services.WORKFLOW.waiting_on(g1) is None
    assert "submit" in services.WORKFLOW.allowed(a["g1"], g1)  # it may still be sent
    assert not [i for i in todo_for(a["g1"]).items if i.kind == "report"]
    duties.report_duty_set(actor=a["k1_rev"], form=FORM, year=YEAR, org=tree.k1, levels=["grassroots"])
    assert services.WORKFLOW.waiting_on(g1).org == tree.g1
    assert [i.pk for i in todo_for(a["g1"]).items if i.kind == "report"] == [g1.pk]


def test_the_city_reviewers_to_do_lists_the_county_report_exactly_when_it_may_be_approved(a, tree):
    k1 = submit(a["k1"], tree.k1)
    listed = [i.pk for i in todo_for(a["city_rev"]).items if i.kind == "report"]
    assert listed == [k1.pk]  # the default: nothing below 武侯 holds it back
    duties.report_duty_set(actor=a["k1_rev"], form=FORM, year=YEAR, org=tree.k1, levels=["grassroots"])
    assert not [i for i in todo_for(a["city_rev"]).items if i.kind == "report"]  # the same guard holds it


def test_a_voluntary_report_adds_up_once_approved(a, tree):
    g1 = services.report_get_or_create(actor=a["g1"], form=FORM, org=tree.g1, year=YEAR)
    services.cells_save(actor=a["g1"], report=g1, values={"1.A": {"value": "7"}})
    services.report_approve(actor=a["k1_rev"], report=services.report_submit(
        actor=a["g1"], report=g1, filled_by="张三", phone="1"))
    r = services.report_get_or_create(actor=a["k1"], form=FORM, org=tree.k1, year=YEAR)
    services.cells_save(actor=a["k1"], report=r, values={"1.A": {"value": "3"}})
    assert services.report_submit(actor=a["k1"], report=r, filled_by="李四", phone="1").figures["1.A"] == "10"


def test_the_default_covers_industry_direct_and_group_unions_but_not_townships(a, tree):
    kids = {lv: make_org(tree.k1, f"510107-{lv}", f"武侯区{lv}工会", lv) for lv in
            (OrgLevel.INDUSTRY, OrgLevel.DIRECT, OrgLevel.GROUP, OrgLevel.TOWNSHIP)}
    expected = {o.level for o in services.expected_children(tree.k1, FORM, YEAR)}
    assert expected == {"industry", "direct", "group"}
    assert duties.levels_below(tree.k1) == ["industry", "direct", "group", "township", "grassroots"]
    assert kids[OrgLevel.TOWNSHIP] not in services.expected_children(tree.k1, FORM, YEAR)


# --- the board page and the API -----------------------------------------------------------------------------------

def board_url(org) -> str:
    return reverse("report_board", args=[FORM, YEAR]) + f"?org={org.code}"


def test_the_board_explains_the_default_and_the_county_sets_its_duty(client, a, tree):
    client.force_login(a["k1_rev"].user)
    page = client.get(board_url(tree.k1)).content.decode()
    assert "系统默认" in page and "基层工会只在上级工会规定时报送" in page and 'id="duty-form"' in page
    assert "基层工会 1 个（不须报送）" in page
    r = client.post(board_url(tree.k1), {"org": tree.k1.code, "action": "duty", "levels": ["grassroots"],
                                         "note": "企业工会须报送"}, follow=True)
    page = r.content.decode()
    assert "报送范围已保存：基层工会" in page and "基层工会 1 个（须报送）" in page and 'id="duty-clear"' in page
    assert ReportDuty.objects.get().levels == ["grassroots"]
    r = client.post(board_url(tree.k1), {"org": tree.k1.code, "action": "duty", "levels": ["province"]})
    assert r.status_code == 422 and "没有省总工会" in r.content.decode()
    assert ReportDuty.objects.get().levels == ["grassroots"]
    # one grassroots unit asked by name, the level unticked
    r = client.post(board_url(tree.k1), {"org": tree.k1.code, "action": "duty", "levels": ["industry"],
                                         "units": [tree.g1.code]}, follow=True)
    page = r.content.decode()
    assert 'id="duty-unit-names">武侯区供电公司工会委员会<' in page and "（单独要求报送）" in page
    assert "基层工会 1 个（须报送）" in page and f'id="duty-unit-{tree.g1.code}" checked' in page
    r = client.post(board_url(tree.k1), {"org": tree.k1.code, "action": "duty_clear"}, follow=True)
    assert "报送范围恢复为系统默认" in r.content.decode() and not ReportDuty.objects.exists()


def test_the_report_page_says_when_a_unit_need_not_report(client, a, tree):
    client.force_login(a["g1"].user)
    page = client.get(reverse("report_detail", args=[FORM, YEAR]) + f"?org={tree.g1.code}").content.decode()
    assert 'id="duty-note"' in page and "不须报送此表" in page
    client.force_login(a["k1"].user)
    page = client.get(reverse("report_detail", args=[FORM, YEAR]) + f"?org={tree.k1.code}").content.decode()
    assert 'id="duty-note"' not in page


def test_who_may_not_set_the_duty_on_the_board(client, a, users, tree):
    data = {"org": tree.k1.code, "action": "duty", "levels": ["grassroots"]}
    client.force_login(users.outsider)  # 海南: 武侯 does not exist for it
    assert client.post(board_url(tree.k1), data).status_code == 404
    assert client.get(board_url(tree.k1)).status_code == 404
    for user in (users.county, users.auditor, users.colleague):  # 武侯's handler, the 经审, 成都's reviewer
        client.force_login(user)
        assert client.post(board_url(tree.k1), data).status_code == 403, user.username
    client.force_login(users.colleague)  # 成都's reviewer sees 武侯's duty but may not change it
    page = client.get(board_url(tree.k1)).content.decode()
    assert 'id="duty-now"' in page and 'id="duty-form"' not in page
    assert not ReportDuty.objects.exists()


def api(client, method, path, user, body=None):
    auth = {"HTTP_AUTHORIZATION": "Bearer " + token_create(actor=actor_of(user), name="t")[1]}
    if method == "GET":
        return client.get(path, **auth)
    return client.post(path, json.dumps(body), content_type="application/json", **auth)


def test_the_api_reads_and_sets_the_duty_and_the_outsider_reaches_nothing(client, a, users, tree):
    base = f"/api/reports/{FORM}/{YEAR}"
    r = api(client, "GET", f"{base}/duty?org={tree.k1.code}", users.county)
    body = r.json()
    assert r.status_code == 200 and body["source"] == "系统默认" and "grassroots" not in body["levels"]
    assert body["possible"] == ["industry", "direct", "group", "township", "grassroots"]
    assert api(client, "GET", f"{base}/duty?org={tree.k1.code}", users.outsider).status_code == 404
    assert api(client, "POST", f"{base}/duty", users.outsider, {"org": tree.k1.code, "levels": []}).status_code == 404
    assert api(client, "POST", f"{base}/duty", users.county, {"org": tree.k1.code, "levels": []}).status_code == 403
    r = api(client, "POST", f"{base}/duty", a["k1_rev"].user, {"levels": ["grassroots", "nation"]})
    assert r.status_code == 422 and "未知层级" in json.dumps(r.json(), ensure_ascii=False)
    r = api(client, "POST", f"{base}/duty", a["k1_rev"].user, {"levels": ["grassroots"], "note": "须报送"})
    assert r.status_code == 200 and r.json()["levels"] == ["grassroots"] and r.json()["own"]
    board = api(client, "GET", f"{base}/completeness?org={tree.k1.code}", users.owner).json()
    assert board["expected"] == 1 and board["duty"]["levels"] == ["grassroots"]
    g1 = api(client, "GET", f"{base}/duty?org={tree.g1.code}", users.owner).json()
    assert g1["must_report"] is True and g1["source"] == "武侯区总工会设定"
    r = api(client, "POST", f"{base}/duty", a["k1_rev"].user, {"levels": [], "units": [tree.g1.code]})
    assert r.status_code == 200 and r.json()["units"] == [tree.g1.code] and r.json()["levels"] == []
    r = api(client, "POST", f"{base}/duty", a["k1_rev"].user, {"units": [tree.k3.code]})
    assert r.status_code == 422 and ReportDuty.objects.get().units.get() == tree.g1
    r = api(client, "POST", f"{base}/duty", a["k1_rev"].user, {"inherit": True})
    assert r.status_code == 200 and r.json()["source"] == "系统默认" and not ReportDuty.objects.exists()
