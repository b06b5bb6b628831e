"""The payment pages: the 武侯 handler creates and submits, two approvers approve in turn, the voucher
downloads; the 海南 outsider reaches nothing; the auditor reads but cannot write."""

import pytest
from django.urls import reverse

from tests.archives.factories import new_id
from tests.payments.test_services import ACCOUNT, create, through
from warmth.audit.models import AuditEvent
from warmth.payments.choices import PaymentStatus
from warmth.payments.models import Payment

pytestmark = pytest.mark.django_db
S = PaymentStatus


def text(r) -> str:
    return r.content.decode()


def msgs(r) -> str:
    return " ".join(str(m) for m in r.context["messages"]) if r.context else ""


def test_create_submit_approve_twice_and_download_the_voucher(client, pay, make_active, users, fin):
    a = make_active()
    client.force_login(users.county)
    r = client.post(reverse("payment_create"), {"pot": str(pay.pot.pk), "archive_no": a.archive_no,
                                                "aid_type": "送温暖慰问", "amount": "800", "method": "bank",
                                                "bank_account": ACCOUNT, "bank_name": "农业银行"}, follow=True)
    p = Payment.objects.get()
    assert r.redirect_chain[-1][0] == reverse("payment_detail", args=[p.pk])
    page = text(r)
    assert "符合全部资金规则" in page and a.id_number not in page and 'id="step-submit"' in page
    client.post(reverse("payment_submit", args=[p.pk]))
    assert Payment.objects.get().status == S.SUBMITTED
    client.force_login(pay.first.user)
    page = text(client.get(reverse("payment_detail", args=[p.pk])))
    assert 'id="step-approve"' in page and "单位(工会)意见" in page
    client.post(reverse("payment_approve", args=[p.pk]), {"note": "同意"})
    client.force_login(pay.second.user)
    r = client.post(reverse("payment_approve", args=[p.pk]), {"note": "同意"}, follow=True)
    assert "已审批通过本环节" in msgs(r)
    assert Payment.objects.get().status == S.APPROVED
    r = client.get(reverse("payment_voucher", args=[p.pk]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")


def test_bad_input_on_the_form_is_shown_and_nothing_written(client, pay, make_active, users):
    client.force_login(users.county)
    r = client.post(reverse("payment_create"), {"pot": str(pay.pot.pk), "recipient_kind": "retiree", "name": "王某",
                                                "id_number": "123", "aid_type": "生活救助", "amount": "1.234",
                                                "method": "cash", "bank_account": ""})
    assert r.status_code == 422
    page = text(r)
    assert "身份证号无效" in page and "两位小数" in page and "慰问团入户" in page
    assert not Payment.objects.exists()


def test_a_payment_to_a_typed_recipient(client, pay, users):
    client.force_login(users.county)
    r = client.post(reverse("payment_create"), {"pot": str(pay.pot.pk), "recipient_kind": "hardship_model",
                                                "name": "李劳模", "id_number": new_id(), "aid_type": "生活救助",
                                                "amount": "600", "method": "bank", "bank_account": ACCOUNT},
                    follow=True)
    assert r.status_code == 200 and Payment.objects.get().recipient_kind == "hardship_model"


def test_the_handler_cannot_approve_and_a_blocked_submit_names_the_rule(client, pay, make_active, users):
    p = create(pay, make_active(), amount="3500")
    client.force_login(users.county)
    page = text(client.get(reverse("payment_detail", args=[p.pk])))
    assert "超过每笔 3000.00 元的限额" in page
    r = client.post(reverse("payment_submit", args=[p.pk]), follow=True)
    assert "单笔限额" in msgs(r) and Payment.objects.get().status == S.DRAFT
    p2 = create(pay, make_active())
    client.post(reverse("payment_submit", args=[p2.pk]))
    assert client.post(reverse("payment_approve", args=[p2.pk]), {"note": "x"}).status_code == 403


def test_pay_confirm_reverse_through_the_pages(client, pay, make_active, users):
    p = through(pay, create(pay, make_active()))
    client.force_login(users.county)
    client.post(reverse("payment_pay", args=[p.pk]), {"paid_on": "2026-01-10", "note": "批次 1"})
    client.force_login(pay.first.user)
    client.post(reverse("payment_confirm", args=[p.pk]))
    assert Payment.objects.get().status == S.CONFIRMED
    client.force_login(users.county)
    # a confirmed payment is not reversed by its handler alone: it is asked for, then approved by another
    r = client.post(reverse("payment_reverse", args=[p.pk]), {"reason": "账号错误"}, follow=True)
    assert "冲正未完成" in msgs(r) and Payment.objects.get().status == S.CONFIRMED
    r = client.post(reverse("payment_reverse_request", args=[p.pk]), {"reason": ""}, follow=True)
    assert "申请冲正未完成" in msgs(r)
    client.post(reverse("payment_reverse_request", args=[p.pk]), {"reason": "账号错误"})
    assert Payment.objects.get().status == S.REVERSING
    client.force_login(pay.first.user)
    client.post(reverse("payment_reverse_approve", args=[p.pk]), {"note": "核实无误，同意冲正"})
    assert Payment.objects.get().status == S.REVERSED


def test_outsider_and_auditor(client, pay, make_active, users, fin):
    p = create(pay, make_active())
    client.force_login(fin.users.hn_finance)
    assert client.get(reverse("payment_detail", args=[p.pk])).status_code == 404
    assert client.get(reverse("payment_voucher", args=[p.pk])).status_code == 404
    assert client.post(reverse("payment_submit", args=[p.pk])).status_code == 404
    assert p.name not in text(client.get(reverse("payment_list")))
    client.force_login(users.auditor)
    assert client.get(reverse("payment_detail", args=[p.pk])).status_code == 200
    assert client.post(reverse("payment_submit", args=[p.pk])).status_code == 403
    assert client.get(reverse("payment_create")).status_code == 403
    r = client.get(reverse("payment_voucher", args=[p.pk]) + "?full=1")
    assert r.status_code == 200
    assert AuditEvent.objects.filter(action="pii.export", object_type="payment").count() == 1
    assert Payment.objects.get().status == S.DRAFT


def test_the_roster_is_a_job(client, pay, make_active, users):
    through(pay, create(pay, make_active()))
    client.force_login(users.auditor)
    r = client.post(reverse("payment_roster"), {"org": "510107", "year": "2025"})
    assert r.status_code == 302 and "/jobs/" in r.url


def test_the_batch_page_starts_a_job_and_refuses_missing_fields(client, pay, users):
    client.force_login(users.county)
    assert client.get(reverse("payment_batch")).status_code == 200
    r = client.post(reverse("payment_batch"), {"pot": str(pay.pot.pk), "amount": "100", "aid_type": "送温暖慰问"})
    assert r.status_code == 422 and "请填写批次名称" in text(r)
    r = client.post(reverse("payment_batch"), {"pot": str(pay.pot.pk), "amount": "100", "aid_type": "送温暖慰问",
                                               "batch": "春节"})
    assert r.status_code == 302 and "/jobs/" in r.url
    client.force_login(users.auditor)
    assert client.post(reverse("payment_batch"), {"pot": str(pay.pot.pk), "batch": "x"}).status_code == 403


def test_the_verification_page_draws_records_and_reports(client, pay, make_active, users):
    from warmth.payments.models import Verification
    from warmth.payments.services import payment_mark_paid

    payment_mark_paid(actor=pay.handler, payment=through(pay, create(pay, make_active())))
    client.force_login(pay.first.user)
    r = client.post(reverse("payment_verify"), {"action": "draw", "org": "510107", "year": "2025", "size": "3",
                                                "seed": "一月回访"}, follow=True)
    assert "已抽取 1 人" in msgs(r)
    v = Verification.objects.get()
    r = client.post(reverse("payment_verify"), {"verification": str(v.pk), "answer": "not_received",
                                                "seed": "一月回访"}, follow=True)
    assert "核实结果已记录" in msgs(r) and "100.0%" in text(r)
    client.force_login(users.county)  # the handler does not verify their own payments
    assert client.get(reverse("payment_verify")).status_code == 403


def test_the_approval_chain_page_shows_the_chain_and_a_leader_sets_it(client, users, tree):
    from warmth.payments.models import ApprovalChain
    from warmth.payments.services import chain_of, steps_for

    client.force_login(users.county)  # a handler sees the default chain but cannot set it
    r = client.get(reverse("payment_chain"))
    assert r.status_code == 200 and "默认流程" in text(r) and "chain-form" not in text(r)
    assert client.post(reverse("payment_chain"), {"steps": "甲", "threshold": "1", "extra_step": "乙"}).status_code \
        == 403 and not ApprovalChain.objects.exists()
    client.force_login(users.leader)  # 四川's leader sets 成都's
    r = client.post(reverse("payment_chain"), {"org": tree.c1.code, "steps": "单位(工会)意见，部门领导",
                                               "threshold": "3000", "extra_step": "单位领导"}, follow=True)
    assert "已保存" in msgs(r)
    assert list(chain_of(tree.k1).steps) == ["单位(工会)意见", "部门领导"]
    from decimal import Decimal

    assert steps_for(tree.k1, Decimal("3000.01"))[-1] == "单位领导" and len(steps_for(tree.k1, Decimal("3000"))) == 2
    client.force_login(users.county)
    r = client.get(reverse("payment_chain"))
    assert "由成都市总工会设置" in text(r) and "部门领导" in text(r)
    client.force_login(users.leader)
    r = client.post(reverse("payment_chain"), {"org": tree.c1.code, "steps": "甲，甲", "threshold": "-1",
                                               "extra_step": "乙"})
    assert r.status_code == 422 and "不能重复" in text(r)
    assert list(ApprovalChain.objects.get().steps) == ["单位(工会)意见", "部门领导"]


def test_the_outsider_cannot_read_or_set_the_chain_of_another_subtree(client, users, tree):
    from warmth.payments.models import ApprovalChain

    client.force_login(users.outsider)
    assert client.get(reverse("payment_chain") + f"?org={tree.c1.code}").status_code == 404
    r = client.post(reverse("payment_chain"), {"org": tree.c1.code, "steps": "甲", "threshold": "1",
                                               "extra_step": "乙"})
    assert r.status_code == 404 and not ApprovalChain.objects.exists()
