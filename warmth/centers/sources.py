"""The named sources of the 帮扶中心工作统计表 (2013: seed 003 附件2; 2014: seed 000 附件2), registered into
``warmth.reports.sources`` (``register``, from this app's ``AppConfig.ready``): ``SOURCES[name] = (unit, value,
records)``, ``unit`` as a ``reports.sources.Source`` has it ("count", or "wan" for 万元), ``value(scope)`` the
figure and ``records(scope)`` the rows behind it, each over the scope org's WHOLE subtree
(``org__path__startswith``: every row carries the org it counts under). ``FORM_UNITS[name]`` is the unit the
forms print beside an item the source answers.

The forms ask 目前 (统计数据截至 12月31日), so the scope year is the calendar year of the form (2014 for the
2014年度 form) and a record counts when it stood on 31 December of that year:

- ``centers.count[:level]``: centres founded by then (1.A–1.D of both forms); ``level`` is provincial, city or
  county (省级, 地市级, 县级).
- ``centers.staff[:level]``: their 工作人员, 专职 and 兼职 together (item 2); ``centers.staff_fulltime`` and
  ``centers.staff_parttime`` apart; ``centers.volunteers`` their 工会志愿者 (2014 3.A). These are the centres'
  present figures (the registry keeps the current answer, its history is in the audit log).
- ``centers.stations:<kind>``: 帮扶站点 set up by then and not closed by then (2014 item 4, 2013 item 3):
  township, park, community, enterprise, and the enterprise stations' 其中 ``enterprise_above_scale`` (规模以上)
  and ``enterprise_non_public`` (非公).
- ``centers.partners:<kind>``: 定点帮扶机构 agreed by then and not closed by then (2014 item 14, 2013 item 12).
- ``centers.funding:<source>``: the year's money of the centres by the forms' source lines, in 万元, live rows
  only (a superseded row counts no more; its correction does) (2014 item 5, 2013 item 4);
  ``centers.funding_total`` all lines.
- ``centers.special_fund:<level>``: of that, the 地方财政拨款 rows marked as the 同级财政's 专项帮扶资金, of centres of
  that level, in 万元 (2014 6.A, 7.B, 8.B; 2013 5.A, 6.A-2, 7.A-2); ``centers.with_special_fund:<level>`` the
  centres of that level with such money in the year (2014 7.A, 8.A; 2013 6.A, 7.A).
- ``centers.in_budget``: centres answering 是 to 资金是否纳入财政预算; ``centers.in_budget:provincial`` the
  provincial ones, the 是/否 of 2014 6.B and 2013 5.B (1 is 是; summed over a subtree like a manual 是/否 cell).
- ``centers.matched_in_budget:city``: 地市级 centres whose 配套资金达到与上级拨款额同比例配套要求 and whose money is
  纳入财政预算 (2014 7.C, 2013 6.B); ``:county`` 县级 centres whose 地方财政按上级拨款等额配套 and 纳入财政预算
  (2014 8.C, 2013 7.B).

What the registry does not hold stays manual on the forms: the help given (人次 and 帮扶款物 by kind, of 困难职工 and
of 农民工), the services, the cross-region cases and the 建设费用/工作经费投入."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from warmth.centers import models
from warmth.centers.models import Center, CenterFunding
from warmth.core.money import to_wanyuan
from warmth.reports.sources import Scope

Value = Callable[[Scope], int | Decimal]
Records = Callable[[Scope], QuerySet]

LEVELS = ("provincial", "city", "county")          # choices.CenterLevel
STATION_KINDS = ("township", "park", "community", "enterprise")   # choices.StationKind
PARTNER_KINDS = ("hospital", "pharmacy", "supermarket", "school", "counselling", "training", "employment")
FUND_SOURCES = ("central", "local", "union", "donation", "other")  # choices.CenterFundSource


def year_end(year: int) -> date:
    """The day the forms count at: 统计数据截至 year-12-31."""
    return date(year, 12, 31)


# --- records --------------------------------------------------------------------------------------------------

def _centers(level: str | None = None, extra: Q | None = None) -> Records:
    def records(s: Scope) -> QuerySet:
        qs = Center.objects.filter(org__path__startswith=s.org.path, founded_on__lte=year_end(s.year))
        if level:
            qs = qs.filter(level=level)
        return qs.filter(extra) if extra is not None else qs
    return records


def _standing(model_name: str, started: str, extra: Q | None = None) -> Records:
    def records(s: Scope) -> QuerySet:
        end = year_end(s.year)
        qs = getattr(models, model_name).objects.filter(org__path__startswith=s.org.path, **{f"{started}__lte": end})
        qs = qs.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=end))
        return qs.filter(extra) if extra is not None else qs
    return records


def _funding(extra: Q | None = None) -> Records:
    def records(s: Scope) -> QuerySet:
        qs = CenterFunding.objects.filter(org__path__startswith=s.org.path, year=s.year, superseded=False)
        return qs.filter(extra) if extra is not None else qs
    return records


def _with_special_fund(level: str) -> Records:
    def records(s: Scope) -> QuerySet:
        money = CenterFunding.objects.filter(center=OuterRef("pk"), year=s.year, superseded=False, special=True,
                                             amount__gt=0)
        return _centers(level)(s).filter(Exists(money))
    return records


# --- values ---------------------------------------------------------------------------------------------------

def _count(records: Records) -> Value:
    return lambda s: records(s).count()


def _sum(records: Records, expression) -> Value:
    return lambda s: int(records(s).aggregate(t=Coalesce(Sum(expression), 0))["t"])


def _money(records: Records) -> Value:
    return lambda s: to_wanyuan(records(s).aggregate(t=Sum("amount"))["t"] or 0)


STAFF = F("staff_fulltime") + F("staff_parttime")


def _build() -> tuple[dict[str, tuple[str, Value, Records]], dict[str, str]]:
    sources: dict[str, tuple[str, Value, Records]] = {}
    units: dict[str, str] = {}

    def add(name: str, form_unit: str, value: Value, records: Records) -> None:
        sources[name] = ("wan" if form_unit == "万元" else "count", value, records)
        units[name] = form_unit

    for suffix, level in (("", None), *((f":{x}", x) for x in LEVELS)):
        rec = _centers(level)
        add(f"centers.count{suffix}", "个", _count(rec), rec)
        add(f"centers.staff{suffix}", "人", _sum(rec, STAFF), rec)
    rec = _centers()
    add("centers.staff_fulltime", "人", _sum(rec, F("staff_fulltime")), rec)
    add("centers.staff_parttime", "人", _sum(rec, F("staff_parttime")), rec)
    add("centers.volunteers", "人", _sum(rec, F("volunteers")), rec)
    for kind in STATION_KINDS:
        rec = _standing("Station", "set_up_on", Q(kind=kind))
        add(f"centers.stations:{kind}", "个", _count(rec), rec)
    for flag, name in (("above_scale", "enterprise_above_scale"), ("non_public", "enterprise_non_public")):
        rec = _standing("Station", "set_up_on", Q(kind="enterprise", **{flag: True}))
        add(f"centers.stations:{name}", "个", _count(rec), rec)
    for kind in PARTNER_KINDS:
        rec = _standing("Partner", "agreed_on", Q(kind=kind))
        add(f"centers.partners:{kind}", "个", _count(rec), rec)
    rec = _funding()
    add("centers.funding_total", "万元", _money(rec), rec)
    for source in FUND_SOURCES:
        rec = _funding(Q(source=source))
        add(f"centers.funding:{source}", "万元", _money(rec), rec)
    for level in LEVELS:
        rec = _funding(Q(special=True, center__level=level))
        add(f"centers.special_fund:{level}", "万元", _money(rec), rec)
    for level in ("city", "county"):
        rec = _with_special_fund(level)
        add(f"centers.with_special_fund:{level}", "个", _count(rec), rec)
    rec = _centers(extra=Q(in_budget=True))
    add("centers.in_budget", "个", _count(rec), rec)
    rec = _centers("provincial", Q(in_budget=True))
    add("centers.in_budget:provincial", "是/否", _count(rec), rec)
    rec = _centers("city", Q(in_budget=True, matched_proportional=True))
    add("centers.matched_in_budget:city", "个", _count(rec), rec)
    rec = _centers("county", Q(in_budget=True, matched_equal=True))
    add("centers.matched_in_budget:county", "个", _count(rec), rec)
    return sources, units


#: name -> (unit, value, records): what ``warmth.reports.sources`` registers.
SOURCES: dict[str, tuple[str, Value, Records]]
#: name -> the unit the forms print for the item the source answers (个, 人, 万元, 是/否).
FORM_UNITS: dict[str, str]
SOURCES, FORM_UNITS = _build()
