from tests.conftest import PASSWORD


def test_a_user_logs_in_sees_the_home_page_and_logs_out(live_server, users, page, shot):
    page.goto(live_server.url + "/")
    assert "/login/" in page.url
    assert page.locator("h1").inner_text() == "登录"
    shot(page, "login")
    page.fill("#id_username", "owner")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    assert page.locator("#home-org").inner_text() == "成都市总工会"
    assert page.locator("#home-role").inner_text() == "经办人"
    assert "武侯区总工会" in page.content()
    shot(page, "home")
    page.click("#logout")
    page.wait_for_url("**/login/")
    assert "您已安全退出" in page.content()
    page.goto(live_server.url + "/")
    assert "/login/" in page.url
    assert page.console_errors == []  # no CSP violation, no missing asset


def test_a_wrong_password_shows_a_chinese_message(live_server, users, page):
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", "owner")
    page.fill("#id_password", "Wrong-pass1")
    page.click("button[type=submit]")
    assert "用户名或密码错误" in page.locator(".errors").inner_text()


def test_the_progress_bar_polls_until_the_export_is_done(live_server, users, page, shot):
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", "auditor")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + "/audit/")
    shot(page, "audit")
    page.click("text=导出 CSV（后台任务）")
    page.wait_for_selector("#job-download", timeout=15000)
    assert "已完成" in page.content()
    shot(page, "job-done")
    with page.expect_download() as dl:
        page.click("#job-download")
    assert dl.value.suggested_filename.endswith(".csv")
    assert page.console_errors == []
