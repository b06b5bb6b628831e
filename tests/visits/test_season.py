"""Acceptance on the small demo: coverage at every level, from the root down to the household, and one
definition of 在档 (as of a stated day) behind the coverage, the dashboard and the statistics form."""

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from warmth.archives.models import Archive
from warmth.archives.queries import _filed_by_times, filed_on
from warmth.campaigns.models import Campaign
from warmth.campaigns.queries import as_of_day
from warmth.dashboard import queries as dashboard
from warmth.demo.archives import seed_archives
from warmth.demo.campaigns import seed_campaigns
from warmth.demo.funds import seed_funds
from warmth.demo.orgs import seed_orgs
from warmth.demo.payments import seed_payments
from warmth.demo.pipeline import DemoContext
from warmth.orgs.models import Org, User
from warmth.reports import services as reports
from warmth.reports.definitions import definition
from warmth.visits import queries

pytestmark = pytest.mark.django_db
YEAR = 2025


@pytest.fixture(scope="module")
def _seeded(django_db_setup, django_db_blocker):
    from warmth.audit import triggers
    from warmth.funds import triggers as ledger_triggers

    with django_db_blocker.unblock(), transaction.atomic():
        triggers.install(connection)
        ledger_triggers.install(connection)
        ctx = DemoContext(scale="small", seed=7, year=YEAR, out=lambda _line: None)
        for fn in (seed_orgs, seed_archives, seed_funds, seed_campaigns, seed_payments):
            fn(ctx)
        User.objects.update(must_change_password=False)
        yield ctx
        transaction.set_rollback(True)


@pytest.fixture
def demo(_seeded, db):
    return _seeded


def _coverage(*args) -> dict:
    out = StringIO()
    call_command("campaigns", "coverage", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def _adds_up(row: dict) -> None:
    assert row["filed"] == row["visited"] + row["not_visited"], row["name"]
    assert row["models_filed"] == row["models_visited"] + row["models_not_visited"], row["name"]


def test_coverage_of_the_root_and_the_province_adds_up_for_each_child(demo):
    chengdu = Campaign.objects.get()  # the demo's one campaign is 成都's: no campaign covers 四川 or the root
    root = _coverage("--org", "ACFTU", "--year", str(YEAR))
    _adds_up(root)
    for row in root["children"]:
        _adds_up(row)
    assert sum(r["filed"] for r in root["children"]) == root["filed"]
    assert root["visited"] > 0 and [c["id"] for c in root["campaigns"]] == [chengdu.pk]
    sichuan = _coverage("--org", "510000", "--year", str(YEAR))
    _adds_up(sichuan)
    for row in sichuan["children"]:
        _adds_up(row)
    city = _coverage("--org", "510100", "--year", str(YEAR))
    by_code = {r["code"]: r for r in sichuan["children"]}
    # 成都's row in 四川's table is 成都's own coverage; every visit of the demo is under 成都
    assert {k: by_code["510100"][k] for k in ("filed", "visited", "not_visited")} == {
        k: city[k] for k in ("filed", "visited", "not_visited")}
    assert root["visited"] == sichuan["visited"] == city["visited"]
    assert {r["code"]: r["visited"] for r in root["children"]}["460000"] == 0  # 海南 filed, nobody visited
    assert root["as_of"] == as_of_day(Org.objects.get(code="ACFTU"), YEAR).isoformat()


def test_one_figure_of_filed_households_on_the_dashboard_the_coverage_and_the_form(demo):
    form = definition("warmth-2015")
    for code in ("510100", "510000", "ACFTU", "510107"):
        org = Org.objects.get(code=code)
        day = as_of_day(org, YEAR)
        cov = queries.coverage(org, YEAR, day)
        now, _ = dashboard.compare(org, YEAR)
        figure = dashboard.coverage(org, YEAR, dashboard.covering_campaign(org, YEAR))
        cells = reports.compute(form, org, YEAR)
        assert now.as_of == figure.as_of == reports.as_of(org, YEAR) == day, code
        assert now.filed == figure.total.filed == cov.filed == cells["3.A"].value, code
        assert now.visited == figure.total.visited == cov.visited, code
        # 在档 counts an archive whose exit is still being decided, and it is what the records say that day
        assert cov.filed == Archive.objects.filter(filed_on(day), org__path__startswith=org.path).count()


def test_filed_now_by_state_equals_filed_today_by_the_approval_and_exit_times(demo):
    today = timezone.localdate()
    by_state = set(Archive.objects.filter(filed_on(today)).values_list("pk", flat=True))
    by_times = set(Archive.objects.filter(_filed_by_times(today)).values_list("pk", flat=True))
    assert by_state == by_times and len(by_state) > 100
    assert Archive.objects.filter(pk__in=by_state, status__in=["exit_review", "exit_publicizing"]).exists()


def _text(html: str, element_id: str) -> str:
    m = re.search(rf'id="{element_id}"[^>]*>(.*?)<', html, re.S)
    assert m, element_id
    return m.group(1).strip()


def test_the_province_and_the_root_see_coverage_and_drill_down_to_the_household(demo, client):
    client.force_login(User.objects.get(username="sc_leader"))
    html = client.get(reverse("dashboard")).content.decode()
    sichuan = queries.coverage(Org.objects.get(code="510000"), YEAR, as_of_day(Org.objects.get(code="510000"), YEAR))
    assert _text(html, "kpi-visited") == f"{sichuan.visited:,}" != "—"
    assert _text(html, "kpi-filed") == _text(html, "cov-filed") == f"{sichuan.filed:,}"
    day = as_of_day(Org.objects.get(code="510000"), YEAR)
    assert f"截至 {day:%Y-%m-%d}" in _text(html, "kpi-as-of")
    assert 'data-org="510100"' in html and f"{reverse('season_coverage')}?org=510000&amp;year={YEAR}" in html
    # down: 四川 → 成都 → 武侯, whose page lists its households not visited
    page = client.get(reverse("season_coverage"), {"org": "510100", "year": YEAR}).content.decode()
    assert _text(page, "cov-as-of") == f"{day:%Y-%m-%d}" and "?org=510107&amp;year=2025" in page
    page = client.get(reverse("season_coverage"), {"org": "510107", "year": YEAR}).content.decode()
    wuhou = Org.objects.get(code="510107")
    missing = queries.not_visited(wuhou, YEAR, as_of_day(wuhou, YEAR))
    assert missing.exists() and missing.first().archive_no in page
    # the root's admin (the demo's root account) sees the nation's dashboard: no 403
    client.force_login(User.objects.get(username="root"))
    r = client.get(reverse("dashboard"))
    html = r.content.decode()
    root = queries.coverage(Org.objects.get(code="ACFTU"), YEAR, as_of_day(Org.objects.get(code="ACFTU"), YEAR))
    assert r.status_code == 200 and _text(html, "cov-filed") == f"{root.filed:,}"
    assert 'data-org="510000"' in html and 'data-org="460000"' in html


def test_every_page_opens_on_the_same_season(demo, client):
    from warmth.core.season import default_season

    client.force_login(User.objects.get(username="sc_leader"))
    season = default_season(Org.objects.get(code="510000"))
    assert season == YEAR  # the demo's campaign is the latest (or the running one)
    dash = client.get(reverse("dashboard")).content.decode()
    assert f"{season}年度" in _text(dash, "dash-title")
    assert f'<option value="{season}" selected' in dash
    reports_page = client.get(reverse("report_index")).content.decode()
    assert f"{season} 年度" in reports_page and f"{season + 1} 年度" not in reports_page
    funds = client.get(reverse("funds_home")).content.decode()
    assert f'name="year" id="id_year" value="{season}"' in funds


def test_the_report_prints_the_day_beside_its_filed_households(demo, client):
    client.force_login(User.objects.get(username="cd_handler"))
    chengdu = Org.objects.get(code="510100")
    day = as_of_day(chengdu, YEAR)
    html = client.get(reverse("report_detail", args=["warmth-2015", YEAR])).content.decode()
    cov = queries.coverage(chengdu, YEAR, day)
    assert _text(html, "value-3_A") == str(cov.filed)
    assert _text(html, "as-of-3_A") == f"在档截至 {day:%Y-%m-%d}" == _text(html, "as-of-2_A")
    assert 'id="as-of-3_F"' not in html and 'id="as-of-4_D"' not in html  # lifted and visits are the season's
    cell = client.get(reverse("report_cell", args=["warmth-2015", YEAR, "3.A"])).content.decode()
    assert _text(cell, "cell-as-of") == f"{day:%Y-%m-%d}"
