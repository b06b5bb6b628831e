"""On PostgreSQL: many workers spending from the last money of one pot at once never take it below zero."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from tests.conftest import actor_of
from tests.funds.factories import DAY, decided, raised
from warmth.archives.choices import ArchiveStatus
from warmth.funds import services
from warmth.funds.choices import FundSource
from warmth.funds.models import FundPot, LedgerEntry
from warmth.funds.rules import Proposal

WORKERS = 50


@pytest.mark.django_db(transaction=True)
def test_fifty_workers_spending_the_last_thousand_yuan_never_overdraw_the_pot(fin, tree, users):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (SQLite serializes writers)")
    top = raised(fin.finance, tree.c1, "101000", source=FundSource.OWN_UNION)
    decided(fin.leader, top)
    # spend down to the last 1,000 yuan, then let 50 workers race for it
    services.allocation_create(actor=fin.finance, pot=top, to_org=tree.k1, amount="100000", doc_no="X",
                               allocated_on=DAY)
    pot = FundPot.objects.get(pk=top.pk)
    assert pot.balance == Decimal("1000.00")
    barrier = threading.Barrier(WORKERS)
    accepted: list[Decimal] = []
    refused: list[str] = []
    lock = threading.Lock()
    amounts = [Decimal(37 + (n * 13) % 90) for n in range(WORKERS)]  # 37–126 yuan; together far over 1,000

    def spend(n):
        try:
            actor = actor_of(users.owner)  # 成都市 经办人
            mine = FundPot.objects.select_related("org").get(pk=pot.pk)  # each worker its own, soon stale, copy
            barrier.wait(timeout=30)
            services.pot_spend(actor=actor, proposal=Proposal(
                pot=mine, amount=amounts[n], archive_status=ArchiveStatus.ACTIVE,
                person_bidx=f"w{n}"), ref_type="test", ref_id=str(n))
            with lock:
                accepted.append(amounts[n])
        except ValidationError as exc:
            with lock:
                refused.append(exc.messages[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=spend, args=(n,)) for n in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(accepted) + len(refused) == WORKERS
    final = FundPot.objects.get(pk=pot.pk).balance
    assert final >= 0
    assert sum(accepted) <= Decimal("1000.00")
    assert final == Decimal("1000.00") - sum(accepted)
    assert refused and all("余额不足" in m for m in refused), refused[:3]
    paid = LedgerEntry.objects.filter(pot_id=pot.pk, kind="paid")
    assert paid.count() == len(accepted)
    assert sorted(-e.amount for e in paid) == sorted(accepted)
    # every entry's running balance is consistent: the entries, in order, rebuild the pot
    running = Decimal("0")
    for e in LedgerEntry.objects.filter(pot_id=pot.pk).order_by("id"):
        running += e.amount
        assert e.balance_after == running
