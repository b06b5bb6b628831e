"""Read-side figures of the season: the campaign that covers an org, the weekly wage-arrears report summed by
the level above. The visits' figures (coverage, the not-visited list, money so far) are ``visits.queries``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Max, Q, QuerySet, Sum
from django.utils import timezone

from warmth.campaigns.choices import ArrearsRow, ArrearsStatus
from warmth.campaigns.models import ArrearsLine, ArrearsReport, Campaign
from warmth.core.festival import campaign_window
from warmth.funds.rules import ancestors_paths
from warmth.orgs.models import Org


def campaign_covering(org: Org, year: int, campaign_id: int | None = None) -> Campaign:
    """The campaign of ``year`` that covers ``org``: organized by the org itself or by its nearest ancestor that
    has one (a county takes part in its city's campaign). ``campaign_id`` picks one explicitly. None there:
``LookupError`` with the reason in Chinese."""
    ancestors = ancestors_paths(org)
    qs = Campaign.objects.filter(year=year, org__path__in=ancestors).select_related("org")
    if campaign_id is not None:
        found = qs.filter(pk=campaign_id).first()
        if found is None:
            raise LookupError(f"活动 #{campaign_id} 不存在，或不是 {year} 年度覆盖 {org.name} 的活动")
        return found
    found = qs.order_by("-org__depth").first()
    if found is None:
        raise LookupError(f"{year} 年度没有覆盖 {org.name}（{org.code}）的送温暖活动")
    return found


def season_end(org: Org | None, year: int):
    """The last day of the campaign window covering ``org`` in the season ``year`` (None without a campaign):
    the default spend-by date of central money (registered into ``funds.seasons``)."""
    if org is None:
        return None
    try:
        return campaign_covering(org, year).ends_on
    except LookupError:
        return None


def campaigns_around(org: Org) -> QuerySet[Campaign]:
    """The campaigns an org takes part in or looks at: organized by the org, by an org above it (it takes part)
    or by an org below it (its subtree's)."""
    return Campaign.objects.filter(Q(org__path__in=ancestors_paths(org)) | Q(org__path__startswith=org.path))


def default_season(org: Org, today: date) -> int | None:
    """The season a page opens on (``core.season.default_season``, registered from ``CampaignsConfig.ready``):
    the season of a campaign around the org whose window contains today, else the latest season with a
    campaign around the org; None without any."""
    around = campaigns_around(org)
    running = around.filter(starts_on__lte=today, ends_on__gte=today).aggregate(y=Max("year"))["y"]
    return running if running is not None else around.aggregate(y=Max("year"))["y"]


def as_of_day(org: Org, year: int, today: date | None = None, *, campaign: Campaign | None = None) -> date:
    """The day 在档 is counted on for ``org`` and season ``year`` (the dashboard, coverage and the statistics
    forms all use it, and print it beside the figure): the last day of the campaign covering the org (of the
    season's default window, 元旦 to 春节, when none covers it), or today while that day is still to come.
    ``campaign``: the covering campaign when the caller has it already."""
    today = today or timezone.localdate()
    if campaign is None:
        campaign = covering_or_none(org, year)
    end = campaign.ends_on if campaign is not None else campaign_window(year)[1]
    return min(end, today)


def covering_or_none(org: Org, year: int) -> Campaign | None:
    try:
        return campaign_covering(org, year)
    except LookupError:
        return None


# --- the weekly wage-arrears report, summed by the level above --------------------------------------------------

def arrears_week(campaign: Campaign, org: Org, week_of) -> dict:
    """For ``org`` and one week: each direct child with its live submitted report (or None), the sum of those
    reports per row and column, and the children that have not submitted. The org's own report, if any, is
    returned beside (it is what the org sends up, not part of the sum)."""
    children = list(Org.objects.filter(parent=org).order_by("path"))
    live = ArrearsReport.objects.filter(campaign=campaign, week_of=week_of, superseded=False)
    submitted = {r.org_id: r for r in live.filter(org__in=children, status=ArrearsStatus.SUBMITTED)}
    sums = {row: {"amount": Decimal("0.0000"), "enterprises": 0, "people": 0} for row in ArrearsRow.values}
    for ln in ArrearsLine.objects.filter(report__in=list(submitted.values())).values(
            "row").annotate(a=Sum("amount"), e=Sum("enterprises"), p=Sum("people")).order_by():
        sums[ln["row"]] = {"amount": Decimal(ln["a"] or 0).quantize(Decimal("0.0001")), "enterprises": ln["e"] or 0,
                           "people": ln["p"] or 0}
    return {"children": [(c, submitted.get(c.pk)) for c in children], "sums": sums,
            "missing": [c for c in children if c.pk not in submitted],
            "own": live.filter(org=org).first()}
