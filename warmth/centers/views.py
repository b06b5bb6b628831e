"""HTML pages of the 帮扶中心 registry: the centres of the actor's subtree with their figures and what the
帮扶中心工作统计表 will read from them; a centre's page with its 帮扶站点, 定点帮扶机构 and money of a year; the forms
to register and edit a centre, add and close stations and partners, add and correct funding rows.

Every object is reached through ``warmth.centers.access`` (404 outside the subtree); every write is a service
call (``Perm.REPORT_WRITE``, else 403) whose refusal is shown as Chinese messages with nothing written (422)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from warmth.centers import queries, services
from warmth.centers.access import (
    center_for_actor,
    centers_for_actor,
    funding_row_for_actor,
    partner_for_actor,
    station_for_actor,
)
from warmth.centers.choices import (
    IN_BUDGET_LABEL,
    MATCHED_EQUAL_LABEL,
    MATCHED_PROPORTIONAL_LABEL,
    CenterFundSource,
    CenterLevel,
    PartnerKind,
    StationKind,
)
from warmth.centers.models import Center
from warmth.centers.sources import year_end
from warmth.core.dbrouter import replica_reads
from warmth.core.feedback import error_list
from warmth.core.money import to_wanyuan
from warmth.orgs.access import org_for_actor
from warmth.orgs.decorators import actor_required
from warmth.orgs.permissions import Perm

PAGE_SIZE = 50
FIRST_YEAR, LAST_YEAR = 2000, 2098
TRUE = ("on", "1", "true", "yes", "是")


def _year(request) -> int:
    raw = (request.GET.get("year") or "").strip()
    if not raw:
        return queries.default_year()
    try:
        year = int(raw)
    except ValueError:
        raise Http404("年度须为四位数字") from None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404(f"年度 {year} 不在 {FIRST_YEAR}–{LAST_YEAR} 之间")
    return year


def _flag(post, name: str) -> bool:
    return (post.get(name) or "").strip().lower() in TRUE


def _center_input(post) -> dict:
    out = {f: post.get(f, "") for f in ("name", "founded_on", "address", "area", "staff_fulltime",
                                        "staff_parttime", "volunteers", "hours", "hotline")}
    for f in ("own_premises", "in_budget", "matched_proportional", "matched_equal"):
        out[f] = _flag(post, f)
    return out


def _questions(data) -> list[tuple[str, str, str, bool]]:
    """The yes/no questions as printed, who answers them, and the answer shown."""
    asked = [("in_budget", IN_BUDGET_LABEL, "各级帮扶中心"),
             ("matched_proportional", MATCHED_PROPORTIONAL_LABEL, "地市级帮扶中心填写（并纳入财政预算的计入统计表）"),
             ("matched_equal", MATCHED_EQUAL_LABEL, "县级帮扶中心填写（并纳入财政预算的计入统计表）")]
    return [(name, label, who, bool(data.get(name))) for name, label, who in asked]


# --- the list -------------------------------------------------------------------------------------------------

@replica_reads
@require_GET
@actor_required()
def center_list(request):
    actor = request.actor
    year = _year(request)
    qs = centers_for_actor(actor)
    level = request.GET.get("level") or ""
    if level in CenterLevel.values:
        qs = qs.filter(level=level)
    else:
        level = ""
    page = Paginator(queries.with_figures(qs, year).order_by("org__path"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    for c in page:
        c.funded_wan = to_wanyuan(c.funded or 0)
    query = f"year={year}" + (f"&level={level}" if level else "")
    return render(request, "centers/center_list.html", {
        "page": page, "year": year, "years": queries.years_with_funding(centers_for_actor(actor)),
        "level": level, "levels": CenterLevel.choices, "summary": queries.summary(actor.org, year),
        "as_of": year_end(year), "query": query, "can_write": actor.can(Perm.REPORT_WRITE),
        "own": Center.objects.filter(org=actor.org).first()})


# --- a centre -------------------------------------------------------------------------------------------------

@actor_required(Perm.REPORT_WRITE)
def center_create(request):
    actor = request.actor
    errors: list[str] = []
    p = request.POST
    if request.method == "POST":
        try:
            org = org_for_actor(actor, (p.get("org") or actor.org.code).strip())
            c = services.center_create(actor=actor, org=org, **_center_input(p))
        except Http404 as exc:
            errors.append(str(exc))
        except (ValidationError, PermissionDenied) as exc:
            errors += error_list(exc)
        else:
            messages.success(request, f"已登记{c.name}：可添加帮扶站点、定点帮扶机构和资金。")
            return redirect("center_detail", pk=c.pk)
    data = p if request.method == "POST" else {}
    return render(request, "centers/center_form.html", {
        "errors": errors, "data": data, "questions": _questions(data),
        "creating": True, "suggested": f"{actor.org.name.removesuffix('总工会')}困难职工帮扶中心"},
        status=422 if errors else 200)


@actor_required(Perm.REPORT_WRITE)
def center_edit(request, pk):
    actor = request.actor
    c = center_for_actor(actor, pk)
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.center_update(actor=actor, center=c, **_center_input(request.POST))
        except (ValidationError, PermissionDenied) as exc:
            errors += error_list(exc)
        else:
            messages.success(request, "帮扶中心信息已保存。")
            return redirect("center_detail", pk=c.pk)
        data = request.POST
    else:
        data = {f: getattr(c, f) for f in services.CENTER_FIELDS}
        data["founded_on"] = c.founded_on.isoformat()
        data["area"] = "" if c.area is None else c.area
    return render(request, "centers/center_form.html", {
        "c": c, "errors": errors, "data": data, "questions": _questions(data), "creating": False},
        status=422 if errors else 200)


def _detail(request, c: Center, *, year: int | None = None, errors=(), data=None, status: int = 200):
    actor = request.actor
    year = year or _year(request)
    end = year_end(year)
    stations = list(c.stations.select_related("org"))
    partners = list(c.partners.all())
    for x in stations + partners:
        x.standing = x.open_at(end)
    line_order = {code: n for n, code in enumerate(CenterFundSource.values)}  # the forms' order, not the codes'
    funding = sorted(c.funding.filter(year=year).select_related("replaces"), key=lambda f: (line_order[f.source], f.pk))
    live = [f for f in funding if not f.superseded]
    lines = []
    for code, label in CenterFundSource.choices:
        total = sum((f.amount for f in live if f.source == code), Decimal("0.00"))
        lines.append({"label": label, "yuan": total, "wan": to_wanyuan(total or 0)})
    special = sum((f.amount for f in live if f.special), Decimal("0.00"))
    total = sum((f.amount for f in live), Decimal("0.00"))
    return render(request, "centers/center_detail.html", {
        "c": c, "year": year, "as_of": end, "stations": stations, "partners": partners, "funding": funding,
        "lines": lines, "total": total, "total_wan": to_wanyuan(total or 0), "special": special,
        "special_wan": to_wanyuan(special or 0), "years": queries.years_with_funding(Center.objects.filter(pk=c.pk)),
        "station_kinds": StationKind.choices, "partner_kinds": PartnerKind.choices,
        "sources": CenterFundSource.choices, "can_write": actor.can(Perm.REPORT_WRITE), "errors": list(errors),
        "data": data or {}, "n_stations": sum(x.standing for x in stations),
        "n_partners": sum(x.standing for x in partners)}, status=status)


@require_GET
@actor_required()
def center_detail(request, pk):
    return _detail(request, center_for_actor(request.actor, pk))


def _back(c: Center, year: int | None = None, anchor: str = ""):
    url = reverse("center_detail", args=[c.pk])
    if year:
        url += f"?year={year}"
    return redirect(url + (f"#{anchor}" if anchor else ""))


# --- stations and partners ------------------------------------------------------------------------------------

@require_POST
@actor_required(Perm.REPORT_WRITE)
def station_add(request, pk):
    actor = request.actor
    c = center_for_actor(actor, pk)
    p = request.POST
    try:
        code = (p.get("s_org") or "").strip()
        org = org_for_actor(actor, code) if code else None
        s = services.station_add(actor=actor, center=c, kind=p.get("s_kind", ""), name=p.get("s_name", ""),
                                 set_up_on=p.get("s_set_up_on", ""), org=org, address=p.get("s_address", ""),
                                 above_scale=_flag(p, "s_above_scale"), non_public=_flag(p, "s_non_public"))
    except Http404 as exc:
        return _detail(request, c, errors=[str(exc)], data=p, status=422)
    except (ValidationError, PermissionDenied) as exc:
        return _detail(request, c, errors=error_list(exc), data=p, status=422)
    messages.success(request, f"已添加帮扶站点：{s.name}。")
    return _back(c, anchor="stations")


@require_POST
@actor_required(Perm.REPORT_WRITE)
def station_close(request, sid):
    s = station_for_actor(request.actor, sid)
    try:
        services.station_close(actor=request.actor, station=s, closed_on=request.POST.get("closed_on", ""),
                               reason=request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(error_list(exc)))
    else:
        messages.success(request, f"{s.name}已关闭（记录保留，统计表自关闭之日起不再计入）。")
    return _back(s.center, anchor="stations")


@require_POST
@actor_required(Perm.REPORT_WRITE)
def partner_add(request, pk):
    actor = request.actor
    c = center_for_actor(actor, pk)
    p = request.POST
    try:
        x = services.partner_add(actor=actor, center=c, kind=p.get("p_kind", ""), name=p.get("p_name", ""),
                                 agreed_on=p.get("p_agreed_on", ""), address=p.get("p_address", ""))
    except (ValidationError, PermissionDenied) as exc:
        return _detail(request, c, errors=error_list(exc), data=p, status=422)
    messages.success(request, f"已添加定点帮扶机构：{x.name}。")
    return _back(c, anchor="partners")


@require_POST
@actor_required(Perm.REPORT_WRITE)
def partner_close(request, pid):
    x = partner_for_actor(request.actor, pid)
    try:
        services.partner_close(actor=request.actor, partner=x, closed_on=request.POST.get("closed_on", ""),
                               reason=request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(error_list(exc)))
    else:
        messages.success(request, f"{x.name}已关闭（记录保留，统计表自关闭之日起不再计入）。")
    return _back(x.center, anchor="partners")


# --- funding --------------------------------------------------------------------------------------------------

@require_POST
@actor_required(Perm.REPORT_WRITE)
def funding_add(request, pk):
    actor = request.actor
    c = center_for_actor(actor, pk)
    p = request.POST
    year = None
    try:
        f = services.funding_add(actor=actor, center=c, year=(p.get("f_year") or "").strip(),
                                 source=p.get("f_source", ""), amount=(p.get("f_amount") or "").strip(),
                                 special=_flag(p, "f_special"), note=p.get("f_note", ""))
    except (ValidationError, PermissionDenied) as exc:
        try:
            year = int(p.get("f_year") or "")
        except ValueError:
            year = None
        if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
            year = None
        return _detail(request, c, year=year, errors=error_list(exc), data=p, status=422)
    messages.success(request, f"已登记{f.year}年{f.get_source_display()} {f.amount} 元。")
    return _back(c, f.year, "funding")


@actor_required(Perm.REPORT_WRITE)
def funding_correct(request, fid):
    actor = request.actor
    f = funding_row_for_actor(actor, fid)
    errors: list[str] = []
    p = request.POST
    if request.method == "POST":
        try:
            new = services.funding_correct(actor=actor, funding=f, amount=(p.get("amount") or "").strip(),
                                           source=p.get("source", ""), special=_flag(p, "special"),
                                           note=p.get("note", ""), reason=p.get("reason", ""))
        except (ValidationError, PermissionDenied) as exc:
            errors += error_list(exc)
        else:
            messages.success(request, f"已更正：{new.get_source_display()} {new.amount} 元（原记录保留，标为已更正）。")
            return _back(f.center, f.year, "funding")
    data = p if request.method == "POST" else {"amount": f.amount, "source": f.source, "special": f.special,
                                               "note": f.note}
    return render(request, "centers/funding_correct.html", {
        "f": f, "c": f.center, "errors": errors, "data": data, "sources": CenterFundSource.choices},
        status=422 if errors else 200)
