"""A whole season across three levels, in a real browser, on the small demo (README logins):

武侯区 (county) files a household and 成都市 (city) reviews and approves it; 成都's visit group visits it; a
payment to it is approved in bulk by the two approvers of 武侯's chain, printed and marked paid; 武侯 fills
and submits the 2015 统计表; 成都 approves it (its grassroots unions are not required to report) and, with its
other counties exempted, submits its own; 四川省 (province) sees coverage and money by city on its dashboard
and approves 成都's report. Every user starts from 待办. Screenshots of each page go to test-artifacts/season-*.

The season is the one whose 春节 comes next (today's date decides), so the household filed today can be
visited today inside the campaign window: 成都's campaign for it starts a few days ago (a union may start
before 元旦). The money and the campaign are prepared through the services (their pages have their own browser
tests); one step of time is simulated: the five days of 公示 are moved into the past in the database.
"""

from __future__ import annotations

import subprocess
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from tests.archives.factories import new_id
from tests.e2e.test_archives import log_in, log_out, take_step
from tests.funds.factories import minutes
from tests.tools import tool
from warmth.archives.models import Archive, DibaoStandard
from warmth.campaigns import services as campaigns
from warmth.campaigns.models import Campaign
from warmth.core.money import amount_in_words
from warmth.demo.pipeline import DemoContext
from warmth.demo.seeders import SEEDERS
from warmth.funds.choices import DecisionKind, FundSource, Purpose
from warmth.funds.models import FundPot
from warmth.funds.services import decision_record, fund_raise
from warmth.orgs.access import actor_for
from warmth.orgs.models import Org, User
from warmth.payments.models import Payment
from warmth.reports.models import Report

FORM = "warmth-2015"


def _season(today: date) -> int:
    """The season whose 春节 comes next: the 两节 of ``year + 1``."""
    return today.year - 1 if today <= campaigns.default_window(today.year - 1)["ends_on"] else today.year


def _seed_small_demo() -> None:
    from warmth.audit import triggers
    from warmth.funds import triggers as ledger_triggers

    triggers.install(connection)
    ledger_triggers.install(connection)
    ctx = DemoContext(scale="small", seed=2025, year=2025, out=lambda _line: None)
    for _order, _name, fn in SEEDERS:
        fn(ctx)
    User.objects.update(must_change_password=False)


def _actor(username: str):
    return actor_for(User.objects.get(username=username))


def _prepare(season: int, today: date) -> Campaign:
    """成都's campaign for the season (started three days ago) with a group for 武侯, and 武侯's own money for it."""
    city, wuhou = Org.objects.get(code="510100"), Org.objects.get(code="510107")
    c = campaigns.campaign_create(actor=_actor("cd_handler"), org=city, year=season, theme="两节送温暖活动",
                                  doc_no=f"成工发〔{season}〕30号", starts_on=today - timedelta(days=3))
    campaigns.group_create(actor=_actor("cd_handler"), campaign=c, name="第一组", leaders="周领导（主席）",
                           liaison="刘经办", units=[wuhou], departments=["保障部"])
    pot = fund_raise(actor=_actor("wh_finance"), org=wuhou, year=season, source=FundSource.OWN_UNION,
                     purpose=Purpose.WARMTH, amount="20000", received_on=today - timedelta(days=2),
                     spend_by=None, donor="").pot
    decision_record(actor=_actor("cd_leader"), org=wuhou, year=season, kind=DecisionKind.USAGE_PLAN,
                    meeting="主席办公会议", held_on=today - timedelta(days=1), summary="同意资金使用方案", pots=[pot],
                    minutes=minutes())
    return c


def _file_household(page, live_server, shot) -> Archive:
    head_id = new_id(born=date(1972, 4, 2), sex="男")
    page.goto(f"{live_server.url}/archives/new/")
    page.wait_for_selector("#archive-form")
    page.locator("#id_id_number").press_sequentially(head_id)
    page.fill("#id_name", "季节测")
    for field, value in {"political_status": "群众", "marital_status": "已婚", "health": "疾病",
                         "identity": "下（待）岗", "hukou_type": "非农业", "industry": "机电系统",
                         "employer_type": "国有企业", "enterprise_status": "关闭破产企业", "housing_type": "租房",
                         "housing_area": "20至50", "cause_1": "本人大病", "cause_2": "下岗失业",
                         "category": "低保户"}.items():
        page.select_option(f"#id_{field}", value)
    page.locator("#id_hukou_region_code").press_sequentially("510107")
    page.wait_for_selector("#region-hint >> text=四川省成都市武侯区")
    page.fill("#id_phone", "13912345670")
    page.fill("#id_address", "成都市武侯区某街道8号")
    page.fill("#id_employer", "成都某机械厂")
    page.fill("#id_monthly_income", "600")
    page.fill("#id_household_annual_income", "9600")
    page.fill("#id_household_size", "2")
    page.fill("#id_members-0-name", "季妻")
    page.select_option("#id_members-0-relation", "妻子")
    page.locator("#id_members-0-id_number").press_sequentially(new_id(born=date(1974, 6, 9), sex="女"))
    page.select_option("#id_members-0-identity", "失（无）业")
    shot(page, "season-1-archive-form")
    page.click("#archive-save")
    page.wait_for_selector("#lifecycle, #form-errors")
    assert page.query_selector("#form-errors") is None, page.inner_text("#form-errors")
    return Archive.objects.get(name="季节测")


def test_a_season_from_the_county_to_the_province(live_server, page, shot, tmp_path):
    today = timezone.localdate()
    season = _season(today)
    _seed_small_demo()
    DibaoStandard.objects.get_or_create(region_code="510100", year=today.year,
                                        defaults={"monthly_amount": Decimal("700")})
    campaign = _prepare(season, today)

    # 1. 武侯's handler files a household and sends it for review
    log_in(page, live_server, "wh_handler")
    archive = _file_household(page, live_server, shot)
    take_step(page, "submit")
    archive_url = page.url
    log_out(page)

    # 成都's reviewer finds it in 待办 (武侯 has no reviewer of its own) and accepts it
    log_in(page, live_server, "cd_reviewer")
    page.goto(f"{live_server.url}/todo/")
    assert archive.name in page.inner_text("main")
    shot(page, "season-2-todo-reviewer")
    page.goto(archive_url)
    take_step(page, "accept", {"#accept-note": "材料齐全"})
    log_out(page)

    # 武侯 records the home check and starts the 公示 today
    log_in(page, live_server, "wh_handler")
    page.goto(archive_url)
    take_step(page, "verify", {"#verify-visited_on": today.isoformat(), "#verify-visitors": "吴经办、街道工会",
                               "#verify-findings": "家庭情况属实", "#verify-publicity_start": today.isoformat()})
    assert page.inner_text("#archive-status") == "公示"
    # five working days later (simulated: the 公示 moved into the past)
    Archive.objects.filter(pk=archive.pk).update(publicity_start=today - timedelta(days=10),
                                                 publicity_end=today - timedelta(days=1))
    page.goto(archive_url)
    take_step(page, "end_publicity")
    log_out(page)

    log_in(page, live_server, "cd_reviewer")
    page.goto(archive_url)
    take_step(page, "approve", {})
    assert page.inner_text("#archive-status") == "在档"
    shot(page, "season-3-archive-active")
    log_out(page)

    # 2. the group visits it (武侯's handler records the visit from the group's page)
    log_in(page, live_server, "wh_handler")
    group = campaign.groups.get()
    page.goto(f"{live_server.url}/campaigns/groups/{group.pk}/")
    shot(page, "season-4-group-county")
    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/visits/new/")
    page.wait_for_selector("#visit-form")
    page.fill("#v-archive", archive.archive_no)
    page.select_option("#v-group", str(group.pk))
    page.fill("#v-day", today.isoformat())
    page.fill("#v-visitors", "周领导（主席）、刘经办")
    page.fill("#v-handed", "米、油、慰问信")
    page.click("#visit-submit")
    page.wait_for_selector(".messages li")
    assert campaign.visits.filter(archive=archive).count() == 1

    # 3. a payment to the household: made and submitted by 武侯
    pot = FundPot.objects.get(org__code="510107", year=season, source=FundSource.OWN_UNION, purpose=Purpose.WARMTH)
    page.goto(f"{live_server.url}/funds/pots/{pot.pk}/")
    page.click("#pot-pay")
    page.fill("#id_archive_no", archive.archive_no)
    page.fill("#id_amount", "800")
    page.fill("#id_bank_account", "6222 0202 0011 2233 441")
    page.fill("#id_bank_name", "中国农业银行成都武侯支行")
    page.click("#payment-save")
    page.wait_for_selector("#verdicts")
    page.click("#step-submit button")
    page.wait_for_selector(".messages li")
    payment = Payment.objects.get(archive=archive)
    log_out(page)

    # approved in bulk by 成都's reviewer, then its leader (武侯's chain: two steps under 2,000 yuan)
    for username, opinion in (("cd_reviewer", "经审核，同意"), ("cd_leader", "同意发放")):
        log_in(page, live_server, username)
        page.goto(f"{live_server.url}/payments/?status=submitted")
        page.check("#bulk-all")
        page.fill("#bulk-note", opinion)
        shot(page, f"season-5-bulk-{username}")
        page.click("#bulk-approve")
        page.wait_for_selector(".status-done", timeout=30000)
        log_out(page)
    payment.refresh_from_db()
    assert payment.status == "approved"
    assert [s.note for s in payment.steps.filter(action="approve").order_by("pk")] == ["经审核，同意", "同意发放"]

    # printed (the voucher with both opinions) and marked paid by 武侯
    log_in(page, live_server, "wh_handler")
    page.goto(f"{live_server.url}/payments/{payment.pk}/")
    with page.expect_download() as dl:
        page.click("#voucher")
    pdf = tmp_path / "voucher.pdf"
    dl.value.save_as(pdf)
    tool("pdftotext", "PDF read-back needs poppler-utils")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = text.replace(" ", "").replace("\n", "")
    assert amount_in_words(Decimal("800")) in flat and "经审核，同意" in flat and "同意发放" in flat
    page.click("#step-pay > summary") if page.query_selector("#step-pay > summary") else None
    page.fill("#step-pay input[type=date]", today.isoformat())
    page.click("#step-pay button[type=submit]")
    page.wait_for_selector(".messages li")
    payment.refresh_from_db()
    assert payment.status == "paid"
    shot(page, "season-6-payment-paid")

    # 4. 武侯 fills and submits the 2015 form of the season
    page.goto(f"{live_server.url}/todo/")
    shot(page, "season-7-todo-county")
    page.goto(f"{live_server.url}/reports/{FORM}/{season}/")
    page.wait_for_selector("#grid")
    page.fill("#v-1_A", "3")
    page.fill("#v-1_B", "1")
    page.fill("#r-filled-by", "吴经办")
    page.fill("#r-phone", "028-85550001")
    page.click("#report-submit")
    page.wait_for_selector(".messages li, #errors")
    assert page.inner_text("#report-status") == "已报送", page.inner_text("main")[:2000]
    shot(page, "season-8-report-county")
    log_out(page)

    # 5. 成都 approves 武侯's report: its grassroots unions do not have to report this form
    log_in(page, live_server, "cd_reviewer")
    page.goto(f"{live_server.url}/reports/{FORM}/{season}/?org=510107")
    page.click("#step-approve button[type=submit]")
    page.wait_for_selector(".messages li")
    wuhou_report = Report.objects.get(form=FORM, year=season, org__code="510107")
    assert wuhou_report.status == "approved", page.inner_text(".messages")
    # the other two counties had no season's work: exempted together with one reason
    page.goto(f"{live_server.url}/reports/{FORM}/{season}/board/")
    for code in ("510104", "510112"):
        page.check(f"#child-{code} input[type=checkbox]")
    page.fill("#bulk-exempt-reason", "本季未开展送温暖活动，经市总同意免报")
    page.click("#bulk-exempt")
    page.wait_for_selector(".status-done", timeout=30000)
    page.goto(f"{live_server.url}/reports/{FORM}/{season}/board/")
    assert page.inner_text("#n-missing") == "0"
    shot(page, "season-9-board-city")
    log_out(page)

    log_in(page, live_server, "cd_handler")
    page.goto(f"{live_server.url}/reports/{FORM}/{season}/")
    page.wait_for_selector("#grid")
    page.fill("#r-filled-by", "刘经办")
    page.fill("#r-phone", "028-85550000")
    page.click("#report-submit")
    page.wait_for_selector(".messages li, #errors")
    assert page.inner_text("#report-status") == "已报送", page.inner_text("main")[:2000]
    log_out(page)

    # 6. 四川 sees coverage and money by city, drills down to 武侯's households, and approves 成都's report
    log_in(page, live_server, "sc_leader")
    page.goto(f"{live_server.url}/dashboard/?year={season}")
    shot(page, "season-10-dashboard-province")
    chengdu = page.locator("#coverage-table tr", has_text="成都市总工会").inner_text().split()
    assert chengdu[2] == "1", chengdu  # 在档, 已走访 = the one household visited this season, 未走访, 覆盖率
    assert int(chengdu[1]) == int(chengdu[2]) + int(chengdu[3])
    assert page.inner_text("#cov-visited") == "1"
    page.goto(f"{live_server.url}/funds/?org=510000&year={season}")
    assert "20,000.00" in page.locator("#children tr", has_text="成都市总工会").inner_text()
    shot(page, "season-11-funds-province")
    page.goto(f"{live_server.url}/campaigns/coverage/?org=510000&year={season}")
    page.click("#coverage-table >> text=成都市总工会")
    page.wait_for_url("**org=510100*")
    page.click("#coverage-table >> text=武侯区总工会")
    page.wait_for_url("**org=510107*")
    shot(page, "season-12-coverage-wuhou")
    assert int(page.inner_text("#cov-visited")) >= 1
    assert archive.archive_no not in page.inner_text("#missing")  # visited: not on the list of the not visited
    page.goto(f"{live_server.url}/reports/{FORM}/{season}/?org=510100")
    page.click("#step-approve button[type=submit]")
    page.wait_for_selector(".messages li")
    assert Report.objects.get(form=FORM, year=season, org__code="510100").status == "approved"
    shot(page, "season-13-report-province")
    assert page.console_errors == []
