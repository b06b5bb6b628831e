"""Every named source of warmth/centers/sources.py equals a count written here straight from the rows (Python
loops, no SQL filters) at a county, a city, a province and the root, for two years; the centre forms filled by
the engine with these sources hold those counts and pass every derived rule; the closed lists speak the printed
forms' words; the demo seeds."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from tests.centers.conftest import build_registry
from tests.reports.test_form_definitions import CENTER_SOURCES, normalise, printed_text
from warmth.centers.choices import (
    IN_BUDGET_LABEL,
    MATCHED_EQUAL_LABEL,
    MATCHED_PROPORTIONAL_LABEL,
    SPECIAL_FUND_LABEL,
    CenterFundSource,
    CenterLevel,
    PartnerKind,
    StationKind,
)
from warmth.centers.models import Center, CenterFunding, Partner, Station
from warmth.centers.sources import FORM_UNITS, SOURCES
from warmth.funds.choices import FORM_LINES, FormVersion
from warmth.reports import engine
from warmth.reports import sources as report_sources
from warmth.reports.definitions import definition
from warmth.reports.sources import Scope

pytestmark = pytest.mark.django_db
WAN = Decimal("0.0001")


def wan(yuan) -> Decimal:
    return (Decimal(yuan) / 10000).quantize(WAN, rounding=ROUND_HALF_UP)  # 四舍五入, as the forms print


def brute(org, year: int) -> dict[str, int | Decimal]:
    """Every source, by walking every row of the registry."""
    end = date(year, 12, 31)
    inside = lambda o: o.path.startswith(org.path)  # noqa: E731
    centers = [c for c in Center.objects.select_related("org") if inside(c.org) and c.founded_on <= end]
    stations = [s for s in Station.objects.select_related("org") if inside(s.org) and s.set_up_on <= end
                and (s.closed_on is None or s.closed_on > end)]
    partners = [x for x in Partner.objects.select_related("org") if inside(x.org) and x.agreed_on <= end
                and (x.closed_on is None or x.closed_on > end)]
    rows = [f for f in CenterFunding.objects.select_related("org", "center") if inside(f.org) and f.year == year
            and not f.superseded]
    out: dict[str, int | Decimal] = {}
    for suffix, level in [("", None)] + [(f":{x}", x) for x in CenterLevel.values]:
        mine = [c for c in centers if level is None or c.level == level]
        out[f"centers.count{suffix}"] = len(mine)
        out[f"centers.staff{suffix}"] = sum(c.staff_fulltime + c.staff_parttime for c in mine)
    out["centers.staff_fulltime"] = sum(c.staff_fulltime for c in centers)
    out["centers.staff_parttime"] = sum(c.staff_parttime for c in centers)
    out["centers.volunteers"] = sum(c.volunteers for c in centers)
    for kind in StationKind.values:
        out[f"centers.stations:{kind}"] = sum(s.kind == kind for s in stations)
    out["centers.stations:enterprise_above_scale"] = sum(s.kind == "enterprise" and s.above_scale for s in stations)
    out["centers.stations:enterprise_non_public"] = sum(s.kind == "enterprise" and s.non_public for s in stations)
    for kind in PartnerKind.values:
        out[f"centers.partners:{kind}"] = sum(x.kind == kind for x in partners)
    out["centers.funding_total"] = wan(sum(f.amount for f in rows))
    for source in CenterFundSource.values:
        out[f"centers.funding:{source}"] = wan(sum(f.amount for f in rows if f.source == source))
    for level in CenterLevel.values:
        out[f"centers.special_fund:{level}"] = wan(sum(f.amount for f in rows if f.special
                                                       and f.center.level == level))
    for level in ("city", "county"):
        funded = {f.center_id for f in rows if f.special and f.amount > 0}
        out[f"centers.with_special_fund:{level}"] = sum(c.level == level and c.pk in funded for c in centers)
    out["centers.in_budget"] = sum(c.in_budget for c in centers)
    out["centers.in_budget:provincial"] = sum(c.in_budget and c.level == "provincial" for c in centers)
    out["centers.matched_in_budget:city"] = sum(c.level == "city" and c.in_budget and c.matched_proportional
                                                for c in centers)
    out["centers.matched_in_budget:county"] = sum(c.level == "county" and c.in_budget and c.matched_equal
                                                  for c in centers)
    return out


@pytest.mark.parametrize("seed", [3, 17])
def test_every_source_equals_a_count_over_the_rows(tree, seed):
    build_registry(tree, seed)
    checked = 0
    for org in (tree.k1, tree.c1, tree.p1, tree.root, tree.g1):
        for year in (2024, 2025):
            want = brute(org, year)
            assert set(want) == set(SOURCES)
            for name, (unit, value, records) in SOURCES.items():
                got = value(Scope(org, year))
                assert got == want[name], (org.name, year, name)
                assert isinstance(got, Decimal) == (unit == "wan"), name
                # the records behind a figure lie in the subtree (what the provenance page lists)
                assert all(r.org.path.startswith(org.path) for r in records(Scope(org, year)).select_related("org"))
                checked += 1
    assert checked == 5 * 2 * len(SOURCES)
    # the figures move: something of every kind is counted at the root in one of the two years
    root = {name: brute(tree.root, 2025)[name] + brute(tree.root, 2024)[name] for name in SOURCES}
    assert root["centers.count:county"] and root["centers.funding:local"] and root["centers.stations:enterprise"]


def test_a_closed_station_a_later_one_and_a_superseded_row_are_not_counted(tree):
    from warmth.centers import services

    c = services.center_create(actor=None, org=tree.k1, name="武侯区困难职工帮扶中心", founded_on=date(2012, 1, 1))
    kw = {"actor": None, "center": c, "kind": "township", "name": "甲"}
    services.station_add(**kw, set_up_on=date(2024, 12, 31))                     # counted in 2024
    later = services.station_add(**kw, set_up_on=date(2025, 1, 1))               # counted from 2025
    closed = services.station_add(**kw, set_up_on=date(2020, 1, 1))
    services.station_close(actor=None, station=closed, closed_on=date(2024, 12, 31), reason="撤并")  # gone in 2024
    services.station_close(actor=None, station=later, closed_on=date(2026, 1, 1), reason="撤并")    # still in 2025
    value = SOURCES["centers.stations:township"][1]
    assert [value(Scope(tree.c1, y)) for y in (2023, 2024, 2025)] == [1, 1, 2]
    row = services.funding_add(actor=None, center=c, year=2025, source="central", amount="12345.67")
    services.funding_correct(actor=None, funding=row, amount="20000", reason="少录")
    assert SOURCES["centers.funding:central"][1](Scope(tree.p1, 2025)) == Decimal("2.0000")
    assert SOURCES["centers.funding:central"][1](Scope(tree.p2, 2025)) == Decimal("0.0000")


@pytest.fixture
def wired(monkeypatch):
    """The report engine with the centre sources registered (as warmth.reports.sources will register them)."""
    registry = dict(report_sources._registry())
    for name, (unit, value, records) in SOURCES.items():
        registry.setdefault(name, report_sources.Source(name, unit, value, records))
    monkeypatch.setattr(report_sources, "_SOURCES", registry)


@pytest.mark.parametrize("form", ["center-2013", "center-2014"])
def test_the_centre_forms_fill_from_the_registry_and_pass_their_rules(tree, wired, form):
    build_registry(tree, 5)
    defn = definition(form)
    used = {it.source for it in defn.items if it.source.startswith("centers.")}
    assert used <= set(SOURCES)
    for org in (tree.k1, tree.c1, tree.p1):
        for year in (2024, 2025):
            want = brute(org, year)
            cells = engine.fill(defn, org, year)
            for it in defn.items:
                if it.source in SOURCES:
                    assert cells[it.code].value == want[it.source], (form, org.name, year, it.code)
                    assert cells[it.code].origin == "auto"
                elif it.source == "sum":
                    parts = dict(defn.sums)[it.code]
                    assert cells[it.code].value == sum(cells[p].value for p in parts), it.code
            failed = [r.message for r in engine.check(defn, {c: v.value for c, v in cells.items()}) if not r.ok]
            assert failed == [], (form, org.name, year)
    cells = engine.fill(defn, tree.c1, 2025)
    totals = [defn.sums[0][0], defn.sums[1][0]]  # 1.A 帮扶中心 and 2.A 工作人员
    assert cells[totals[0]].value == brute(tree.c1, 2025)["centers.count"]
    assert cells[totals[1]].value == brute(tree.c1, 2025)["centers.staff"]


def test_the_names_and_units_agree_with_the_form_definition_check():
    assert FORM_UNITS == CENTER_SOURCES
    assert set(FORM_UNITS) == set(SOURCES)
    for name, (unit, _, _) in SOURCES.items():
        assert unit == ("wan" if FORM_UNITS[name] == "万元" else "count"), name


def test_the_closed_lists_speak_the_printed_forms():
    both = normalise(printed_text("center-2013") + printed_text("center-2014"))
    new = normalise(printed_text("center-2014"))
    for label in [*StationKind.labels, *PartnerKind.labels, *CenterFundSource.labels, *CenterLevel.labels,
                  IN_BUDGET_LABEL, MATCHED_PROPORTIONAL_LABEL, MATCHED_EQUAL_LABEL, SPECIAL_FUND_LABEL,
                  "规模以上企业帮扶站点", "非公企业帮扶站点"]:
        assert normalise(label) in new, label
    assert normalise("开发区（工业园区）帮扶中心或帮扶站点") in both  # the 2013 wording of the park line
    assert CenterFundSource.labels == [label for label, _ in FORM_LINES[FormVersion.CENTER]]


def test_the_demo_seeds_the_registry():
    from warmth.demo.centers import seed_centers
    from warmth.demo.orgs import seed_orgs
    from warmth.demo.pipeline import DemoContext
    from warmth.orgs.models import Org

    lines: list[str] = []
    ctx = DemoContext(scale="small", seed=11, year=2025, out=lines.append)
    seed_orgs(ctx)
    seed_centers(ctx)
    assert any(line.startswith("帮扶中心：") for line in lines), lines
    province = Org.objects.get(code="510000")
    expected = Org.objects.filter(path__startswith=province.path, level__in=["province", "city", "county"]).count()
    assert Center.objects.count() == expected == 9
    assert set(Center.objects.values_list("level", flat=True)) == {"provincial", "city", "county"}
    assert Station.objects.exclude(closed_on=None).count() == 1 and Partner.objects.exclude(closed_on=None).count() <= 1
    assert CenterFunding.objects.filter(superseded=True).count() == 1
    assert Station.objects.filter(kind="enterprise").exclude(org__level="county").exists()  # at grassroots unions
    for org in (province, Org.objects.get(code="510100"), Org.objects.get(code="510107")):
        want = brute(org, 2025)
        for name, (_, value, _) in SOURCES.items():
            assert value(Scope(org, 2025)) == want[name], (org.name, name)
    assert brute(province, 2025)["centers.funding:central"] > 0
