"""Next year's form without a deploy, in a real browser: the system admin of the top org copies the 2015
统计表 to 2020, edits it as docs/forms.md's worked example does (a first save with three mistakes is refused
with each item named), checks the preview, publishes it; 武侯区's handler then fills and submits it."""

import json

from tests.conftest import make_user
from tests.e2e.test_archives import log_in, log_out
from warmth.orgs.models import Role
from warmth.reports.models import FormStatus, Report, ReportForm, ReportStatus

TITLE_2020 = "{year}年元旦春节期间各级工会送温暖统计表"


def worked_example_2020(body: dict) -> dict:
    """docs/forms.md: the 2015 items plus what the 2020 notice (seed 001) implies."""
    body["seed"] = "001 附件1"
    items = body["items"]
    at = {it["code"]: n for n, it in enumerate(items)}
    items[at["3.F"]]["label"] = "{year-1}年度经过工会帮扶实现解困脱困的困难职工家庭"
    new_4 = [
        {"code": "4.H", "label": "其中：节日期间坚守岗位的一线职工", "unit": "人", "parent": "4.C",
         "source": "manual"},
        {"code": "4.I", "label": "慰问工匠人才、劳动模范、先进人物等", "unit": "人", "parent": None,
         "source": "manual"},
    ]
    items[at["4.C"] + 1:at["4.C"] + 1] = new_4
    items += [
        {"code": "12.A", "label": "依托帮扶中心、户外劳动者服务站、爱心驿站为职工提供节日服务", "unit": "人次",
         "parent": None, "source": "manual"},
        {"code": "12.B", "label": "组织工会志愿者开展“暖流行动”等志愿服务", "unit": "人次", "parent": None,
         "source": "manual"},
    ]
    body.setdefault("rules", []).append(
        {"code": "12", "left": "12.B", "op": "<=", "right": "10.A", "importance": "warning",
         "message": "“暖流行动”志愿服务人次一般不超过平安返乡帮助人次（10.A），请核对"})
    return body


def test_a_form_copied_edited_published_and_filled(live_server, page, shot, users, tree):
    make_user("root_admin", tree.root, Role.ADMIN)
    log_in(page, live_server, "root_admin")
    page.goto(f"{live_server.url}/reports/?year=2025")
    page.click("#manage-forms")
    page.wait_for_selector("#form-list")
    shot(page, "forms-list")

    # copy the 2015 统计表 to 2020
    source = ReportForm.objects.get(form_id="warmth-2015", version=1)
    page.select_option("#copy-source", str(source.pk))
    page.fill("#copy-form-id", "warmth-2020")
    page.fill("#copy-year", "2020")
    page.fill("#copy-title", TITLE_2020)
    page.click("#copy-submit")
    page.wait_for_selector("#form-editor")
    assert page.inner_text("#form-status") == "草稿"
    row = ReportForm.objects.get(form_id="warmth-2020")

    # three mistakes at once: each refused with its item named, nothing saved
    body = json.loads(page.input_value("#f-body"))
    wrong = json.loads(json.dumps(body))
    for it in wrong["items"]:
        if it["code"] == "5.B":
            it["source"] = "funds.central_2020"
        if it["code"] == "3.B":
            it["parent"] = "3.Z"
        if it["code"] == "4.C":
            it["code"] = "4.B"
    page.fill("#f-body", json.dumps(wrong, ensure_ascii=False, indent=1))
    page.click("#save")
    page.wait_for_selector("#errors")
    errors = page.inner_text("#errors")
    for named in ("栏目 5.B 的数据来源 funds.central_2020 不存在", "栏目 3.B 的上级栏目 3.Z 不存在", "栏目 4.B 重复"):
        assert named in errors
    shot(page, "forms-refused")
    row.refresh_from_db()
    assert row.body["items"] == body["items"]

    # the worked example: checked, saved
    page.fill("#f-body", json.dumps(worked_example_2020(body), ensure_ascii=False, indent=1))
    page.click("#check")
    page.wait_for_selector("#check-ok")
    page.click("#save")
    page.wait_for_selector(".messages li")
    assert "已保存" in page.inner_text(".messages")
    shot(page, "forms-edited")

    # the preview, as it prints for season 2025 (the 两节 of 2026)
    page.click("#preview-link")
    page.wait_for_selector("#preview")
    page.fill("#p-year", "2025")
    page.click("#preview-year button[type=submit]")
    page.wait_for_selector("#preview")
    assert page.inner_text("#preview-title") == "2026年元旦春节期间各级工会送温暖统计表"
    assert "2025年度经过工会帮扶实现解困脱困的困难职工家庭" in page.inner_text("#preview-3\\.F")
    assert "依托帮扶中心" in page.inner_text("#preview-12\\.A")
    shot(page, "forms-preview")
    page.go_back()
    page.go_back()

    # publish
    page.wait_for_selector("#publish")
    page.click("#publish")
    page.wait_for_selector(".messages li")
    assert page.inner_text("#form-status") == "已发布"
    row.refresh_from_db()
    assert row.status == FormStatus.PUBLISHED
    shot(page, "forms-published")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: the list scrolls sideways, the editor fits
    page.goto(f"{live_server.url}/reports/forms/")
    shot(page, "forms-list-phone")
    wide = page.evaluate("""[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 395
        && !e.closest('.table-scroll')).map(e => e.tagName + '#' + e.id + '.' + e.className).slice(0, 12)""")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400, wide
    page.set_viewport_size({"width": 1280, "height": 860})
    log_out(page)

    # 武侯 fills and submits it
    log_in(page, live_server, "county")
    page.goto(f"{live_server.url}/reports/?year=2025")
    page.click("#open-warmth-2020")
    page.wait_for_selector("#grid")
    assert "2026年元旦春节期间各级工会送温暖统计表" in page.inner_text("h1")
    assert "2025年度经过工会帮扶实现解困脱困的困难职工家庭" in page.inner_text("#row-3_F")
    page.fill("#v-1_A", "300")
    page.fill("#v-1_B", "120")
    page.fill("#v-4_I", "12")
    page.fill("#v-12_A", "45")
    page.fill("#r-filled-by", "吴经办")
    page.fill("#r-phone", "028-85550001")
    page.click("#report-submit")
    page.wait_for_selector(".messages li, #errors")
    shot(page, "forms-filled")
    assert page.inner_text("#report-status") == "已报送"
    report = Report.objects.get(form="warmth-2020", org=tree.k1, year=2025)
    assert report.status == ReportStatus.SUBMITTED and report.form_version == 1
    assert report.figures["12.A"] == "45" and report.figures["4.I"] == "12"
    assert not [e for e in page.console_errors if "status of 422" not in e]  # the refused save answers 422
