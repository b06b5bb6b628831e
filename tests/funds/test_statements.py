"""Statements: totals are sums of the ledger, and a parent's subtree total is its own plus its children's,
over random trees and random flows of money (property-based)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import make_org, make_user
from warmth.archives.choices import ArchiveStatus
from warmth.funds import queries, services
from warmth.funds.choices import FundSource, Purpose
from warmth.funds.models import FundPot, LedgerEntry, RuleSetting
from warmth.funds.rules import Proposal
from warmth.orgs.access import Actor
from warmth.orgs.models import Membership, Org, OrgLevel, Role

SOURCES = [FundSource.CENTRAL, FundSource.DONATION]
PURPOSES = [Purpose.WARMTH]
LEVELS = {1: OrgLevel.PROVINCE, 2: OrgLevel.CITY, 3: OrgLevel.COUNTY}

# A tree: for each new org the index of its parent among the orgs made before it (depth at most 3).
trees = st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=8)
flows = st.lists(st.tuples(st.sampled_from(["raise", "allocate", "allocate", "pay", "reverse"]), st.integers(0, 50),
                           st.integers(0, 50), st.integers(1, 500_000), st.sampled_from(SOURCES),
                           st.sampled_from(PURPOSES)), min_size=1, max_size=25)


def build(shape):
    root = make_org(None, "R", "全国总工会", OrgLevel.NATIONAL)
    orgs = [root]
    depth = {root.pk: 0}
    for i, pick in enumerate(shape):
        parents = [o for o in orgs if depth[o.pk] < 3]
        parent = parents[pick % len(parents)]
        o = make_org(parent, f"R{i}", f"工会{i}", LEVELS[depth[parent.pk] + 1])
        depth[o.pk] = depth[parent.pk] + 1
        orgs.append(o)
    fin = make_user("fin", root, Role.FINANCE)
    hand = make_user("hand", root, Role.HANDLER)
    return orgs, Actor(fin, Membership.objects.get(user=fin)), Actor(hand, Membership.objects.get(user=hand))


ORACLE = {"raised": "raised", "received": "received", "allocated": "allocated", "paid": "paid",
          "visit_paid": "paid", "converted_in": "converted", "converted_out": "converted"}


def oracle(entries) -> dict[str, Decimal]:
    """Each statement column summed straight from the entries, one by one (outflows shown positive)."""
    cols = dict.fromkeys(queries.COLUMNS, Decimal("0"))
    for e in entries.select_related("reverses"):
        col = ORACLE[e.reverses.kind if e.kind == "reversal" else e.kind]
        cols[col] += -e.amount if col in ("allocated", "paid") else e.amount
    return cols


def run(flow, orgs, finance, handler):
    for op, a, b, cents, source, purpose in flow:
        org = orgs[a % len(orgs)]
        pot = services.pot_get(org=org, year=2025, source=source, purpose=purpose)
        funded = list(FundPot.objects.filter(balance__gt=0).select_related("org").order_by("pk"))
        if op in ("allocate", "pay") and funded:  # draw on a pot that holds money, so flows really happen
            pot = funded[a % len(funded)]
            org = pot.org
        if op in ("allocate", "pay"):  # a share of what the pot holds (now and then a little too much)
            share = Decimal(cents % 110 + 1) / 100
            amount = max((pot.balance * share).quantize(Decimal("0.01")), Decimal("0.01"))
        else:
            amount = Decimal(cents) / 100
        try:
            if op == "raise":
                services.fund_raise(actor=finance, org=org, year=2025, source=source, purpose=purpose,
                                    amount=amount, received_on=date(2025, 12, 1), donor="捐助方")
            elif op == "allocate":
                kids = list(Org.objects.filter(parent=org))
                if kids:
                    services.allocation_create(actor=finance, pot=pot, to_org=kids[b % len(kids)], amount=amount,
                                               doc_no="X", allocated_on=date(2025, 12, 2))
            elif op == "pay":
                # paying goes through the rules (the test turns off all but the overdraft and money rules)
                services.pot_spend(actor=handler, proposal=Proposal(
                    pot=pot, amount=amount, archive_status=ArchiveStatus.ACTIVE, paid_on=date(2025, 12, 3)))
            else:
                entries = list(LedgerEntry.objects.exclude(kind="reversal").filter(reversed_by__isnull=True))
                if entries:
                    entry = entries[b % len(entries)]
                    services.entry_reverse(actor=handler if entry.kind == "paid" else finance, entry=entry,
                                           reason="测试冲正")
        except ValidationError:
            pass  # refused flows write nothing; the invariants below must hold all the same


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(shape=trees, flow=flows)
@pytest.mark.django_db
def test_statement_totals_are_ledger_sums_and_subtrees_add_up(shape, flow):
    with transaction.atomic():
        orgs, finance, handler = build(shape)
        for code in ("decision_first", "per_payment_limit", "per_person_year_limit", "spend_by"):
            RuleSetting.objects.create(org=orgs[0], code=code, mode="off", set_by=finance.user)
        run(flow, orgs, finance, handler)
        for org in orgs:
            st_ = queries.statement(org, 2025)
            own = queries.Statement.total(st_.own)
            # summed in Python: SQLite's SUM of a decimal column is a float sum
            ledger = sum(LedgerEntry.objects.filter(pot__org=org).values_list("amount", flat=True), Decimal(0))
            assert own.balance == ledger
            expected = oracle(LedgerEntry.objects.filter(pot__org=org))
            assert {c: getattr(own, c) for c in queries.COLUMNS if c != "balance"} == {
                c: v for c, v in expected.items() if c != "balance"}
            assert own.raised + own.received + own.converted - own.allocated - own.paid == ledger
            assert own.balance == sum(FundPot.objects.filter(org=org).values_list("balance", flat=True), Decimal(0))
            sub = queries.Statement.total(st_.subtree)
            kids = queries.children_totals(org, 2025)
            for child, t in kids:  # the grouped query agrees with each child's own subtree statement
                assert {c: getattr(t, c) for c in queries.COLUMNS} == {
                    c: getattr(queries.subtree_total(child, 2025), c) for c in queries.COLUMNS}
            for col in queries.COLUMNS:
                assert getattr(sub, col) == getattr(own, col) + sum((getattr(t, col) for _, t in kids),
                                                                    Decimal(0)), col
            # money raised in the subtree, less what left it as payments, is what the subtree holds
            assert sub.balance == sub.raised - sub.paid + (sub.received - sub.allocated) + sub.converted
            assert all(p.balance >= 0 for p in FundPot.objects.all())
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_one_flow_lands_in_the_right_columns_and_the_late_money_is_listed(tree, users):
    """A fixed flow with every kind of entry, figures checked column by column."""
    from tests.conftest import actor_of

    finance, handler = actor_of(users.finance), actor_of(users.owner)
    RuleSetting.objects.create(org=tree.c1, code="decision_first", mode="off", set_by=users.finance)
    pot = services.fund_raise(actor=finance, org=tree.c1, year=2025, source=FundSource.CENTRAL,
                              purpose=Purpose.WARMTH, amount="1000", received_on=date(2025, 12, 1)).pot
    alloc = services.allocation_create(actor=finance, pot=pot, to_org=tree.k1, amount="600", doc_no="X",
                                       allocated_on=date(2025, 12, 2), spend_by=date(2025, 12, 31))
    k1_pot = alloc.to_pot
    services.pot_spend(actor=handler, proposal=Proposal(pot=k1_pot, amount=Decimal("250"),
                                                        archive_status=ArchiveStatus.ACTIVE,
                                                        paid_on=date(2025, 12, 20)))
    spent = services.pot_spend(actor=handler, proposal=Proposal(pot=k1_pot, amount=Decimal("50"),
                                                                archive_status=ArchiveStatus.ACTIVE,
                                                                paid_on=date(2025, 12, 21))).entry
    services.entry_reverse(actor=handler, entry=spent, reason="发错人", on_date=date(2025, 12, 22))
    c1 = queries.Statement.total(queries.statement(tree.c1, 2025).own)
    assert (c1.raised, c1.received, c1.allocated, c1.paid, c1.balance) == (
        Decimal("1000.00"), Decimal("0.00"), Decimal("600.00"), Decimal("0.00"), Decimal("400.00"))
    k1 = queries.Statement.total(queries.statement(tree.k1, 2025).own)
    assert (k1.raised, k1.received, k1.allocated, k1.paid, k1.balance) == (
        Decimal("0.00"), Decimal("600.00"), Decimal("0.00"), Decimal("250.00"), Decimal("350.00"))
    assert k1.spend_rate == Decimal("41.7") and k1.spend_by == date(2025, 12, 31)
    kids = dict(queries.children_totals(tree.c1, 2025))
    assert kids[tree.k1].paid == Decimal("250.00") and kids[tree.k2].balance == Decimal("0.00")
    # on 2026-01-05 武侯's 350 is past its deadline; 成都's own 400 has none (raised without one)
    late = queries.unspent_at_deadline(tree.c1, today=date(2026, 1, 5))
    assert [(u.pot.pk, u.deadline, u.amount) for u in late] == [(k1_pot.pk, date(2025, 12, 31), Decimal("350.00"))]
    assert queries.unspent_at_deadline(tree.c1, today=date(2025, 12, 31)) == []
    assert queries.unspent_at_deadline(tree.c1, today=date(2026, 1, 5), year=2024) == []
    assert queries.unspent_at_deadline(tree.k2, today=date(2026, 1, 5)) == []
