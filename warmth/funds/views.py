"""HTML pages of 送温暖资金: the statement, pots and their ledger, raising, allocation (single and by plan),
collective decisions, leftovers, reversals, rule settings and the rule check of a proposed payment.

Every object is reached through its access helper in ``warmth.funds.access`` (outside the subtree: 404);
every write is a service call whose ValidationError / PermissionDenied becomes a Chinese message, nothing
written. 财务 raises and allocates, 领导 records decisions and confirms plans, 经审/纪检 read."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from warmth.audit.services import audit_record
from warmth.core.dbrouter import replica_reads
from warmth.core.feedback import attempt, form_data, form_files
from warmth.core.feedback import form_messages as _form_messages
from warmth.core.feedback import messages_of as _messages_of
from warmth.core.files import stored_path
from warmth.core.season import default_season
from warmth.funds import queries, rules, services
from warmth.funds.access import (
    allocations_for_actor,
    decision_for_actor,
    decisions_for_actor,
    entry_for_actor,
    plan_for_actor,
    plans_for_actor,
    pot_for_actor,
    pots_for_actor,
    raises_for_actor,
)
from warmth.funds.choices import DecisionKind, EntryKind, PlanStatus, Purpose
from warmth.funds.exporters import statement_xlsx
from warmth.funds.forms import (
    AllocationForm,
    CheckForm,
    ConvertForm,
    DecisionForm,
    PlanForm,
    RaiseForm,
    ReasonForm,
    RuleSettingForm,
    StatementForm,
)
from warmth.orgs.access import Actor, org_for_actor, visible_orgs
from warmth.orgs.decorators import actor_required
from warmth.orgs.models import Org
from warmth.orgs.permissions import Perm

PAGE_SIZE = 50
ORG_CHOICES_SHOWN = 300
UNSPENT_SHOWN = 30  # the page lists the largest; the xlsx lists all




def _apply(form, exc: Exception) -> None:
    """A service's refusal onto the form: field errors where the field exists, the rest on top."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errs in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, [m for e in errs for m in e.messages])
    else:
        form.add_error(None, _messages_of(exc))


def _org_datalist(actor: Actor):
    return visible_orgs(actor).filter(is_active=True).order_by("path").only("code", "name")[:ORG_CHOICES_SHOWN]


def _org_and_year(request) -> tuple[Org, int, StatementForm]:
    form = StatementForm(request.GET or None)
    form.is_valid()
    d = getattr(form, "cleaned_data", {})
    code = (d.get("org") or "").strip()
    org = org_for_actor(request.actor, code) if code else request.actor.org
    return org, d.get("year") or default_year(org), form


def default_year(org: Org) -> int:
    """The season the money pages open on: the one rule of every page (``core.season.default_season``)."""
    return default_season(org)


def _children(org: Org):
    return Org.objects.filter(parent=org, is_active=True).order_by("path")


def _done(request, title: str, success: str, do, *args, **kwargs) -> bool:
    try:
        do(*args, **kwargs)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, f"{title}未完成：{_messages_of(exc)}")
        return False
    messages.success(request, success)
    return True


# --- the statement ------------------------------------------------------------------------------------

@replica_reads
@require_GET
@actor_required()
def funds_home(request):
    actor = request.actor
    org, year, form = _org_and_year(request)
    today = timezone.localdate()
    st = queries.statement(org, year)
    unspent = queries.unspent_at_deadline(org, today=today, year=year)
    return render(request, "funds/home.html", {
        "form": form, "org": org, "year": year, "st": st,
        "own_total": st.total(st.own), "sub_total": st.total(st.subtree),
        "children": queries.children_totals(org, year),
        "unspent": unspent, "unspent_shown": UNSPENT_SHOWN,
        "unspent_top": sorted(unspent, key=lambda u: -u.amount)[:UNSPENT_SHOWN],
        "unspent_total": sum((u.amount for u in unspent), Decimal("0.00")),
        "pots": queries.pots_of(org, year).select_related("org"),
        "orgs": _org_datalist(actor), "columns": [(c, queries.COLUMN_LABELS[c]) for c in queries.COLUMNS],
    })


@require_POST
@actor_required()
def funds_export(request):
    """The statement as xlsx (no personal data in it); every export is audited as ``funds.export``."""
    actor = request.actor
    code = (request.POST.get("org") or "").strip()
    org = org_for_actor(actor, code) if code else actor.org
    try:
        year = int(request.POST.get("year") or default_season(org))
    except ValueError:
        year = default_season(org)
    today = timezone.localdate()
    data = statement_xlsx(queries.statement(org, year), queries.children_totals(org, year),
                          queries.unspent_at_deadline(org, today=today, year=year), today=today)
    audit_record(actor=actor, action="funds.export", object_type="org", object_id=org.pk, org=org,
                 after={"year": year, "bytes": len(data)})
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"{org.code}-{year}-资金收支表.xlsx"
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


# --- a pot and its ledger -----------------------------------------------------------------------------

@require_GET
@actor_required()
def pot_detail(request, pk):
    actor = request.actor
    pot = pot_for_actor(actor, pk)
    page = Paginator(queries.ledger_of(pot), PAGE_SIZE).get_page(request.GET.get("page"))
    children = list(_children(pot.org))
    leftovers = (decisions_for_actor(actor).filter(kind=DecisionKind.LEFTOVER, pots=pot)
                 if pot.purpose != Purpose.DAILY else [])
    today = timezone.localdate()
    spend_by = services.default_spend_by(pot.source, pot.year, pot.org)
    return render(request, "funds/pot_detail.html", {
        "pot": pot, "page": page, "children": children,
        "available": rules.available_on(pot, today), "deadline": rules.pot_deadline(pot, today),
        "decisions": pot.decisions.order_by("-held_on"),
        # the allocating union sets the spend-by date; central money's default (its season's campaign end) is filled in
        "alloc_form": AllocationForm(children=children, initial={"spend_by": spend_by}),
        "plan_form": PlanForm(initial={"spend_by": spend_by}),
        "convert_form": ConvertForm(decisions=leftovers) if leftovers else None,
        "check_form": CheckForm(initial={"purpose": pot.purpose}),
        "reversible": {EntryKind.RAISED, EntryKind.ALLOCATED, EntryKind.RECEIVED, EntryKind.CONVERTED_OUT,
                       EntryKind.CONVERTED_IN},
    })


@require_POST
@actor_required()
def pot_allocate(request, pk):
    actor = request.actor
    pot = pot_for_actor(actor, pk, write=True)
    children = list(_children(pot.org))
    form = AllocationForm(request.POST, children=children)
    if not form.is_valid():
        messages.error(request, f"下拨未完成：{_form_messages(form)}")
    else:
        d = form.cleaned_data
        to_org = next(c for c in children if c.code == d["to_org"])
        _done(request, "下拨", f"已向{to_org.name}下拨 {d['amount']} 元。", services.allocation_create,
              actor=actor, pot=pot, to_org=to_org, amount=d["amount"], doc_no=d["doc_no"],
              allocated_on=d["allocated_on"], spend_by=d["spend_by"], note=d["note"])
    return redirect("funds_pot", pk=pot.pk)


@require_POST
@actor_required()
def pot_plan(request, pk):
    actor = request.actor
    pot = pot_for_actor(actor, pk, write=True)
    form = PlanForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"制定下拨方案未完成：{_form_messages(form)}")
        return redirect("funds_pot", pk=pot.pk)
    d = form.cleaned_data
    try:
        plan = services.allocation_plan_create(actor=actor, pot=pot, total=d["total"], doc_no=d["doc_no"],
                                               allocated_on=d["allocated_on"], spend_by=d["spend_by"])
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, f"制定下拨方案未完成：{_messages_of(exc)}")
        return redirect("funds_pot", pk=pot.pk)
    messages.success(request, "已按在档困难职工户数生成下拨方案草稿，请核对各单位金额后确认。")
    return redirect("funds_plan", pk=plan.pk)


@require_POST
@actor_required()
def pot_convert(request, pk):
    actor = request.actor
    pot = pot_for_actor(actor, pk, write=True)
    leftovers = decisions_for_actor(actor).filter(kind=DecisionKind.LEFTOVER, pots=pot)
    form = ConvertForm(request.POST, decisions=leftovers)
    if not form.is_valid():
        messages.error(request, f"结余转日常帮扶未完成：{_form_messages(form)}")
    else:
        d = form.cleaned_data
        _done(request, "结余转日常帮扶", f"已将 {d['amount']} 元结余转为日常帮扶资金。", services.leftover_convert,
              actor=actor, pot=pot, amount=d["amount"], decision=d["decision"], on_date=d["on_date"])
    return redirect("funds_pot", pk=pot.pk)


@actor_required()
def pot_check(request, pk):
    """Every funds rule's verdict on a proposed payment from this pot; nothing is written."""
    pot = pot_for_actor(request.actor, pk)
    form = CheckForm(form_data(request), initial={"purpose": pot.purpose})
    evaluation = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            amount = services._amount(d["amount"])
        except ValidationError as exc:
            form.add_error("amount", exc.messages)
        else:
            evaluation = rules.evaluate(rules.Proposal(
                pot=pot, amount=amount, method=d["method"], purpose=d["purpose"], on_visit=d["on_visit"],
                archive_status=d["archive_status"] or None, paid_on=d["paid_on"]))
    template = "funds/_verdicts.html" if request.headers.get("HX-Request") else "funds/pot_check.html"
    return render(request, template, {"pot": pot, "form": form, "evaluation": evaluation})


@require_POST
@actor_required()
def entry_reverse(request, pk):
    actor = request.actor
    entry = entry_for_actor(actor, pk)
    actor.require(Perm.PAYMENT_WRITE if entry.kind == EntryKind.PAID else Perm.FUNDS_WRITE)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"冲正未完成：{_form_messages(form)}")
    else:
        _done(request, "冲正", "已冲正（原记录保留，另记一笔相反的冲正记录）。", services.entry_reverse,
              actor=actor, entry=entry, reason=form.cleaned_data["reason"])
    return redirect("funds_pot", pk=entry.pot_id)


# --- raising ------------------------------------------------------------------------------------------

@replica_reads
@actor_required()
def raise_list(request):
    actor = request.actor
    form = RaiseForm(form_data(request), initial={"org": actor.org.code})
    if request.method == "POST":
        actor.require(Perm.FUNDS_WRITE)
        valid = form.is_valid()
        d = form.cleaned_data
        org = actor.org  # checked against while the code itself is wrong; never written there
        if d.get("org"):
            try:
                org = org_for_actor(actor, d["org"].strip())
            except Http404:
                form.add_error("org", "该组织代码不存在或不在您的管辖范围内")
        # the service's checks run even when the form's failed (rolled back), so one submit shows every problem
        try:
            done = attempt(form, lambda: services.fund_raise(
                actor=actor, org=org, year=d.get("year") or timezone.localdate().year,
                source=d.get("source") or "", purpose=d.get("purpose") or "", amount=d.get("amount") or "",
                received_on=d.get("received_on") or timezone.localdate(), doc_no=d.get("doc_no") or "",
                donor=d.get("donor") or "", is_goods=bool(d.get("is_goods")),
                goods_description=d.get("goods_description") or "", spend_by=d.get("spend_by"),
                note=d.get("note") or ""), keep=valid)
        except PermissionDenied as exc:
            _apply(form, exc)
        else:
            if done is not None:
                messages.success(request, f"已登记{org.name}筹集资金 {d['amount']} 元。")
                return redirect("funds_raises")
    qs = raises_for_actor(actor).select_related("org", "created_by").order_by("-received_on", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "funds/raise_list.html", {"form": form, "page": page, "orgs": _org_datalist(actor)},
                  status=422 if form.errors else 200)


# --- allocations and plans ----------------------------------------------------------------------------

@replica_reads
@require_GET
@actor_required()
def allocation_list(request):
    actor = request.actor
    qs = (allocations_for_actor(actor).select_related("from_org", "to_org", "from_pot", "plan")
          .order_by("-allocated_on", "-id"))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    plans = plans_for_actor(actor).select_related("org", "pot").order_by("-id")[:50]
    return render(request, "funds/allocation_list.html", {"page": page, "plans": plans})


@actor_required()
def plan_detail(request, pk):
    """A plan's lines; while it is a draft, the amounts may be changed (each change audited)."""
    actor = request.actor
    plan = plan_for_actor(actor, pk)
    lines = list(plan.lines.select_related("to_org"))
    if request.method == "POST":
        actor.require(Perm.FUNDS_WRITE)
        changed, errors = 0, []
        for ln in lines:
            raw = (request.POST.get(f"line-{ln.to_org_id}") or "").strip()
            if raw == "" or raw == str(ln.amount):
                continue
            try:
                services.allocation_plan_set_line(actor=actor, plan=plan, to_org=ln.to_org, amount=raw)
                changed += 1
            except (ValidationError, PermissionDenied) as exc:
                errors.append(f"{ln.to_org.name}：{_messages_of(exc)}")
        if errors:
            messages.error(request, "部分金额未保存：" + "；".join(errors))
        if changed:
            messages.success(request, f"已修改 {changed} 个单位的金额。")
        return redirect("funds_plan", pk=plan.pk)
    plan.refresh_from_db()
    return render(request, "funds/plan_detail.html", {
        "plan": plan, "lines": lines, "draft": plan.status == PlanStatus.DRAFT,
        "households": sum(ln.households for ln in lines), "allocations": plan.allocations.select_related("to_org"),
    })


@require_POST
@actor_required()
def plan_confirm(request, pk):
    plan = plan_for_actor(request.actor, pk)
    request.actor.require(Perm.FUNDS_APPROVE)
    _done(request, "确认下拨", "方案已确认，各单位的下拨已入账。", services.allocation_plan_confirm,
          actor=request.actor, plan=plan)
    return redirect("funds_plan", pk=plan.pk)


@require_POST
@actor_required()
def plan_cancel(request, pk):
    plan = plan_for_actor(request.actor, pk)
    request.actor.require(Perm.FUNDS_WRITE)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"作废方案未完成：{_form_messages(form)}")
    else:
        _done(request, "作废方案", "方案已作废（记录保留）。", services.allocation_plan_cancel,
              actor=request.actor, plan=plan, reason=form.cleaned_data["reason"])
    return redirect("funds_plan", pk=plan.pk)


# --- collective decisions -----------------------------------------------------------------------------

@replica_reads
@actor_required()
def decision_list(request):
    actor = request.actor
    org, year, _ = _org_and_year(request)
    pots = list(queries.pots_of(org, year))
    form = DecisionForm(form_data(request), form_files(request), pots=pots,
                        initial={"held_on": timezone.localdate()})
    if request.method == "POST":
        actor.require(Perm.FUNDS_APPROVE)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.decision_record(actor=actor, org=org, year=year, kind=d["kind"], meeting=d["meeting"],
                                         held_on=d["held_on"], summary=d["summary"], pots=d["pots"],
                                         minutes=d["minutes"])
            except (ValidationError, PermissionDenied) as exc:
                _apply(form, exc)
            else:
                messages.success(request, "集体研究决定已登记，会议纪要已存档。")
                return redirect(reverse("funds_decisions") + f"?org={org.code}&year={year}")
    qs = decisions_for_actor(actor).select_related("org", "recorded_by").prefetch_related("pots")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "funds/decision_list.html", {
        "form": form, "page": page, "org": org, "year": year, "orgs": _org_datalist(actor),
    }, status=422 if form.errors else 200)


@require_GET
@actor_required()
def decision_minutes(request, pk):
    d = decision_for_actor(request.actor, pk)
    path = stored_path(d.minutes_path)
    if not path.is_file():
        raise Http404("会议纪要不存在")
    return FileResponse(path.open("rb"), as_attachment=True, filename=d.minutes_name, content_type=d.minutes_type)


# --- rule settings ------------------------------------------------------------------------------------

@actor_required()
def rule_list(request):
    actor = request.actor
    org, _, _ = _org_and_year(request)
    if request.method == "POST":
        actor.require(Perm.RULES_MANAGE)
        form = RuleSettingForm(request.POST)
        if not form.is_valid():
            messages.error(request, f"调整规则未完成：{_form_messages(form)}")
        else:
            d = form.cleaned_data
            params = {"max": d["max"]} if d["max"] else None
            rule = rules.RULES_BY_CODE.get(d["code"])
            label = dict(form.fields["mode"].choices)[d["mode"]]
            _done(request, "调整规则", f"“{rule.name if rule else d['code']}”已设为{label}。",
                  services.rule_setting_set, actor=actor, org=org, code=d["code"], mode=d["mode"],
                  params=params, reason=d["reason"])
        return redirect(reverse("funds_rules") + f"?org={org.code}")
    settings = rules.effective_settings(org)
    rows = [{"rule": r, "setting": settings[r.code],
             "form": RuleSettingForm(initial={"code": r.code, "mode": settings[r.code].mode,
                                              "max": settings[r.code].params.get("max", "")},
                                     auto_id=f"id_{r.code}_%s")} for r in rules.RULES]
    return render(request, "funds/rule_list.html", {"org": org, "rows": rows, "orgs": _org_datalist(actor)})


# --- the pots of the subtree (a finder for the statement page) ----------------------------------------

@replica_reads
@require_GET
@actor_required()
def pot_list(request):
    actor = request.actor
    org, year, form = _org_and_year(request)
    qs = (pots_for_actor(actor).filter(org__path__startswith=org.path, year=year).select_related("org")
          .order_by("org__path", "source", "purpose"))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "funds/pot_list.html", {"form": form, "org": org, "year": year, "page": page,
                                                   "orgs": _org_datalist(actor),
                                                   "query": f"org={org.code}&year={year}"})
