"""HTML pages of 送温暖活动: the campaigns, a campaign's page (window, groups, and what the visits app adds: coverage,
money so far), groups with the 003 rule and the 联络员's checklist, the records of rights work, services and trips
home, the weekly wage-arrears report and the duty roster. The visit and coverage pages are ``visits.views``.

Every object is reached through its access helper (404 outside the subtree); every write is a service call
whose refusal becomes a Chinese message, nothing written."""

from __future__ import annotations

from datetime import date, time

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from warmth.archives.access import archives_for_actor
from warmth.audit.services import audit_record
from warmth.campaigns import documents, extensions, queries, services
from warmth.campaigns.access import (
    activities_for_actor,
    activity_for_actor,
    campaign_for_actor,
    campaign_owned,
    campaigns_for_actor,
    group_for_actor,
    group_households_for_actor,
    group_is_own,
    group_owned,
    shift_for_actor,
    shifts_for_actor,
)
from warmth.campaigns.choices import (
    ACTIVITY_KINDS,
    ARREARS_COLUMNS,
    DEFAULT_DUTIES,
    GROUPS,
    KINDS,
    ArrearsRow,
    Department,
    HouseholdClass,
    RecipientKind,
)
from warmth.campaigns.models import PlannedHousehold
from warmth.core import pii
from warmth.core.dbrouter import replica_reads
from warmth.core.feedback import error_list, messages_of
from warmth.orgs.access import org_for_actor
from warmth.orgs.decorators import actor_required
from warmth.orgs.models import Org
from warmth.orgs.permissions import Perm

PAGE_SIZE = 50


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip()) if (value or "").strip() else None
    except ValueError:
        return None


def _time(value: str | None) -> time | None:
    try:
        return time.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _org_in(request, campaign=None) -> Org:
    code = (request.GET.get("org") or request.POST.get("org") or "").strip()
    if not code:
        org = request.actor.org
        if campaign is not None and not org.path.startswith(campaign.org.path):
            return campaign.org  # an org above the campaign's sees it from its organizing org
        return org
    return org_for_actor(request.actor, code)


def _units(actor, codes: list[str]) -> list[Org]:
    wanted = [c.strip() for c in codes if c.strip()]
    found = list(Org.objects.filter(code__in=wanted, path__startswith=actor.org.path))
    missing = set(wanted) - {o.code for o in found}
    if missing:
        raise ValidationError({"units": f"组织代码不存在或不在您的管辖范围内：{'、'.join(sorted(missing))}"})
    return found


# --- campaigns ------------------------------------------------------------------------------------------

@replica_reads
@require_GET
@actor_required()
def campaign_list(request):
    qs = campaigns_for_actor(request.actor).select_related("org").order_by("-year", "org__path")
    return render(request, "campaigns/campaign_list.html", {"campaigns": qs[:200]})


def _campaign_fields(post) -> dict:
    out = {"theme": post.get("theme", ""), "doc_no": post.get("doc_no", ""), "hotline": post.get("hotline", ""),
           "recipient_kinds": post.getlist("recipient_kinds")}
    duties = {d: (post.get(f"duty_{d}") or "").strip() for d in Department.values}
    out["duties"] = {d: t for d, t in duties.items() if t}
    for name in ("starts_on", "ends_on", "focus_from", "focus_to", "report_deadline", "arrears_from", "arrears_to"):
        if name in post:
            out[name] = _date(post.get(name))
    return out


@actor_required(Perm.CAMPAIGN_WRITE)
def campaign_create(request):
    actor = request.actor
    errors, data = [], request.POST
    year = timezone.localdate().year
    if request.method == "POST":
        try:
            year = int(data.get("year") or "")
        except ValueError:
            errors.append("请填写活动年度")
        if not errors:
            fields = _campaign_fields(data)
            dates = {k: fields.pop(k) for k in list(fields) if k.endswith(("_on", "_from", "_to", "_deadline"))}
            dates = {k: v for k, v in dates.items() if v is not None}
            try:
                c = services.campaign_create(actor=actor, org=_org_in(request), year=year, **fields, **dates)
            except (ValidationError, PermissionDenied) as exc:
                errors += error_list(exc)
            else:
                messages.success(request, "活动已建立：活动时间按农历默认填好，可在活动页修改。")
                return redirect("campaign_detail", pk=c.pk)
    return render(request, "campaigns/campaign_form.html", {
        "errors": errors, "data": data, "year": year, "kinds": RecipientKind.choices,
        "departments": Department.values, "defaults": DEFAULT_DUTIES}, status=422 if errors else 200)


@actor_required(Perm.CAMPAIGN_WRITE)
def campaign_edit(request, pk):
    c = campaign_owned(request.actor, pk)
    errors = []
    if request.method == "POST":
        try:
            services.campaign_update(actor=request.actor, campaign=c, **_campaign_fields(request.POST))
        except (ValidationError, PermissionDenied) as exc:
            errors += error_list(exc)
        else:
            messages.success(request, "活动已修改。")
            return redirect("campaign_detail", pk=c.pk)
    return render(request, "campaigns/campaign_edit.html", {
        "c": c, "errors": errors, "kinds": RecipientKind.choices, "departments": Department.values},
        status=422 if errors else 200)


@require_GET
@actor_required()
def campaign_detail(request, pk):
    actor = request.actor
    c = campaign_for_actor(actor, pk)
    org = _org_in(request, c)
    groups = list(c.groups.prefetch_related("units", "households"))  # seen at every level the campaign covers
    for g in groups:
        g.rule = services.group_rule(g, [h for h in g.households.all() if not h.dropped])
        g.rule_ok = all(x["ok"] for x in g.rule)
    context = {"c": c, "org": org, "groups": groups, "owner": actor.sees_org(c.org),
               "can_write": actor.can(Perm.CAMPAIGN_WRITE),
               "kinds": [label for v, label in RecipientKind.choices if v in c.recipient_kinds]}
    for figures in extensions.PAGE:  # coverage and money so far, from the visits app
        context.update(figures(c, org))
    return render(request, "campaigns/campaign_detail.html", context)


# --- groups ---------------------------------------------------------------------------------------------

@actor_required(Perm.CAMPAIGN_WRITE)
def group_create(request, pk):
    c = campaign_owned(request.actor, pk)
    errors = []
    if request.method == "POST":
        p = request.POST
        try:
            units = _units(request.actor, p.get("units", "").replace("，", ",").split(","))
            g = services.group_create(actor=request.actor, campaign=c, name=p.get("name", ""),
                                      leaders=p.get("leaders", ""), liaison=p.get("liaison", ""), units=units,
                                      departments=p.getlist("departments"))
        except (ValidationError, PermissionDenied) as exc:
            errors += error_list(exc)
        else:
            messages.success(request, f"{g.name}已建立：请安排慰问户。")
            return redirect("campaign_group", gid=g.pk)
    return render(request, "campaigns/group_form.html", {"c": c, "errors": errors, "data": request.POST,
                                                         "departments": Department.values},
                  status=422 if errors else 200)


@require_GET
@actor_required()
def group_detail(request, gid):
    actor = request.actor
    g = group_for_actor(actor, gid)
    own = group_is_own(actor, g)
    households = list(group_households_for_actor(actor, g))
    everyone = households if own else list(g.households.all())
    live = [h for h in everyone if not h.dropped]
    context = {"g": g, "c": g.campaign, "households": households, "rule": services.group_rule(g, live),
               "hidden": len(everyone) - len(households), "own": own,
               "units": list(g.units.all()), "classes": HouseholdClass.choices,
               "can_write": own and actor.can(Perm.CAMPAIGN_WRITE), "may_visit": actor.can(Perm.CAMPAIGN_WRITE)}
    for figures in extensions.GROUP_PAGE:  # the group's visits, from the visits app
        context.update(figures(g))
    context["plan_visits"] = visited = extensions.plan_visits(g)
    for h in households:  # each row of the plan: visited (when, by whom) or not yet
        h.visit = visited.get(h.pk)
    if not own:  # a campaign above: only the visits made inside the actor's subtree
        context["visits"] = [v for v in context.get("visits", []) if actor.sees_org(v.org)]
    return render(request, "campaigns/group_detail.html", context)


@require_POST
@actor_required(Perm.CAMPAIGN_WRITE)
def group_plan(request, gid):
    g = group_owned(request.actor, gid)
    p = request.POST
    try:
        archive = None
        if (p.get("archive_no") or "").strip():
            archive = archives_for_actor(request.actor).filter(archive_no=p["archive_no"].strip()).select_related(
                "org").first()
            if archive is None:
                raise ValidationError({"archive": "档案编号不存在或不在您的管辖范围内"})
        h = services.household_plan(actor=request.actor, group=g, archive=archive, name=p.get("name", ""),
                                    unit=p.get("unit", ""), klass=p.get("klass", ""))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, messages_of(exc))
    else:
        messages.success(request, f"已安排{h.name}（{h.get_klass_display()}）。")
    return redirect("campaign_group", gid=g.pk)


@require_POST
@actor_required(Perm.CAMPAIGN_WRITE)
def group_drop(request, hid):
    h = (PlannedHousehold.objects.select_related("group__campaign__org")
         .filter(pk=hid, group__campaign__org__path__startswith=request.actor.org.path).first())
    if h is None:
        raise Http404("计划慰问户不存在或不在您的管辖范围内")
    try:
        services.household_drop(actor=request.actor, household=h, reason=request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, messages_of(exc))
    else:
        messages.success(request, f"已取消{h.name}（记录保留）。")
    return redirect("campaign_group", gid=h.group_id)


@require_POST
@actor_required(Perm.CAMPAIGN_WRITE)
def group_checklist(request, gid):
    g = group_owned(request.actor, gid)
    p = request.POST
    try:
        services.group_checklist(actor=request.actor, group=g, planned_on=_date(p.get("planned_on")),
                                 route=p.get("route", ""), money_collected=p.get("money_collected", ""),
                                 receipts_done=bool(p.get("receipts_done")), note=p.get("note", ""))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, messages_of(exc))
    else:
        messages.success(request, "联络员工作清单已保存。")
    return redirect("campaign_group", gid=g.pk)


@require_GET
@actor_required()
def group_export(request, pk):
    c = campaign_owned(request.actor, pk)
    groups = list(c.groups.prefetch_related("units", "households"))
    if request.GET.get("format") == "pdf":
        body, ctype, ext = documents.groups_pdf(c, groups), "application/pdf", "pdf"
    else:
        body = documents.groups_xlsx(c, groups)
        ctype, ext = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
    audit_record(actor=request.actor, action="campaign.export", object_type="campaign", object_id=c.pk, org=c.org,
                 after={"what": "分组表", "format": ext, "groups": len(groups)})
    resp = HttpResponse(body, content_type=ctype)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(f'走访慰问活动分组表-{c.year + 1}.{ext}')}"
    return resp


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


# --- rights, services, trips home --------------------------------------------------------------------------

@replica_reads
@actor_required()
def activity_list(request):
    actor = request.actor
    errors = []
    p = request.POST
    campaigns = list(campaigns_for_actor(actor).select_related("org").order_by("-year")[:20])
    if request.method == "POST":
        actor.require(Perm.CAMPAIGN_WRITE)
        try:
            org = org_for_actor(actor, (p.get("org") or actor.org.code).strip())
            campaign = next((x for x in campaigns if str(x.pk) == p.get("campaign")), None)
            on_date = _date(p.get("on_date"))
            if on_date is None:
                raise ValidationError({"on_date": "请填写日期（年-月-日）"})
            a = services.activity_record(actor=actor, org=org, kind=p.get("kind", ""), on_date=on_date,
                                         count=p.get("count"), people=p.get("people") or None,
                                         part=p.get("part") or None, amount=p.get("amount") or None,
                                         part_amount=p.get("part_amount") or None, campaign=campaign,
                                         note=p.get("note", ""))
        except Http404 as exc:
            errors.append(str(exc))
        except (ValidationError, PermissionDenied) as exc:
            errors += error_list(exc)
        else:
            messages.success(request, f"已记录：{a.get_kind_display()} {a.count}{KINDS[a.kind].unit}。")
            return redirect("campaign_activities")
    qs = activities_for_actor(actor).select_related("org")
    group = request.GET.get("group")
    if group in GROUPS:
        qs = qs.filter(kind__in=[k.code for k in ACTIVITY_KINDS if k.group == group])
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for a in page:
        a.spec = KINDS[a.kind]
    return render(request, "campaigns/activity_list.html", {
        "page": page, "errors": errors, "data": p, "kinds": ACTIVITY_KINDS, "groups": GROUPS, "group": group,
        "campaigns": campaigns, "query": f"group={group}" if group else "",
        "can_write": actor.can(Perm.CAMPAIGN_WRITE)}, status=422 if errors else 200)


@require_POST
@actor_required(Perm.CAMPAIGN_WRITE)
def activity_void(request, aid):
    a = activity_for_actor(request.actor, aid)
    try:
        services.activity_void(actor=request.actor, activity=a, reason=request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, messages_of(exc))
    else:
        messages.success(request, "记录已作废（保留备查，不再计入统计）。")
    return redirect("campaign_activities")


# --- the weekly wage-arrears report --------------------------------------------------------------------------

def _week(request, c) -> date:
    weeks = services.fridays(c.arrears_from, c.arrears_to)
    if not weeks:
        raise Http404("本次活动没有欠薪周报周")
    chosen = _date(request.GET.get("week") or request.POST.get("week"))
    if chosen in weeks:
        return chosen
    today = timezone.localdate()
    past = [w for w in weeks if w <= today]
    return past[-1] if past else weeks[0]


@actor_required()
def arrears(request, pk):
    actor = request.actor
    c = campaign_for_actor(actor, pk)
    org = _org_in(request, c)
    week = _week(request, c)
    errors = []
    if request.method == "POST":
        actor.require(Perm.REPORT_WRITE)
        p = request.POST
        lines = {row: {col: p.get(f"{row}.{col}", "") for col, _ in ARREARS_COLUMNS} for row in ArrearsRow.values}
        try:
            services.arrears_save(actor=actor, campaign=c, org=org, week_of=week, lines=lines, head=p.get("head", ""),
                                  filled_by=p.get("filled_by", ""), phone=p.get("phone", ""),
                                  cases_note=p.get("cases_note", ""), submit=p.get("action") == "submit")
        except (ValidationError, PermissionDenied) as exc:
            errors += error_list(exc)
        else:
            messages.success(request, "周报已报送。" if p.get("action") == "submit" else "周报草稿已保存。")
            return redirect(f"{request.path}?org={org.code}&week={week.isoformat()}")
    summary = queries.arrears_week(c, org, week)
    own = summary["own"]
    own_lines = {ln.row: ln for ln in own.lines.all()} if own else {}
    fmt = request.GET.get("format")
    if fmt in ("xlsx", "pdf", "sum"):
        if fmt == "sum":
            body = documents.arrears_xlsx(c, org.name, week, summary["sums"],
                                          summed_from=len(summary["children"]) - len(summary["missing"]))
            ctype, ext = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
        else:
            data = {r: {"amount": ln.amount, "enterprises": ln.enterprises, "people": ln.people}
                    for r, ln in own_lines.items()}
            args = {"head": own.head, "filled_by": own.filled_by, "phone": own.phone,
                    "reported_on": own.reported_on} if own else {}
            if fmt == "pdf":
                body, ctype, ext = documents.arrears_pdf(c, org.name, week, data, **args), "application/pdf", "pdf"
            else:
                body = documents.arrears_xlsx(c, org.name, week, data, **args)
                ctype, ext = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
        resp = HttpResponse(body, content_type=ctype)
        resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(f'欠薪周报-{org.name}-{week}.{ext}')}"
        return resp
    rows = [(r, label, own_lines.get(r)) for r, label in ArrearsRow.choices]
    return render(request, "campaigns/arrears.html", {
        "c": c, "org": org, "week": week, "weeks": services.fridays(c.arrears_from, c.arrears_to),
        "summary": summary, "own": own, "rows": rows, "columns": ARREARS_COLUMNS, "errors": errors,
        "data": request.POST, "sum_rows": [(label, summary["sums"][r]) for r, label in ArrearsRow.choices],
        "can_write": actor.can(Perm.REPORT_WRITE)}, status=422 if errors else 200)


# --- duty roster -----------------------------------------------------------------------------------------

@actor_required()
def duty(request, pk):
    actor = request.actor
    c = campaign_for_actor(actor, pk)
    errors = []
    p = request.POST
    if request.method == "POST":
        actor.require(Perm.CAMPAIGN_WRITE)
        try:
            org = org_for_actor(actor, (p.get("org") or actor.org.code).strip())
            services.duty_add(actor=actor, campaign=c, org=org, on_date=_date(p.get("on_date")),
                              starts=_time(p.get("starts")), ends=_time(p.get("ends")), person=p.get("person", ""),
                              phone=p.get("phone", ""), leader=p.get("leader", ""))
        except Http404 as exc:
            errors.append(str(exc))
        except (ValidationError, PermissionDenied) as exc:
            errors += error_list(exc)
        else:
            messages.success(request, "值班安排已添加。")
            return redirect("campaign_duty", pk=c.pk)

    shifts = list(shifts_for_actor(actor).filter(campaign=c).select_related("org")[:500])
    full = actor.can(Perm.PII_FULL)
    for s in shifts:
        s.shown_phone = s.phone if full else pii.mask_phone(s.phone)
    return render(request, "campaigns/duty.html", {"c": c, "shifts": shifts, "errors": errors, "data": p,
                                                   "can_write": actor.can(Perm.CAMPAIGN_WRITE)},
                  status=422 if errors else 200)


@require_POST
@actor_required(Perm.CAMPAIGN_WRITE)
def duty_cancel(request, sid):
    s = shift_for_actor(request.actor, sid)
    try:
        services.duty_cancel(actor=request.actor, shift=s)
    except PermissionDenied as exc:
        messages.error(request, messages_of(exc))
    else:
        messages.success(request, "值班安排已取消（保留记录）。")
    return redirect("campaign_duty", pk=s.campaign_id)
