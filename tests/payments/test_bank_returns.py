"""银行回盘: the bank's result file marks failed transfers; the money goes back to the pot, the roster and the
2015 form's 6.A stop counting them; a failed transfer is paid again after the account is corrected. Every bad line
is reported and then nothing is written."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.archives.factories import archive_input
from tests.payments.test_services import create, through
from warmth.audit.models import AuditEvent
from warmth.funds.models import LedgerEntry
from warmth.payments import services
from warmth.payments.choices import PaymentStatus
from warmth.payments.exporters import roster_queryset
from warmth.payments.models import Payment
from warmth.payments.returns import bank_return_import
from warmth.reports import services as report_services
from warmth.reports.definitions import definition

pytestmark = pytest.mark.django_db
S = PaymentStatus
HEADER = "序号,姓名,账号,开户银行,金额,用途,处理结果,失败原因\n"


@pytest.fixture
def paid(pay, make_active):
    """Five bank transfers of 武侯, 已发放, each to its own account."""
    out = []
    for i in range(5):
        a = make_active(archive_input(name=f"职工{'甲乙丙丁戊'[i]}"))
        p = create(pay, a, amount=str(300 + 100 * i), bank_account=f"62220202001122{i:05d}")
        through(pay, p)
        out.append(services.payment_mark_paid(actor=pay.handler, payment=p, paid_on=date(2025, 12, 20)))
    return [Payment.objects.get(pk=p.pk) for p in out]


def line(n, p, result="成功", reason="", *, name=None, amount=None, account=None, memo=None):
    memo = memo if memo is not None else f"送温暖慰问 凭证{p.pk}"
    return (f"{n},{name or p.name},{account or p.bank_account},工商银行,{amount or p.amount},{memo},{result},"
            f"{reason}\n")


def write(tmp_path, body: str, name="return.csv", encoding="utf-8-sig"):
    path = tmp_path / name
    path.write_bytes(body.encode(encoding))
    return path


def figures(pay):
    pay.pot.refresh_from_db()
    roster = roster_queryset(pay.pot.org, 2025)
    cells = report_services.compute(definition("warmth-2015"), pay.pot.org, 2025)
    return pay.pot.balance, roster.count(), sum(p.amount for p in roster), cells["6.A"].value


def test_three_failures_leave_paid_the_pot_rises_and_the_roster_and_6a_drop(pay, paid, tmp_path):
    balance, rows, total, six_a = figures(pay)
    failed = paid[1:4]
    body = HEADER + "".join(
        line(n, p, "失败" if p in failed else "成功", "账号不存在" if p in failed else "")
        for n, p in enumerate(paid, start=1))
    summary = bank_return_import(actor=pay.handler, org=pay.pot.org, path=write(tmp_path, body),
                                 filename="回盘.csv")
    assert summary["errors"] == [] and summary["applied"]
    assert (summary["succeeded"], summary["failed"], summary["unchanged"]) == (2, 3, 0)
    back = sum(p.amount for p in failed)
    assert summary["amount"] == back == Decimal("1500.00")
    for p in failed:
        p.refresh_from_db()
        assert p.status == S.BANK_FAILED and p.paid_on is None
        assert p.steps.last().action == "bank_fail" and p.steps.last().note == "账号不存在"
    assert {Payment.objects.get(pk=p.pk).status for p in (paid[0], paid[4])} == {S.PAID}
    balance2, rows2, total2, six_a2 = figures(pay)
    assert balance2 == balance + back
    assert (rows2, total2) == (rows - 3, total - back)
    assert six_a2 == six_a - back / Decimal(10000)  # 万元
    reversals = LedgerEntry.objects.filter(pot=pay.pot, kind="reversal")
    assert reversals.count() == 3 and sum(e.amount for e in reversals) == back
    assert AuditEvent.objects.filter(action="payments.bank_return").count() == 1
    # the same file again: nothing changes
    again = bank_return_import(actor=pay.handler, org=pay.pot.org, path=write(tmp_path, body), filename="回盘.csv")
    assert again["errors"] == [] and (again["failed"], again["unchanged"]) == (0, 3)
    assert figures(pay) == (balance2, rows2, total2, six_a2)


def test_a_failed_transfer_is_paid_again_after_the_account_is_corrected(pay, paid):
    p = services.payment_bank_fail(actor=pay.handler, payment=paid[0], reason="卡已销户")
    pay.pot.refresh_from_db()
    before = pay.pot.balance
    with pytest.raises(ValidationError) as caught:
        services.payment_repay(actor=pay.handler, payment=p, bank_account="12")
    assert "bank_account" in caught.value.message_dict
    p = services.payment_repay(actor=pay.handler, payment=p, bank_account="6222 0202 0011 9999 88",
                               bank_name="农业银行")
    p.refresh_from_db()
    pay.pot.refresh_from_db()
    assert p.status == S.APPROVED and p.bank_account == "622202020011999988"
    assert pay.pot.balance == before - p.amount
    assert p.entry.amount == -p.amount and p.entry.reverses_id is None
    p = services.payment_mark_paid(actor=pay.handler, payment=p, paid_on=date(2025, 12, 28))
    assert Payment.objects.get(pk=p.pk).status == S.PAID
    assert [s.action for s in p.steps.order_by("id")][-3:] == ["bank_fail", "repay", "pay"]


def test_every_bad_line_is_reported_and_nothing_is_written(pay, paid, tmp_path, tree):
    balance, rows, total, six_a = figures(pay)
    body = HEADER + "".join([
        line(1, paid[0], "失败", "账号错误"),                                   # fine on its own
        line(2, paid[1], "失败", amount="999.00"),                             # amount differs
        line(3, paid[2], "失败", account="6217000000000000001", memo=""),     # matches nothing
        line(4, paid[3], "失败", name="王五"),                                  # another name
        line(5, paid[0], "失败"),                                              # the same payment twice
        "6,张三,12,工商银行,abc,,未知,\n",                                      # bogus account, amount, result
    ])
    summary = bank_return_import(actor=pay.handler, org=pay.pot.org, path=write(tmp_path, body), filename="x.csv")
    assert not summary["applied"]
    lines = {n for n, _ in summary["errors"]}
    assert lines == {3, 4, 5, 6, 7}  # lines as a spreadsheet numbers them: the header is line 1
    text = " ".join(m for _, m in summary["errors"])
    assert "999.00" in text and "找不到" in text and "收款人" in text and "同一笔" in text and "结果应为" in text
    assert "6217000000000000001" not in text  # accounts only masked
    assert figures(pay) == (balance, rows, total, six_a)
    assert not Payment.objects.filter(status=S.BANK_FAILED).exists()
    assert not AuditEvent.objects.filter(action="payments.bank_return").exists()


def test_a_file_of_another_subtree_matches_nothing_there(pay, paid, tmp_path, users):
    """海南's handler uploads 武侯's return file: every line is 'not found', nothing of 武侯 is named or touched."""
    from tests.conftest import actor_of
    from warmth.orgs.models import Membership, Role

    outsider = actor_of(users.outsider)
    Membership.objects.filter(user=users.outsider).update(role=Role.HANDLER)
    body = HEADER + "".join(line(n, p, "失败", "x") for n, p in enumerate(paid, start=1))
    summary = bank_return_import(actor=outsider, org=outsider.org, path=write(tmp_path, body), filename="x.csv")
    assert not summary["applied"] and len(summary["errors"]) == 5
    assert all("找不到" in m for _, m in summary["errors"])
    assert all(p.name not in " ".join(m for _, m in summary["errors"]) for p in paid)
    with pytest.raises(ValidationError):  # and it may not name 武侯 as the org
        bank_return_import(actor=outsider, org=pay.pot.org, path=write(tmp_path, body), filename="x.csv")
    assert not Payment.objects.filter(status=S.BANK_FAILED).exists()


def test_a_file_that_is_not_a_table_is_refused_whole(pay, paid, tmp_path):
    for body, name, encoding in ((b"\x00\x01\x02binary", "x.csv", None), ("只有一行没有表头\n", "x.csv", "utf-8"),
                                 ("", "x.csv", "utf-8")):
        path = tmp_path / name
        path.write_bytes(body if encoding is None else body.encode(encoding))
        summary = bank_return_import(actor=pay.handler, org=pay.pot.org, path=path, filename=name)
        assert not summary["applied"] and summary["errors"] and summary["errors"][0][0] == 0


def test_gbk_csv_and_xlsx_are_read(pay, paid, tmp_path):
    import xlsxwriter

    body = HEADER + line(1, paid[0], "失败", "账户冻结")
    summary = bank_return_import(actor=pay.handler, org=pay.pot.org, path=write(tmp_path, body, encoding="gb18030"),
                                 filename="x.csv", dry_run=True)
    assert summary["errors"] == [] and summary["failed"] == 1 and not summary["applied"]
    path = tmp_path / "r.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet()
    for r, row in enumerate(line.split(",") for line in body.strip().split("\n")):
        for c, v in enumerate(row):
            ws.write_string(r, c, v)
    book.close()
    summary = bank_return_import(actor=pay.handler, org=pay.pot.org, path=path, filename="r.xlsx")
    assert summary["errors"] == [] and summary["applied"] and summary["failed"] == 1
    assert Payment.objects.get(pk=paid[0].pk).status == S.BANK_FAILED


# --- the pages ------------------------------------------------------------------------------------------------

def _client_of(client, actor):
    client.force_login(actor.user)
    return client


def test_the_page_checks_then_imports_and_the_detail_offers_what_the_engine_allows(client, pay, paid):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = _client_of(client, pay.handler)
    assert c.get("/payments/bank-returns/").status_code == 200
    body = (HEADER + line(1, paid[0], "失败", "账号不存在")).encode("utf-8-sig")
    checked = c.post("/payments/bank-returns/", {"org": "510107", "action": "check",
                                                 "file": SimpleUploadedFile("r.csv", body)})
    assert checked.status_code == 200 and "检查通过，尚未导入" in checked.content.decode()
    assert Payment.objects.get(pk=paid[0].pk).status == S.PAID
    detail = c.get(f"/payments/{paid[0].pk}/").content.decode()
    assert 'id="step-bank_fail"' in detail and 'id="step-repay"' not in detail
    done = c.post("/payments/bank-returns/", {"org": "510107", "action": "apply",
                                              "file": SimpleUploadedFile("r.csv", body)})
    assert done.status_code == 200 and "已导入" in done.content.decode()
    assert Payment.objects.get(pk=paid[0].pk).status == S.BANK_FAILED
    detail = c.get(f"/payments/{paid[0].pk}/").content.decode()
    assert 'id="step-repay"' in detail and 'id="step-bank_fail"' not in detail and 'id="step-cancel"' in detail
    repaid = c.post(f"/payments/{paid[0].pk}/repay/", {"bank_account": "622202020011999988", "bank_name": "农行"})
    assert repaid.status_code == 302 and Payment.objects.get(pk=paid[0].pk).status == S.APPROVED


def test_a_bad_file_is_shown_line_by_line_with_422(client, pay, paid):
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = (HEADER + line(1, paid[0], "失败", amount="1.00")).encode("utf-8")
    response = _client_of(client, pay.handler).post("/payments/bank-returns/", {
        "org": "510107", "action": "apply", "file": SimpleUploadedFile("r.csv", body)})
    assert response.status_code == 422
    text = response.content.decode()
    assert "有问题，未导入" in text and "第 2 行" in text and "不符" in text
    assert Payment.objects.get(pk=paid[0].pk).status == S.PAID


def test_the_outsider_and_the_approver_cannot_import(client, pay, paid, users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = (HEADER + line(1, paid[0], "失败", "x")).encode("utf-8")
    outsider = client.post  # 海南's handler names 武侯
    client.force_login(users.outsider)
    assert outsider("/payments/bank-returns/", {"org": "510107", "action": "apply",
                                               "file": SimpleUploadedFile("r.csv", body)}).status_code == 404
    client.force_login(pay.first.user)  # an approver has no payment.write
    assert client.get("/payments/bank-returns/").status_code == 403
    assert Payment.objects.get(pk=paid[0].pk).status == S.PAID


def test_the_api_imports_a_return_file_and_repays(client, pay, paid, users):
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    from warmth.orgs.services import token_create

    auth = {"HTTP_AUTHORIZATION": "Bearer " + token_create(actor=pay.handler, name="t")[1]}
    bad = (HEADER + line(1, paid[0], "失败", amount="1.00")).encode()
    r = client.post("/api/payments/bank-returns", {"org": "510107", "file": SimpleUploadedFile("r.csv", bad)}, **auth)
    assert r.status_code == 422 and r.json()["errors"][0][0] == 2 and not r.json()["applied"]
    good = (HEADER + line(1, paid[0], "失败", "卡已挂失") + line(2, paid[1])).encode()
    r = client.post("/api/payments/bank-returns", {"org": "510107", "file": SimpleUploadedFile("r.csv", good)}, **auth)
    assert r.status_code == 200, r.content
    assert (r.json()["failed"], r.json()["succeeded"], r.json()["amount"]) == (1, 1, "300.00")
    r = client.post(f"/api/payments/{paid[0].pk}/repay", json.dumps({"bank_account": "622202020011999988"}),
                    content_type="application/json", **auth)
    assert r.status_code == 200 and r.json()["status"] == S.APPROVED


def test_every_action_of_the_payment_workflow_has_a_name_in_the_trail():
    from warmth.payments.models import STEP_ACTIONS

    assert set(services.WORKFLOW.table) <= set(STEP_ACTIONS)
