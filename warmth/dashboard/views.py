"""The dashboard (数据看板) for 领导 and 保障部: money by source, paid by 帮扶项目, coverage by child, payments over
the campaign window and this season against the one before, for the actor's org (or ``?org=CODE`` of its
subtree, 404 outside) and a season (``?year=``, default ``core.season.default_season``: the season whose
campaign window contains today, else the latest with a campaign).

Each chart is drawn by ``static/warmth/dashboard.js`` (the CSP allows no inline script) from the figures passed
through ``json_script``; the same figures stand in a plain table under each chart."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from warmth.core.dbrouter import replica_reads
from warmth.dashboard import queries
from warmth.orgs.access import Actor, org_for_actor, visible_orgs
from warmth.orgs.decorators import actor_required
from warmth.orgs.permissions import Perm

ORG_CHOICES_SHOWN = 300
YEARS = (2000, 2098)  # the seasons the lunar calendar helpers support (the season before included)


def may_see_dashboard(actor: Actor) -> bool:
    """领导, 财务, 经审 and 系统管理员 hold ``dashboard.view`` (figures only, no personal data); whoever approves
    the statistics reports of the level below (审核人, 领导) sees the figures those reports are made of."""
    return actor.can(Perm.DASHBOARD) or actor.can(Perm.REPORT_APPROVE)


def _year(request, org) -> int:
    try:
        year = int(request.GET.get("year") or 0)
    except ValueError:
        year = 0
    return year if YEARS[0] <= year <= YEARS[1] else queries.default_year(org)


def _chart_data(money, aid, cov, timeline, seasons) -> dict:
    rows, _ = money
    aid_rows, _ = aid
    return {
        "money": {"labels": [r.label for r in rows],
                  "series": [{"key": k, "label": label, "values": [str(getattr(r, k)) for r in rows]}
                             for k, label in (("raised", "筹集"), ("received", "上级下拨收入"),
                                              ("allocated", "下拨下级"), ("paid", "发放"), ("balance", "余额"))]},
        "aid": {"labels": [r.label for r in aid_rows], "values": [str(r.amount) for r in aid_rows],
                "counts": [r.count for r in aid_rows]},
        "coverage": {"labels": [c.name if c else "本级直属" for c, _ in cov.rows],
                     "visited": [v.visited for _, v in cov.rows],
                     "not_visited": [v.not_visited for _, v in cov.rows]},
        "timeline": {"labels": [b.label for b in timeline.buckets], "values": [str(b.amount) for b in timeline.buckets],
                     "counts": [b.count for b in timeline.buckets], "weekly": timeline.weekly},
        "compare": {"labels": [f"{s.year}年度" for s in seasons],
                    "filed": [s.filed for s in seasons], "visited": [s.visited or 0 for s in seasons],
                    "raised": [str(s.raised) for s in seasons], "paid": [str(s.paid) for s in seasons]},
    }


def _compare_rows(now, before) -> list[dict]:
    """The table of the comparison: one row per figure, the season before first, with the change."""
    rows = []
    for key, label, money in (("filed", "在档户数", False), ("visited", "走访户数", False),
                              ("raised", "资金到位（元）", True), ("paid", "发放（元）", True)):
        a, b = getattr(before, key), getattr(now, key)
        delta = None if a is None or b is None else b - a
        rows.append({"key": key, "label": label, "money": money, "before": a, "now": b, "delta": delta})
    return rows


@replica_reads
@require_GET
@actor_required()
def home(request):
    actor = request.actor
    code = (request.GET.get("org") or "").strip()
    org = org_for_actor(actor, code) if code else actor.org  # outside the subtree: 404, before the role check
    if not may_see_dashboard(actor):
        raise PermissionDenied(f"您的角色（{actor.membership.get_role_display()}）无权查看数据看板。")
    year = _year(request, org)
    today = timezone.localdate()
    campaign = queries.covering_campaign(org, year)
    money = queries.money_by_source(org, year)
    aid = queries.paid_by_aid_type(org, year)
    cov = queries.coverage(org, year, campaign)
    timeline = queries.paid_over_window(org, year, campaign, cov.campaigns)
    seasons = queries.compare(org, year, today=today, campaigns={year: campaign})
    years = sorted({*queries.years_with_data(org), year, year - 1}, reverse=True)
    parent = org.parent if org.pk != actor.org.pk else None
    return render(request, "dashboard/home.html", {
        "org": org, "year": year, "years": years, "campaign": campaign, "today": today,
        "parent": parent if parent is not None and actor.sees_org(parent) else None,
        "money_rows": money[0], "money_total": money[1], "aid_rows": aid[0], "aid_total": aid[1],
        "cov": cov, "timeline": timeline, "seasons": seasons, "now": seasons[0], "before": seasons[1],
        "compare_rows": _compare_rows(*seasons),
        "orgs": visible_orgs(actor).filter(is_active=True).order_by("path").only("code", "name")[:ORG_CHOICES_SHOWN],
        "chart_data": _chart_data(money, aid, cov, timeline, seasons),
    })


@replica_reads
@require_GET
@actor_required()
def season_panel(request):
    """The home page's card of the season's four headline figures for the actor's org (the same figures as the
    dashboard's top row), loaded after the page; nothing for a role that may not see the dashboard."""
    actor = request.actor
    if not may_see_dashboard(actor):
        return HttpResponse('<span hidden id="season-panel-none"></span>')
    org = actor.org
    year = queries.default_year(org)
    now = queries.compare(org, year, today=timezone.localdate())[0]
    rate = None
    if now.visited is not None and now.filed:
        rate = f"{now.visited * 100 / now.filed:.1f}%"
    return render(request, "dashboard/_season_panel.html", {"org": org, "now": now, "rate": rate})
