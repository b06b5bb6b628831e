"""实名制发放 in a real browser: the 武侯 handler creates and submits a payment, two approvers approve it in
turn, the voucher PDF downloads and its text holds the 大写 amount; the roster xlsx opens and its totals row
equals the sum of its rows."""

import subprocess
from decimal import Decimal

from python_calamine import CalamineWorkbook

from tests.archives.conftest import make_active  # noqa: F401 (fixture)
from tests.conftest import actor_of, make_user
from tests.e2e.test_archives import log_in, log_out
from tests.funds.factories import decided, raised
from tests.tools import tool
from warmth.core.money import amount_in_words
from warmth.orgs.models import Role
from warmth.payments.models import Payment
from warmth.payments.services import chain_set


def test_create_approve_twice_voucher_and_roster(live_server, users, tree, page, shot, make_active, tmp_path):  # noqa: F811
    k1_finance = actor_of(make_user("k1_fin", tree.k1, Role.FINANCE))
    k1_leader = make_user("k1_lead", tree.k1, Role.LEADER)
    make_user("k1_rev", tree.k1, Role.REVIEWER)
    pot = raised(k1_finance, tree.k1, "10000")
    decided(actor_of(k1_leader), pot)
    chain_set(actor=actor_of(k1_leader), org=tree.k1, steps=["单位(工会)意见", "区(产业)工会意见"], threshold="5000",
              extra_step="单位领导")
    archive = make_active()

    log_in(page, live_server, "county")
    page.goto(f"{live_server.url}/funds/pots/{pot.pk}/")
    page.click("#pot-pay")
    page.fill("#id_archive_no", archive.archive_no)
    page.fill("#id_amount", "1,234.56")
    page.fill("#id_bank_account", "6222 0202 0011 2233 445")
    page.fill("#id_bank_name", "中国农业银行成都武侯支行")
    page.click("#payment-save")
    page.wait_for_selector("#verdicts")
    assert "符合全部资金规则" in page.inner_text("#verdicts")
    page.click("#step-submit button")
    page.wait_for_selector(".messages li")
    p = Payment.objects.get()
    log_out(page)

    for username in ("k1_rev", "k1_lead"):
        log_in(page, live_server, username)
        page.goto(f"{live_server.url}/payments/{p.pk}/")
        page.click("#step-approve button")
        page.wait_for_selector(".messages li")
        log_out(page)
    p.refresh_from_db()
    assert p.status == "approved"

    log_in(page, live_server, "county")
    page.goto(f"{live_server.url}/payments/{p.pk}/")
    shot(page, "payment-approved")
    with page.expect_download() as dl:
        page.click("#voucher")
    pdf = tmp_path / "voucher.pdf"
    dl.value.save_as(pdf)
    tool("pdftotext", "PDF read-back needs poppler-utils")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert amount_in_words(Decimal("1234.56")) in text.replace(" ", "").replace("\n", "")

    page.goto(f"{live_server.url}/payments/")
    page.fill("#r-year", "2025")
    page.click("#roster-form button")
    page.wait_for_selector("#job-download")
    with page.expect_download() as dl:
        page.click("#job-download")
    xlsx = tmp_path / "roster.xlsx"
    dl.value.save_as(xlsx)
    rows = CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_name("送温暖慰问-本级工会经费").to_python()  # 项目 × 来源
    body = [r for r in rows[3:] if r[0] != "合计"]
    assert rows[-1][0] == "合计" and Decimal(str(rows[-1][6])) == sum(Decimal(str(r[6])) for r in body)
    assert Decimal(str(rows[-1][6])) == Decimal("1234.56")
    assert not page.console_errors
