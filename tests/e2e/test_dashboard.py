"""数据看板 in a real browser: 成都's leader opens the dashboard, every chart is drawn by the app's own Chart.js under
the CSP (no console error), the tables under the charts hold the figures, and the drill-down to 武侯 redraws."""

from tests.dashboard.conftest import camp, fin, world  # noqa: F401 (fixtures)
from tests.e2e.test_archives import log_in, log_out

CHARTS = ("chart-money", "chart-aid", "chart-coverage", "chart-timeline", "chart-compare-households",
          "chart-compare-raised", "chart-compare-paid")

# a canvas is drawn when Chart.js owns it, it has a size and some of its pixels are not blank
DRAWN = """(id) => {
  const c = document.getElementById(id);
  if (!c || !window.Chart || !window.Chart.getChart(c) || !c.width || !c.height) return false;
  const px = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  let inked = 0;
  for (let i = 3; i < px.length; i += 4 * 7) { if (px[i] > 0) inked++; }
  return inked > 50;
}"""


def _wait_for_charts(page, ids=CHARTS):
    page.wait_for_function("n => document.documentElement.getAttribute('data-charts-drawn') === String(n)",
                           arg=len(ids))
    for chart_id in ids:
        assert page.evaluate(DRAWN, chart_id), chart_id
        box = page.locator(f"#{chart_id}").bounding_box()
        assert box and box["width"] > 200 and box["height"] > 150, chart_id


def test_the_leader_sees_the_charts_and_their_tables(live_server, page, shot, world, tree):  # noqa: F811
    log_in(page, live_server, "c1_leader")
    page.goto(f"{live_server.url}/dashboard/")
    _wait_for_charts(page)
    assert "数据看板 · 成都市总工会 2025年度" in page.inner_text("#dash-title")
    assert page.inner_text("#money-raised") == "135,000.00"
    assert page.inner_text("#aid-amount") == "4,850.00"
    assert (page.inner_text("#cov-filed"), page.inner_text("#cov-visited")) == ("15", "3")
    assert page.inner_text("#timeline-amount") == "3,250.00"
    assert page.inner_text("#compare-paid").split() == ["发放（元）", "400.00", "5,350.00", "+4,950.00"]
    assert page.evaluate("window.Chart.version").startswith("4.")
    shot(page, "dashboard-chengdu")

    page.click(f"#coverage-table >> text={tree.k1.name}")
    page.wait_for_url(f"**org={tree.k1.code}*")
    _wait_for_charts(page)
    assert page.inner_text("#aid-amount") == "4,250.00"
    shot(page, "dashboard-wuhou")

    page.select_option("#dash-year", "2024")
    page.click("#dash-filters button[type=submit]")
    page.wait_for_url("**year=2024*")
    # 武侯 in 2024: no payments in the window and its comparison with 2023; the rest still draws
    assert "2024年度" in page.inner_text("#dash-title")
    page.wait_for_function("() => document.documentElement.hasAttribute('data-charts-drawn')")
    assert page.console_errors == []


def test_the_demo_season_on_the_dashboard(live_server, page, shot):
    from warmth.demo.archives import seed_archives
    from warmth.demo.campaigns import seed_campaigns
    from warmth.demo.funds import seed_funds
    from warmth.demo.orgs import seed_orgs
    from warmth.demo.payments import seed_payments
    from warmth.demo.pipeline import DemoContext

    ctx = DemoContext(scale="small", seed=7, year=2025, out=lambda _line: None)
    for fn in (seed_orgs, seed_archives, seed_funds, seed_campaigns, seed_payments):
        fn(ctx)
    log_in(page, live_server, "sc_leader")
    page.goto(f"{live_server.url}/dashboard/?org=510100")
    # the demo marks its payments paid on the day it is loaded, after the 2026 window: no timeline chart then
    shown = [c for c in CHARTS if page.locator(f"#{c}").count()]
    assert set(CHARTS) - set(shown) <= {"chart-timeline"}
    _wait_for_charts(page, shown)
    assert "成都市总工会" in page.inner_text("#dash-title")
    assert page.locator("#coverage-table tbody tr").count() >= 3
    shot(page, "dashboard-demo-chengdu")
    # 四川's own dashboard: no campaign of its own, yet the visits of 成都's count (one 在档 on the whole page)
    page.goto(f"{live_server.url}/dashboard/")
    assert "四川省总工会" in page.inner_text("#dash-title") and page.inner_text("#kpi-visited") != "—"
    assert page.inner_text("#kpi-filed") == page.inner_text("#cov-filed")
    assert page.inner_text("#kpi-as-of").startswith("截至 ")
    shot(page, "dashboard-demo-sichuan")
    # down to the household: 四川 → 成都 → 武侯's not-visited list
    page.click("#cov-drill")
    page.wait_for_url("**/campaigns/coverage/**")
    assert page.inner_text("#cov-as-of") and "四川省总工会" in page.inner_text("h1")
    page.click("#coverage-table >> text=成都市总工会")
    page.wait_for_url("**org=510100*")
    page.click("#coverage-table >> text=武侯区总工会")
    page.wait_for_url("**org=510107*")
    assert page.locator("#missing tbody tr").count() >= 1
    shot(page, "coverage-demo-wuhou-households")
    assert page.console_errors == []
    # the root's account (系统管理员 of 全国总工会) opens the nation's dashboard
    log_out(page)
    log_in(page, live_server, "root")
    page.goto(f"{live_server.url}/dashboard/")
    assert "中华全国总工会" in page.inner_text("#dash-title")
    assert page.locator("#coverage-table tbody tr[data-org='510000']").count() == 1
    shot(page, "dashboard-demo-root")
    assert page.console_errors == []
