"""Every write of the money side: raising, allocation down the tree (single and by plan), collective decisions,
turning leftovers into 日常帮扶, spending from a pot (the payments module's door), visiting-group deductions,
reversals and rule settings.

Each function checks the actor's subtree and role, validates everything before it writes, runs in one
transaction, locks the pots it moves money in (``SELECT … FOR UPDATE``, always in primary-key order so two
transfers cannot deadlock) and writes its audit row. Nothing is ever edited or deleted in the ledger.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from warmth.archives.choices import ArchiveStatus
from warmth.archives.models import Archive
from warmth.audit.services import audit_record
from warmth.core.files import store_upload
from warmth.core.money import AmountError, parse_amount
from warmth.core.validation import EARLIEST, Errors, text
from warmth.funds import rules
from warmth.funds.choices import (
    DecisionKind,
    EntryKind,
    FundSource,
    PayMethod,
    PlanStatus,
    Purpose,
    RuleMode,
)
from warmth.funds.models import (
    ZERO,
    Allocation,
    AllocationPlan,
    AllocationPlanLine,
    Decision,
    FundPot,
    FundRaise,
    LedgerEntry,
    RuleSetting,
)
from warmth.funds.seasons import season_end
from warmth.orgs.access import Actor
from warmth.orgs.models import Org
from warmth.orgs.permissions import Perm

MIN_YEAR, MAX_YEAR = 2000, 2100


# --- checks shared by every service -------------------------------------------------------------------

def _amount(value, field: str = "amount") -> Decimal:
    try:
        return parse_amount(value)
    except AmountError as exc:
        raise ValidationError({field: str(exc)}) from None


def _choice(value: str, choices, field: str, label: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: f"请选择{label}"})
    return value


def _year(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_YEAR <= value <= MAX_YEAR:
        raise ValidationError({"year": f"年度须为 {MIN_YEAR}–{MAX_YEAR} 之间的整数"})
    return value


def _inside(actor: Actor, org: Org, perm: Perm) -> None:
    if not actor.sees_org(org):
        raise PermissionDenied("该组织不在您的管辖范围内。")
    actor.require(perm)


# --- pots and the ledger --------------------------------------------------------------------------------

def pot_get(*, org: Org, year: int, source: str, purpose: str) -> FundPot:
    """The pot of org × year × source × purpose, created empty on first use (safe under concurrency)."""
    pot = FundPot.objects.filter(org=org, year=year, source=source, purpose=purpose).first()
    if pot is not None:
        return pot
    try:
        with transaction.atomic():
            return FundPot.objects.create(org=org, year=year, source=source, purpose=purpose)
    except IntegrityError:
        return FundPot.objects.get(org=org, year=year, source=source, purpose=purpose)


def _lock(*pots: FundPot) -> dict[int, FundPot]:
    """Lock pots in primary-key order and return them fresh from the database."""
    ids = sorted({p.pk for p in pots})
    locked = {p.pk: p for p in FundPot.objects.select_for_update().filter(pk__in=ids).order_by("pk")
              .select_related("org")}
    return locked


def _post(pot: FundPot, *, kind: str, amount: Decimal, on_date: date, actor: Actor | None,
          spend_by: date | None = None, **refs) -> LedgerEntry:
    """Append one entry to a locked pot and move its balance; refuses to take the balance below zero."""
    new_balance = pot.balance + amount
    if new_balance < 0:
        raise ValidationError({"amount": f"资金余额不足：{pot.label}余额 {pot.balance} 元，需支出 {-amount} 元。"})
    # the exact Decimal computed here under the row lock (SQLite's own arithmetic on the column is a float's)
    FundPot.objects.filter(pk=pot.pk).update(balance=new_balance)
    pot.balance = new_balance
    return LedgerEntry.objects.create(pot=pot, kind=kind, amount=amount, balance_after=new_balance,
                                      on_date=on_date, spend_by=spend_by,
                                      created_by=actor.user if actor else None, **refs)


def default_spend_by(source: str, year: int, org: Org | None = None) -> date | None:
    """Central money must be spent within its season: by default the end of the season's campaign window as
    seen from ``org`` (the allocating union), unless the allocation says otherwise (seed 004 三.2)."""
    return season_end(org, year) if source == FundSource.CENTRAL else None


# --- raising --------------------------------------------------------------------------------------------

@transaction.atomic
def fund_raise(*, actor: Actor, org: Org, year: int, source: str, purpose: str, amount, received_on: date,
               doc_no: str = "", donor: str = "", is_goods: bool = False, goods_description: str = "",
               spend_by: date | None = None, note: str = "") -> FundRaise:
    """Record money raised by ``org`` (筹集) and credit its pot."""
    _inside(actor, org, Perm.FUNDS_WRITE)
    e = Errors()
    with e.field("year"):
        year = _year(year)
    with e.field("source"):
        _choice(source, FundSource, "source", "资金来源")
    with e.field("purpose"):
        _choice(purpose, Purpose, "purpose", "用途")
    with e.field("amount"):
        value = _amount(amount)
    donor = e.text("donor", donor, label="捐助单位或个人", max_length=100, required=source == FundSource.DONATION)
    goods_description = e.text("goods_description", goods_description, label="物资名称与数量", max_length=200,
                               required=is_goods)
    doc_no = e.text("doc_no", doc_no, label="文号/凭证号", max_length=60)
    note = e.text("note", note, label="备注", max_length=200)
    if received_on is None:
        e.add("received_on", "请填写到账日期")
    elif spend_by is not None and spend_by < received_on:
        e.add("spend_by", "使用期限不能早于到账日期")
    e.raise_if_any()
    pot = pot_get(org=org, year=year, source=source, purpose=purpose)
    pot = _lock(pot)[pot.pk]
    record = FundRaise(org=org, pot=pot, year=year, source=source, purpose=purpose, amount=value,
                       received_on=received_on, doc_no=doc_no, donor=donor, is_goods=is_goods,
                       goods_description=goods_description, spend_by=spend_by, note=note, created_by=actor.user)
    record.full_clean()
    record.save()
    memo = f"筹集：{donor or FundSource(source).label}" + ("（物资折款）" if is_goods else "")
    _post(pot, kind=EntryKind.RAISED, amount=value, on_date=received_on, actor=actor, spend_by=spend_by,
          raise_record=record, memo=memo[:200])
    audit_record(actor=actor, action="funds.raise", object_type="fund_raise", object_id=record.pk, org=org,
                 after={"year": year, "source": source, "purpose": purpose, "amount": value, "doc_no": doc_no,
                        "donor": donor, "is_goods": is_goods})
    return record


# --- allocation -----------------------------------------------------------------------------------------

def _check_child(from_org: Org, to_org: Org) -> None:
    if to_org.parent_id != from_org.pk:
        raise ValidationError({"to_org": f"{to_org.name}不是{from_org.name}的直接下级，只能向直接下级下拨资金。"})
    if not to_org.is_active:
        raise ValidationError({"to_org": f"{to_org.name}已停用，不能接收下拨资金。"})


def _allocate(actor: Actor, from_pot: FundPot, to_org: Org, value: Decimal, *, doc_no: str, allocated_on: date,
              spend_by: date | None, note: str, plan: AllocationPlan | None) -> Allocation:
    to_pot = pot_get(org=to_org, year=from_pot.year, source=from_pot.source, purpose=from_pot.purpose)
    locked = _lock(from_pot, to_pot)
    from_pot, to_pot = locked[from_pot.pk], locked[to_pot.pk]
    if value > from_pot.balance:
        raise ValidationError({"amount": f"资金余额不足：{from_pot.label}余额 {from_pot.balance} 元，"
                                         f"下拨 {value} 元。"})
    alloc = Allocation(from_org=from_pot.org, to_org=to_org, from_pot=from_pot, to_pot=to_pot, plan=plan,
                       amount=value, doc_no=doc_no, allocated_on=allocated_on, spend_by=spend_by, note=note,
                       created_by=actor.user)
    alloc.full_clean()
    alloc.save()
    _post(from_pot, kind=EntryKind.ALLOCATED, amount=-value, on_date=allocated_on, actor=actor, allocation=alloc,
          memo=f"下拨{to_org.name}（{doc_no}）"[:200])
    _post(to_pot, kind=EntryKind.RECEIVED, amount=value, on_date=allocated_on, actor=actor, allocation=alloc,
          spend_by=spend_by, memo=f"收到{from_pot.org.name}下拨（{doc_no}）"[:200])
    return alloc


def _allocation_fields(doc_no: str, allocated_on: date | None, spend_by: date | None, pot: FundPot,
                       e: Errors) -> tuple[str, date, date | None]:
    doc_no = e.text("doc_no", doc_no, label="文号", max_length=60, required=True)
    spend_by = spend_by or default_spend_by(pot.source, pot.year, pot.org)
    if allocated_on is None:
        e.add("allocated_on", "请填写下拨日期")
    elif spend_by is not None and spend_by < allocated_on:
        e.add("spend_by", "使用期限不能早于下拨日期")
    return doc_no, allocated_on, spend_by


@transaction.atomic
def allocation_create(*, actor: Actor, pot: FundPot, to_org: Org, amount, doc_no: str, allocated_on: date,
                      spend_by: date | None = None, note: str = "") -> Allocation:
    """Allocate money of ``pot`` to a direct child of the pot's org (下拨); source and purpose are kept."""
    _inside(actor, pot.org, Perm.FUNDS_WRITE)
    e = Errors()
    with e.field("to_org"):
        _check_child(pot.org, to_org)
    with e.field("amount"):
        value = _amount(amount)
    doc_no, allocated_on, spend_by = _allocation_fields(doc_no, allocated_on, spend_by, pot, e)
    note = e.text("note", note, label="备注", max_length=200)
    e.raise_if_any()
    alloc = _allocate(actor, pot, to_org, value, doc_no=doc_no, allocated_on=allocated_on, spend_by=spend_by,
                      note=note, plan=None)
    audit_record(actor=actor, action="funds.allocate", object_type="allocation", object_id=alloc.pk, org=pot.org,
                 after={"to_org": to_org.code, "amount": value, "doc_no": doc_no, "source": pot.source,
                        "purpose": pot.purpose, "year": pot.year, "spend_by": spend_by})
    return alloc


def households_by_child(org: Org) -> dict[int, int]:
    """Active archives (在档户数) in each direct child's subtree (seed 004 三.1: allocate by filed households)."""

    children = list(Org.objects.filter(parent=org, is_active=True).only("pk", "path"))
    counts = dict.fromkeys((c.pk for c in children), 0)
    if not children:
        return counts
    depth_len = len(children[0].path)
    rows = (Archive.objects.filter(org__path__startswith=org.path, status=ArchiveStatus.ACTIVE)
            .exclude(org=org).values_list("org__path").annotate(n=Count("id")))
    by_path = {c.path: c.pk for c in children}
    for path, n in rows:
        pk = by_path.get(path[:depth_len])
        if pk is not None:
            counts[pk] += n
    return counts


def pro_rata(total: Decimal, weights: dict[int, int]) -> dict[int, Decimal]:
    """Split ``total`` in whole yuan pro rata to ``weights`` (largest remainder; ties to the larger weight,
    then the smaller key); any 角/分 of the total go to the largest share. The parts add up to ``total``."""
    if not weights:
        return {}
    whole = total.to_integral_value(rounding=ROUND_FLOOR)
    cents = total - whole
    weight_sum = sum(weights.values())
    if weight_sum == 0:
        weights = dict.fromkeys(weights, 1)
        weight_sum = len(weights)
    exact = {k: whole * w / weight_sum for k, w in weights.items()}
    parts = {k: v.to_integral_value(rounding=ROUND_FLOOR) for k, v in exact.items()}
    left = int(whole - sum(parts.values()))
    order = sorted(weights, key=lambda k: (-(exact[k] - parts[k]), -weights[k], k))
    for k in order[:left]:
        parts[k] += 1
    if cents:
        biggest = max(parts, key=lambda k: (parts[k], -k))
        parts[biggest] += cents
    return {k: v.quantize(Decimal("0.01")) for k, v in parts.items()}


@transaction.atomic
def allocation_plan_create(*, actor: Actor, pot: FundPot, total, doc_no: str, allocated_on: date,
                           spend_by: date | None = None) -> AllocationPlan:
    """A draft plan dividing ``total`` among the pot org's active children by their active archives."""
    _inside(actor, pot.org, Perm.FUNDS_WRITE)
    e = Errors()
    with e.field("total"):
        value = _amount(total, "total")
    doc_no, allocated_on, spend_by = _allocation_fields(doc_no, allocated_on, spend_by, pot, e)
    e.raise_if_any()
    if value > pot.balance:
        raise ValidationError({"total": f"资金余额不足：{pot.label}余额 {pot.balance} 元，方案总额 {value} 元。"})
    weights = households_by_child(pot.org)
    if not weights:
        raise ValidationError({"total": f"{pot.org.name}没有下级组织，无法制定下拨方案。"})
    shares = pro_rata(value, weights)
    plan = AllocationPlan.objects.create(org=pot.org, pot=pot, total=value, doc_no=doc_no, allocated_on=allocated_on,
                                         spend_by=spend_by, created_by=actor.user)
    AllocationPlanLine.objects.bulk_create([AllocationPlanLine(plan=plan, to_org_id=k, households=weights[k],
                                                               amount=shares[k]) for k in weights])
    audit_record(actor=actor, action="funds.plan_create", object_type="allocation_plan", object_id=plan.pk,
                 org=pot.org, after={"total": value, "doc_no": doc_no, "lines": len(weights)})
    return plan


def _draft(plan: AllocationPlan) -> AllocationPlan:
    plan = AllocationPlan.objects.select_for_update().select_related("org", "pot").get(pk=plan.pk)
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError({"__all__": f"该方案{plan.get_status_display()}，不能再修改。"})
    return plan


@transaction.atomic
def allocation_plan_set_line(*, actor: Actor, plan: AllocationPlan, to_org: Org, amount) -> AllocationPlan:
    """Change one line of a draft plan (zero leaves the child out); the plan's total follows its lines."""
    _inside(actor, plan.org, Perm.FUNDS_WRITE)
    plan = _draft(plan)
    try:
        value = parse_amount(amount, allow_zero=True)
    except AmountError as exc:
        raise ValidationError({"amount": str(exc)}) from None
    line = plan.lines.filter(to_org=to_org).first()
    if line is None:
        raise ValidationError({"to_org": f"{to_org.name}不在该方案中。"})
    before = line.amount
    line.amount = value
    line.save(update_fields=["amount"])
    plan.total = sum((ln.amount for ln in plan.lines.all()), ZERO)
    plan.save(update_fields=["total"])
    audit_record(actor=actor, action="funds.plan_update", object_type="allocation_plan", object_id=plan.pk,
                 org=plan.org, before={"to_org": to_org.code, "amount": before},
                 after={"to_org": to_org.code, "amount": value, "total": plan.total})
    return plan


@transaction.atomic
def allocation_plan_confirm(*, actor: Actor, plan: AllocationPlan) -> list[Allocation]:
    """Post every non-zero line of a draft plan as an allocation, all or none (确认下拨, a leader's step)."""
    _inside(actor, plan.org, Perm.FUNDS_APPROVE)
    plan = _draft(plan)
    lines = [ln for ln in plan.lines.select_related("to_org") if ln.amount > 0]
    if not lines:
        raise ValidationError({"__all__": "方案中没有金额大于零的下拨。"})
    total = sum((ln.amount for ln in lines), ZERO)
    pot = _lock(plan.pot)[plan.pot_id]
    if total > pot.balance:
        raise ValidationError({"__all__": f"资金余额不足：{pot.label}余额 {pot.balance} 元，方案总额 {total} 元。"})
    made = []
    for ln in lines:
        _check_child(plan.org, ln.to_org)
        made.append(_allocate(actor, pot, ln.to_org, ln.amount, doc_no=plan.doc_no, allocated_on=plan.allocated_on,
                              spend_by=plan.spend_by, note=f"下拨方案 #{plan.pk}", plan=plan))
        pot = _lock(pot)[pot.pk]
    plan.status, plan.confirmed_by, plan.confirmed_at = PlanStatus.CONFIRMED, actor.user, timezone.now()
    plan.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    audit_record(actor=actor, action="funds.plan_confirm", object_type="allocation_plan", object_id=plan.pk,
                 org=plan.org, after={"total": total, "allocations": len(made)})
    return made


@transaction.atomic
def allocation_plan_cancel(*, actor: Actor, plan: AllocationPlan, reason: str) -> AllocationPlan:
    _inside(actor, plan.org, Perm.FUNDS_WRITE)
    plan = _draft(plan)
    reason = text(reason, "reason", "作废理由", max_length=200, required=True)
    plan.status = PlanStatus.CANCELLED
    plan.save(update_fields=["status"])
    audit_record(actor=actor, action="funds.plan_cancel", object_type="allocation_plan", object_id=plan.pk,
                 org=plan.org, after={"reason": reason})
    return plan


# --- collective decisions and leftovers -----------------------------------------------------------------

@transaction.atomic
def decision_record(*, actor: Actor, org: Org, year: int, kind: str, meeting: str, held_on: date, summary: str,
                    pots: list[FundPot], minutes) -> Decision:
    """Record a collective decision with its minutes (PDF/JPG/PNG) for pots of ``org``."""
    _inside(actor, org, Perm.FUNDS_APPROVE)
    e = Errors()
    with e.field("year"):
        year = _year(year)
    with e.field("kind"):
        _choice(kind, DecisionKind, "kind", "决策事项")
    meeting = e.text("meeting", meeting, label="会议名称", max_length=100, required=True)
    summary = e.text("summary", summary, label="决定内容", max_length=4000, required=True, multiline=True)
    if held_on is None:
        e.add("held_on", "请填写会议日期")
    elif held_on > timezone.localdate():
        e.add("held_on", "会议日期不能晚于今天")
    elif held_on < EARLIEST:
        e.add("held_on", "会议日期不能早于1900年1月1日")
    if not pots:
        e.add("pots", "请选择该决定适用的资金")
    elif any(p.org_id != org.pk for p in pots):
        e.add("pots", "只能选择本单位的资金")
    e.raise_if_any()
    stored = store_upload(minutes, folder=f"funds/decisions/{org.pk}", field="minutes")
    d = Decision.objects.create(org=org, year=year, kind=kind, meeting=meeting, held_on=held_on, summary=summary,
                                minutes_name=stored.original_name, minutes_path=stored.rel_path,
                                minutes_type=stored.content_type, minutes_sha256=stored.sha256,
                                recorded_by=actor.user)
    d.pots.set(pots)
    audit_record(actor=actor, action="funds.decision", object_type="decision", object_id=d.pk, org=org,
                 after={"kind": kind, "meeting": meeting, "held_on": held_on, "pots": [p.pk for p in pots],
                        "file": stored.original_name})
    return d


@transaction.atomic
def leftover_convert(*, actor: Actor, pot: FundPot, amount, decision: Decision, on_date: date) -> LedgerEntry:
    """Turn money left in ``pot`` into 日常帮扶 money of the same org, source and year, by a decision (seed 002)."""
    _inside(actor, pot.org, Perm.FUNDS_WRITE)
    value = _amount(amount)
    if pot.purpose == Purpose.DAILY:
        raise ValidationError({"pot": "该资金已是日常帮扶资金。"})
    if decision.kind != DecisionKind.LEFTOVER or not decision.pots.filter(pk=pot.pk).exists():
        raise ValidationError({"decision": "结余资金转为日常帮扶须有针对该资金的集体研究决定（结余资金转日常帮扶）。"})
    target = pot_get(org=pot.org, year=pot.year, source=pot.source, purpose=Purpose.DAILY)
    locked = _lock(pot, target)
    pot, target = locked[pot.pk], locked[target.pk]
    token = uuid.uuid4().hex
    out = _post(pot, kind=EntryKind.CONVERTED_OUT, amount=-value, on_date=on_date, actor=actor, decision=decision,
                ref_type="conversion", ref_id=token, memo=f"结余转日常帮扶（{decision.meeting}）"[:200])
    _post(target, kind=EntryKind.CONVERTED_IN, amount=value, on_date=on_date, actor=actor, decision=decision,
          ref_type="conversion", ref_id=token, memo=f"{pot.get_purpose_display()}结余转入（{decision.meeting}）"[:200])
    audit_record(actor=actor, action="funds.convert", object_type="fund_pot", object_id=pot.pk, org=pot.org,
                 after={"amount": value, "decision": decision.pk, "to_pot": target.pk})
    return out


# --- spending (the door the payments module uses) --------------------------------------------------------

@dataclass(frozen=True)
class Spent:
    entry: LedgerEntry
    evaluation: rules.Evaluation


@transaction.atomic
def pot_spend(*, actor: Actor, proposal: rules.Proposal, ref_type: str = "", ref_id: str = "", memo: str = "",
              kind: str = EntryKind.PAID, perm: Perm | None = None) -> Spent:
    """Take a payment's money out of its pot: lock the pot, run every funds rule on the fresh balance, refuse
    with the blocking rules' messages, else append the entry. Safe under any number of concurrent callers.
    ``perm``: the permission the caller acts under (the payments module's final approver: payment.approve)."""
    _inside(actor, proposal.pot.org, perm or (Perm.PAYMENT_WRITE if kind == EntryKind.PAID else Perm.FUNDS_WRITE))
    value = _amount(proposal.amount)
    proposal.amount = value
    proposal.pot = _lock(proposal.pot)[proposal.pot.pk]
    proposal.paid_on = proposal.paid_on or timezone.localdate()
    evaluation = rules.evaluate(proposal)
    if evaluation.blocked:
        raise ValidationError({"__all__": evaluation.messages()})
    entry = _post(proposal.pot, kind=kind, amount=-value, on_date=proposal.paid_on, actor=actor,
                  method=proposal.method, person_bidx=proposal.person_bidx, ref_type=ref_type[:20],
                  ref_id=str(ref_id)[:40], memo=memo[:200])
    audit_record(actor=actor, action="funds.spend" if kind == EntryKind.PAID else "funds.visit_deduct",
                 object_type="fund_pot", object_id=proposal.pot.pk, org=proposal.pot.org,
                 after={"amount": value, "entry": entry.pk, "ref": f"{ref_type}:{ref_id}",
                        "warnings": [v.code for v in evaluation.warnings]})
    return Spent(entry, evaluation)


def visit_deduct(*, actor: Actor, pot: FundPot, amount, group_name: str, visited_on: date,
                 archive_status: str | None = None, person_bidx: str = "", perm: Perm | None = None) -> Spent:
    """Money a visiting leaders' group (慰问团) handed out at a unit is deducted from what was allocated to
    that unit (seed 003 三.4): cash, on a visit, out of the visited unit's pot."""
    group_name = text(group_name, "group_name", "慰问团", max_length=60, required=True)
    proposal = rules.Proposal(pot=pot, amount=amount, method=PayMethod.CASH, on_visit=True,
                              archive_status=archive_status, person_bidx=person_bidx, paid_on=visited_on)
    return pot_spend(actor=actor, proposal=proposal, ref_type="visit", ref_id=group_name,
                     memo=f"{group_name}走访慰问发放，从已拨资金中扣除", kind=EntryKind.VISIT_PAID, perm=perm)


# --- reversals --------------------------------------------------------------------------------------------

def _siblings(entry: LedgerEntry) -> list[LedgerEntry]:
    """The entries that stand or fall together with ``entry``: both sides of an allocation or a conversion."""
    if entry.allocation_id:
        return list(LedgerEntry.objects.filter(allocation_id=entry.allocation_id).exclude(kind=EntryKind.REVERSAL))
    if entry.ref_type == "conversion":
        return list(LedgerEntry.objects.filter(ref_type="conversion", ref_id=entry.ref_id)
                    .exclude(kind=EntryKind.REVERSAL))
    return [entry]


@transaction.atomic
def entry_reverse(*, actor: Actor, entry: LedgerEntry, reason: str, on_date: date | None = None,
                  perm: Perm | None = None) -> list[LedgerEntry]:
    """Reverse a ledger entry (冲正) with a reason: new entries of the opposite sign, never an edit. An
    allocation or a conversion is reversed on both sides; the receiving pot must still hold the money.
    ``perm`` replaces the permission a payment's spending needs (a reversal approved by a second person with
    the approve permission, after the payer asked for it)."""
    reason = text(reason, "reason", "冲正理由", max_length=150, required=True)
    if entry.kind == EntryKind.REVERSAL:
        raise ValidationError({"__all__": "冲正记录本身不能再冲正。"})
    group = _siblings(entry)
    if entry.allocation_id:  # the allocating org reverses its allocation, both sides
        _inside(actor, entry.allocation.from_org, Perm.FUNDS_WRITE)
    else:
        spend = perm or Perm.PAYMENT_WRITE
        _inside(actor, entry.pot.org, spend if entry.kind == EntryKind.PAID else Perm.FUNDS_WRITE)
    pots = _lock(*[e.pot for e in group])
    if LedgerEntry.objects.filter(reverses__in=[e.pk for e in group]).exists():
        raise ValidationError({"__all__": "该记录已冲正。"})
    on_date = on_date or timezone.localdate()
    made = []
    # debits first back in, credits out last, so a pot that still holds the money passes its balance check
    for e in sorted(group, key=lambda x: x.amount):
        pot = pots[e.pot_id]
        try:
            made.append(_post(pot, kind=EntryKind.REVERSAL, amount=-e.amount, on_date=on_date, actor=actor,
                              spend_by=e.spend_by if e.amount > 0 else None, reverses=e,
                              allocation=e.allocation, raise_record=e.raise_record, decision=e.decision,
                              method=e.method, person_bidx=e.person_bidx, ref_type=e.ref_type, ref_id=e.ref_id,
                              memo=f"冲正：{reason}"[:200]))
        except ValidationError:
            raise ValidationError({"__all__": f"{pot.org.name}的{pot.label}余额 {pot.balance} 元，不足以冲回 "
                                              f"{e.amount} 元（资金可能已经下拨或发放，请先冲正下游记录）。"}) from None
    audit_record(actor=actor, action="funds.reverse", object_type="ledger_entry", object_id=entry.pk,
                 org=entry.pot.org, after={"reason": reason, "entries": [e.pk for e in group],
                                           "amount": entry.amount})
    return made


# --- rule settings ------------------------------------------------------------------------------------

@transaction.atomic
def rule_setting_set(*, actor: Actor, org: Org, code: str, mode: str, params: dict | None = None,
                     reason: str = "") -> RuleSetting:
    """Set a funds rule to block / warn / off (and its parameters) for ``org``'s subtree, with an audit row."""
    _inside(actor, org, Perm.RULES_MANAGE)
    rule = rules.RULES_BY_CODE.get(code)
    if rule is None:
        raise ValidationError({"code": "没有这条规则"})
    if rule.locked:
        raise ValidationError({"code": f"“{rule.name}”是不可关闭的规则：资金池余额任何时候都不得小于零。"})
    _choice(mode, RuleMode, "mode", "规则设置")
    reason = text(reason, "reason", "调整理由", max_length=200, required=True)
    clean = {}
    for key in rule.params:
        if params and params.get(key) not in (None, ""):
            clean[key] = str(_amount(params[key], key))
    before = rules.effective_settings(org)[code]
    setting, _ = RuleSetting.objects.update_or_create(
        org=org, code=code,
        defaults={"mode": mode, "params": clean, "reason": reason, "set_by": actor.user, "set_at": timezone.now()})
    audit_record(actor=actor, action="funds.rule_set", object_type="rule_setting", object_id=setting.pk, org=org,
                 before={"code": code, "mode": before.mode, "params": before.params},
                 after={"code": code, "mode": mode, "params": {**rule.params, **clean}, "reason": reason})
    return setting
