"""The campaign pages: 成都's handler plans a campaign and a group, 武侯's handler records visits, coverage moves,
the documents download; the 海南 outsider reaches nothing; the auditor reads but cannot write."""

import subprocess
from io import BytesIO

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from tests.conftest import make_user
from tests.tools import tool
from warmth.audit.models import AuditEvent
from warmth.campaigns import services
from warmth.campaigns.models import Activity, ArrearsReport, Campaign, VisitGroup
from warmth.orgs.models import Role
from warmth.visits import services as visit_services
from warmth.visits.models import Visit

pytestmark = pytest.mark.django_db


def text(r) -> str:
    return r.content.decode()


def sheet(content: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(BytesIO(content)).get_sheet_by_index(0).to_python()


def test_create_a_campaign_with_the_lunar_defaults(client, users, tree):
    client.force_login(users.owner)
    r = client.post(reverse("campaign_create"), {
        "org": "510100", "year": "2025", "theme": "元旦春节送温暖活动", "doc_no": "成工发〔2025〕30号",
        "recipient_kinds": ["archive", "migrant"], "duty_保障部": "负责协调"}, follow=True)
    c = Campaign.objects.get()
    assert r.redirect_chain[-1][0] == reverse("campaign_detail", args=[c.pk])
    page = text(r)
    assert "2026年01月01日 至 2026年02月17日" in page and "01月25日 至 02月04日" in page
    assert c.duties == {"保障部": "负责协调"} and c.recipient_kinds == ["archive", "migrant"]


def test_bad_campaign_input_is_a_chinese_message_and_nothing_written(client, users):
    client.force_login(users.owner)
    r = client.post(reverse("campaign_create"), {"org": "510100", "year": "abc", "theme": ""})
    assert r.status_code == 422 and "请填写活动年度" in text(r)
    r = client.post(reverse("campaign_create"), {"org": "510100", "year": "2025", "theme": ""})
    assert r.status_code == 422 and "请填写活动主题" in text(r)
    assert not Campaign.objects.exists()


def test_plan_a_group_record_visits_and_see_coverage_move(client, camp, users, tree):
    c = camp.campaign
    client.force_login(users.owner)
    r = client.post(reverse("campaign_group_create", args=[c.pk]), {
        "name": "第一组", "leaders": "李丰海 唐建勋", "liaison": "邱军", "units": "510107, 510104",
        "departments": ["保障部", "宣教部"]}, follow=True)
    g = VisitGroup.objects.get()
    assert "不符合" in text(r)
    for a in (camp.arch.model, camp.arch.migrant, camp.arch.worker1, camp.arch.worker2):
        client.post(reverse("campaign_group_plan", args=[g.pk]), {"archive_no": a.archive_no})
    page = text(client.get(reverse("campaign_group", args=[g.pk])))
    assert page.count("✓ 符合") == 4
    before = text(client.get(reverse("campaign_coverage", args=[c.pk]) + "?org=510107"))
    assert 'id="cov-visited">0<' in before and 'id="cov-filed">4<' in before
    client.force_login(users.county)  # 武侯 records its own visits in 成都's campaign
    r = client.post(reverse("campaign_visit_create", args=[c.pk]), {
        "kind": "household", "visited_on": "2026-01-26", "visitors": "李丰海、邱军", "group": str(g.pk),
        "archive_no": camp.arch.worker1.archive_no, "handed_over": "米面油"}, follow=True)
    assert Visit.objects.count() == 1, text(r)
    client.force_login(users.owner)
    after = text(client.get(reverse("campaign_coverage", args=[c.pk]) + "?org=510107"))
    assert 'id="cov-visited">1<' in after and 'id="cov-missing">3<' in after
    city = text(client.get(reverse("campaign_detail", args=[c.pk])))
    assert "武侯区总工会" in city and 'id="cov-filed">5<' in city


def test_a_visit_to_an_inactive_archive_shows_why(client, camp, users):
    from warmth.archives.models import Archive

    Archive.objects.filter(pk=camp.arch.worker1.pk).update(status="exited")
    client.force_login(users.county)
    r = client.post(reverse("campaign_visit_create", args=[camp.campaign.pk]), {
        "kind": "household", "visited_on": "2026-01-26", "visitors": "x", "archive_no": camp.arch.worker1.archive_no})
    assert r.status_code == 422 and "只能走访在档户" in text(r)
    assert not Visit.objects.exists()


def test_not_visited_export_is_audited(client, camp, users):
    client.force_login(users.owner)
    r = client.get(reverse("campaign_coverage", args=[camp.campaign.pk]) + "?org=510100&format=xlsx")
    rows = sheet(r.content)
    names = {row[2] for row in rows[2:] if row[1]}
    assert camp.arch.model.name in names and rows[7][0] == "合计 5 户"
    assert AuditEvent.objects.filter(action="pii.export", object_type="campaign_not_visited").exists()


def test_group_table_exports_in_xlsx_and_pdf(client, camp, users, tree, tmp_path):
    services.group_create(actor=camp.planner, campaign=camp.campaign, name="第一组", leaders="李丰海 唐建勋",
                          liaison="邱军", units=[tree.k1, tree.k2], departments=["保障部", "女工部", "宣教部"])
    client.force_login(users.owner)
    x = client.get(reverse("campaign_group_export", args=[camp.campaign.pk]))
    rows = sheet(x.content)
    assert rows[1][0] == "走访慰问活动分组表" and rows[3][1] == "李丰海 唐建勋"
    assert "武侯区总工会" in rows[3][3]
    p = client.get(reverse("campaign_group_export", args=[camp.campaign.pk]) + "?format=pdf")
    path = tmp_path / "g.pdf"
    path.write_bytes(p.content)
    tool("pdftotext", "PDF read-back needs poppler-utils")
    tool("pdftoppm", "PDF read-back needs poppler-utils")
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    assert "走访慰问活动分组表" in out.stdout and "李丰海" in out.stdout and "邱军" in out.stdout
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-singlefile", str(path), str(tmp_path / "g")], check=True)
    assert (tmp_path / "g.png").stat().st_size > 1000


def test_activities_page_records_and_refuses(client, camp, users):
    client.force_login(users.county)
    r = client.post(reverse("campaign_activities"), {"kind": "rights_case", "org": "510107", "on_date": "2026-01-10",
                                                     "count": "5", "part": "6"})
    assert r.status_code == 422 and "不能超过总数" in text(r) and not Activity.objects.exists()
    client.post(reverse("campaign_activities"), {"kind": "bus", "org": "510107", "on_date": "2026-01-10",
                                                 "count": "3", "people": "150"})
    assert Activity.objects.get().people == 150


def test_arrears_page_submits_and_sums(client, camp, users, tree):
    client.force_login(users.county)
    url = reverse("campaign_arrears", args=[camp.campaign.pk]) + "?org=510107&week=2025-12-05"
    data = {"week": "2025-12-05", "org": "510107", "action": "submit", "head": "王", "filled_by": "李",
            "phone": "028-1234567", "state.amount": "3", "state.enterprises": "1", "state.people": "9",
            "urban.amount": "1", "urban.enterprises": "1", "urban.people": "4", "migrant.amount": "2",
            "migrant.enterprises": "1", "migrant.people": "5", "construction.amount": "2",
            "construction.enterprises": "1", "construction.people": "5"}
    client.post(url, data)
    assert ArrearsReport.objects.get().status == "submitted"
    bad = {**data, "construction.people": "6"}
    r = client.post(url, bad)
    assert r.status_code == 422 and "不能超过农民工" in text(r)
    client.force_login(users.owner)
    page = text(client.get(reverse("campaign_arrears", args=[camp.campaign.pk]) + "?org=510100&week=2025-12-05"))
    assert "本周未报送：锦江区总工会" in page
    x = client.get(reverse("campaign_arrears", args=[camp.campaign.pk]) + "?org=510107&week=2025-12-05&format=xlsx")
    rows = sheet(x.content)
    assert rows[3][1] == "国有企业" and rows[3][2] == 3 and rows[7][4] == 5


def test_duty_phone_is_masked_for_roles_without_full_view(client, camp, users, tree):
    services.duty_add(actor=camp.k1, campaign=camp.campaign, org=tree.k1, on_date=camp.day,
                      starts=__import__("datetime").time(8), ends=__import__("datetime").time(17), person="王值班",
                      phone="13912345678")
    leader = make_user("k1_leader_duty", tree.k1, Role.LEADER)
    client.force_login(leader)
    page = text(client.get(reverse("campaign_duty", args=[camp.campaign.pk])))
    assert "139****5678" in page and "13912345678" not in page


def test_outsider_reaches_nothing(client, camp, users, tree):
    g = services.group_create(actor=camp.planner, campaign=camp.campaign, name="第一组", leaders="a", liaison="b",
                              units=[tree.k1])
    v = visit_services.visit_record(actor=camp.planner, campaign=camp.campaign, kind="household", visited_on=camp.day,
                              visitors="x", archive=camp.arch.worker1).visit
    client.force_login(users.outsider)
    c = camp.campaign.pk
    for url in (reverse("campaign_detail", args=[c]), reverse("campaign_group", args=[g.pk]),
                reverse("campaign_coverage", args=[c]), reverse("campaign_visits", args=[c]),
                reverse("campaign_arrears", args=[c]), reverse("campaign_group_export", args=[c])):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("campaign_visit_void", args=[v.pk]), {"reason": "x"}).status_code == 404
    assert "成都" not in text(client.get(reverse("campaign_list")))
    v.refresh_from_db()
    assert not v.voided


def test_auditor_reads_but_cannot_write(client, camp, users):
    client.force_login(users.auditor)
    assert client.get(reverse("campaign_detail", args=[camp.campaign.pk])).status_code == 200
    r = client.post(reverse("campaign_visit_create", args=[camp.campaign.pk]), {"kind": "household"})
    assert r.status_code == 403 and not Visit.objects.exists()


def test_the_not_visited_list_holds_exactly_the_households_the_figures_say(client, camp, users):
    """The page states the list's length from the coverage figures (no second count): the rows must agree, for
    all households and for 劳模 only, including a household visited twice and one whose visit was voided."""
    from datetime import date

    from warmth.campaigns.choices import VisitKind

    a = camp.arch
    for archive, voided in ((a.model, False), (a.worker1, False), (a.worker1, False), (a.migrant, True)):
        Visit.objects.create(campaign=camp.campaign, org=archive.org, archive=archive, kind=VisitKind.HOUSEHOLD,
                             visited_on=date(2026, 1, 20), visitors="x", name=archive.name, voided=voided,
                             created_by=users.owner)
    client.force_login(users.owner)
    url = reverse("campaign_coverage", args=[camp.campaign.pk]) + "?org=510100"
    page = text(client.get(url))
    listed = {x.archive_no for x in (a.migrant, a.worker2, a.k2_worker)}
    missing = page.split('id="missing"')[1].split("</table>")[0]
    assert {no for no in (x.archive_no for x in vars(a).values()) if no in missing} == listed
    assert "尚未走访（3 户）" in page and 'id="cov-missing">3<' in page and 'id="cov-twice">1<' in page
    twice = page.split('id="twice"')[1].split("</table>")[0]
    assert a.worker1.archive_no in twice and a.model.archive_no not in twice
    models = text(client.get(url + "&models=1"))
    assert "尚未走访（0 户）" in models and "已全部走访" in models
    Visit.objects.filter(archive=a.model).update(voided=True)
    models = text(client.get(url + "&models=1"))
    assert "尚未走访（1 户）" in models and a.model.archive_no in models.split('id="missing"')[1]


def _city_group(camp, tree):
    """成都's group visiting 武侯 and 锦江, with a household of each."""
    g = services.group_create(actor=camp.planner, campaign=camp.campaign, name="第一组", leaders="李丰海",
                              liaison="邱军", units=[tree.k1, tree.k2])
    services.household_plan(actor=camp.planner, group=g, archive=camp.arch.worker1)
    services.household_plan(actor=camp.planner, group=g, archive=camp.arch.k2_worker)
    return g


def test_a_county_under_the_citys_campaign_sees_its_groups_read_only_with_only_its_own_households(
        client, camp, users, tree):
    g = _city_group(camp, tree)
    client.force_login(users.county)  # 武侯's handler, under 成都's campaign
    detail = text(client.get(reverse("campaign_detail", args=[camp.campaign.pk])))
    assert 'id="groups"' in detail and "第一组" in detail and "李丰海" in detail and 'id="groups-note"' in detail
    r = client.get(reverse("campaign_group", args=[g.pk]))
    page = text(r)
    assert r.status_code == 200 and 'id="group-readonly"' in page
    assert camp.arch.worker1.archive_no in page  # 武侯's own household, with the visit link
    assert camp.arch.k2_worker.archive_no not in page  # 锦江's household hidden
    assert 'id="households-hidden">另有 1 户' in page
    assert 'id="plan-form"' not in page and 'id="checklist-form"' not in page and "记录走访" in page
    # read only: planning into the city's group and its checklist are refused, nothing written
    r = client.post(reverse("campaign_group_plan", args=[g.pk]), {"archive_no": camp.arch.model.archive_no})
    assert r.status_code == 404
    r = client.post(reverse("campaign_group_checklist", args=[g.pk]), {"route": "步行"})
    assert r.status_code == 404
    g.refresh_from_db()
    assert g.households.count() == 2 and g.route == ""
    # the visit form of the campaign offers the city's group
    assert f'value="{g.pk}"' in text(client.get(reverse("campaign_visit_create", args=[camp.campaign.pk])))


def test_the_api_shows_the_citys_groups_to_the_county_with_its_own_households_only(client, camp, users, tree):
    g = _city_group(camp, tree)
    client.force_login(users.county)
    data = client.get(f"/api/campaigns/groups/{g.pk}").json()
    assert data["own"] is False and data["hidden"] == 1
    assert [h["archive_no"] for h in data["households"]] == [camp.arch.worker1.archive_no]
    detail = client.get(f"/api/campaigns/{camp.campaign.pk}").json()
    assert [x["name"] for x in detail["groups"]] == ["第一组"]
    r = client.post(f"/api/campaigns/groups/{g.pk}/households", {"archive_no": camp.arch.model.archive_no},
                    content_type="application/json")
    assert r.status_code == 404 and g.households.count() == 2
    client.force_login(users.owner)  # the planner sees every household
    data = client.get(f"/api/campaigns/groups/{g.pk}").json()
    assert data["own"] is True and data["hidden"] == 0 and len(data["households"]) == 2


def test_an_outsider_does_not_see_the_citys_groups(client, camp, users, tree):
    g = _city_group(camp, tree)
    client.force_login(users.outsider)
    assert client.get(reverse("campaign_group", args=[g.pk])).status_code == 404
    assert client.get(f"/api/campaigns/groups/{g.pk}").status_code == 404
