"""实名制发放 services: create, submit (snapshot and rules), approve along the chain, pay, confirm, reverse."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.archives.factories import new_id
from tests.funds.factories import raised
from warmth.archives import lifecycle
from warmth.audit.models import AuditEvent
from warmth.funds.choices import EntryKind, PayMethod
from warmth.funds.models import LedgerEntry
from warmth.payments.choices import DEFAULT_CHAIN, EXTRA_STEP, PaymentStatus, RecipientKind
from warmth.payments.models import Payment
from warmth.payments.services import (
    Recipient,
    chain_of,
    payment_approve,
    payment_confirm,
    payment_create,
    payment_mark_paid,
    payment_return,
    payment_reverse,
    payment_submit,
)

pytestmark = pytest.mark.django_db
S = PaymentStatus
ACCOUNT = "6222020200112233445"


def create(pay, archive=None, amount="800", **kw):
    kw.setdefault("method", PayMethod.BANK)
    kw.setdefault("bank_account", ACCOUNT if kw["method"] == PayMethod.BANK else "")
    return payment_create(actor=pay.handler, pot=pay.pot, aid_type=kw.pop("aid_type", "送温暖慰问"), amount=amount,
                          archive=archive, **kw)


def through(pay, p):
    payment_submit(actor=pay.handler, payment=p)
    payment_approve(actor=pay.first, payment=p, note="同意")
    return payment_approve(actor=pay.second, payment=p, note="同意")


def test_a_payment_goes_from_draft_to_confirmed_and_the_money_leaves_at_the_last_approval(pay, make_active):
    a = make_active()
    p = create(pay, a)
    assert p.status == S.DRAFT and p.name == a.name and p.archive_no == a.archive_no and p.id_number == a.id_number
    payment_submit(actor=pay.handler, payment=p)
    p.refresh_from_db()
    assert p.status == S.SUBMITTED and p.chain == ["单位(工会)意见", "区(产业)工会意见"]
    payment_approve(actor=pay.first, payment=p)
    pay.pot.refresh_from_db()
    assert pay.pot.balance == Decimal("10000.00")  # not yet
    p = payment_approve(actor=pay.second, payment=p)
    pay.pot.refresh_from_db()
    assert p.status == S.APPROVED and pay.pot.balance == Decimal("9200.00")
    assert p.entry.kind == EntryKind.PAID and p.entry.ref_id == str(p.pk) and p.entry.person_bidx
    p = payment_mark_paid(actor=pay.handler, payment=p, paid_on=date(2026, 1, 10))
    p = payment_confirm(actor=pay.first, payment=p)
    assert p.status == S.CONFIRMED
    assert [s.action for s in p.steps.all()] == ["create", "submit", "approve", "approve", "pay", "confirm"]
    assert [s.step_name for s in p.steps.filter(action="approve")] == ["单位(工会)意见", "区(产业)工会意见"]
    assert AuditEvent.objects.filter(object_type="payment", object_id=str(p.pk)).count() == 6


def test_the_snapshot_keeps_what_was_true_at_submission(pay, make_active):
    a = make_active()
    p = create(pay, a)
    payment_submit(actor=pay.handler, payment=p)
    a.name = "改过的名字"
    a.save(update_fields=["name"])
    p.refresh_from_db()
    assert p.name != "改过的名字" and p.snapshot_at is not None


def test_no_one_approves_their_own_payment_or_two_steps_of_one(pay, make_active, users):
    from warmth.orgs.models import Membership, Role

    p = create(pay, make_active())
    payment_submit(actor=pay.handler, payment=p)
    # the handler also holds a reviewer membership: still not their own payment
    Membership.objects.create(user=users.county, org=pay.pot.org, role=Role.REVIEWER)
    from warmth.orgs.access import Actor

    as_reviewer = Actor(users.county, Membership.objects.get(user=users.county, role=Role.REVIEWER))
    with pytest.raises(ValidationError, match="不能审批自己经办的发放"):
        payment_approve(actor=as_reviewer, payment=p)
    payment_approve(actor=pay.first, payment=p)
    with pytest.raises(ValidationError, match="同一人不能审批同一笔发放的两个环节"):
        payment_approve(actor=pay.first, payment=p)
    with pytest.raises(PermissionDenied):
        payment_approve(actor=pay.handler, payment=p)  # a handler has no approval right
    assert Payment.objects.get(pk=p.pk).step == 1


def test_a_return_needs_a_reason_and_sends_it_back_to_the_start(pay, make_active):
    p = create(pay, make_active())
    payment_submit(actor=pay.handler, payment=p)
    payment_approve(actor=pay.first, payment=p)
    with pytest.raises(ValidationError, match="退回须填写理由"):
        payment_return(actor=pay.second, payment=p, reason="")
    p = payment_return(actor=pay.second, payment=p, reason="金额有误")
    assert (p.status, p.step) == (S.RETURNED, 0)
    payment_submit(actor=pay.handler, payment=p)
    p.refresh_from_db()
    assert p.status == S.SUBMITTED and p.step == 0
    assert [s.action for s in p.steps.all()] == ["create", "submit", "approve", "return", "submit"]


def test_above_the_threshold_one_more_step(pay, make_active):
    p = create(pay, make_active(), amount="2500")
    payment_submit(actor=pay.handler, payment=p)
    p.refresh_from_db()
    assert p.chain[-1] == "单位领导" and len(p.chain) == 3
    payment_approve(actor=pay.first, payment=p)
    p = payment_approve(actor=pay.second, payment=p)
    assert p.status == S.SUBMITTED
    p = payment_approve(actor=pay.third, payment=p)
    assert p.status == S.APPROVED


def test_the_default_chain_is_the_vouchers(tree):
    c = chain_of(tree.k2)
    assert c.steps == DEFAULT_CHAIN == ("单位(工会)意见", "区(产业)工会意见", "部门领导", "单位领导")
    assert c.extra_step == EXTRA_STEP and c.set_at is None


@pytest.mark.parametrize("field, kw, message", [
    ("amount", {"amount": "0"}, "大于零"),
    ("amount", {"amount": "-1"}, "负数"),
    ("amount", {"amount": "1.005"}, "两位小数"),
    ("amount", {"amount": 1.5}, "浮点数"),
    ("bank_account", {"bank_account": "6222-abc"}, "12 至 30 位数字"),
    ("bank_account", {"bank_account": "12345678901"}, "12 至 30 位数字"),
    ("method", {"method": PayMethod.CASH}, "慰问团入户"),
    ("goods_items", {"method": PayMethod.GOODS}, "物品名称"),
])
def test_bad_input_is_refused_and_nothing_written(pay, make_active, field, kw, message):
    a = make_active()
    with pytest.raises(ValidationError) as exc:
        create(pay, a, **kw)
    assert message in " ".join(exc.value.message_dict[field])
    assert not Payment.objects.exists()


def test_a_recipient_without_an_archive_needs_a_valid_id(pay):
    with pytest.raises(ValidationError) as exc:
        create(pay, recipient=Recipient(name="李劳模", id_number="510107197001011234"),
               recipient_kind=RecipientKind.HARDSHIP_MODEL)
    assert "身份证号无效" in exc.value.message_dict["id_number"][0]
    with pytest.raises(ValidationError) as exc:
        create(pay, recipient=Recipient(name="李劳模", id_number=""), recipient_kind=RecipientKind.HARDSHIP_MODEL)
    assert "id_number" in exc.value.message_dict
    number = new_id(born=date(1960, 5, 1), sex="男")
    p = create(pay, recipient=Recipient(name="李劳模", id_number=number, unit_or_address="武侯区某厂"),
               recipient_kind=RecipientKind.HARDSHIP_MODEL)
    assert (p.sex, p.archive_id, p.recipient_kind) == ("男", None, RecipientKind.HARDSHIP_MODEL)
    assert p.age >= 65


def test_central_money_pays_only_active_archives(pay, fin, tree):
    from tests.funds.factories import decided

    central = raised(fin.k1_finance, tree.k1, "5000", source="central")
    decided(fin.k1_leader, central)
    p = payment_create(actor=pay.handler, pot=central, aid_type="生活救助", amount="500", method=PayMethod.BANK,
                       bank_account=ACCOUNT, recipient_kind=RecipientKind.RETIREE,
                       recipient=Recipient(name="王退休", id_number=new_id(born=date(1955, 1, 1))))
    with pytest.raises(ValidationError, match="先建档、后帮扶"):
        payment_submit(actor=pay.handler, payment=p)
    assert Payment.objects.get(pk=p.pk).status == S.DRAFT


def test_an_exited_archive_is_not_paid(pay, make_active, users):
    from tests.conftest import actor_of

    a = make_active()
    lifecycle.archive_exit_request(actor=actor_of(users.county), archive=a, reason="脱困")
    a.refresh_from_db()
    with pytest.raises(ValidationError, match="不能发放"):
        create(pay, a)


def test_paying_the_same_person_twice_under_one_aid_type_needs_a_reason(pay, make_active):
    a = make_active()
    through(pay, create(pay, a, amount="300"))
    again = create(pay, a, amount="200")
    with pytest.raises(ValidationError) as exc:
        payment_submit(actor=pay.handler, payment=again)
    assert "再次发放须填写理由" in exc.value.message_dict["repeat_reason"][0]
    other = create(pay, a, amount="200", aid_type="医疗救助")  # another 帮扶项目 is fine
    payment_submit(actor=pay.handler, payment=other)
    with_reason = create(pay, a, amount="200", repeat_reason="春节前再次慰问，经集体研究")
    payment_submit(actor=pay.handler, payment=with_reason)


def test_a_reversal_puts_the_money_back_and_keeps_the_payment(pay, make_active):
    p = through(pay, create(pay, make_active()))
    with pytest.raises(ValidationError, match="冲正须填写理由"):
        payment_reverse(actor=pay.handler, payment=p, reason=" ")
    p = payment_reverse(actor=pay.handler, payment=p, reason="账号错误")
    pay.pot.refresh_from_db()
    assert p.status == S.REVERSED and pay.pot.balance == Decimal("10000.00")
    assert LedgerEntry.objects.filter(reverses=p.entry).exists()
    with pytest.raises(ValidationError):
        payment_reverse(actor=pay.handler, payment=p, reason="再来")


def test_the_outsider_can_do_nothing(pay, make_active):
    p = create(pay, make_active())
    with pytest.raises(PermissionDenied):
        payment_submit(actor=pay.outsider, payment=p)
    with pytest.raises(PermissionDenied):
        payment_create(actor=pay.outsider, pot=pay.pot, aid_type="生活救助", amount="1", method=PayMethod.BANK,
                       bank_account=ACCOUNT, archive=p.archive)
    payment_submit(actor=pay.handler, payment=p)
    with pytest.raises(PermissionDenied):
        payment_approve(actor=pay.outsider, payment=p)


def test_the_per_payment_limit_blocks_at_submission(pay, make_active):
    p = create(pay, make_active(), amount="3000.01")
    with pytest.raises(ValidationError, match="单笔限额"):
        payment_submit(actor=pay.handler, payment=p)


def test_the_archive_must_be_below_the_paying_org(pay, fin, tree, make_active):
    grassroots = raised(fin.k1_finance, tree.g1, "100")  # 武侯's grassroots union pays
    with pytest.raises(ValidationError, match="只能发放给本级及下级"):
        payment_create(actor=pay.handler, pot=grassroots, aid_type="生活救助", amount="1", method=PayMethod.BANK,
                       bank_account=ACCOUNT, archive=make_active())  # an archive of 武侯 itself
    assert not Payment.objects.exists()
