"""Reads of the registry beyond a filter: the centres of a subtree with their figures for a year (one query, the
per-centre counts as subqueries, so a province's list costs the same as a county's), and the summary of a
subtree as the statistics forms will read it (the named sources of ``centers.sources``)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, DecimalField, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from warmth.centers.choices import CenterFundSource, CenterLevel, PartnerKind, StationKind
from warmth.centers.models import Center, CenterFunding, Partner, Station
from warmth.centers.sources import SOURCES, year_end
from warmth.orgs.models import Org
from warmth.reports.sources import Scope


def default_year() -> int:
    """The 年度 a centre's figures are usually looked at for: the statistics are filled after the year ends
    (截至 12月31日), so until June it is last year (as the reports pages choose their season)."""
    today = timezone.localdate()
    return today.year if today.month >= 7 else today.year - 1


def years_with_funding(centers: QuerySet[Center]) -> list[int]:
    years = set(CenterFunding.objects.filter(center__in=centers, superseded=False)
                .values_list("year", flat=True).distinct())
    return sorted(years | {default_year()}, reverse=True)


def _standing_count(model, started: str, year: int):
    end = year_end(year)
    qs = (model.objects.filter(center=OuterRef("pk"), **{f"{started}__lte": end})
          .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=end))
          .order_by().values("center").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(qs, output_field=IntegerField()), Value(0))


def with_figures(centers: QuerySet[Center], year: int) -> QuerySet[Center]:
    """Each centre with ``n_stations`` and ``n_partners`` standing on 31 December of ``year`` and ``funded``, its
    live funding of that year in 元."""
    money = (CenterFunding.objects.filter(center=OuterRef("pk"), year=year, superseded=False)
             .order_by().values("center").annotate(t=Sum("amount")).values("t"))
    return centers.select_related("org").annotate(
        n_stations=_standing_count(Station, "set_up_on", year),
        n_partners=_standing_count(Partner, "agreed_on", year),
        funded=Coalesce(Subquery(money, output_field=DecimalField(max_digits=16, decimal_places=2)),
                        Value(Decimal("0.00")), output_field=DecimalField(max_digits=16, decimal_places=2)),
    )


def summary(org: Org, year: int) -> dict:
    """What the 帮扶中心工作统计表 of ``org``'s subtree will read from the registry for ``year``, grouped for the
    list page: ``{"levels": [(label, centres, staff)], "staff": …, "stations": [(label, n)], …}``."""
    scope = Scope(org, year)

    def v(name: str):
        return SOURCES[name][1](scope)

    return {
        "count": v("centers.count"), "staff": v("centers.staff"), "volunteers": v("centers.volunteers"),
        "levels": [(label, v(f"centers.count:{code}"), v(f"centers.staff:{code}")) for code, label in
                   CenterLevel.choices],
        "stations": [(label, v(f"centers.stations:{code}")) for code, label in StationKind.choices]
        + [("其中规模以上企业", v("centers.stations:enterprise_above_scale")),
           ("其中非公企业", v("centers.stations:enterprise_non_public"))],
        "partners": [(label, v(f"centers.partners:{code}")) for code, label in PartnerKind.choices],
        "funding": [(label, v(f"centers.funding:{code}")) for code, label in CenterFundSource.choices],
        "funding_total": v("centers.funding_total"),
        "in_budget": v("centers.in_budget"),
    }
