"""Every write of 实名制发放: create a payment (a draft), submit it (snapshot + funds rules), approve or return
it step by step along the org's chain, mark it paid, confirm it, reverse it.

The money leaves the pot at the last approval, through ``funds.services.pot_spend`` (row lock on the pot, every
funds rule again on the fresh balance), so two approvals that together would overdraw a pot cannot both
succeed. Each function checks subtree and role, validates before it writes, runs in one transaction, locks the
payment row, writes a ``PaymentStep`` and an audit row. Nothing is deleted; a submitted payment is not edited."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from warmth.archives.choices import ArchiveStatus
from warmth.archives.models import Archive
from warmth.audit.services import audit_record
from warmth.core import idcard, pii
from warmth.core.fields import bidx
from warmth.core.money import AmountError, parse_amount
from warmth.funds import rules
from warmth.funds import services as funds
from warmth.funds.choices import EntryKind, PayMethod
from warmth.funds.models import FundPot
from warmth.orgs.access import Actor
from warmth.orgs.models import Org
from warmth.orgs.permissions import Perm
from warmth.payments.choices import (
    DEFAULT_CHAIN,
    DEFAULT_THRESHOLD,
    EXTRA_STEP,
    AidType,
    PaymentStatus,
    RecipientKind,
)
from warmth.payments.models import ApprovalChain, Payment, PaymentStep

S = PaymentStatus
BANK_ACCOUNT_RE = re.compile(r"\d{12,30}")
LATE_ARCHIVE = (ArchiveStatus.EXIT_REVIEW, ArchiveStatus.EXIT_PUBLICIZING, ArchiveStatus.EXITED,
                ArchiveStatus.REJECTED)


@dataclass
class Recipient:
    """A recipient without an archive, as typed in (an archive's recipient is taken from the archive)."""

    name: str
    id_number: str
    unit_or_address: str = ""
    phone: str = ""


# --- the approval chain ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Chain:
    steps: tuple[str, ...]
    threshold: Decimal
    extra_step: str
    set_at: Org | None


def chain_of(org: Org) -> Chain:
    """The chain of the nearest org (itself or an ancestor) that set one, else the seed's default."""
    paths = rules.ancestors_paths(org)
    row = ApprovalChain.objects.filter(org__path__in=paths).select_related("org").order_by("-org__depth").first()
    if row is None:
        return Chain(DEFAULT_CHAIN, Decimal(DEFAULT_THRESHOLD), EXTRA_STEP, None)
    return Chain(tuple(row.steps), row.threshold, row.extra_step, row.org)


def steps_for(org: Org, amount: Decimal) -> list[str]:
    c = chain_of(org)
    return [*c.steps, c.extra_step] if amount > c.threshold else list(c.steps)


@transaction.atomic
def chain_set(*, actor: Actor, org: Org, steps: list[str], threshold, extra_step: str) -> ApprovalChain:
    """Set the approval chain of ``org``'s subtree (an admin's or a leader's setting, audited)."""
    if not actor.sees_org(org):
        raise PermissionDenied("该组织不在您的管辖范围内。")
    actor.require(Perm.RULES_MANAGE)
    steps = [s.strip() for s in steps if s and s.strip()]
    if not 1 <= len(steps) <= 8:
        raise ValidationError({"steps": "审批环节须为 1 至 8 个"})
    if any(len(s) > 30 for s in steps) or len(set(steps)) != len(steps):
        raise ValidationError({"steps": "审批环节名称不能重复，每个不超过 30 个字"})
    extra_step = (extra_step or "").strip()
    if not extra_step or len(extra_step) > 30 or extra_step in steps:
        raise ValidationError({"extra_step": "请填写加签环节名称（不超过 30 个字，不与其他环节重名）"})
    try:
        value = parse_amount(threshold)
    except AmountError as exc:
        raise ValidationError({"threshold": str(exc)}) from None
    before = chain_of(org)
    row, _ = ApprovalChain.objects.update_or_create(org=org, defaults={
        "steps": steps, "threshold": value, "extra_step": extra_step, "set_by": actor.user,
        "set_at": timezone.now()})
    audit_record(actor=actor, action="payments.chain_set", object_type="org", object_id=org.pk, org=org,
                 before={"steps": list(before.steps), "threshold": before.threshold},
                 after={"steps": steps, "threshold": value, "extra_step": extra_step})
    return row


# --- creating and the snapshot -------------------------------------------------------------------------------

def _snapshot_archive(p: Payment, a: Archive, today: date) -> None:
    for name, value in snapshot_values(a, today).items():
        setattr(p, name, value)


#: the archive fields ``snapshot_values`` reads
SNAPSHOT_FIELDS = ("name", "sex", "birth_date", "id_number", "id_number_bidx", "phone", "phone_bidx", "employer",
                   "address", "archive_no", "category", "cause_1", "cause_2", "cause_3", "dibao_monthly",
                   "dibao_from", "dibao_to")


def snapshot_values(a: Archive, today: date) -> dict:
    """What a payment copies from its archive when it is submitted (the voucher shows what was true then)."""
    return {
        "name": a.name, "sex": a.sex, "age": _age(a.birth_date, today),
        "id_number": a.id_number, "id_number_bidx": a.id_number_bidx, "phone": a.phone, "phone_bidx": a.phone_bidx,
        "unit_or_address": a.employer or a.address, "address": a.address, "employer": a.employer,
        "archive_no": a.archive_no, "category": a.category,
        "causes": "、".join(c for c in (a.cause_1, a.cause_2, a.cause_3) if c),
        "dibao": f"月额 {a.dibao_monthly} 元（{a.dibao_from or ''}至{a.dibao_to or ''}）" if a.dibao_monthly else "",
        "snapshot_at": timezone.now(),
    }


def _age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _check_archive(a: Archive) -> None:
    if a.status in LATE_ARCHIVE:
        raise ValidationError({"archive": f"档案 {a.archive_no} 状态为“{a.get_status_display()}”，不能发放。"})


@transaction.atomic
def payment_create(*, actor: Actor, pot: FundPot, aid_type: str, amount, method: str,
                   archive: Archive | None = None, recipient: Recipient | None = None,
                   recipient_kind: str = RecipientKind.ARCHIVE, on_visit: bool = False, goods_items: str = "",
                   bank_account: str = "", bank_name: str = "", repeat_reason: str = "",
                   note: str = "", campaign=None) -> Payment:
    """A draft payment from ``pot`` (an org of the actor's subtree) to an archive's household or another
    named recipient. Refused with a Chinese message, nothing written, for any bad field."""
    if not actor.sees_org(pot.org):
        raise PermissionDenied("该资金不在您的管辖范围内。")
    actor.require(Perm.PAYMENT_WRITE)
    errors: dict[str, str] = {}
    try:
        value = parse_amount(amount)
    except AmountError as exc:
        errors["amount"] = str(exc)
        value = None
    if aid_type not in AidType.values:
        errors["aid_type"] = "请选择帮扶项目"
    if method not in PayMethod.values:
        errors["method"] = "请选择发放方式"
    if recipient_kind not in RecipientKind.values:
        errors["recipient_kind"] = "请选择对象类别"
    account = pii.normalize(pii.BANK_ACCOUNT, bank_account or "")
    if method == PayMethod.BANK and not BANK_ACCOUNT_RE.fullmatch(account):
        errors["bank_account"] = "银行账号须为 12 至 30 位数字"
    if method == PayMethod.CASH and not on_visit:
        errors["method"] = "现金只能在慰问团入户慰问时当面发放，其他一律银行卡转账"
    if method == PayMethod.GOODS and not (goods_items or "").strip():
        errors["goods_items"] = "实物发放须写明物品名称、数量和价值"
    if campaign is not None and not pot.org.path.startswith(campaign.org.path):
        errors["campaign"] = f"{pot.org.name}不在“{campaign}”的范围（{campaign.org.name}及下级）内"
    today = timezone.localdate()
    p = Payment(org=pot.org, pot=pot, aid_type=aid_type, amount=value or Decimal("0.01"), method=method,
                on_visit=on_visit, goods_items=(goods_items or "").strip()[:200],
                bank_account=account if method == PayMethod.BANK else "", bank_name=(bank_name or "").strip()[:60],
                repeat_reason=(repeat_reason or "").strip()[:200], note=(note or "").strip()[:200],
                created_by=actor.user, campaign=campaign)
    if archive is not None:
        if not actor.sees_org(archive.org):
            raise PermissionDenied("该档案不在您的管辖范围内。")
        if not archive.org.path.startswith(pot.org.path):
            errors["archive"] = f"{pot.org.name}的资金只能发放给本级及下级的在档困难职工。"
        try:
            _check_archive(archive)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
        p.archive, p.recipient_kind = archive, RecipientKind.ARCHIVE
        _snapshot_archive(p, archive, today)
    else:
        if recipient is None or not (recipient.name or "").strip():
            errors["name"] = "请填写领取人姓名"
        if recipient_kind == RecipientKind.ARCHIVE:
            errors["recipient_kind"] = "在档困难职工请选择档案；其他对象请选择对象类别"
        try:
            card = idcard.parse(recipient.id_number if recipient else "")
        except idcard.IdCardError as exc:
            errors["id_number"] = f"身份证号无效：{exc}"
            card = None
        if recipient is not None:
            p.name = recipient.name.strip()[:30]
            p.unit_or_address = (recipient.unit_or_address or "").strip()[:200]
            p.phone = (recipient.phone or "").strip()
        if card is not None:
            p.id_number, p.sex, p.age = card.number, card.sex, _age(card.birth_date, today)
        p.recipient_kind = recipient_kind
        p.snapshot_at = timezone.now()
    if errors:
        raise ValidationError(errors)
    p.save()
    PaymentStep.objects.create(payment=p, action="create", actor=actor.user)
    audit_record(actor=actor, action="payments.create", object_type="payment", object_id=p.pk, org=p.org,
                 after={"amount": value, "aid_type": aid_type, "method": method, "pot": pot.pk,
                        "archive": archive.archive_no if archive else ""})
    return p


def _locked(payment: Payment) -> Payment:
    return (Payment.objects.select_for_update(of=("self",)).select_related("pot__org", "org", "archive")
            .get(pk=payment.pk))


def _proposal(p: Payment) -> rules.Proposal:
    status = p.archive.status if p.archive_id else None
    return rules.Proposal(pot=p.pot, amount=p.amount, method=p.method, on_visit=p.on_visit, archive_status=status,
                          person_bidx=p.id_number_bidx or bidx(pii.ID_NUMBER, p.id_number),
                          paid_on=timezone.localdate())


def repeats_of(p: Payment):
    """Other live payments to the same person under the same 帮扶项目 in the same campaign (without a campaign:
    from money of the same year)."""
    person = p.id_number_bidx or bidx(pii.ID_NUMBER, p.id_number)
    scope = {"campaign_id": p.campaign_id} if p.campaign_id else {"pot__year": p.pot.year}
    return (Payment.objects.filter(id_number_bidx=person, aid_type=p.aid_type, **scope)
            .exclude(pk=p.pk).exclude(status__in=[S.DRAFT, S.RETURNED, S.REVERSED]))


def evaluate(p: Payment) -> rules.Evaluation:
    return rules.evaluate(_proposal(p))


# --- the flow -------------------------------------------------------------------------------------------

def _step(p: Payment, actor: Actor, action: str, step_name: str = "", note: str = "") -> None:
    PaymentStep.objects.create(payment=p, action=action, step_name=step_name, note=note[:200], actor=actor.user)


@transaction.atomic
def payment_submit(*, actor: Actor, payment: Payment) -> rules.Evaluation:
    """Submit a draft (or a returned payment): take a fresh snapshot, run the funds rules (blocking rules refuse
    with their messages), check repeats, and start the approval chain."""
    if not actor.sees_org(payment.org):
        raise PermissionDenied("该发放不在您的管辖范围内。")
    actor.require(Perm.PAYMENT_WRITE)
    p = _locked(payment)
    if p.status not in (S.DRAFT, S.RETURNED):
        raise ValidationError({"__all__": f"该发放当前为“{p.get_status_display()}”，不能提交。"})
    if p.archive_id:
        _check_archive(p.archive)
        _snapshot_archive(p, p.archive, timezone.localdate())
    if repeats_of(p).exists() and not p.repeat_reason:
        raise ValidationError({"repeat_reason": f"{p.name}本年度已有{p.get_aid_type_display()}发放，"
                                                "再次发放须填写理由。"})
    ev = evaluate(p)
    if ev.blocked:
        raise ValidationError({"__all__": ev.messages()})
    p.chain, p.step, p.status, p.submitted_at = steps_for(p.org, p.amount), 0, S.SUBMITTED, timezone.now()
    p.save()
    _step(p, actor, "submit", note="；".join(f"{v.name}：{v.message}" for v in ev.warnings))
    audit_record(actor=actor, action="payments.submit", object_type="payment", object_id=p.pk, org=p.org,
                 after={"chain": p.chain, "warnings": [v.code for v in ev.warnings]})
    return ev


def _approver(actor: Actor, p: Payment) -> None:
    if not actor.sees_org(p.org):
        raise PermissionDenied("该发放不在您的管辖范围内。")
    actor.require(Perm.PAYMENT_APPROVE)
    if p.status != S.SUBMITTED:
        raise ValidationError({"__all__": f"该发放当前为“{p.get_status_display()}”，不能审批。"})
    if p.created_by_id == actor.user.pk:
        raise ValidationError({"__all__": "不能审批自己经办的发放。"})


@transaction.atomic
def payment_approve(*, actor: Actor, payment: Payment, note: str = "") -> Payment:
    """Approve the current step. One person approves one step of a payment at most. The last approval takes
    the money out of the pot (every funds rule again, under the pot's lock)."""
    p = _locked(payment)
    _approver(actor, p)
    if p.steps.filter(action="approve", actor=actor.user, at__gte=p.submitted_at).exists():
        raise ValidationError({"__all__": "同一人不能审批同一笔发放的两个环节。"})
    ev = evaluate(p)
    if ev.blocked:
        raise ValidationError({"__all__": ev.messages()})
    name = p.chain[p.step]
    p.step += 1
    if p.step >= len(p.chain):
        spent = funds.pot_spend(actor=actor, proposal=_proposal(p), ref_type="payment", ref_id=str(p.pk),
                                memo=f"{p.get_aid_type_display()}：{p.name}", kind=EntryKind.PAID,
                                perm=Perm.PAYMENT_APPROVE)
        p.entry, p.status = spent.entry, S.APPROVED
    p.save()
    _step(p, actor, "approve", name, note)
    audit_record(actor=actor, action="payments.approve", object_type="payment", object_id=p.pk, org=p.org,
                 after={"step": name, "status": p.status})
    return p


@transaction.atomic
def payment_return(*, actor: Actor, payment: Payment, reason: str) -> Payment:
    p = _locked(payment)
    _approver(actor, p)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "退回须填写理由"})
    name = p.chain[p.step]
    p.status, p.step = S.RETURNED, 0
    p.save()
    _step(p, actor, "return", name, reason)
    audit_record(actor=actor, action="payments.return", object_type="payment", object_id=p.pk, org=p.org,
                 after={"step": name, "reason": reason})
    return p


@transaction.atomic
def payment_mark_paid(*, actor: Actor, payment: Payment, paid_on: date | None = None, note: str = "") -> Payment:
    """待发放 → 已发放: the bank batch went out, or the cash was handed over against the recipient's signature."""
    if not actor.sees_org(payment.org):
        raise PermissionDenied("该发放不在您的管辖范围内。")
    actor.require(Perm.PAYMENT_WRITE)
    p = _locked(payment)
    if p.status != S.APPROVED:
        raise ValidationError({"__all__": f"该发放当前为“{p.get_status_display()}”，不能登记为已发放。"})
    p.status, p.paid_on, p.paid_by = S.PAID, paid_on or timezone.localdate(), actor.user
    p.save()
    _step(p, actor, "pay", note=note)
    audit_record(actor=actor, action="payments.pay", object_type="payment", object_id=p.pk, org=p.org,
                 after={"paid_on": p.paid_on})
    return p


@transaction.atomic
def payment_confirm(*, actor: Actor, payment: Payment, note: str = "") -> Payment:
    """已发放 → 已确认 (the bank's return or the signed receipt checked by someone other than the payer)."""
    p = _locked(payment)
    if not actor.sees_org(p.org):
        raise PermissionDenied("该发放不在您的管辖范围内。")
    actor.require(Perm.PAYMENT_APPROVE)
    if p.status != S.PAID:
        raise ValidationError({"__all__": f"该发放当前为“{p.get_status_display()}”，不能确认。"})
    p.status, p.confirmed_at = S.CONFIRMED, timezone.now()
    p.save()
    _step(p, actor, "confirm", note=note)
    audit_record(actor=actor, action="payments.confirm", object_type="payment", object_id=p.pk, org=p.org, after={})
    return p


@transaction.atomic
def payment_reverse(*, actor: Actor, payment: Payment, reason: str) -> Payment:
    """冲正: the money goes back into the pot through a reversal entry; the payment is kept, marked reversed."""
    p = _locked(payment)
    if not actor.sees_org(p.org):
        raise PermissionDenied("该发放不在您的管辖范围内。")
    actor.require(Perm.PAYMENT_WRITE)
    if p.status not in (S.APPROVED, S.PAID, S.CONFIRMED) or p.entry_id is None:
        raise ValidationError({"__all__": f"该发放当前为“{p.get_status_display()}”，没有可冲正的支出。"})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "冲正须填写理由"})
    funds.entry_reverse(actor=actor, entry=p.entry, reason=reason)
    p.status = S.REVERSED
    p.save()
    _step(p, actor, "reverse", note=reason)
    audit_record(actor=actor, action="payments.reverse", object_type="payment", object_id=p.pk, org=p.org,
                 after={"reason": reason, "amount": p.amount})
    return p
