"""Forms and words in a real browser at 1366×768: the archive list's side panel beside the table (not over it),
the archive form's problems all in one response with their labels, the audit log in Chinese, the home page's
to-do and season cards, and the API docs page headed in Chinese. Screenshots in test-artifacts/words-*.png."""

from tests.archives.factories import archive_input
from tests.conftest import actor_of
from tests.e2e.test_archives import log_in
from warmth.archives.services import archive_file
from warmth.audit.services import audit_record

WIDE = {"width": 1366, "height": 768}


def test_the_archive_list_fits_1366_pixels_with_the_side_panel_beside_the_table(live_server, users, tree, page,
                                                                                 shot):
    handler = actor_of(users.county)
    for org in (tree.g1, tree.k1, tree.g1):
        archive_file(actor=handler, org=org, data=archive_input())
    page.set_viewport_size(WIDE)
    log_in(page, live_server, "county")
    page.goto(f"{live_server.url}/archives/")
    page.wait_for_selector("table.archives")
    shot(page, "words-archive-list-1366")
    table = page.locator("table.archives").bounding_box()
    aside = page.locator("aside.side-col").bounding_box()
    assert table["x"] + table["width"] <= aside["x"], (table, aside)  # the panel covers no column
    status = page.locator("table.archives th").last.bounding_box()
    assert status["x"] + status["width"] <= aside["x"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366  # no sideways scrolling of the page


def test_the_archive_form_shows_every_problem_at_once_with_the_fields_labels(live_server, users, page, shot):
    page.set_viewport_size(WIDE)
    log_in(page, live_server, "county")
    page.goto(f"{live_server.url}/archives/new/")
    page.wait_for_selector("#archive-form")
    page.fill("#id_name", "王五")
    page.fill("#id_hukou_region_code", "999999")  # the service's check (a code not in the table)
    page.fill("#id_phone", "12")                  # the service's check
    page.click("#archive-save")                   # the closed lists left empty: the form's checks
    page.wait_for_selector("#archive-form")
    shot(page, "words-archive-form-all-errors")
    body = page.inner_text("main")
    for words in ("请选择政治面貌", "请选择困难类别", "请填写身份证号", "请填写家庭住址",  # the form's
                  "不在区划代码表中", "联系电话应为7至12位数字"):  # the service's, from the same submit
        assert words in body, words
    for programmer in ("这个字段是必填项", "确保该变量", "不是有效选项"):
        assert programmer not in body


def test_the_audit_log_home_page_and_api_docs_speak_chinese(live_server, users, tree, page, shot):
    audit_record(actor=actor_of(users.owner), action="report.submit", object_type="report", object_id=1,
                 org=tree.c1, before={"status": "draft"}, after={"status": "submitted", "late": True})
    page.set_viewport_size(WIDE)
    log_in(page, live_server, "auditor")
    page.goto(f"{live_server.url}/audit/")
    shot(page, "words-audit-log")
    rows = page.inner_text("table")
    assert "统计表报送" in rows and "状态：已报送" in rows and "逾期报送：是" in rows
    assert "report.submit" not in rows and "submitted" not in rows

    page.goto(f"{live_server.url}/")
    page.wait_for_selector("#todo-panel")
    page.wait_for_selector("#season-panel")  # the auditor may see the dashboard: the season's card
    shot(page, "words-home")
    assert "在档户数" in page.inner_text("#season-panel") and "业务模块正在陆续上线" not in page.inner_text("main")

    page.goto(f"{live_server.url}/api/docs")
    page.wait_for_selector("#docs-head")
    page.wait_for_selector(".opblock-tag", timeout=15000)
    shot(page, "words-api-docs")
    assert page.title() == "送温暖管理系统接口（API）"
    tags = page.locator(".opblock-tag").all_inner_texts()
    assert any("档案" in t for t in tags) and any("待办" in t for t in tags)
