"""The never-helped list in a real browser: from the archives' 动态管理 panel, 成都's handler opens the households
no money and no visit has reached, then this season's list after a visit, and starts the export."""

from tests.campaigns.conftest import camp  # noqa: F401 (fixture)
from tests.e2e.test_archives import log_in
from warmth.visits import services as visits


def test_the_never_helped_list_from_the_care_panel(live_server, page, shot, camp, users):  # noqa: F811
    visits.visit_record(actor=camp.k1, campaign=camp.campaign, kind="household", visited_on=camp.day,
                        visitors="王主席", archive=camp.arch.worker1)
    log_in(page, live_server, "owner")
    page.goto(f"{live_server.url}/archives/care/due/")
    page.click("#care-never-helped")
    page.wait_for_selector("#never-helped-count")
    assert page.inner_text("#never-helped-count") == "4"  # five 在档 households, one visited
    assert camp.arch.worker1.archive_no not in page.inner_text("table.archives")
    shot(page, "never-helped")
    page.select_option("#nh-season", "2024")
    page.click("#never-helped-filter button[type=submit]")
    page.wait_for_selector("text=2024年度未帮扶")
    assert page.inner_text("#never-helped-count") == "5"  # nothing at all in season 2024
    page.click("#never-helped-export button[type=submit]")
    page.wait_for_url("**/jobs/**")
    assert not page.console_errors
