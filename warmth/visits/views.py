"""HTML pages of the visits: a campaign's visit list, recording and voiding a visit, coverage with drill-down and
the not-visited export, the never-helped list. Mounted under /campaigns/ beside the season's pages (``visits/urls.py``).

Every object is reached through its access helper (404 outside the subtree); every write is a service call
whose refusal becomes a Chinese message, nothing written."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from warmth.archives.access import archives_for_actor
from warmth.archives.views import CARE_LISTS
from warmth.audit.services import audit_record
from warmth.campaigns.access import campaign_for_actor, groups_for_actor
from warmth.campaigns.choices import RecipientKind, VisitKind
from warmth.campaigns.queries import as_of_day, campaigns_around
from warmth.campaigns.views import PAGE_SIZE, _date, _org_in, _quote
from warmth.core import pii
from warmth.core.dbrouter import replica_reads
from warmth.core.feedback import error_list, messages_of
from warmth.core.season import default_season
from warmth.funds import rules as funds_rules
from warmth.funds.access import pots_for_actor
from warmth.jobs.services import job_create
from warmth.orgs.access import org_for_actor
from warmth.orgs.decorators import actor_required
from warmth.orgs.models import Org
from warmth.orgs.permissions import Perm
from warmth.visits import documents, queries, services, unhelped
from warmth.visits.access import visit_for_actor, visits_for_actor


@replica_reads
@require_GET
@actor_required()
def visit_list(request, pk):
    c = campaign_for_actor(request.actor, pk)
    qs = visits_for_actor(request.actor).filter(campaign=c).select_related("org", "group", "archive")
    kind = request.GET.get("kind")
    if kind in VisitKind.values:
        qs = qs.filter(kind=kind)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "visits/visit_list.html", {"c": c, "page": page, "kind": kind,
                                                         "query": f"kind={kind}" if kind else ""})


@actor_required(Perm.CAMPAIGN_WRITE)
def visit_create(request, pk):
    actor = request.actor
    c = campaign_for_actor(actor, pk)
    groups = list(groups_for_actor(actor).filter(campaign=c))  # a campaign above: its groups too
    # money past its spend-by date is not offered; each option says what may be spent and until when
    pots = funds_rules.offered(pots_for_actor(actor).filter(balance__gt=0).select_related("org")
                               .order_by("org__path")[:200], timezone.localdate())
    errors, warnings = [], []
    p = request.POST
    if request.method == "POST":
        try:
            archive = None
            if (p.get("archive_no") or "").strip():
                archive = archives_for_actor(actor).filter(archive_no=p["archive_no"].strip()).select_related(
                    "org").first()
                if archive is None:
                    raise ValidationError({"archive": "档案编号不存在或不在您的管辖范围内"})
            org = org_for_actor(actor, p["org"].strip()) if (p.get("org") or "").strip() else None
            group = next((g for g in groups if str(g.pk) == p.get("group")), None)
            pot = next((x for x in pots if str(x.pk) == p.get("cash_pot")), None)
            visited_on = _date(p.get("visited_on"))
            if visited_on is None:
                raise ValidationError({"visited_on": "请填写走访日期（年-月-日）"})
            r = services.visit_record(
                actor=actor, campaign=c, kind=p.get("kind", ""), visited_on=visited_on,
                visitors=p.get("visitors", ""), org=org, group=group, archive=archive,
                recipient_kind=p.get("recipient_kind", ""), name=p.get("name", ""),
                id_number=p.get("id_number", ""), handed_over=p.get("handed_over", ""),
                cash_amount=p.get("cash_amount") or None, cash_pot=pot, enterprise=p.get("enterprise", ""),
                enterprise_in_difficulty=bool(p.get("enterprise_in_difficulty")), findings=p.get("findings", ""),
                frontline_greeted=p.get("frontline_greeted") or 0, note=p.get("note", ""))
        except Http404 as exc:
            errors.append(str(exc))
        except (ValidationError, PermissionDenied) as exc:
            errors += error_list(exc)
        else:
            for w in r.warnings:
                messages.warning(request, w)
            messages.success(request, "走访已记录。")
            if group is not None:
                return redirect("campaign_group", gid=group.pk)
            return redirect("campaign_visits", pk=c.pk)
    return render(request, "visits/visit_form.html", {
        "c": c, "groups": groups, "pots": pots, "errors": errors, "warnings": warnings, "data": p,
        "kinds": VisitKind.choices, "recipient_kinds": RecipientKind.choices[1:],
        "preset_group": request.GET.get("group", ""), "preset_archive": request.GET.get("archive", "")},
        status=422 if errors else 200)


@require_POST
@actor_required(Perm.CAMPAIGN_WRITE)
def visit_void(request, vid):
    v = visit_for_actor(request.actor, vid)
    try:
        services.visit_void(actor=request.actor, visit=v, reason=request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, messages_of(exc))
    else:
        messages.success(request, "走访记录已作废（保留备查，不再计入覆盖）。")
    return redirect("campaign_visits", pk=v.campaign_id)


# --- coverage -------------------------------------------------------------------------------------------
#
# Coverage is of an org and a season, not of one campaign: the season's visits count wherever they were recorded.
# ``/campaigns/coverage/?org=&year=`` works for any org of the actor's subtree (a province, the root); a campaign's
# coverage page is the same page for the campaign's season, reached from the campaign.

SEASONS = (2000, 2098)  # the seasons the lunar calendar helpers support


def _season(request, org: Org) -> int:
    try:
        year = int(request.GET.get("year") or 0)
    except ValueError:
        year = 0
    return year if SEASONS[0] <= year <= SEASONS[1] else default_season(org)


def _coverage_page(request, org: Org, year: int, campaign=None):
    actor = request.actor
    day = as_of_day(org, year)
    only_models = request.GET.get("models") == "1"
    missing = queries.not_visited(org, year, day, models_only=only_models)
    if request.GET.get("format") == "xlsx":
        actor.require(Perm.EXPORT)
        body, n = documents.not_visited_xlsx(campaign or f"{year}年度（{year + 1}年两节）", org.name,
                                             missing.iterator(chunk_size=2000), day)
        audit_record(actor=actor, action="pii.export", object_type="campaign_not_visited",
                     object_id=campaign.pk if campaign else year, org=org,
                     after={"rows": n, "models_only": only_models, "year": year})
        resp = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(f'未走访名单-{org.name}.xlsx')}"
        return resp
    ancestors = [o for o in Org.objects.get_ancestors(org) if o.path.startswith(actor.org.path)] + [org]
    children = queries.coverage_by_child(org, year, day)
    total = queries.summed(children)
    pager = Paginator(missing, PAGE_SIZE)
    pager.count = total.models_not_visited if only_models else total.not_visited  # known: no second count
    return render(request, "visits/coverage.html", {
        "c": campaign, "org": org, "year": year, "as_of": day, "total": total, "children": children,
        "campaigns": campaigns_around(org).filter(year=year).select_related("org").order_by("org__path")[:20],
        "missing": pager.get_page(request.GET.get("page")),
        "twice": queries.visited_twice(org, year, day)[:100], "trail": ancestors, "only_models": only_models,
        "query": f"org={org.code}&year={year}" + ("&models=1" if only_models else "")})


@replica_reads
@require_GET
@actor_required()
def season_coverage(request):
    """Coverage of any org of the actor's subtree (404 outside) in a season (default: ``core.season``)."""
    code = (request.GET.get("org") or "").strip()
    org = org_for_actor(request.actor, code) if code else request.actor.org
    return _coverage_page(request, org, _season(request, org))


@replica_reads
@require_GET
@actor_required()
def coverage(request, pk):
    c = campaign_for_actor(request.actor, pk)
    org = _org_in(request, c)
    if not org.path.startswith(c.org.path) and not c.org.path.startswith(org.path):
        raise Http404("该组织不在本次活动范围内")
    return _coverage_page(request, org, c.year, c)


# --- the never-helped list (beside the archives' 动态管理 lists) --------------------------------------------

NEVER_HELPED_ROWS = ("archive_no", "name", "is_temporary", "id_number", "category", "cause_1", "cause_2", "cause_3",
                     "org__name", "household_size", "household_annual_income", "status", "activated_at")


def _never_helped_scope(request):
    """(org, season or None) from the query: the org in the actor's subtree (404 outside), the season a year
    (``season=`` empty: never helped at all)."""
    data = request.POST if request.method == "POST" else request.GET
    code = (data.get("org") or "").strip()
    org = org_for_actor(request.actor, code) if code else request.actor.org
    raw = (data.get("season") or "").strip()
    if not raw:
        return org, None
    if raw == "current":  # the link beside the 动态管理 lists: the default season, as on every page
        return org, default_season(org)
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise Http404("年度须为 2000–2100 之间的整数")
    return org, int(raw)


@replica_reads
@actor_required()
def never_helped(request):
    """在档 households with no money granted and no visit: ever, or (``season``) in one season. POST (with the
    export permission) starts the xlsx export as a background job."""
    actor = request.actor
    org, season = _never_helped_scope(request)
    if request.method == "POST":
        actor.require(Perm.EXPORT)
        job = job_create(actor=actor, kind="visits.never_helped", title=f"导出{unhelped.title_of(org, season)}",
                         params={"org": org.code, "season": season})
        return redirect("job_detail", pk=job.pk)
    qs = unhelped.never_helped(org, season=season).only(*NEVER_HELPED_ROWS)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for a in page.object_list:
        a.masked_id = pii.mask_id_number(a.id_number)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "visits/never_helped.html", {
        "org": org, "season": season, "page": page,
        "seasons": sorted({*range(default_season(org) + 1, default_season(org) - 5, -1)}
                          | ({season} if season else set()), reverse=True),
        "title": unhelped.title_of(org, season), "query": query.urlencode(),
        "care_lists": CARE_LISTS, "kind": "season" if season is not None else "never"})
