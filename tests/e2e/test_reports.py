"""统计表 in a real browser: under 成都 three counties (武侯, 锦江 and a new 青羊); 武侯 and 锦江 fill a manual cell
and submit, 锦江's first try refused by a rule; 成都's reviewer returns 锦江 with a reason, 锦江 corrects and
resubmits, 成都 approves both; the board shows 青羊 missing and records a reminder; 成都's xlsx holds the sum."""

from io import BytesIO
from pathlib import Path

from python_calamine import CalamineWorkbook

from tests.campaigns.conftest import quick_active
from tests.conftest import actor_of, make_org, make_user
from tests.e2e.test_archives import log_in, log_out
from warmth.audit.models import AuditEvent
from warmth.orgs.models import OrgLevel, Role
from warmth.reports import services
from warmth.reports.definitions import definition
from warmth.reports.models import Report, ReportStatus

S = ReportStatus
FORM = "warmth-2015"


def fill_and_submit(page, one_a, one_b, *, who="经办人", phone="028-85550001"):
    page.fill("#v-1_A", one_a)
    page.fill("#v-1_B", one_b)
    page.fill("#r-filled-by", who)
    page.fill("#r-phone", phone)
    page.click("#report-submit")
    page.wait_for_selector(".messages li, #errors")


def test_counties_submit_the_city_returns_approves_and_downloads(live_server, page, shot, users, tree):
    qingyang = make_org(tree.c1, "510105", "青羊区总工会", OrgLevel.COUNTY, "510105")
    make_user("k2_handler", tree.k2, Role.HANDLER)
    # 武侯's own grassroots union need not report (the default 报送范围), so the city may approve 武侯 once it has
    # reported: nobody exempts it
    filed = quick_active(actor_of(users.county), tree.k1, name="王建华")  # behind the auto cell 3.A
    base = f"{live_server.url}/reports/{FORM}/2025/"

    # 武侯 fills its manual cells and submits
    log_in(page, live_server, "county")
    page.click("nav.modules >> text=统计表")
    page.goto(f"{live_server.url}/reports/?year=2025")
    shot(page, "report-index")
    page.click(f"#open-{FORM}")
    page.wait_for_selector("#grid")
    for it in definition(FORM).items:
        assert it.text_for(2025) in page.inner_text(f"#row-{it.code.replace('.', '_')}")  # the season's years
    fill_and_submit(page, "120", "30", who="吴经办")
    assert "已报送" in page.inner_text(".messages") and page.inner_text("#report-status") == "已报送"
    assert page.query_selector("#report-form") is None  # locked while sent up
    shot(page, "report-submitted")
    log_out(page)

    # 锦江: a part above its total is refused with the rule's message and nothing saved; then it submits
    log_in(page, live_server, "k2_handler")
    page.goto(base)
    fill_and_submit(page, "80", "90", who="郑经办")
    assert "1.B 不能超过 1.A" in page.inner_text("#errors")
    assert page.input_value("#v-1_B") == "90"  # what was typed is kept on the page
    assert not Report.objects.filter(org=tree.k2).exists()
    shot(page, "report-refused")
    fill_and_submit(page, "80", "20", who="郑经办")
    assert page.inner_text("#report-status") == "已报送"
    log_out(page)

    # 成都's reviewer sees both on the board and returns 锦江
    log_in(page, live_server, "colleague")
    page.goto(f"{base}board/?org={tree.c1.code}")
    assert page.inner_text("#n-submitted") == "2" and page.inner_text("#n-missing") == "1"
    page.click(f"#child-{tree.k2.code} >> text={tree.k2.name}")
    page.wait_for_selector("#review")
    page.fill("#return-reason", "1.B 与花名册不符，请核对")
    page.click("#return-submit")
    page.wait_for_selector(".messages li")
    assert page.inner_text("#report-status") == "已退回"
    log_out(page)

    # 锦江 corrects and resubmits (填报人 and 联系电话 are kept from the first submission)
    log_in(page, live_server, "k2_handler")
    page.goto(base)
    assert "1.B 与花名册不符" in page.inner_text("#steps")
    assert page.input_value("#r-filled-by") == "郑经办"
    page.fill("#v-1_B", "25")
    page.click("#report-submit")
    page.wait_for_selector(".messages li")
    assert page.inner_text("#report-status") == "已报送"
    log_out(page)

    # 成都 approves both, sees 青羊 missing, records a reminder and downloads its own report
    log_in(page, live_server, "colleague")
    for county in (tree.k1, tree.k2):
        page.goto(f"{base}?org={county.code}")
        page.fill("#approve-note", "同意")
        page.click("#approve-submit")
        page.wait_for_selector(".messages li")
        assert page.inner_text("#report-status") == "已通过", county.name
    shot(page, "report-approved")
    page.goto(f"{base}board/?org={tree.c1.code}")
    assert page.inner_text("#n-approved") == "2" and page.inner_text("#n-missing") == "1"
    assert qingyang.name in page.inner_text("#missing")
    page.click("#remind-submit")
    page.wait_for_selector(".messages li")
    assert f"已记录提醒：{qingyang.name}" in page.inner_text(".messages")
    assert AuditEvent.objects.filter(action="report.remind").count() == 1
    shot(page, "report-board")

    page.goto(f"{base}?org={tree.c1.code}")
    assert page.inner_text("#value-1_A") == "200" and page.inner_text("#value-1_B") == "55"
    assert page.inner_text("#value-3_A") == "1"
    shot(page, "report-city")
    page.click("#row-3_A >> text=自动")  # the records behind the auto cell
    page.wait_for_selector("#records")
    assert filed.archive_no in page.inner_text("#records") and "王*华" in page.inner_text("#records")
    shot(page, "report-cell")
    page.go_back()
    with page.expect_download() as dl:
        page.click("#download-xlsx")
    rows = CalamineWorkbook.from_filelike(BytesIO(Path(dl.value.path()).read_bytes())).get_sheet_by_index(0).to_python()
    assert rows[0][0] == definition(FORM).title_for(2025) and tree.c1.name in rows[2][0]  # row 1: the season
    values = {row[0]: row[2] for row in rows if row and row[0]}
    assert values["1.A"] == 200 and values["1.B"] == 55
    assert set(Report.objects.filter(org__in=[tree.k1, tree.k2]).values_list("status", flat=True)) == {S.APPROVED}
    assert [e for e in page.console_errors if "422" not in e] == []  # the refused submission answers 422


def test_a_county_asks_its_grassroots_unions_for_the_form_on_its_board_and_the_city_waits_for_them(
        live_server, page, shot, users, tree):
    make_user("k1_rev", tree.k1, Role.REVIEWER)
    k1 = services.report_get_or_create(actor=actor_of(users.county), form=FORM, org=tree.k1, year=2025)
    services.report_submit(actor=actor_of(users.county), report=k1, filled_by="吴经办", phone="028-1")
    base = f"{live_server.url}/reports/{FORM}/2025/"

    # 武侯's reviewer reads the default on its board and asks its 基层工会 for the form
    log_in(page, live_server, "k1_rev")
    page.goto(f"{base}board/?org={tree.k1.code}")
    assert "系统默认" in page.inner_text("#duty-now") and "基层工会 1 个（不须报送）" in page.inner_text("#duty-kinds")
    assert page.inner_text("#n-expected") == "0"
    shot(page, "report-duty-default")
    page.check("#duty-grassroots")
    page.fill("#duty-note", "企业工会须报送")
    page.click("#duty-save")
    page.wait_for_selector(".messages li")
    assert "报送范围已保存" in page.inner_text(".messages")
    assert page.inner_text("#n-expected") == "1" and tree.g1.name in page.inner_text("#missing")
    shot(page, "report-duty-set")
    log_out(page)

    # 成都's reviewer is held until 武侯's grassroots union reports (or is exempted)
    log_in(page, live_server, "colleague")
    page.goto(f"{base}?org={tree.k1.code}")
    assert tree.g1.name in page.inner_text("#approve-held") and page.query_selector("#approve-submit") is None
    shot(page, "report-duty-held")
    log_out(page)

    # 武侯 asks that one unit by name instead of the whole level, then goes back to the default: 成都 may approve
    log_in(page, live_server, "k1_rev")
    page.goto(f"{base}board/?org={tree.k1.code}")
    page.uncheck("#duty-grassroots")
    page.click("details.duty-units > summary")
    page.check(f"#duty-unit-{tree.g1.code}")
    page.click("#duty-save")
    page.wait_for_selector(".messages li")
    assert tree.g1.name in page.inner_text("#duty-unit-names") and "单独要求报送" in page.inner_text("#board")
    assert page.get_attribute("details.duty-units", "open") is not None  # open while a unit is asked by name
    shot(page, "report-duty-unit")
    page.click("#duty-clear")
    page.wait_for_selector(".messages li")
    assert "恢复为系统默认" in page.inner_text(".messages")
    log_out(page)
    log_in(page, live_server, "colleague")
    page.goto(f"{base}?org={tree.k1.code}")
    page.click("#approve-submit")
    page.wait_for_selector(".messages li")
    assert page.inner_text("#report-status") == "已通过"
    assert page.console_errors == []
