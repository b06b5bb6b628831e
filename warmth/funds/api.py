"""送温暖资金 API: statements, pots and their ledger, raising, allocation (single and by plan), collective
decisions, leftovers, reversals, rule settings and the rule check (``evaluate``) of a proposed payment.

Every route reaches its objects through ``warmth.funds.access`` (outside the subtree: 404); the services check
the role (403) and the rules (422 with Chinese messages). Money is sent as a string or an integer."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from warmth.core.season import default_season
from warmth.core.validation import BoundedPagination
from warmth.funds import queries, rules, services
from warmth.funds.access import (
    allocations_for_actor,
    decision_for_actor,
    decisions_for_actor,
    entry_for_actor,
    plan_for_actor,
    pot_for_actor,
    pots_for_actor,
    raises_for_actor,
)
from warmth.funds.choices import PayMethod, Purpose
from warmth.funds.models import AllocationPlan
from warmth.funds.schemas import (
    AllocateIn,
    AllocationOut,
    ConvertIn,
    DecisionOut,
    EntryOut,
    EvaluateIn,
    EvaluationOut,
    PlanIn,
    PlanLineIn,
    PlanOut,
    PotDetailOut,
    PotOut,
    RaiseIn,
    RaiseOut,
    ReasonIn,
    RuleOut,
    RuleSetIn,
    StatementOut,
)
from warmth.orgs.access import org_for_actor
from warmth.orgs.models import Org

router = Router(tags=["资金"])


def _org(request, code: str) -> Org:
    return org_for_actor(request.auth, code.strip()) if code and code.strip() else request.auth.org


def _line(ln: queries.Line) -> dict:
    rate = ln.spend_rate
    return {"source": ln.source, "purpose": ln.purpose, **{c: str(getattr(ln, c)) for c in queries.COLUMNS},
            "spend_rate": None if rate is None else str(rate), "spend_by": ln.spend_by}


def _plan(plan: AllocationPlan) -> dict:
    return {"id": plan.pk, "org": plan.org.code, "pot": plan.pot_id, "total": str(plan.total), "basis": plan.basis,
            "doc_no": plan.doc_no, "allocated_on": plan.allocated_on, "spend_by": plan.spend_by,
            "status": plan.status,
            "lines": [{"to_org": ln.to_org.code, "to_org_name": ln.to_org.name, "households": ln.households,
                       "amount": str(ln.amount)} for ln in plan.lines.select_related("to_org")]}


def _pot_detail(pot) -> dict:
    offer = rules.spendable([pot], timezone.localdate())[pot.pk]
    return {"id": pot.pk, "org": pot.org.code, "org_name": pot.org.name, "year": pot.year, "source": pot.source,
            "source_label": pot.get_source_display(), "purpose": pot.purpose,
            "purpose_label": pot.get_purpose_display(), "balance": str(pot.balance),
            "available": str(offer.available), "expired": str(offer.expired), "spend_by": offer.deadline,
            "decisions": list(pot.decisions.values_list("pk", flat=True))}


# --- reads --------------------------------------------------------------------------------------------

@router.get("/statement", response=StatementOut, summary="资金收支表（本级、本级及下级、各下级、逾期未用）")
def funds_statement(request, org: str = "", year: int | None = None):
    o = _org(request, org)
    year = year or default_season(o)
    st = queries.statement(o, year)
    return {"org": o.code, "year": year, "own": [_line(ln) for ln in st.own],
            "own_total": _line(st.total(st.own)), "subtree": [_line(ln) for ln in st.subtree],
            "subtree_total": _line(st.total(st.subtree)),
            "children": [{"org": c.code, "org_name": c.name, "total": _line(t)}
                         for c, t in queries.children_totals(o, year)],
            "unspent": [{"pot": u.pot.pk, "org": u.pot.org.code, "deadline": u.deadline, "amount": str(u.amount)}
                        for u in queries.unspent_at_deadline(o, today=timezone.localdate(), year=year)]}


@router.get("/pots", response=list[PotOut], summary="资金池列表")
@paginate(BoundedPagination)
def funds_pot_list(request, org: str = "", year: int | None = None, subtree: bool = False):
    o = _org(request, org)
    qs = pots_for_actor(request.auth).select_related("org")
    qs = qs.filter(org__path__startswith=o.path) if subtree else qs.filter(org=o)
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("org__path", "year", "source", "purpose")


@router.get("/pots/{int:pot_id}", response=PotDetailOut, summary="资金池详情")
def funds_pot_detail(request, pot_id: int):
    return _pot_detail(pot_for_actor(request.auth, pot_id))


@router.get("/pots/{int:pot_id}/entries", response=list[EntryOut], summary="资金台账")
@paginate(BoundedPagination)
def funds_pot_entries(request, pot_id: int):
    return pot_for_actor(request.auth, pot_id).entries.order_by("id")


@router.get("/raises", response=list[RaiseOut], summary="筹集记录")
@paginate(BoundedPagination)
def funds_raise_list(request):
    return raises_for_actor(request.auth).select_related("org").order_by("-received_on", "-id")


@router.get("/allocations", response=list[AllocationOut], summary="下拨记录（本单位下拨的和收到的）")
@paginate(BoundedPagination)
def funds_allocation_list(request):
    return allocations_for_actor(request.auth).select_related("from_org", "to_org").order_by("-allocated_on", "-id")


@router.get("/plans/{int:plan_id}", response=PlanOut, summary="下拨方案")
def funds_plan_detail(request, plan_id: int):
    return _plan(plan_for_actor(request.auth, plan_id))


@router.get("/decisions", response=list[DecisionOut], summary="集体研究决定")
@paginate(BoundedPagination)
def funds_decision_list(request):
    return decisions_for_actor(request.auth).select_related("org").prefetch_related("pots")


@router.get("/decisions/{int:decision_id}", response=DecisionOut, summary="集体研究决定详情")
def funds_decision_detail(request, decision_id: int):
    return decision_for_actor(request.auth, decision_id)


@router.get("/rules", response=list[RuleOut], summary="资金规则及本单位的设置")
def funds_rule_list(request, org: str = ""):
    o = _org(request, org)
    eff = rules.effective_settings(o)
    return [{"code": r.code, "name": r.name, "description": r.description, "seed": r.seed,
             "mode": eff[r.code].mode, "params": eff[r.code].params, "locked": r.locked,
             "set_at": eff[r.code].set_at.code if eff[r.code].set_at else None} for r in rules.RULES]


# --- writes -------------------------------------------------------------------------------------------

@router.post("/raises", response={201: RaiseOut}, summary="登记筹集资金")
def funds_raise_create(request, payload: RaiseIn):
    o = org_for_actor(request.auth, payload.org.strip())
    r = services.fund_raise(actor=request.auth, org=o, year=payload.year, source=payload.source,
                            purpose=payload.purpose, amount=payload.amount, received_on=payload.received_on,
                            doc_no=payload.doc_no, donor=payload.donor, is_goods=payload.is_goods,
                            goods_description=payload.goods_description, spend_by=payload.spend_by,
                            note=payload.note)
    return Status(201, r)


@router.post("/pots/{int:pot_id}/allocate", response={201: AllocationOut}, summary="下拨给直接下级")
def funds_pot_allocate(request, pot_id: int, payload: AllocateIn):
    pot = pot_for_actor(request.auth, pot_id)
    to_org = Org.objects.filter(code=payload.to_org.strip()).first()
    if to_org is None:
        raise ValidationError({"to_org": f"组织代码{payload.to_org}不存在"})
    a = services.allocation_create(actor=request.auth, pot=pot, to_org=to_org, amount=payload.amount,
                                   doc_no=payload.doc_no, allocated_on=payload.allocated_on,
                                   spend_by=payload.spend_by, note=payload.note)
    return Status(201, a)


@router.post("/pots/{int:pot_id}/plans", response={201: PlanOut}, summary="按在档户数生成下拨方案（草稿）")
def funds_plan_create(request, pot_id: int, payload: PlanIn):
    pot = pot_for_actor(request.auth, pot_id)
    plan = services.allocation_plan_create(actor=request.auth, pot=pot, total=payload.total, doc_no=payload.doc_no,
                                           allocated_on=payload.allocated_on, spend_by=payload.spend_by)
    return Status(201, _plan(plan))


@router.post("/plans/{int:plan_id}/lines", response=PlanOut, summary="修改方案中一个单位的金额")
def funds_plan_set_line(request, plan_id: int, payload: PlanLineIn):
    plan = plan_for_actor(request.auth, plan_id)
    to_org = Org.objects.filter(code=payload.to_org.strip()).first()
    if to_org is None:
        raise ValidationError({"to_org": f"组织代码{payload.to_org}不存在"})
    return _plan(services.allocation_plan_set_line(actor=request.auth, plan=plan, to_org=to_org,
                                                   amount=payload.amount))


@router.post("/plans/{int:plan_id}/confirm", response=PlanOut, summary="确认下拨方案（领导）")
def funds_plan_confirm(request, plan_id: int):
    plan = plan_for_actor(request.auth, plan_id)
    services.allocation_plan_confirm(actor=request.auth, plan=plan)
    return _plan(plan_for_actor(request.auth, plan_id))


@router.post("/plans/{int:plan_id}/cancel", response=PlanOut, summary="作废下拨方案")
def funds_plan_cancel(request, plan_id: int, payload: ReasonIn):
    plan = plan_for_actor(request.auth, plan_id)
    return _plan(services.allocation_plan_cancel(actor=request.auth, plan=plan, reason=payload.reason))


@router.post("/decisions", response={201: DecisionOut}, summary="登记集体研究决定（附会议纪要）")
def funds_decision_create(request, org: Form[str], year: Form[int], kind: Form[str], meeting: Form[str],
                    held_on: Form[str], summary: Form[str], pots: Form[str], minutes: File[UploadedFile]):
    """``multipart/form-data``; ``pots``: the pot ids separated by commas; ``held_on``: YYYY-MM-DD."""
    from datetime import date

    o = org_for_actor(request.auth, org.strip())
    try:
        day = date.fromisoformat(held_on)
    except ValueError:
        raise ValidationError({"held_on": "会议日期须写成 YYYY-MM-DD"}) from None
    try:
        ids = [int(x) for x in pots.split(",") if x.strip()]
    except ValueError:
        raise ValidationError({"pots": "适用资金须为资金池编号，以逗号分隔"}) from None
    chosen = [pot_for_actor(request.auth, i) for i in ids]
    d = services.decision_record(actor=request.auth, org=o, year=year, kind=kind, meeting=meeting, held_on=day,
                                 summary=summary, pots=chosen, minutes=minutes)
    return Status(201, d)


@router.post("/pots/{int:pot_id}/convert", response={201: EntryOut}, summary="结余资金转日常帮扶")
def funds_pot_convert(request, pot_id: int, payload: ConvertIn):
    pot = pot_for_actor(request.auth, pot_id)
    decision = decision_for_actor(request.auth, payload.decision)
    entry = services.leftover_convert(actor=request.auth, pot=pot, amount=payload.amount, decision=decision,
                                      on_date=payload.on_date)
    return Status(201, entry)


@router.post("/entries/{int:entry_id}/reverse", response={201: list[EntryOut]}, summary="冲正台账记录")
def funds_entry_reverse(request, entry_id: int, payload: ReasonIn):
    entry = entry_for_actor(request.auth, entry_id)
    return Status(201, services.entry_reverse(actor=request.auth, entry=entry, reason=payload.reason))


@router.post("/pots/{int:pot_id}/evaluate", response=EvaluationOut, summary="按全部资金规则检查一笔拟发放（不记账）")
def funds_pot_evaluate(request, pot_id: int, payload: EvaluateIn):
    pot = pot_for_actor(request.auth, pot_id)
    amount = services._amount(payload.amount)

    services._choice(payload.method, PayMethod, "method", "发放方式")
    if payload.purpose:
        services._choice(payload.purpose, Purpose, "purpose", "发放用途")
    ev = rules.evaluate(rules.Proposal(pot=pot, amount=amount, method=payload.method, purpose=payload.purpose,
                                       on_visit=payload.on_visit, archive_status=payload.archive_status,
                                       paid_on=payload.paid_on))
    return {"blocked": ev.blocked, "verdicts": [v.__dict__ for v in ev.verdicts]}


@router.post("/rules", response=RuleOut, summary="调整资金规则设置（阻止/提醒/关闭）")
def funds_rule_set(request, payload: RuleSetIn):
    o = org_for_actor(request.auth, payload.org.strip())
    services.rule_setting_set(actor=request.auth, org=o, code=payload.code, mode=payload.mode,
                              params={"max": payload.max} if payload.max not in (None, "") else None,
                              reason=payload.reason)
    r = rules.RULES_BY_CODE[payload.code]
    e = rules.effective_settings(o)[r.code]
    return {"code": r.code, "name": r.name, "description": r.description, "seed": r.seed, "mode": e.mode,
            "params": e.params, "locked": r.locked, "set_at": e.set_at.code if e.set_at else None}
