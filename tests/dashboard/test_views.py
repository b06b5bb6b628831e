"""The dashboard page: who may see it (领导, 财务, 经审 and 审核人 of the subtree; a 经办人 gets 403, an outsider 404
for an org of another subtree and nothing of it on their own page), its tables holding the figures, the chart
data passed through json_script under the CSP, the demo season, and Chart.js served by the app itself."""

import json
import re
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.dashboard.conftest import money
from warmth.core.money import format_yuan
from warmth.dashboard import queries

pytestmark = pytest.mark.django_db
URL = "/dashboard/"


def text_of(html: str, element_id: str) -> str:
    m = re.search(rf'id="{re.escape(element_id)}"[^>]*>(.*?)</(th|td|strong|tr|h1)>', html, re.S)
    assert m, f"#{element_id} not on the page"
    return unescape(re.sub(r"<[^>]+>", "", m.group(1))).strip()


def row_cells(html: str, attr: str, value: str) -> list[str]:
    m = re.search(rf'<tr[^>]*{attr}="{re.escape(value)}"[^>]*>(.*?)</tr>', html, re.S)
    assert m, f"row {attr}={value} not on the page"
    return [unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>",
                                                                            m.group(1), re.S)]


def chart_data(html: str) -> dict:
    m = re.search(r'<script id="dash-data" type="application/json">(.*?)</script>', html, re.S)
    assert m
    return json.loads(m.group(1))


def get(client, user, query=""):
    client.force_login(user)
    return client.get(URL + query)


def test_the_route_is_named_dashboard():
    assert reverse("dashboard") == URL


def test_anonymous_is_sent_to_log_in(client):
    r = client.get(URL)
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_a_handler_without_the_dashboard_permission_gets_403(world, client, users, tree):
    assert get(client, users.county).status_code == 403
    assert get(client, users.county, f"?org={tree.k1.code}").status_code == 403


@pytest.mark.parametrize("who", ["leader", "finance", "auditor", "reviewer"])
def test_leaders_finance_auditors_and_reviewers_see_it(world, client, users, tree, who):
    user = {"leader": world.fin.users.c1_leader, "finance": users.finance, "auditor": users.auditor,
            "reviewer": users.colleague}[who]
    r = get(client, user, f"?org={tree.c1.code}")
    assert r.status_code == 200
    assert "数据看板 · 成都市总工会 2025年度" in text_of(r.content.decode(), "dash-title")


def test_the_province_without_a_campaign_of_its_own_sees_its_coverage(world, client, users, tree):
    html = get(client, users.leader).content.decode()  # 四川's leader: only 成都 below it has a campaign
    assert "数据看板 · 四川省总工会 2025年度" in text_of(html, "dash-title")
    assert text_of(html, "kpi-visited") == "3" and text_of(html, "kpi-filed") == text_of(html, "cov-filed") == "15"
    assert text_of(html, "kpi-as-of").startswith("截至 2026-02-17")
    assert row_cells(html, "data-org", tree.c1.code)[:4] == ["成都市总工会", "15", "3", "12"]
    assert f"{reverse('season_coverage')}?org={tree.c1.code}&amp;year=2025" in html  # on to the households


def test_the_root_and_its_admin_see_the_dashboard(world, client, users, tree):
    from tests.conftest import make_user
    from warmth.orgs.models import Role

    root_admin = make_user("root_admin", tree.root, Role.ADMIN)
    r = get(client, root_admin)
    html = r.content.decode()
    assert r.status_code == 200 and "中华全国总工会" in text_of(html, "dash-title")
    assert text_of(html, "cov-filed") == "15" and text_of(html, "kpi-visited") == "3"
    assert row_cells(html, "data-org", tree.p1.code)[:3] == ["四川省总工会", "15", "3"]
    # the province's admin too, inside its own subtree only
    assert get(client, users.admin).status_code == 200
    assert get(client, users.admin, f"?org={tree.p2.code}").status_code == 404


def test_an_outsider_gets_404_for_an_org_of_another_subtree(world, client, users, tree):
    assert get(client, users.outsider, f"?org={tree.c1.code}").status_code == 404  # before the role check
    assert get(client, world.hn_leader, f"?org={tree.c1.code}").status_code == 404
    assert get(client, world.hn_leader, f"?org={tree.k1.code}&year=2025").status_code == 404
    assert get(client, world.fin.users.k1_leader, f"?org={tree.c1.code}").status_code == 404  # not even upwards


def test_the_outsiders_own_dashboard_shows_nothing_of_chengdu(world, client, tree):
    r = get(client, world.hn_leader)
    html = r.content.decode()
    assert r.status_code == 200 and "海南省总工会" in html
    for marker in ("成都", "武侯", "锦江", "510100", "510107", "510104", "张小明"):
        assert marker not in html, marker
    assert text_of(html, "money-raised") == "7,777.00"
    for figure in ("110,000.00", "4,850.00", "3,250.00"):
        assert figure not in html
    assert "2025年度海南省总工会及下级没有在档户，也没有送温暖活动。" in html
    data = chart_data(html)
    assert data["money"]["labels"] == ["本级工会经费"] and data["coverage"]["labels"] == []


def test_the_tables_hold_the_figures_of_chengdu(world, client, tree):
    html = get(client, world.fin.users.c1_leader).content.decode()
    rows, total = queries.money_by_source(tree.c1, 2025)
    for r in rows:
        assert row_cells(html, "data-source", r.source) == [
            r.label, *(format_yuan(getattr(r, c)) for c in ("raised", "received", "allocated", "paid", "balance"))]
    assert text_of(html, "money-raised") == "135,000.00" == format_yuan(total.raised)
    assert text_of(html, "money-paid") == format_yuan(total.paid) == "5,350.00"
    assert text_of(html, "money-balance") == format_yuan(total.balance)
    # 帮扶项目
    assert row_cells(html, "data-aid", "生活救助") == ["生活救助", "2", "1,650.00"]
    assert row_cells(html, "data-aid", "送温暖慰问") == ["送温暖慰问", "3", "2,400.00"]
    assert (text_of(html, "aid-count"), text_of(html, "aid-amount")) == ("7", "4,850.00")
    # coverage by child
    assert row_cells(html, "data-org", tree.k1.code) == ["武侯区总工会", "13", "2", "11", "15.4%"]
    assert row_cells(html, "data-org", tree.k2.code) == ["锦江区总工会", "1", "1", "0", "100.0%"]
    assert (text_of(html, "cov-filed"), text_of(html, "cov-visited"), text_of(html, "cov-missing")) == (
        "15", "3", "12")
    # paid per day in the window, and around it
    assert row_cells(html, "data-start", "2026-01-15") == ["2026-01-15", "2", "1,650.00"]
    assert text_of(html, "timeline-amount") == "3,250.00" and text_of(html, "timeline-count") == "4"
    assert row_cells(html, "id", "timeline-before") == ["活动开始前", "1", "500.00"]
    assert row_cells(html, "id", "timeline-after") == ["活动结束后", "1", "300.00"]
    assert "按发放日期" in html
    # this season against the one before
    assert row_cells(html, "id", "compare-filed") == ["在档户数", "8", "15", "+7"]
    assert row_cells(html, "id", "compare-visited") == ["走访户数", "2", "3", "+1"]
    assert row_cells(html, "id", "compare-raised") == ["资金到位（元）", "86,000.00", "165,000.00", "+79,000.00"]
    assert row_cells(html, "id", "compare-paid") == ["发放（元）", "400.00", "5,350.00", "+4,950.00"]
    assert text_of(html, "kpi-paid") == "5,350.00" and text_of(html, "kpi-filed") == "15"


def test_the_chart_data_are_the_table_figures(world, client, tree):
    data = chart_data(get(client, world.fin.users.c1_leader).content.decode())
    rows, _ = queries.money_by_source(tree.c1, 2025)
    assert data["money"]["labels"] == [r.label for r in rows]
    paid = next(s for s in data["money"]["series"] if s["key"] == "paid")
    assert [Decimal(v) for v in paid["values"]] == [r.paid for r in rows]
    assert dict(zip(data["aid"]["labels"], map(Decimal, data["aid"]["values"]), strict=True))["生活救助"] == money(1650)
    assert data["coverage"] == {"labels": ["武侯区总工会", "锦江区总工会", "本级直属"], "visited": [2, 1, 0],
                                "not_visited": [11, 0, 1]}
    assert len(data["timeline"]["labels"]) == 48 and sum(map(Decimal, data["timeline"]["values"])) == money(3250)
    assert data["compare"]["filed"] == [15, 8] and data["compare"]["paid"] == ["5350.00", "400.00"]


def test_drill_down_to_a_county_and_back_up(world, client, tree):
    html = get(client, world.fin.users.c1_leader, f"?org={tree.k1.code}").content.decode()
    assert "武侯区总工会" in text_of(html, "dash-title")
    assert f'href="?org={tree.c1.code}&amp;year=2025"' in html  # the way back up, inside the actor's subtree
    assert text_of(html, "aid-amount") == "4,250.00" and text_of(html, "cov-filed") == "13"
    # 武侯's own leader sees 武侯 and has no way up to 成都
    html = get(client, world.fin.users.k1_leader).content.decode()
    assert "武侯区总工会" in text_of(html, "dash-title") and f"?org={tree.c1.code}" not in html


def test_the_year_can_be_chosen_and_a_bad_one_falls_back_to_the_default(world, client, tree):
    html = get(client, world.fin.users.c1_leader, "?year=2024").content.decode()
    assert "2024年度" in text_of(html, "dash-title")
    assert row_cells(html, "data-aid", "送温暖慰问") == ["送温暖慰问", "1", "400.00"]
    assert row_cells(html, "id", "compare-raised")[1:3] == ["0.00", "86,000.00"]  # 2023 had nothing
    assert row_cells(html, "id", "compare-visited")[1] == "—"  # no campaign in 2023
    for bad in ("abc", "1999", "3000"):
        html = get(client, world.fin.users.c1_leader, f"?year={bad}").content.decode()
        assert "2025年度" in text_of(html, "dash-title")


def test_the_page_keeps_to_the_csp(world, client):
    r = get(client, world.fin.users.c1_leader)
    html = r.content.decode()
    assert "script-src 'self'" in r["Content-Security-Policy"] and "style-src 'self'" in r["Content-Security-Policy"]
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    for attrs, body in scripts:
        assert 'src="/static/' in attrs or ('type="application/json"' in attrs), attrs
        assert not body.strip() or 'type="application/json"' in attrs
    assert ' style="' not in html and "<style" not in html
    assert 'src="/static/vendor/chartjs/chart.umd.js"' in html and 'src="/static/warmth/dashboard.js"' in html
    assert not re.search(r"\bcdn\b|cdn\.|//cdn", html.lower()) and "https://" not in html  # a word, not a token


def test_the_page_is_a_fixed_number_of_queries(world, client, tree, django_assert_max_num_queries):
    client.force_login(world.fin.users.c1_leader)
    with django_assert_max_num_queries(40):
        assert client.get(URL).status_code == 200


def test_the_page_renders_with_the_demo_data(client):
    from warmth.demo.archives import seed_archives
    from warmth.demo.campaigns import seed_campaigns
    from warmth.demo.funds import seed_funds
    from warmth.demo.orgs import seed_orgs
    from warmth.demo.payments import seed_payments
    from warmth.demo.pipeline import DemoContext
    from warmth.orgs.models import Org, User

    ctx = DemoContext(scale="small", seed=7, year=2025, out=lambda _line: None)
    for fn in (seed_orgs, seed_archives, seed_funds, seed_campaigns, seed_payments):
        fn(ctx)
    chengdu = Org.objects.get(code="510100")
    for username in ("cd_leader", "sc_leader", "cd_finance", "sc_auditor", "cd_reviewer"):
        r = get(client, User.objects.get(username=username))
        assert r.status_code == 200, username
    html = get(client, User.objects.get(username="cd_leader")).content.decode()
    _, total = queries.money_by_source(chengdu, 2025)
    assert total.received > 0 and text_of(html, "money-received") == format_yuan(total.received)
    assert text_of(html, "money-raised") == format_yuan(total.raised)
    assert text_of(html, "money-balance") == format_yuan(total.balance)
    _, aid = queries.paid_by_aid_type(chengdu, 2025)
    assert aid.count > 0 and text_of(html, "aid-amount") == format_yuan(aid.amount)
    cov = queries.coverage(chengdu, 2025, queries.covering_campaign(chengdu, 2025))
    assert text_of(html, "kpi-filed") == f"{cov.total.filed:,}"  # one 在档 on the page: the KPI is the table's
    assert 0 < cov.total.visited < cov.total.filed
    assert text_of(html, "cov-filed") == f"{cov.total.filed:,}" and text_of(html, "cov-visited") == str(
        cov.total.visited)
    now, _ = queries.compare(chengdu, 2025)
    assert now.filed > 0 and row_cells(html, "id", "compare-filed")[2] == f"{now.filed:,}"
    assert get(client, User.objects.get(username="wh_handler")).status_code == 403
    assert get(client, User.objects.get(username="hn_handler"), "?org=510100").status_code == 404


def test_chart_js_is_served_by_the_app_with_its_licence(client):
    found = finders.find("vendor/chartjs/chart.umd.js")
    assert found is not None
    folder = Path(found).parent
    head = Path(found).read_text(encoding="utf-8")[:200]
    assert "Chart.js v4" in head and "MIT" in head
    assert "MIT License" in (folder / "LICENSE.md").read_text(encoding="utf-8")
    assert "MIT License" in (folder / "LICENSE-kurkle-color.md").read_text(encoding="utf-8")  # bundled inside
    # the file names its source map; collectstatic's manifest storage needs it to exist
    assert (folder / "chart.umd.js.map").exists()
    assert finders.find("warmth/dashboard.js") and finders.find("dashboard/dashboard.css")
    r = client.get("/static/vendor/chartjs/chart.umd.js")
    assert r.status_code == 200 and "javascript" in r["Content-Type"]
    assert b"Chart.js v4" in b"".join(r.streaming_content if r.streaming else [r.content])


# --- the home page's card of the season -------------------------------------------------------------------

def test_the_home_page_loads_the_season_card_with_the_dashboards_headline_figures(world, client, tree):
    client.force_login(world.fin.users.c1_leader)
    home = client.get("/").content.decode()
    assert 'data-fragment="/dashboard/season-panel/"' in home and 'data-fragment="/todo/panel/"' in home
    assert "业务模块正在陆续上线" not in home
    card = client.get("/dashboard/season-panel/").content.decode()
    now = queries.compare(tree.c1, 2025)[0]
    assert "2025年度送温暖 · 成都市总工会" in card
    assert f"{now.filed:,} 户" in card and f"截至 {now.as_of:%Y-%m-%d}" in card
    assert f"{now.visited:,} 户" in card and f"覆盖率 {now.visited * 100 / now.filed:.1f}%" in card
    assert f"{format_yuan(now.raised)} 元" in card and f"{format_yuan(now.paid)} 元" in card
    assert now.filed == 15 and now.paid > 0  # the figures of the small season, not zeros


def test_the_season_card_is_empty_for_a_handler_and_shows_an_outsider_only_their_own_org(world, client, users):
    client.force_login(users.county)
    card = client.get("/dashboard/season-panel/").content.decode()
    assert 'id="season-panel-none"' in card and "在档户数" not in card
    client.force_login(world.hn_leader)
    card = client.get("/dashboard/season-panel/").content.decode()
    assert "海南省总工会" in card and "成都" not in card and "武侯" not in card
