"""Every figure of the dashboard equals a brute-force count or sum over the rows (Python loops, no SQL grouping),
for 成都, 武侯, 锦江, 四川 and the root, in both seasons; and the number of queries does not grow with children."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.archives.factories import filed_on_day
from tests.conftest import make_org
from tests.dashboard.conftest import money
from warmth.archives.models import Archive
from warmth.campaigns.choices import VisitKind
from warmth.campaigns.models import Campaign
from warmth.dashboard import queries
from warmth.funds.choices import EntryKind
from warmth.funds.models import FundPot, LedgerEntry
from warmth.funds.queries import statement, subtree_total
from warmth.orgs.models import Org, OrgLevel
from warmth.payments.choices import PaymentStatus
from warmth.payments.models import Payment
from warmth.visits.models import Visit

pytestmark = pytest.mark.django_db
S = PaymentStatus
ZERO = Decimal("0.00")
TODAY = date(2026, 12, 3)

COLUMN = {EntryKind.RAISED: "raised", EntryKind.RECEIVED: "received", EntryKind.ALLOCATED: "allocated",
          EntryKind.PAID: "paid", EntryKind.VISIT_PAID: "paid", EntryKind.CONVERTED_IN: "converted",
          EntryKind.CONVERTED_OUT: "converted"}


def _inside(org_path: str, org: Org) -> bool:
    return org_path.startswith(org.path)


def _entries(org, year):
    return [e for e in LedgerEntry.objects.select_related("pot__org", "reverses").order_by("id")
            if _inside(e.pot.org.path, org) and e.pot.year == year]


def _kind(e) -> str:
    return e.reverses.kind if e.kind == EntryKind.REVERSAL else e.kind


def _orgs(tree):
    return [tree.root, tree.p1, tree.c1, tree.k1, tree.k2, tree.g1, tree.p2]


# --- 1. money by source ----------------------------------------------------------------------------------------

def brute_money(org, year) -> dict[str, dict[str, Decimal]]:
    out: dict[str, dict[str, Decimal]] = {}
    for e in _entries(org, year):
        col = COLUMN[_kind(e)]
        row = out.setdefault(e.pot.source, dict.fromkeys(("raised", "received", "allocated", "paid", "converted",
                                                           "balance"), ZERO))
        row[col] += -e.amount if col in ("allocated", "paid") else e.amount
    for p in FundPot.objects.select_related("org"):
        if _inside(p.org.path, org) and p.year == year:
            out.setdefault(p.source, dict.fromkeys(("raised", "received", "allocated", "paid", "converted",
                                                    "balance"), ZERO))["balance"] += p.balance
    return out


@pytest.mark.parametrize("year", [2025, 2024, 2023])
def test_money_by_source_equals_the_ledger_summed_row_by_row(world, tree, year):
    for org in _orgs(tree):
        rows, total = queries.money_by_source(org, year)
        want = brute_money(org, year)
        assert {r.source: {c: getattr(r, c) for c in want.get(r.source, {})} for r in rows} == want, org.code
        for c in ("raised", "received", "allocated", "paid", "balance"):
            assert getattr(total, c) == sum((w[c] for w in want.values()), ZERO)
        line = subtree_total(org, year)  # the statement's own total agrees
        assert (total.raised, total.paid, total.balance) == (line.raised, line.paid, line.balance)


def test_money_of_chengdu_in_figures(world, tree):
    rows, total = queries.money_by_source(tree.c1, 2025)
    by = {r.source: r for r in rows}
    assert set(by) == {"provincial", "own_union", "donation"}
    assert by["own_union"].raised == money("110000") and by["own_union"].received == money("40000")
    assert by["own_union"].allocated == money("40000")
    # 武侯's payments approved and not reversed, and the cash on the visit; the reversal gave 700 back
    assert by["own_union"].paid == money("800") + money("1000") + money("1200") + money("450") + money("500") + \
        money("300") + money("500")
    assert by["donation"].raised == money("25000") and by["donation"].paid == money("600")
    assert by["provincial"].received == money("30000") and by["provincial"].raised == ZERO
    assert total.balance == sum((p.balance for p in FundPot.objects.filter(org__path__startswith=tree.c1.path,
                                                                           year=2025)), ZERO)


# --- 2. paid by 帮扶项目 ----------------------------------------------------------------------------------------

def brute_aid(org, year) -> dict[str, tuple[int, Decimal]]:
    out: dict[str, tuple[int, Decimal]] = {}
    for p in Payment.objects.select_related("org", "pot"):
        if _inside(p.org.path, org) and p.pot.year == year and p.status in (S.APPROVED, S.PAID, S.CONFIRMED):
            n, s = out.get(p.aid_type, (0, ZERO))
            out[p.aid_type] = (n + 1, s + p.amount)
    return out


@pytest.mark.parametrize("year", [2025, 2024])
def test_paid_by_aid_type_equals_the_payments_counted_one_by_one(world, tree, year):
    for org in _orgs(tree):
        rows, total = queries.paid_by_aid_type(org, year)
        want = brute_aid(org, year)
        assert {r.aid_type: (r.count, r.amount) for r in rows} == want, org.code
        assert (total.count, total.amount) == (sum(n for n, _ in want.values()), sum((s for _, s in want.values()),
                                                                                    ZERO))


def test_paid_by_aid_type_leaves_out_drafts_approvals_in_progress_and_reversals(world, tree):
    rows, total = queries.paid_by_aid_type(tree.c1, 2025)
    assert [(r.label, r.count, r.amount) for r in rows] == [
        ("生活救助", 2, money("1650")), ("医疗救助", 1, money("500")), ("过冬取暖补贴", 1, money("300")),
        ("送温暖慰问", 3, money("2400"))]
    assert (total.count, total.amount) == (7, money("4850"))


# --- 3. coverage by child --------------------------------------------------------------------------------------

def brute_coverage(year, org, day):
    """(filed, visited, not visited) of the org's subtree: households 在档 at the end of ``day``, visited by a live
    household visit of any campaign of the season."""
    live = [v for v in Visit.objects.select_related("campaign") if v.campaign.year == year and not v.voided
            and not v.applicant and v.kind == VisitKind.HOUSEHOLD and v.archive_id]
    filed = [a for a in Archive.objects.select_related("org") if _inside(a.org.path, org) and filed_on_day(a, day)]
    visited = [a for a in filed if any(v.archive_id == a.pk for v in live)]
    return len(filed), len(visited), len(filed) - len(visited)


def test_coverage_by_child_equals_a_brute_force_count(world, tree):
    campaign = world.camp.campaign
    for org in (tree.root, tree.p1, tree.c1, tree.k1, tree.k2, tree.g1):
        cov = queries.coverage(org, 2025, queries.covering_campaign(org, 2025), today=TODAY)
        assert cov.as_of == date(2026, 2, 17)  # the end of 成都's campaign, or of the default window above it
        assert campaign in cov.campaigns  # 四川 and the root see 成都's campaign below them
        for child, c in cov.rows:
            if child is None:
                own = [a for a in Archive.objects.filter(org=org) if filed_on_day(a, cov.as_of)]
                assert c.filed == len(own)
            else:
                assert (c.filed, c.visited, c.not_visited) == brute_coverage(2025, child, cov.as_of), child.code
        assert (cov.total.filed, cov.total.visited, cov.total.not_visited) == brute_coverage(2025, org, cov.as_of)
    cov = queries.coverage(tree.c1, 2025, campaign, today=TODAY)
    # 武侯: camp's four, eight more, the pending exit; not the one approved after the season; 锦江: one
    assert {(child.code if child else None): (c.filed, c.visited) for child, c in cov.rows} == {
        "510107": (13, 2), "510104": (1, 1), None: (1, 0)}
    # the province sees the same households as 成都 (all of its filed ones are under 成都)
    assert queries.coverage(tree.p1, 2025, None, today=TODAY).total == cov.total
    # while the season runs, the day is today
    assert queries.coverage(tree.c1, 2025, campaign, today=date(2026, 1, 10)).as_of == date(2026, 1, 10)


def test_coverage_of_a_season_without_a_campaign(world, tree):
    cov = queries.coverage(tree.p2, 2025, queries.covering_campaign(tree.p2, 2025), today=TODAY)
    assert cov.campaigns == [] and cov.total.filed == 0


# --- 4. paid over the campaign window --------------------------------------------------------------------------

def brute_days(org, year, starts, ends):
    days: dict[date, tuple[int, Decimal]] = {}
    before = after = (0, ZERO)
    for p in Payment.objects.select_related("org", "pot"):
        if not (_inside(p.org.path, org) and p.pot.year == year and p.status in (S.PAID, S.CONFIRMED)):
            continue
        if p.paid_on < starts:
            before = (before[0] + 1, before[1] + p.amount)
        elif p.paid_on > ends:
            after = (after[0] + 1, after[1] + p.amount)
        else:
            n, s = days.get(p.paid_on, (0, ZERO))
            days[p.paid_on] = (n + 1, s + p.amount)
    return days, before, after


def test_paid_per_day_equals_the_payments_by_their_paid_date(world, tree):
    for org in (tree.c1, tree.k1, tree.k2, tree.root):
        campaign = queries.covering_campaign(org, 2025)
        t = queries.paid_over_window(org, 2025, campaign)
        starts, ends = (date(2026, 1, 1), date(2026, 2, 17))
        assert (t.starts_on, t.ends_on, t.weekly) == (starts, ends, False)
        assert len(t.buckets) == (ends - starts).days + 1 and all(b.start == b.end for b in t.buckets)
        days, before, after = brute_days(org, 2025, starts, ends)
        assert {b.start: (b.count, b.amount) for b in t.buckets if b.count} == days, org.code
        assert (t.before, t.after) == (before, after)
    t = queries.paid_over_window(tree.c1, 2025, world.camp.campaign)
    assert {b.label: b.amount for b in t.buckets if b.count} == {
        "01-10": money("1000"), "01-15": money("1650"), "02-01": money("600")}
    assert t.amount == money("3250") and t.before == (1, money("500")) and t.after == (1, money("300"))


def test_a_long_window_is_shown_per_week(world, tree):
    from warmth.campaigns.services import campaign_update

    c = campaign_update(actor=world.camp.planner, campaign=world.camp.campaign, starts_on=date(2025, 12, 1))
    t = queries.paid_over_window(tree.c1, 2025, c)
    assert t.weekly and t.buckets[0].start == date(2025, 12, 1) and t.buckets[-1].end == date(2026, 2, 17)
    assert all((b.end - b.start).days == 6 for b in t.buckets[:-1])
    assert [b.start + timedelta(days=7) for b in t.buckets[:-1]] == [b.start for b in t.buckets[1:]]
    days, _, _ = brute_days(tree.c1, 2025, date(2025, 12, 1), date(2026, 2, 17))
    for b in t.buckets:
        got = [(n, s) for d, (n, s) in days.items() if b.start <= d <= b.end]
        assert (b.count, b.amount) == (sum(n for n, _ in got), sum((s for _, s in got), ZERO))
    assert t.amount == money("3750") and t.before == (0, ZERO)  # the 12-20 payment is inside now


def test_above_the_campaigns_the_window_spans_the_seasons_campaigns_below(world, tree):
    """The root runs no campaign: its window is the city's (moved to start on 12-01), as its coverage counts it."""
    from warmth.campaigns.services import campaign_update

    campaign_update(actor=world.camp.planner, campaign=world.camp.campaign, starts_on=date(2025, 12, 1))
    assert queries.covering_campaign(tree.root, 2025) is None
    around = queries.coverage(tree.root, 2025).campaigns
    assert [c.pk for c in around] == [world.camp.campaign.pk]
    t = queries.paid_over_window(tree.root, 2025, None, around)
    assert (t.starts_on, t.ends_on, t.from_campaign, t.from_below) == (
        date(2025, 12, 1), date(2026, 2, 17), True, True)
    days, before, after = brute_days(tree.root, 2025, date(2025, 12, 1), date(2026, 2, 17))
    assert t.weekly and (t.count, t.amount) == (sum(n for n, _ in days.values()),
                                                 sum((a for _, a in days.values()), ZERO))
    assert (t.before, t.after) == (before, after) and t.before[0] == 0  # the 12-20 payment falls inside
    assert queries.paid_over_window(tree.root, 2025, None).from_below is False  # no campaigns given: default


def test_without_a_campaign_the_default_window_is_used(world, tree):
    t = queries.paid_over_window(tree.p2, 2025, None)
    assert (t.starts_on, t.ends_on, t.from_campaign, t.count) == (date(2026, 1, 1), date(2026, 2, 17), False, 0)


# --- 5. this season against the one before ---------------------------------------------------------------------

def brute_season(org, year, campaign, as_of):
    filed, visited, _ = brute_coverage(year, org, as_of)
    around = [c for c in Campaign.objects.select_related("org") if c.year == year and (
        _inside(c.org.path, org) or org.path.startswith(c.org.path))]
    visited = visited if around else None
    raised = paid = ZERO
    for e in _entries(org, year):
        k = _kind(e)
        if k == EntryKind.RAISED or (k == EntryKind.RECEIVED and e.pot.org_id == org.pk):
            raised += e.amount
        if k in (EntryKind.PAID, EntryKind.VISIT_PAID):
            paid -= e.amount
    return filed, visited, raised, paid


def test_the_two_seasons_equal_a_brute_force_count(world, tree):
    for org in _orgs(tree):
        seasons = queries.compare(org, 2025, today=TODAY)
        assert [s.year for s in seasons] == [2025, 2024]
        for s in seasons:
            campaign = queries.covering_campaign(org, s.year)
            assert s.campaign == campaign
            want = brute_season(org, s.year, campaign, s.as_of)
            assert (s.filed, s.visited, s.raised, s.paid) == want, (org.code, s.year)


def test_the_two_seasons_of_chengdu_in_figures(world, tree):
    now, before = queries.compare(tree.c1, 2025, today=TODAY)
    assert (now.as_of, before.as_of) == (date(2026, 2, 17), date(2025, 1, 29))
    # 2025: camp's five, eight more 武侯 households approved in 2025-06, the pending exit, 成都's own undated one;
    # not the household gone in 2025-09, the draft, the one approved after the season
    assert now.filed == 5 + 8 + 1 + 1 and before.filed == 5 + 1 + 1 + 1
    assert (now.visited, before.visited) == (3, 2)
    # raised in the subtree plus the province's 30,000 to 成都; 成都's 40,000 to 武侯 is not counted again
    assert now.raised == money("100000") + money("20000") + money("10000") + money("5000") + money("30000")
    assert before.raised == money("86000")
    assert now.paid == money("4850") + money("500")  # payments of the season's money and the cash on the visit
    assert before.paid == money("400")
    # the same money as the funds statement: the subtree's raised plus what the org itself received
    st = statement(tree.c1, 2025)
    assert now.raised == st.total(st.subtree).raised + st.total(st.own).received
    assert now.paid == st.total(st.subtree).paid


def test_while_a_season_runs_filing_is_counted_today(world, tree):
    now, _ = queries.compare(tree.c1, 2025, today=date(2026, 1, 10))
    assert now.as_of == date(2026, 1, 10)
    assert now.filed == brute_season(tree.c1, 2025, world.camp.campaign, date(2026, 1, 10))[0]


def test_default_season_is_the_running_one_else_the_latest_with_a_campaign(world, tree):
    from warmth.campaigns.services import campaign_create
    from warmth.core.season import default_season

    assert default_season(tree.c1, date(2026, 1, 10)) == 2025  # inside 成都's 2025 window
    assert default_season(tree.c1, date(2025, 1, 10)) == 2024  # inside its 2024 window
    assert default_season(tree.c1, TODAY) == 2025  # between seasons: the latest
    assert default_season(tree.root, TODAY) == 2025  # the campaigns below count
    assert default_season(tree.g1, TODAY) == 2025  # the campaigns above count
    assert default_season(tree.p2, TODAY) == 2025  # none: the season that began last (its window: 2026-01-01 on)
    assert default_season(tree.p2, date(2025, 12, 31)) == 2024
    campaign_create(actor=world.camp.k2, org=tree.k2, year=2026, theme="锦江区两节送温暖")
    assert default_season(tree.c1, TODAY) == 2026 and default_season(tree.k1, TODAY) == 2025
    assert queries.default_year(tree.k2) == default_season(tree.k2)


# --- one query per figure ---------------------------------------------------------------------------------------

def _figures(org, year=2025):
    campaign = queries.covering_campaign(org, year)
    queries.money_by_source(org, year)
    queries.paid_by_aid_type(org, year)
    queries.coverage(org, year, campaign, today=TODAY)
    queries.paid_over_window(org, year, campaign)
    queries.compare(org, year, today=TODAY, campaigns={year: campaign})


def test_the_number_of_queries_does_not_grow_with_the_children(world, tree, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        _figures(tree.c1)
    for i in range(6):
        county = make_org(tree.c1, f"5101{20 + i}", f"新区{i}总工会", OrgLevel.COUNTY)
        from tests.dashboard.conftest import quick_active

        quick_active(world.camp.planner, county)
    with django_assert_num_queries(len(few.captured_queries)):
        _figures(tree.c1)
    assert len(few.captured_queries) <= 24
