"""Benchmark: the funds statement of a province on PostgreSQL, against hand-written SQL and the naive loops.

Seeds a fresh database with `seed-demo --scale province` (四川: 4,266 orgs, 20,000 households, the funds
season down to grassroots) and then times, in one run:
  - statement(四川, year) (own + subtree, by source × purpose × column) against one hand-written
    SUM … GROUP BY over the same entries (bare);
  - children_totals (three grouped queries by path prefix) against calling subtree_total per child;
  - unspent_at_deadline (one grouped query, viewed 2026-03-01) against rules.available_on pot by pot;
  - pot_spend: 200 payments one after another (lock, nine rules, entry, audit) against a bare INSERT of
    200 ledger rows.

Each is run three times (median and spread, bench/common.py); the record goes to bench/results/funds.json.

Usage: uv run python bench/funds_statement.py  (PostgreSQL at 127.0.0.1:5432; creates and drops the
database warmth_funds_bench — never point it at real data).
"""

import os
import sys
import time

SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = "warmth_funds_bench"
os.environ["DATABASE_URL"] = f"{SERVER}/{DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "warmth.settings")
os.environ.setdefault("WARMTH_FIELD_KEY", "k1:" + "A" * 43 + "=")
os.environ.setdefault("WARMTH_INDEX_KEY", "i1:" + "B" * 43 + "=")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import Bench, peak_rss_mb  # noqa: E402


def fresh_database():
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB}")
        conn.execute(f"CREATE DATABASE {DB}")


def main():
    bench = Bench("funds")
    fresh_database()
    import django

    django.setup()
    from datetime import date
    from decimal import Decimal
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection, transaction

    from warmth.archives.choices import ArchiveStatus
    from warmth.funds import queries, rules, services
    from warmth.funds.models import FundPot, LedgerEntry, RuleSetting
    from warmth.orgs.access import actor_for
    from warmth.orgs.models import Org, Role, User
    from warmth.orgs.services import user_create

    call_command("migrate", verbosity=0)
    out = StringIO()
    t = time.perf_counter()
    call_command("seed_demo", scale="province", stdout=out)
    bench.note(f"data: seed-demo --scale province ({time.perf_counter() - t:.1f} s), funds season of 四川 2025")
    print("\n".join(line for line in out.getvalue().splitlines() if "完成" in line or "资金：" in line))
    province = Org.objects.get(code="510000")
    year = 2025
    pots, entries = FundPot.objects.count(), LedgerEntry.objects.count()
    bench.note(f"pots {pots:,}, ledger entries {entries:,}")

    bare_sql = """
        SELECT p.source, p.purpose, e.kind, SUM(e.amount) FROM funds_ledgerentry e
        JOIN funds_fundpot p ON p.id = e.pot_id JOIN orgs_org o ON o.id = p.org_id
        WHERE o.path LIKE %s AND p.year = %s GROUP BY 1, 2, 3"""

    def bare():
        with connection.cursor() as cur:
            cur.execute(bare_sql, [province.path + "%", year])
            return cur.fetchall()

    bare()  # warm-up of both sides
    queries.statement(province, year)
    bench.row("funds statement of 四川 (own + subtree, source × purpose × column, balances, deadlines)",
              bench.time(lambda: queries.statement(province, year)), floor=bench.time(bare),
              floor_what="one hand-written SUM … GROUP BY over the same entries")

    kids = queries.children_totals(province, year)
    bench.row(f"children totals of 四川 ({len(kids)} children, grouped by path prefix)",
              bench.time(lambda: queries.children_totals(province, year)),
              floor=bench.time(lambda: [queries.subtree_total(c, year) for c in Org.objects.filter(parent=province)]),
              floor_what="subtree_total per child (the naive loop; not a floor: the grouped query should win)")
    for c, ln in kids:
        assert ln.balance == queries.subtree_total(c, year).balance

    today = date(year + 1, 3, 1)  # after the central money's spend-by (the campaign window's end, 2026-02-17)
    late = queries.unspent_at_deadline(province, today=today, year=year)

    def naive():
        found = []
        for pot in FundPot.objects.filter(org__path__startswith=province.path, balance__gt=0, year=year):
            expired = pot.balance - rules.available_on(pot, today)
            if expired > 0:
                found.append((pot.pk, expired))
        return found

    assert sorted((u.pot.pk, u.amount) for u in late) == sorted(naive())
    bench.row(f"unspent at deadline ({len(late)} late pots, one grouped query)",
              bench.time(lambda: queries.unspent_at_deadline(province, today=today, year=year)),
              floor=bench.time(naive), floor_what="rules.available_on pot by pot (the naive loop)")

    # 200 payments in a row from one county pot, every rule checked under the lock (3 runs: 60,000.00 in all)
    pot = (FundPot.objects.filter(org__path__startswith=province.path, org__level="county", balance__gt=100_000)
           .select_related("org").first())
    handler = actor_for(user_create(actor=None, username="bench_handler", full_name="压测", password="Bench@20251",  # noqa: S106 (a scratch database)
                                    org=pot.org, role=Role.HANDLER))
    RuleSetting.objects.create(org=province, code="spend_by", mode="off", set_by=User.objects.get(username="root"))

    def spend():
        for i in range(200):
            services.pot_spend(actor=handler, proposal=rules.Proposal(
                pot=pot, amount=Decimal("100.00"), archive_status=ArchiveStatus.ACTIVE, person_bidx=f"p{i}",
                paid_on=date(year, 12, 20)), ref_type="bench", ref_id=str(i))

    spent = bench.time(spend)

    def bare_insert():
        with transaction.atomic(), connection.cursor() as cur:
            for _ in range(200):
                cur.execute("INSERT INTO funds_ledgerentry (pot_id, kind, amount, balance_after, on_date, method, "
                            "person_bidx, ref_type, ref_id, memo, created_at) VALUES "
                            "(%s, 'paid', -0.01, 0, %s, 'bank', '', 'bare', '', '', now())",
                            [pot.pk, date(year, 12, 20)])
            transaction.set_rollback(True)

    bench.row("pot_spend ×200 in a row (row lock, nine rules, ledger entry, audit row each)", spent,
              floor=bench.time(bare_insert), floor_what="bare INSERT of 200 ledger rows")
    bench.note(f"peak RSS {peak_rss_mb():.0f} MB")
    bench.save()


if __name__ == "__main__":
    main()
