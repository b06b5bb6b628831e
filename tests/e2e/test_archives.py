"""困难职工档案 in a real browser: the county handler files an archive through the 登记表 form, the 成都 reviewer
accepts and approves, and the archive is found by its full ID number."""

from datetime import date, timedelta
from decimal import Decimal

from tests.archives.factories import new_id
from tests.conftest import PASSWORD
from warmth.archives.models import Archive, DibaoStandard


def log_in(page, live_server, username):
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")


def log_out(page):
    page.click("#logout")
    page.wait_for_url("**/login/")


def take_step(page, action, fields=None, *, shot=None, files=None):
    """Open the step's form (if it has one), fill it (``files``: selector -> (name, type, bytes)) and confirm;
    wait for the page to come back."""
    if fields is None:
        page.click(f"#step-{action} button[type=submit]")
    else:
        page.click(f"#step-{action} > summary")
        for selector, value in fields.items():
            page.fill(selector, value)
        for selector, (name, mime, content) in (files or {}).items():
            page.set_input_files(selector, {"name": name, "mimeType": mime, "buffer": content})
        if shot:
            shot(page, f"archive-step-{action}")
        page.click(f"#step-{action} button[type=submit]")
    page.wait_for_selector(".messages li")


def test_an_archive_is_filed_reviewed_approved_and_found_by_its_id(live_server, users, page, shot):
    DibaoStandard.objects.create(region_code="510100", year=2020, monthly_amount=Decimal("600"))
    head_id = new_id(born=date(1975, 5, 20), sex="男")
    wife_id = new_id(born=date(1977, 3, 8), sex="女")

    log_in(page, live_server, "county")
    page.click("text=档案")
    page.click("#archive-new")
    page.wait_for_selector("#archive-form")
    assert page.input_value("#id_org_code") == "510107"

    # the ID number: a wrong check digit is named, the right one fills birth date, sex and age
    wrong = head_id[:17] + ("0" if head_id[17] != "0" else "1")
    page.locator("#id_id_number").press_sequentially(wrong)
    assert "校验位错误" in page.inner_text("#id-hint")
    assert page.inner_text("#id-birth") == "—"
    page.fill("#id_id_number", "")
    page.locator("#id_id_number").press_sequentially(head_id)
    assert page.inner_text("#id-birth") == "1975-05-20"
    assert page.inner_text("#id-sex") == "男"
    assert page.inner_text("#id-age").endswith("岁")
    assert "校验位正确" in page.inner_text("#id-hint")

    page.fill("#id_name", "王建华")
    for field, value in {"political_status": "群众", "marital_status": "已婚", "health": "疾病",
                         "identity": "下（待）岗", "hukou_type": "非农业", "industry": "机电系统",
                         "employer_type": "国有企业", "enterprise_status": "关闭破产企业", "housing_type": "租房",
                         "housing_area": "20至50", "cause_1": "本人大病", "cause_2": "下岗失业"}.items():
        page.select_option(f"#id_{field}", value)
    page.locator("#id_hukou_region_code").press_sequentially("510107")
    page.wait_for_selector("#region-hint >> text=四川省成都市武侯区")
    page.fill("#id_phone", "13912345678")
    page.fill("#id_address", "成都市武侯区某街道12号")
    page.fill("#id_employer", "成都某机械厂")
    page.fill("#id_monthly_income", "850")
    page.fill("#id_household_annual_income", "14400")
    page.fill("#id_household_size", "2")
    assert page.inner_text("#per-capita") == "7200.00"

    # the suggestion (HTMX) and "采用"
    page.click("#suggest-button")
    page.wait_for_selector("#suggestion >> text=低保标准")
    assert "家庭月人均收入600.00元" in page.inner_text("#suggestion")
    page.click("#suggestion [data-use-category='低保边缘户']")
    assert page.input_value("#id_category") == "低保边缘户"

    # one family member; a second row is added and left empty
    page.fill("#id_members-0-name", "李秀兰")
    page.select_option("#id_members-0-relation", "妻子")
    page.locator("#id_members-0-id_number").press_sequentially(wife_id)
    assert page.input_value("#id_members-0-birth_date") == "1977-03-08"
    assert page.input_value("#id_members-0-sex") == "女"
    page.select_option("#id_members-0-identity", "失（无）业")
    page.click("#add-member")
    assert page.locator("tr.member-row").count() == 2
    shot(page, "archive-form")

    # a server-side error is shown on its field, nothing is written and the typed values stay
    page.fill("#id_hukou_region_code", "")
    page.locator("#id_hukou_region_code").press_sequentially("999999")
    page.wait_for_selector("#region-hint >> text=区划代码表中没有999999")
    page.click("#archive-save")
    page.wait_for_selector("#form-errors")
    assert "不在区划代码表中" in page.inner_text("#f-hukou_region_code .error")
    assert Archive.objects.count() == 0
    assert page.inner_text("#id-birth") == "1975-05-20" and page.input_value("#id_members-0-name") == "李秀兰"
    shot(page, "archive-form-errors")
    page.fill("#id_hukou_region_code", "510107")
    page.click("#archive-save")
    page.wait_for_selector("#lifecycle")
    archive = Archive.objects.get()
    assert archive.status == "draft" and archive.category == "低保边缘户" and archive.members.count() == 1
    assert page.inner_text("#archive-status") == "草稿"
    assert head_id not in page.content()

    take_step(page, "submit")
    assert page.inner_text("#archive-status") == "初审"
    archive_url = page.url
    log_out(page)

    log_in(page, live_server, "colleague")
    page.goto(archive_url)
    take_step(page, "accept", {"#accept-note": "材料齐全"})
    assert page.inner_text("#archive-status") == "入户核查"
    log_out(page)

    log_in(page, live_server, "county")
    page.goto(archive_url)
    past = (date.today() - timedelta(days=30)).isoformat()  # noqa: DTZ011 (the browser's today)
    verify = {"#verify-visited_on": past, "#verify-visitors": "张三、李四", "#verify-findings": "家庭情况属实",
              "#verify-publicity_start": past}
    # a 公示 that started before today: refused without a reason and the 公示 record, both named
    take_step(page, "verify", verify)
    assert page.inner_text("#archive-status") == "入户核查"
    said = page.inner_text(".messages")
    assert "早于今天，请填写理由" in said and "请上传公示记录" in said
    take_step(page, "verify", {**verify, "#verify-publicity_reason": "公示已在社区公示栏张贴，系事后补录"}, shot=shot,
              files={"#verify-publicity_record": ("公示照片.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64)})
    assert page.inner_text("#archive-status") == "公示"
    assert "已期满" in page.inner_text("#lifecycle")
    take_step(page, "end_publicity")
    assert page.inner_text("#archive-status") == "审批"
    log_out(page)

    log_in(page, live_server, "colleague")
    page.goto(archive_url)
    flag = page.inner_text("#publicity-backdated")  # the reviewer sees the backdated 公示, its reason and record
    assert "请审核人注意" in flag and "系事后补录" in flag and "公示照片.png" in flag
    shot(page, "archive-publicity-backdated")
    take_step(page, "approve", {})
    assert page.inner_text("#archive-status") == "在档"
    assert "审批通过" in page.inner_text("#timeline")
    shot(page, "archive-page")

    page.click("text=困难职工档案")
    page.fill("#id_q", head_id)
    page.click("#archive-filters button[type=submit]")
    page.wait_for_selector("table.archives")
    rows = page.locator("table.archives tbody tr")
    assert rows.count() == 1 and archive.archive_no in rows.inner_text()
    assert "在档" in rows.inner_text() and head_id[:6] + "********" + head_id[-4:] in rows.inner_text()
    shot(page, "archive-list")
    assert page.console_errors == []  # no CSP violation, no missing asset
