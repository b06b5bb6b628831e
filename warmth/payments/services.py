"""Every write of 实名制发放: create a payment (a draft), submit it (snapshot + funds rules), approve or return
it step by step along the org's chain, mark it paid, confirm it, reverse it.

The money leaves the pot at the last approval, through ``funds.services.pot_spend`` (row lock on the pot, every
funds rule again on the fresh balance), so two approvals that together would overdraw a pot cannot both
succeed. Each function checks subtree and role, validates before it writes, runs in one transaction, locks the
payment row, writes a ``PaymentStep`` and an audit row. Nothing is deleted; a submitted payment is not edited."""

from __future__ import annotations

import copy
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
from warmth.core.validation import text
from warmth.core.workflow import Action, Guard, Transition, Workflow
from warmth.funds import rules
from warmth.funds import services as funds
from warmth.funds.choices import EntryKind, PayMethod
from warmth.funds.models import FundPot
from warmth.orgs.access import Actor
from warmth.orgs.models import Org
from warmth.orgs.permissions import Perm, role_labels
from warmth.payments.choices import (
    DEAD_STATES,
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
    errors, clean = _payment_fields(amount=amount, aid_type=aid_type, method=method, bank_account=bank_account,
                                    on_visit=on_visit, goods_items=goods_items, bank_name=bank_name,
                                    repeat_reason=repeat_reason, note=note)
    value, account = clean["amount"], clean["bank_account"]
    goods_items, bank_name = clean["goods_items"], clean["bank_name"]
    repeat_reason, note = clean["repeat_reason"], clean["note"]
    if recipient_kind not in RecipientKind.values:
        errors["recipient_kind"] = "请选择对象类别"
    if campaign is not None and not pot.org.path.startswith(campaign.org.path):
        errors["campaign"] = f"{pot.org.name}不在“{campaign}”的范围（{campaign.org.name}及下级）内"
    today = timezone.localdate()
    p = Payment(org=pot.org, pot=pot, aid_type=aid_type, amount=value or Decimal("0.01"), method=method,
                on_visit=on_visit, goods_items=goods_items,
                bank_account=account if method == PayMethod.BANK else "", bank_name=bank_name,
                repeat_reason=repeat_reason, note=note,
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
        name = text(recipient.name if recipient else "", "name", "领取人姓名", errors, max_length=30,
                    required=True)
        if recipient_kind == RecipientKind.ARCHIVE:
            errors["recipient_kind"] = "在档困难职工请选择档案；其他对象请选择对象类别"
        try:
            card = idcard.parse(recipient.id_number if recipient else "")
        except idcard.IdCardError as exc:
            errors["id_number"] = f"身份证号无效：{exc}"
            card = None
        if recipient is not None:
            p.name = name
            p.unit_or_address = text(recipient.unit_or_address, "unit_or_address", "工作单位或家庭住址", errors,
                                     max_length=200)
            p.phone = text(recipient.phone, "phone", "联系电话", errors, max_length=20)
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


def _payment_fields(*, amount, aid_type: str, method: str, bank_account: str, on_visit: bool,
                    goods_items: str, bank_name: str, repeat_reason: str, note: str) -> tuple[dict[str, str], dict]:
    """The checks a payment's own fields take, at creation and at an edit: every error at once (field → Chinese
    message) and the cleaned values (texts under the input policy, never cut short)."""
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
    account = pii.normalize(pii.BANK_ACCOUNT, bank_account or "")
    if method == PayMethod.BANK and not BANK_ACCOUNT_RE.fullmatch(account):
        errors["bank_account"] = "银行账号须为 12 至 30 位数字"
    if method == PayMethod.CASH and not on_visit:
        errors["method"] = "现金只能在慰问团入户慰问时当面发放，其他一律银行卡转账"
    goods_items = text(goods_items, "goods_items", "实物名称、数量和价值", errors, max_length=200)
    if method == PayMethod.GOODS and not goods_items and "goods_items" not in errors:
        errors["goods_items"] = "实物发放须写明物品名称、数量和价值"
    clean = {"amount": value, "bank_account": account, "goods_items": goods_items,
             "bank_name": text(bank_name, "bank_name", "开户银行", errors, max_length=60),
             "repeat_reason": text(repeat_reason, "repeat_reason", "重复发放理由", errors, max_length=200),
             "note": text(note, "note", "备注", errors, max_length=200)}
    return errors, clean


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
            .exclude(pk=p.pk).exclude(status__in=DEAD_STATES))


def evaluate(p: Payment) -> rules.Evaluation:
    return rules.evaluate(_proposal(p))


# --- the flow: one table run by warmth.core.workflow -------------------------------------------------------

def _payment_access(actor: Actor, p: Payment) -> None:
    if not actor.sees_org(p.org):
        raise PermissionDenied("该发放不在您的管辖范围内。")


def _as_submitted(t: Transition) -> Payment:
    """The payment as submission would leave it: with a fresh snapshot of its archive (a copy; the rules and the
    repeat check look at the person as the archive has them now)."""
    if "submitted" not in t.scratch:
        p = copy.copy(t.obj)
        if p.archive_id:
            values = snapshot_values(p.archive, timezone.localdate())
            for name, value in values.items():
                setattr(p, name, value)
            t.scratch["snapshot"] = values
        t.scratch["submitted"] = p
    return t.scratch["submitted"]


def _archive_fit(t: Transition) -> str | None:
    a = t.obj.archive
    if a is not None and a.status in LATE_ARCHIVE:
        return f"档案 {a.archive_no} 状态为“{a.get_status_display()}”，不能发放。"
    return None


def _repeat_explained(t: Transition) -> str | None:
    p = _as_submitted(t)
    if not p.repeat_reason and repeats_of(p).exists():
        return f"{p.name}本年度已有{p.get_aid_type_display()}发放，再次发放须填写理由。"
    return None


def _rules_pass(t: Transition) -> str | None:
    p = _as_submitted(t) if t.action.name == "submit" else t.obj
    ev = t.scratch["evaluation"] = evaluate(p)
    return "；".join(ev.messages()) if ev.blocked else None


def _not_the_payer(t: Transition) -> str | None:
    return "不能审批自己经办的发放。" if t.actor is not None and t.obj.created_by_id == t.actor.user.pk else None


def _one_step_each(t: Transition) -> str | None:
    p = t.obj
    if t.actor is not None and p.steps.filter(action="approve", actor=t.actor.user, at__gte=p.submitted_at).exists():
        return "同一人不能审批同一笔发放的两个环节。"
    return None


def _has_entry(t: Transition) -> str | None:
    return None if t.obj.entry_id else f"该发放当前为“{t.obj.get_status_display()}”，没有可冲正的支出。"


def _submit(t: Transition) -> None:
    p = t.obj
    values = t.scratch.get("snapshot") or {}
    for name, value in values.items():
        setattr(p, name, value)
    t.fields += list(values)
    ev = t.scratch["evaluation"]
    p.chain, p.step, p.submitted_at = steps_for(p.org, p.amount), 0, timezone.now()
    t.result = ev
    t.note = "；".join(f"{v.name}：{v.message}" for v in ev.warnings)
    t.audit_after = {"chain": p.chain, "warnings": [v.code for v in ev.warnings]}


def _approve(t: Transition) -> None:
    p = t.obj
    t.note = text(t.data.get("note"), "note", "意见", max_length=200, multiline=True)
    t.step_data = {"step_name": p.chain[p.step]}
    p.step += 1
    if p.step >= len(p.chain):
        spent = funds.pot_spend(actor=t.actor, proposal=_proposal(p), ref_type="payment", ref_id=str(p.pk),
                                memo=f"{p.get_aid_type_display()}：{p.name}", kind=EntryKind.PAID,
                                perm=Perm.PAYMENT_APPROVE)
        p.entry = spent.entry
        t.fields.append("entry")
    t.audit_after = {"step": t.step_data["step_name"], "status": _approved_or_not(p)}


def _approved_or_not(p: Payment) -> str:
    return S.APPROVED if p.step >= len(p.chain) else S.SUBMITTED


def _return(t: Transition) -> None:
    p = t.obj
    t.step_data = {"step_name": p.chain[p.step]}
    p.step = 0
    t.audit_after = {"step": t.step_data["step_name"], "reason": t.note}


def _pay(t: Transition) -> None:
    p = t.obj
    p.paid_on, p.paid_by = t.data.get("paid_on") or timezone.localdate(), t.actor.user
    t.note = text(t.data.get("note"), "note", "说明", max_length=200, multiline=True)
    t.audit_after = {"paid_on": p.paid_on}


def _confirm(t: Transition) -> None:
    t.obj.confirmed_at = timezone.now()
    t.note = text(t.data.get("note"), "note", "说明", max_length=200, multiline=True)
    t.audit_after = {}


def _reverse(t: Transition) -> None:
    funds.entry_reverse(actor=t.actor, entry=t.obj.entry, reason=t.note)
    t.audit_after = {"reason": t.note, "amount": t.obj.amount}


#: what an edit may change (a draft or a returned payment; the recipient and the money stay: cancel instead)
EDITABLE = ("amount", "aid_type", "method", "on_visit", "goods_items", "bank_account", "bank_name",
            "repeat_reason", "note")


def _edit(t: Transition) -> None:
    """修改 a draft or returned payment: every field checked as at creation, all errors at once; the step row
    and the audit row name the fields that changed (an account only as changed, never its digits)."""
    p, d = t.obj, t.data
    new = {name: d.get(name, getattr(p, name)) for name in EDITABLE}
    errors, clean = _payment_fields(amount=new["amount"], aid_type=new["aid_type"], method=new["method"],
                                    bank_account=new["bank_account"], on_visit=bool(new["on_visit"]),
                                    goods_items=new["goods_items"], bank_name=new["bank_name"],
                                    repeat_reason=new["repeat_reason"], note=new["note"])
    if errors:
        raise ValidationError(errors)
    new.update(clean, on_visit=bool(new["on_visit"]),
               bank_account=clean["bank_account"] if new["method"] == PayMethod.BANK else "")
    changed = [name for name in EDITABLE if new[name] != getattr(p, name)]
    if not changed:
        raise ValidationError({"__all__": "没有修改任何内容"})
    labels = [str(Payment._meta.get_field(name).verbose_name) for name in changed]
    before = {name: getattr(p, name) for name in changed if name != "bank_account"}
    for name in changed:
        setattr(p, name, new[name])
    if "bank_account" in changed:
        t.fields.append("bank_account_bidx")  # the field recomputes it on save
    t.fields += changed
    t.note = "修改了" + "、".join(labels)
    t.audit_before = before
    t.audit_after = {name: new[name] for name in changed if name != "bank_account"} | (
        {"bank_account": "（已修改）"} if "bank_account" in changed else {})


def _cancel(t: Transition) -> None:
    t.audit_after = {"status": S.CANCELLED, "reason": t.note}


def _reverse_request(t: Transition) -> None:
    t.obj.reverse_from = t.before
    t.audit_after = {"status": S.REVERSING, "reason": t.note}


def _not_the_requester(t: Transition) -> str | None:
    if t.actor is None:
        return None
    asked = t.obj.steps.filter(action="reverse_request").order_by("-id").values_list("actor_id", flat=True).first()
    return "申请冲正的人不能审批自己的冲正申请，须由另一位有审批权限的人审批。" if asked == t.actor.user.pk else None


def _reverse_approve(t: Transition) -> None:
    asked = (t.obj.steps.filter(action="reverse_request").order_by("-id").values_list("note", flat=True).first()
             or "冲正审批通过")
    funds.entry_reverse(actor=t.actor, entry=t.obj.entry, reason=asked, perm=Perm.PAYMENT_APPROVE)
    t.note = text(t.data.get("note"), "note", "意见", max_length=200, multiline=True)
    t.audit_after = {"status": S.REVERSED, "amount": t.obj.amount, "opinion": t.note}


def _reverse_reject(t: Transition) -> None:
    t.obj.reverse_from = ""
    t.audit_after = {"status": t.obj.status, "reason": t.note}


def _back_from_reversing(p: Payment) -> str:
    return p.reverse_from or S.PAID


def _bank_fail(t: Transition) -> None:
    """The bank returned the transfer (wrong account, closed card…): the money goes back to the pot through a
    reversal entry; the payment is kept with the bank's reason, to be paid again or cancelled."""
    p = t.obj
    funds.entry_reverse(actor=t.actor, entry=p.entry, reason=f"银行退回：{t.note}"[:150])
    t.step_data = {"paid_on": p.paid_on.isoformat() if p.paid_on else ""}
    p.paid_on, p.paid_by, p.confirmed_at = None, None, None
    t.audit_after = {"status": S.BANK_FAILED, "reason": t.note, "amount": p.amount}


def _repay(t: Transition) -> None:
    """重新发放 after the bank's return: the account corrected (or confirmed), every funds rule checked again and
    the money taken from the pot again; the payment is 待发放 once more."""
    p, d = t.obj, t.data
    errors, clean = _payment_fields(amount=p.amount, aid_type=p.aid_type, method=PayMethod.BANK,
                                    bank_account=d.get("bank_account", ""), on_visit=p.on_visit,
                                    goods_items=p.goods_items, bank_name=d.get("bank_name", p.bank_name),
                                    repeat_reason=p.repeat_reason, note=p.note)
    errors = {k: v for k, v in errors.items() if k in ("bank_account", "bank_name")}
    if not (d.get("bank_account") or "").strip():
        errors["bank_account"] = "请填写更正后的银行账号（原账号无误时照填原账号）"
    if errors:
        raise ValidationError(errors)
    changed = clean["bank_account"] != p.bank_account
    p.method, p.bank_account, p.bank_name = PayMethod.BANK, clean["bank_account"], clean["bank_name"]
    spent = funds.pot_spend(actor=t.actor, proposal=_proposal(p), ref_type="payment", ref_id=str(p.pk),
                            memo=f"重新发放 {p.get_aid_type_display()}：{p.name}", kind=EntryKind.PAID)
    p.entry = spent.entry
    t.fields += ["entry", "method", "bank_account", "bank_account_bidx", "bank_name"]
    t.note = "更正了银行账号" if changed else "原账号重新发放"
    t.audit_after = {"status": S.APPROVED, "bank_account": "（已修改）" if changed else "（未改）",
                     "amount": p.amount}


def _step(t: Transition) -> None:
    # Typed notes and reasons are at most 200 characters already (the input policy); only the submission's
    # note, the rules' warnings put together by the system, may run longer and is shortened for the column.
    PaymentStep.objects.create(payment=t.obj, action=t.action.name, step_name=t.step_data.get("step_name", ""),
                               note=t.note[:200], actor=t.actor.user)


def _wrong_state(p: Payment, a: Action) -> str:
    return f"该发放当前为“{p.get_status_display()}”，不能{a.label}。"


def _approve_label(p: Payment) -> str:
    return f"审批（第{p.step + 1}/{len(p.chain)}步：{p.chain[p.step]}）" if p.step < len(p.chain) else "审批"


PW, PA = Perm.PAYMENT_WRITE, Perm.PAYMENT_APPROVE

WORKFLOW = Workflow(
    name="payment", model=Payment, access=_payment_access, sees=lambda actor, p: actor.sees_org(p.org),
    step=_step, audit=audit_record, org_of=lambda p: p.org, roles=role_labels, audit_prefix="payments",
    lock_related=("pot__org", "org", "archive"), wrong_state=_wrong_state,
    actions=[
        Action("submit", "提交审批", frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED, PW,
               guards=(Guard(_archive_fit, field="archive"), Guard(_repeat_explained, field="repeat_reason"),
                       Guard(_rules_pass)),
               apply=_submit, fields=("chain", "step", "submitted_at"), forward=True),
        Action("approve", "审批", frozenset({S.SUBMITTED}), _approved_or_not, PA,
               guards=(Guard(_not_the_payer), Guard(_one_step_each), Guard(_rules_pass)),
               apply=_approve, fields=("step",), forward=True, next_label=_approve_label),
        Action("return", "退回", frozenset({S.SUBMITTED}), S.RETURNED, PA, guards=(Guard(_not_the_payer),),
               reason="理由", reason_missing="退回须填写理由", reason_max=200, apply=_return, fields=("step",)),
        Action("pay", "登记为已发放", frozenset({S.APPROVED}), S.PAID, PW, apply=_pay, fields=("paid_on", "paid_by"),
               forward=True),
        Action("confirm", "确认", frozenset({S.PAID}), S.CONFIRMED, PA, apply=_confirm, fields=("confirmed_at",),
               forward=True),
        # 待发放: the money left the pot but no one was paid; the payer puts it back alone
        Action("reverse", "冲正", frozenset({S.APPROVED}), S.REVERSED, PW,
               guards=(Guard(_has_entry),), reason="理由", reason_missing="冲正须填写理由", reason_max=150,
               apply=_reverse),
        # 已发放 / 已确认: asked for by one person, approved (or refused) by another with the approve permission
        Action("reverse_request", "申请冲正", frozenset({S.PAID, S.CONFIRMED}), S.REVERSING, PW,
               guards=(Guard(_has_entry),), reason="理由", reason_missing="申请冲正须填写理由", reason_max=150,
               apply=_reverse_request, fields=("reverse_from",)),
        Action("reverse_approve", "冲正审批通过", frozenset({S.REVERSING}), S.REVERSED, PA,
               guards=(Guard(_not_the_requester, denied=True), Guard(_has_entry)), apply=_reverse_approve,
               forward=True),
        Action("reverse_reject", "驳回冲正", frozenset({S.REVERSING}), _back_from_reversing, PA,
               guards=(Guard(_not_the_requester, denied=True),), reason="理由", reason_missing="驳回冲正须填写理由",
               reason_max=200, apply=_reverse_reject, fields=("reverse_from",)),
        # the bank's return file (回盘) names a failed transfer: money back to the pot, kept with the reason
        Action("bank_fail", "登记银行退回", frozenset({S.PAID, S.CONFIRMED}), S.BANK_FAILED, PW,
               guards=(Guard(_has_entry),), reason="银行退回原因", reason_missing="请填写银行退回的原因",
               reason_max=100, apply=_bank_fail, fields=("paid_on", "paid_by", "confirmed_at")),
        Action("repay", "更正账号重新发放", frozenset({S.BANK_FAILED}), S.APPROVED, PW, apply=_repay,
               forward=True),
        Action("edit", "修改", frozenset({S.DRAFT, S.RETURNED}), None, PW, apply=_edit),
        Action("cancel", "作废", frozenset({S.DRAFT, S.RETURNED, S.BANK_FAILED}), S.CANCELLED, PW, reason="理由",
               reason_missing="作废须填写理由", reason_max=200, apply=_cancel),
    ],
)


@transaction.atomic
def payment_submit(*, actor: Actor, payment: Payment) -> rules.Evaluation:
    """Submit a draft (or a returned payment): take a fresh snapshot, run the funds rules (blocking rules refuse
    with their messages), check repeats, and start the approval chain."""
    return WORKFLOW.run(actor, payment, "submit").result


@transaction.atomic
def payment_approve(*, actor: Actor, payment: Payment, note: str = "") -> Payment:
    """Approve the current step. One person approves one step of a payment at most. The last approval takes
    the money out of the pot (every funds rule again, under the pot's lock)."""
    return WORKFLOW.run(actor, payment, "approve", note=note).obj


@transaction.atomic
def payment_return(*, actor: Actor, payment: Payment, reason: str) -> Payment:
    return WORKFLOW.run(actor, payment, "return", reason=reason).obj


@transaction.atomic
def payment_mark_paid(*, actor: Actor, payment: Payment, paid_on: date | None = None, note: str = "") -> Payment:
    """待发放 → 已发放: the bank batch went out, or the cash was handed over against the recipient's signature."""
    return WORKFLOW.run(actor, payment, "pay", paid_on=paid_on, note=note).obj


@transaction.atomic
def payment_confirm(*, actor: Actor, payment: Payment, note: str = "") -> Payment:
    """已发放 → 已确认 (the bank's return or the signed receipt checked by someone other than the payer)."""
    return WORKFLOW.run(actor, payment, "confirm", note=note).obj


@transaction.atomic
def payment_reverse(*, actor: Actor, payment: Payment, reason: str) -> Payment:
    """冲正 of a 待发放 payment (no one was paid yet): the money goes back into the pot through a reversal entry;
    the payment is kept, marked reversed. A paid one goes through ``payment_reverse_request``."""
    return WORKFLOW.run(actor, payment, "reverse", reason=reason).obj


@transaction.atomic
def payment_reverse_request(*, actor: Actor, payment: Payment, reason: str) -> Payment:
    """申请冲正 of a paid or confirmed payment: it waits (冲正待审批) for a second person to approve."""
    return WORKFLOW.run(actor, payment, "reverse_request", reason=reason).obj


@transaction.atomic
def payment_reverse_approve(*, actor: Actor, payment: Payment, note: str = "") -> Payment:
    """冲正审批通过 by someone with the approve permission other than the one who asked: the money goes back."""
    return WORKFLOW.run(actor, payment, "reverse_approve", note=note).obj


@transaction.atomic
def payment_reverse_reject(*, actor: Actor, payment: Payment, reason: str) -> Payment:
    """驳回冲正: the payment goes back to the state it was asked from (已发放 or 已确认)."""
    return WORKFLOW.run(actor, payment, "reverse_reject", reason=reason).obj


@transaction.atomic
@transaction.atomic
def payment_bank_fail(*, actor: Actor, payment: Payment, reason: str) -> Payment:
    """已发放/已确认 → 发放失败: the bank returned the transfer; the money goes back to the pot (a reversal entry)
    and the roster and the statistics no longer count it. Usually called by the return file's import."""
    return WORKFLOW.run(actor, payment, "bank_fail", reason=reason).obj


@transaction.atomic
def payment_repay(*, actor: Actor, payment: Payment, bank_account: str, bank_name: str = "") -> Payment:
    """发放失败 → 待发放 with the account corrected: the funds rules again, the money out of the pot again."""
    return WORKFLOW.run(actor, payment, "repay", bank_account=bank_account, bank_name=bank_name).obj


def payment_edit(*, actor: Actor, payment: Payment, **fields) -> Payment:
    """修改 a draft or returned payment (``EDITABLE`` fields); refused with every error at once."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationError({"__all__": f"不能修改：{'、'.join(sorted(unknown))}"})
    return WORKFLOW.run(actor, payment, "edit", **fields).obj


@transaction.atomic
def payment_cancel(*, actor: Actor, payment: Payment, reason: str) -> Payment:
    """作废 a draft or returned payment: kept with its trail and reason, never deleted; it pays no one."""
    return WORKFLOW.run(actor, payment, "cancel", reason=reason).obj
