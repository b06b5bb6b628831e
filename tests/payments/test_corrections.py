"""Corrections: a draft or returned payment is edited or cancelled (作废, kept); a paid or confirmed payment is
reversed only when one person asks and another with the approve permission approves; opinions reach the
voucher's 意见 boxes."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.payments.test_services import create, through
from warmth.audit.models import AuditEvent
from warmth.payments import services
from warmth.payments.choices import PaymentStatus
from warmth.payments.documents import opinions
from warmth.payments.models import Payment

pytestmark = pytest.mark.django_db
S = PaymentStatus


def test_a_draft_is_edited_with_every_error_at_once_and_the_trail_names_the_fields(pay, make_active):
    p = create(pay, make_active(), amount="800")
    with pytest.raises(ValidationError) as exc:
        services.payment_edit(actor=pay.handler, payment=p, amount="abc", method="bank", bank_account="12")
    assert set(exc.value.message_dict) == {"amount", "bank_account"}
    p.refresh_from_db()
    assert p.amount == Decimal("800.00")
    p = services.payment_edit(actor=pay.handler, payment=p, amount="900", note="春节前发放")
    p.refresh_from_db()
    assert p.amount == Decimal("900.00") and p.note == "春节前发放" and p.status == S.DRAFT
    step = p.steps.last()
    assert step.action == "edit" and "金额" in step.note and "备注" in step.note
    assert AuditEvent.objects.filter(action="payments.edit", object_id=str(p.pk)).exists()


def test_a_submitted_payment_is_not_edited_or_cancelled_and_the_outsider_touches_nothing(pay, make_active):
    p = create(pay, make_active())
    with pytest.raises(PermissionDenied):
        services.payment_edit(actor=pay.outsider, payment=p, amount="1")
    with pytest.raises(PermissionDenied):
        services.payment_cancel(actor=pay.outsider, payment=p, reason="x")
    services.payment_submit(actor=pay.handler, payment=p)
    with pytest.raises(ValidationError, match="不能修改"):
        services.payment_edit(actor=pay.handler, payment=p, amount="1")
    with pytest.raises(ValidationError, match="不能作废"):
        services.payment_cancel(actor=pay.handler, payment=p, reason="x")
    with pytest.raises(PermissionDenied):  # an approver cannot write payments
        services.payment_cancel(actor=pay.first, payment=p, reason="x")


def test_a_returned_payment_is_cancelled_with_a_reason_and_kept(pay, make_active):
    p = create(pay, make_active())
    services.payment_submit(actor=pay.handler, payment=p)
    services.payment_return(actor=pay.first, payment=p, reason="对象有误")
    with pytest.raises(ValidationError, match="作废须填写理由"):
        services.payment_cancel(actor=pay.handler, payment=p, reason=" ")
    p = services.payment_cancel(actor=pay.handler, payment=p, reason="对象有误，重新录入")
    assert Payment.objects.get(pk=p.pk).status == S.CANCELLED
    assert services.WORKFLOW.allowed(pay.handler, p) == []  # final
    # a cancelled payment is no repeat: the same person can be paid again without a reason
    again = create(pay, p.archive)
    services.payment_submit(actor=pay.handler, payment=again)


def test_a_confirmed_payment_is_reversed_only_by_a_second_person(pay, make_active):
    p = through(pay, create(pay, make_active()))
    p = services.payment_mark_paid(actor=pay.handler, payment=p, paid_on=date(2026, 1, 10))
    p = services.payment_confirm(actor=pay.first, payment=p)
    with pytest.raises(ValidationError, match="不能冲正"):
        services.payment_reverse(actor=pay.handler, payment=p, reason="账号错误")
    p = services.payment_reverse_request(actor=pay.handler, payment=p, reason="账号错误")
    p.refresh_from_db()
    assert p.status == S.REVERSING and p.reverse_from == S.CONFIRMED
    assert services.WORKFLOW.waiting_on(p).action == "reverse_approve"
    with pytest.raises(PermissionDenied):  # the handler has no approve permission
        services.payment_reverse_approve(actor=pay.handler, payment=p)
    pay.pot.refresh_from_db()
    before = pay.pot.balance
    p = services.payment_reverse_approve(actor=pay.first, payment=p, note="核实，同意")
    pay.pot.refresh_from_db()
    assert p.status == S.REVERSED and pay.pot.balance == before + p.amount


def test_the_requester_cannot_approve_their_own_reversal_and_a_refusal_puts_it_back(pay, make_active):
    p = through(pay, create(pay, make_active()))
    p = services.payment_mark_paid(actor=pay.handler, payment=p, paid_on=date(2026, 1, 10))
    p = services.payment_reverse_request(actor=pay.handler, payment=p, reason="重复发放")
    p.refresh_from_db()
    assert "reverse_approve" not in services.WORKFLOW.allowed(pay.handler, p)
    assert set(services.WORKFLOW.allowed(pay.first, p)) == {"reverse_approve", "reverse_reject"}
    with pytest.raises(ValidationError, match="驳回冲正须填写理由"):
        services.payment_reverse_reject(actor=pay.first, payment=p, reason="")
    p = services.payment_reverse_reject(actor=pay.first, payment=p, reason="经核实款项已到账")
    p.refresh_from_db()
    assert p.status == S.PAID and p.reverse_from == ""


def test_one_person_with_both_permissions_cannot_ask_and_approve(pay, make_active, users, tree):
    from tests.conftest import actor_of
    from warmth.orgs.models import Membership, Role

    p = through(pay, create(pay, make_active()))
    p = services.payment_mark_paid(actor=pay.handler, payment=p, paid_on=date(2026, 1, 10))
    Membership.objects.create(user=users.county, org=tree.k1, role=Role.REVIEWER)
    services.payment_reverse_request(actor=pay.handler, payment=p, reason="重复发放")
    as_reviewer = actor_of(users.county)
    as_reviewer = type(as_reviewer)(users.county, Membership.objects.get(user=users.county, role=Role.REVIEWER),
                                    as_reviewer.memberships)
    p.refresh_from_db()
    with pytest.raises(PermissionDenied, match="不能审批自己的冲正申请"):
        services.payment_reverse_approve(actor=as_reviewer, payment=p)


def test_the_opinions_typed_on_each_step_reach_the_voucher_boxes(pay, make_active):
    p = create(pay, make_active())
    services.payment_submit(actor=pay.handler, payment=p)
    services.payment_approve(actor=pay.first, payment=p, note="情况属实，同意")
    boxes = opinions(Payment.objects.get(pk=p.pk))
    assert boxes[0]["step"] == "单位(工会)意见" and boxes[0]["opinion"] == "情况属实，同意"
    assert boxes[0]["actor"] and "年" in boxes[0]["date"]
    assert boxes[1]["opinion"] == "" and boxes[1]["actor"] == ""


def test_the_edit_page_shows_all_errors_and_the_outsider_gets_404(client, pay, make_active, users, fin):
    p = create(pay, make_active())
    client.force_login(users.county)
    r = client.post(reverse("payment_edit", args=[p.pk]), {"aid_type": "送温暖慰问", "amount": "abc",
                                                           "method": "cash"})
    page = r.content.decode()
    assert r.status_code == 422 and "现金只能" in page and "金额" in page
    r = client.post(reverse("payment_edit", args=[p.pk]), {"aid_type": "送温暖慰问", "amount": "700",
                                                           "method": "bank"})
    assert r.status_code == 302 and Payment.objects.get(pk=p.pk).amount == Decimal("700.00")
    client.force_login(fin.users.hn_finance)
    assert client.get(reverse("payment_edit", args=[p.pk])).status_code == 404
    assert client.post(reverse("payment_cancel", args=[p.pk]), {"reason": "x"}).status_code == 404


def test_the_edit_page_shows_a_form_error_and_the_services_errors_in_one_response(client, pay, make_active, users):
    """帮扶项目 outside its list is the form's refusal, a bad amount and a short account the service's: all
    three come back from one submit, each naming its field, and the payment is unchanged."""
    p = create(pay, make_active(), amount="800")
    client.force_login(users.county)
    r = client.post(reverse("payment_edit", args=[p.pk]), {"aid_type": "不存在的项目", "amount": "abc",
                                                           "method": "bank", "bank_account": "12"})
    assert r.status_code == 422
    errors = r.context["form"].errors
    assert errors["aid_type"] == ["帮扶项目：所选的值不在可选范围内，请从列表中选择"]
    assert "金额" in errors["amount"][0] and "银行账号" in errors["bank_account"][0]
    p.refresh_from_db()
    assert p.amount == Decimal("800.00") and p.aid_type != "不存在的项目"
