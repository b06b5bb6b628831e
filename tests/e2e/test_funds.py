"""送温暖资金 in a real browser: 成都 finance raises money, divides it among the counties with the plan tool,
the 成都 leader confirms it, and the HTMX rule check shows its verdicts without reloading the page."""

from decimal import Decimal

from tests.conftest import make_user
from tests.e2e.test_archives import log_in, log_out
from warmth.funds.models import Allocation, AllocationPlan, FundPot
from warmth.orgs.models import Role


def test_raise_plan_confirm_and_check(live_server, users, tree, page, shot):
    make_user("c1_leader", tree.c1, Role.LEADER)
    log_in(page, live_server, "finance")
    page.click("nav.modules >> text=资金")
    page.click("text=登记筹集资金")
    page.fill("#id_amount", "12,000.00")
    page.select_option("#id_source", "central")
    page.fill("#id_doc_no", "财社[2025]188号")
    page.click("#raise-submit")
    page.wait_for_selector(".messages li, .error", timeout=10000)
    assert not page.query_selector(".error"), page.inner_text("#raise-form")
    assert "已登记成都市总工会筹集资金" in page.inner_text(".messages")
    pot = FundPot.objects.get(org=tree.c1)
    assert pot.balance == Decimal("12000.00")

    page.goto(f"{live_server.url}/funds/pots/{pot.pk}/")
    page.fill("#plan #id_total", "9000")
    page.fill("#plan #id_doc_no", "成工[2025]9号")
    page.click("#plan-submit")
    page.wait_for_selector("#plan-lines")
    plan = AllocationPlan.objects.get()
    assert sum(ln.amount for ln in plan.lines.all()) == Decimal("9000.00")
    shot(page, "funds-plan-draft")
    log_out(page)

    log_in(page, live_server, "c1_leader")
    page.goto(f"{live_server.url}/funds/plans/{plan.pk}/")
    page.click("#plan-confirm")
    page.wait_for_selector(".messages li")
    assert "方案已确认" in page.inner_text(".messages")
    assert Allocation.objects.count() == plan.lines.filter(amount__gt=0).count()

    page.goto(f"{live_server.url}/funds/pots/{pot.pk}/check/")
    page.fill("#id_amount", "3500")
    page.select_option("#id_method", "cash")
    url = page.url
    page.click("#check-run")
    page.wait_for_selector("#verdict-summary")
    assert page.url == url  # swapped in by HTMX, no reload
    text = page.inner_text("#verdicts")
    assert "不能发放" in text and "超过每笔 3000.00 元的限额" in text
    shot(page, "funds-rule-check")
    assert not page.console_errors
    pot.refresh_from_db()
    assert pot.balance == Decimal("3000.00")
