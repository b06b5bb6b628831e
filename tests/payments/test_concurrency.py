"""On PostgreSQL: two final approvals of payments that together overdraw a pot cannot both succeed."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from tests.conftest import actor_of, make_user
from tests.funds.factories import decided, raised
from warmth.funds.models import FundPot
from warmth.orgs.models import Role
from warmth.payments.choices import PaymentStatus
from warmth.payments.models import Payment
from warmth.payments.services import chain_set, payment_approve, payment_create, payment_submit


@pytest.mark.django_db(transaction=True)
def test_two_last_approvals_that_together_overdraw_cannot_both_pass(fin, tree, users, make_active):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (SQLite serializes writers)")
    pot = raised(fin.k1_finance, tree.k1, "1500")
    decided(fin.k1_leader, pot)
    chain_set(actor=fin.k1_leader, org=tree.k1, steps=["单位(工会)意见"], threshold="5000", extra_step="单位领导")
    handler = actor_of(users.county)
    payments = []
    for _ in range(2):  # 1,000 + 1,000 from a pot of 1,500: each passes alone
        p = payment_create(actor=handler, pot=pot, aid_type="送温暖慰问", amount="1000", method="bank",
                           bank_account="6222020200112233445", archive=make_active())
        payment_submit(actor=handler, payment=p)
        payments.append(p)
    approvers = [make_user(f"k1_rev{i}", tree.k1, Role.REVIEWER) for i in range(2)]
    barrier = threading.Barrier(2)
    results: list[str] = []
    lock = threading.Lock()

    def approve(i):
        try:
            actor = actor_of(approvers[i])
            mine = Payment.objects.get(pk=payments[i].pk)
            barrier.wait(timeout=30)
            payment_approve(actor=actor, payment=mine)
            with lock:
                results.append("ok")
        except ValidationError as exc:
            with lock:
                results.append(exc.messages[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results, key=lambda r: r != "ok")[0] == "ok" and results.count("ok") == 1, results
    assert any("余额不足" in r for r in results if r != "ok")
    assert FundPot.objects.get(pk=pot.pk).balance == Decimal("500.00")
    assert sorted(Payment.objects.values_list("status", flat=True)) == [PaymentStatus.APPROVED,
                                                                       PaymentStatus.SUBMITTED]
