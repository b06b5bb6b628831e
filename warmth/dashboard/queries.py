"""The figures of the dashboard (数据看板) for an org's whole subtree and one season (the year as everywhere here:
season 2025 is the 两节 of 2026, the year of the fund pots and campaigns).

Each figure is one grouped query over the subtree, whatever the number of children (the money by source is the
funds statement's three). What each counts:

- ``money_by_source``: the funds statement of the subtree (``funds.queries.lines_for``) summed by source. Money
  passed down inside the subtree appears twice there, as the upper level's 下拨下级 and the lower level's
  上级下拨收入, exactly as on the 资金收支表.
- ``paid_by_aid_type``: 实名制发放 from the season's pots, approved or later and not reversed (待发放, 已发放,
  已确认), by 帮扶项目. Cash handed over on visits is not a payment and is not in it (it is in the statement's
  发放 column).
- ``coverage``: the season's coverage per child (``visits.queries.coverage_by_child``: the season's visits in
  any level's campaign count), households 在档 on the season's stated day (``campaigns.queries.as_of_day``),
  visited, not visited; with the campaigns of that season around the org (above it or below it).
- ``paid_over_window``: the same payments once handed over (已发放, 已确认), by ``Payment.paid_on`` (the 发放日期
  recorded when the money went out; approval only takes it out of the pot), per day over the campaign window,
  per week when the window is longer than ``WEEKLY_AFTER_DAYS``; what was paid before or after the window is
  given beside.
- ``compare``: four headline figures for the season and the one before. 在档户数 counts archives 在档 on that
  season's stated day (``archives.queries.filed_on`` on ``campaigns.queries.as_of_day``: the last day of the
  campaign covering the org, or today while it runs), the very figure of the coverage table and of the
  statistics forms; 走访户数 the coverage's visited households (filed that day, a live household visit in any
  campaign of the season); 资金到位 what the subtree raised plus what the org received from the union
  above it (money passed down inside the subtree is not counted twice); 发放 the statement's 发放 column (payments
  and cash on visits, net of reversals).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from warmth.campaigns.models import Campaign
from warmth.campaigns.queries import as_of_day, campaign_covering, campaigns_around
from warmth.campaigns.services import default_window
from warmth.core.season import default_season
from warmth.funds.choices import EntryKind, FundSource
from warmth.funds.models import FundPot, LedgerEntry
from warmth.funds.queries import Line, lines_for
from warmth.orgs.models import Org
from warmth.payments.choices import AidType, PaymentStatus
from warmth.payments.models import Payment
from warmth.visits import queries as visit_queries

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
#: payments approved or later and not reversed: the money has left the pot
APPROVED_OR_LATER = (PaymentStatus.APPROVED, PaymentStatus.PAID, PaymentStatus.CONFIRMED)
#: payments handed over: they have a 发放日期 (paid_on)
HANDED_OVER = (PaymentStatus.PAID, PaymentStatus.CONFIRMED)
WEEKLY_AFTER_DAYS = 62


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT)


def default_year(org: Org) -> int:
    """The season the dashboard opens on: the one rule of every page (``core.season.default_season``)."""
    return default_season(org)


def years_with_data(org: Org) -> list[int]:
    """Years that have fund pots in the subtree, newest first."""
    return list(FundPot.objects.filter(org__path__startswith=org.path).values_list("year", flat=True)
                .distinct().order_by("-year"))


def covering_campaign(org: Org, year: int) -> Campaign | None:
    try:
        return campaign_covering(org, year)
    except LookupError:
        return None


# --- 1. money by source ----------------------------------------------------------------------------------------

@dataclass
class SourceRow:
    source: str
    raised: Decimal = ZERO
    received: Decimal = ZERO
    allocated: Decimal = ZERO
    paid: Decimal = ZERO
    converted: Decimal = ZERO
    balance: Decimal = ZERO

    @property
    def label(self) -> str:
        return FundSource(self.source).label if self.source else "合计"

    def add(self, ln: Line | SourceRow) -> None:
        for c in ("raised", "received", "allocated", "paid", "converted", "balance"):
            setattr(self, c, getattr(self, c) + getattr(ln, c))


def money_by_source(org: Org, year: int) -> tuple[list[SourceRow], SourceRow]:
    """The subtree's statement lines summed by source (sources without money are left out), and their total."""
    lines = lines_for(LedgerEntry.objects.filter(pot__org__path__startswith=org.path, pot__year=year),
                      FundPot.objects.filter(org__path__startswith=org.path, year=year))
    rows: dict[str, SourceRow] = {}
    for ln in lines:
        rows.setdefault(ln.source, SourceRow(ln.source)).add(ln)
    order = {v: i for i, v in enumerate(FundSource.values)}
    out = sorted(rows.values(), key=lambda r: order[r.source])
    total = SourceRow("")
    for r in out:
        total.add(r)
    return out, total


# --- 2. paid by 帮扶项目 ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AidRow:
    aid_type: str
    count: int
    amount: Decimal

    @property
    def label(self) -> str:
        return AidType(self.aid_type).label if self.aid_type in AidType.values else self.aid_type


def season_payments(org: Org, year: int):
    return Payment.objects.filter(org__path__startswith=org.path, pot__year=year, status__in=APPROVED_OR_LATER)


def paid_by_aid_type(org: Org, year: int) -> tuple[list[AidRow], AidRow]:
    rows = (season_payments(org, year).values("aid_type").annotate(n=Count("id"), s=Sum("amount"))
            .order_by())
    order = {v: i for i, v in enumerate(AidType.values)}
    out = sorted((AidRow(r["aid_type"], r["n"], _money(r["s"])) for r in rows),
                 key=lambda r: (order.get(r.aid_type, len(order)), r.aid_type))
    return out, AidRow("", sum(r.count for r in out), sum((r.amount for r in out), ZERO))


# --- 3. coverage by child --------------------------------------------------------------------------------------

@dataclass
class CoverageFigure:
    as_of: date
    campaigns: list = field(default_factory=list)  # the season's campaigns around the org (above or below it)
    rows: list = field(default_factory=list)  # (child org or None for the org's own households, Coverage)
    total: visit_queries.Coverage = field(default_factory=visit_queries.Coverage)


def coverage(org: Org, year: int, campaign: Campaign | None = None, *, today: date | None = None) -> CoverageFigure:
    """The season's coverage of the org by child, households 在档 on the season's stated day. ``campaign``: the
    campaign covering the org, when the caller has it (it fixes the day)."""
    day = as_of_day(org, year, today, campaign=campaign)
    around = list(campaigns_around(org).filter(year=year).select_related("org").order_by("org__path"))
    rows = visit_queries.coverage_by_child(org, year, day)
    total = visit_queries.summed(rows)
    # the org's own households are shown only when it has any (a county's grassroots unions have none below)
    rows = [(child, cov) for child, cov in rows if child is not None or cov.filed or cov.visited]
    if not around and not total.filed:
        rows = []  # nothing filed and no campaign: nothing to chart
    return CoverageFigure(day, around, rows, total)


# --- 4. paid over the campaign window --------------------------------------------------------------------------

@dataclass(frozen=True)
class Bucket:
    start: date
    end: date
    count: int
    amount: Decimal

    @property
    def label(self) -> str:
        if self.start == self.end:
            return f"{self.start:%m-%d}"
        return f"{self.start:%m-%d}至{self.end:%m-%d}"


@dataclass
class Timeline:
    starts_on: date
    ends_on: date
    from_campaign: bool
    weekly: bool
    buckets: list[Bucket]
    before: tuple[int, Decimal]
    after: tuple[int, Decimal]
    from_below: bool = False  # no campaign covers the org: the span of the season's campaigns in its subtree

    @property
    def count(self) -> int:
        return sum(b.count for b in self.buckets)

    @property
    def amount(self) -> Decimal:
        return sum((b.amount for b in self.buckets), ZERO)


def window_of(year: int, campaign: Campaign | None) -> tuple[date, date, bool]:
    if campaign is not None:
        return campaign.starts_on, campaign.ends_on, True
    w = default_window(year)
    return w["starts_on"], w["ends_on"], False


def paid_over_window(org: Org, year: int, campaign: Campaign | None,
                     around: list[Campaign] | None = None) -> Timeline:
    """Money handed over by day (or week) of the window of the campaign covering the org; when none covers it
    (a province whose cities run their own), the earliest start to the latest end of the season's campaigns
    ``around`` it (the same campaigns its coverage counts); with none at all, the default 元旦 to 春节."""
    starts, ends, from_campaign = window_of(year, campaign)
    from_below = campaign is None and bool(around)
    if from_below:
        starts, ends = min(c.starts_on for c in around), max(c.ends_on for c in around)
    rows = (season_payments(org, year).filter(status__in=HANDED_OVER, paid_on__isnull=False)
            .values("paid_on").annotate(n=Count("id"), s=Sum("amount")).order_by("paid_on"))
    by_day: dict[date, tuple[int, Decimal]] = {}
    before, after = [0, ZERO], [0, ZERO]
    for r in rows:
        day, n, s = r["paid_on"], r["n"], _money(r["s"])
        if day < starts:
            before = [before[0] + n, before[1] + s]
        elif day > ends:
            after = [after[0] + n, after[1] + s]
        else:
            by_day[day] = (n, s)
    weekly = (ends - starts).days + 1 > WEEKLY_AFTER_DAYS
    step = 7 if weekly else 1
    buckets = []
    start = starts
    while start <= ends:
        end = min(start + timedelta(days=step - 1), ends)
        n, s = 0, ZERO
        d = start
        while d <= end:
            dn, ds = by_day.get(d, (0, ZERO))
            n, s = n + dn, s + ds
            d += timedelta(days=1)
        buckets.append(Bucket(start, end, n, s))
        start = end + timedelta(days=1)
    return Timeline(starts, ends, from_campaign or from_below, weekly, buckets, tuple(before), tuple(after),
                    from_below)


# --- 5. this season against the one before ---------------------------------------------------------------------

@dataclass
class Season:
    year: int
    campaign: Campaign | None
    as_of: date
    filed: int = 0
    visited: int | None = None  # None: no campaign of that season around the org (above it or below it)
    raised: Decimal = ZERO
    paid: Decimal = ZERO


def compare(org: Org, year: int, *, today: date | None = None,
            campaigns: dict[int, Campaign | None] | None = None) -> list[Season]:
    """[the season ``year``, the season before], each with its four headline figures: the coverage's filed and
    visited households of each season (two grouped queries each), the money of both in one."""
    today = today or timezone.localdate()
    years = (year, year - 1)
    campaigns = dict(campaigns or {})
    for y in years:
        if y not in campaigns:
            campaigns[y] = covering_campaign(org, y)
    seasons = {y: Season(y, campaigns[y], as_of_day(org, y, today, campaign=campaigns[y])) for y in years}
    with_campaigns = set(campaigns_around(org).filter(year__in=years).values_list("year", flat=True).distinct())
    for y, s in seasons.items():
        cov = visit_queries.coverage(org, y, s.as_of)
        s.filed = cov.filed
        if y in with_campaigns:
            s.visited = cov.visited

    def kinds(*ks):
        return Q(kind__in=ks) | Q(kind=EntryKind.REVERSAL, reverses__kind__in=ks)

    rows = (LedgerEntry.objects.filter(pot__org__path__startswith=org.path, pot__year__in=years)
            .values("pot__year").annotate(
                raised=Sum("amount", filter=kinds(EntryKind.RAISED)),
                from_above=Sum("amount", filter=Q(pot__org=org) & kinds(EntryKind.RECEIVED)),
                paid=Sum("amount", filter=kinds(EntryKind.PAID, EntryKind.VISIT_PAID)))
            .order_by())
    for r in rows:
        s = seasons[r["pot__year"]]
        s.raised = _money(r["raised"]) + _money(r["from_above"])
        s.paid = -_money(r["paid"])
    return [seasons[y] for y in years]
