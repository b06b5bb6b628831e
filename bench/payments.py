"""Benchmarks of 实名制发放 on PostgreSQL (issue 5):

  - batch payment of 50,000 households with every funds rule (target ≤ 10 s), against a bare bulk INSERT of
    the same number of payment rows in the same run;
  - the roster (汇总表) of 100,000 payments through ``roster_xlsx`` (target ≤ 1.3× of bare xlsxwriter writing the
    same rows in constant-memory mode in the same run).

The households come from the province demo with a larger archive count (``--archives``); the first
``--households`` active ones get an earlier bank payment so the batch knows their accounts.

Usage: uv run python bench/payments.py [--households 50000] [--roster 100000] [--in-process]
(the batch is timed in a fresh process, as the worker runs it; --in-process times it in the seeding process)
(creates and drops the database warmth_payments_bench at 127.0.0.1:5432 — never point it at real data).
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = "warmth_payments_bench"
os.environ["DATABASE_URL"] = f"{SERVER}/{DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "warmth.settings")
os.environ.setdefault("WARMTH_FIELD_KEY", "k1:" + "A" * 43 + "=")
os.environ.setdefault("WARMTH_INDEX_KEY", "i1:" + "B" * 43 + "=")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def fresh_database():
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB}")
        conn.execute(f"CREATE DATABASE {DB}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--households", type=int, default=50_000)
    ap.add_argument("--archives", type=int, default=84_000, help="archives the province demo makes")
    ap.add_argument("--roster", type=int, default=100_000)
    ap.add_argument("--profile", action="store_true", help="print where the batch spends its time (cProfile)")
    ap.add_argument("--in-process", action="store_true", help="run the batch in this (seeding) process")
    ap.add_argument("--batch-only", type=int, help=argparse.SUPPRESS)  # the fresh process: pot id
    args = ap.parse_args()
    if args.batch_only:
        return batch_only(args.batch_only)
    fresh_database()
    import django

    django.setup()
    from decimal import Decimal

    import xlsxwriter
    from django.core.management import call_command
    from django.db import connection

    from warmth.archives.choices import ArchiveStatus
    from warmth.archives.models import Archive
    from warmth.funds.models import FundPot
    from warmth.orgs.access import actor_for
    from warmth.orgs.models import Org, Role
    from warmth.orgs.services import user_create
    from warmth.payments.batch import batch_pay
    from warmth.payments.choices import PaymentStatus, RecipientKind
    from warmth.payments.documents import roster_xlsx
    from warmth.payments.models import Payment

    call_command("migrate", verbosity=0)
    import warmth.demo.archives as archive_demo
    import warmth.demo.funds
    import warmth.demo.orgs
    import warmth.demo.payments  # noqa: F401 (the seeders register on import)

    archive_demo.SCALE_ARCHIVES["province"] = args.archives  # a bigger 四川 than the demo's 20,000
    t = time.perf_counter()
    from io import StringIO

    log = StringIO()
    call_command("seed_demo", scale="province", stdout=log)
    lines = log.getvalue().splitlines()
    print("\n".join(line for line in lines if "完成" in line or line.startswith(("资金", "发放"))))
    print(f"seed-demo --scale province with {args.archives:,} archives: {time.perf_counter() - t:.1f} s")
    province = Org.objects.get(code="510000")
    pot = FundPot.objects.get(org=province, year=2025, source="own_union", purpose="warmth")
    handler = actor_for(user_create(actor=None, username="bench_hand", full_name="压测", password="Bench@20251",  # noqa: S106
                                    org=province, role=Role.HANDLER))
    active = list(Archive.objects.filter(org__path__startswith=province.path, status=ArchiveStatus.ACTIVE)
                  .order_by("id")[: args.households])
    n = len(active)
    t = time.perf_counter()
    Payment.objects.bulk_create([
        Payment(org=province, pot=pot, archive=a, recipient_kind=RecipientKind.ARCHIVE, aid_type="医疗救助",
                amount=Decimal("1.00"), method="bank", name=a.name, id_number=a.id_number,
                bank_account=f"6228{i:015d}", bank_name="农行", status=PaymentStatus.DRAFT, created_by=handler.user)
        for i, a in enumerate(active)], batch_size=5000)
    print(f"{n:,} active households given an account (an earlier draft payment) in {time.perf_counter() - t:.1f} s")
    # what autovacuum does after bulk loads (statistics, visibility map, hint bits): done here before the clock
    # starts, so the batch is not timed against a vacuum of the just-loaded tables on the other core
    connection.ensure_connection()
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    # the batch covers every active archive of the subtree; those beyond the first n have no account and are
    # listed as skipped (they are checked all the same)
    t = time.perf_counter()
    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        result = prof.runcall(batch_pay, actor=handler, pot=pot, amount="100", aid_type="送温暖慰问", batch="bench")
        pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
    elif args.in_process:
        result = batch_pay(actor=handler, pot=pot, amount="100", aid_type="送温暖慰问", batch="bench")
    else:
        # the batch runs where the worker runs it: a fresh process (this one still holds the whole seeded demo's
        # objects, whose garbage-collector passes the worker never pays); timed inside that process
        import json
        import subprocess

        done = subprocess.run([sys.executable, __file__, "--batch-only", str(pot.pk)], capture_output=True,
                              text=True, check=True)
        result = json.loads(done.stdout.splitlines()[-1])
        t = time.perf_counter() - result.pop("seconds")
    batch_s = time.perf_counter() - t
    reasons = {}
    for _, _, why in result["skipped_list"]:
        reasons[why[:30]] = reasons.get(why[:30], 0) + 1
    print(f"batch result: {result['households']:,} households checked, {result['made']:,} made, "
          f"{result['skipped']:,} skipped {reasons}")
    with connection.cursor() as cur:
        t = time.perf_counter()
        cur.execute("""CREATE TEMP TABLE bare_payment (LIKE payments_payment INCLUDING DEFAULTS)""")
        cur.execute("""INSERT INTO bare_payment SELECT * FROM payments_payment WHERE batch = 'bench'""")
        bare_s = time.perf_counter() - t
    print(f"batch payment of {n:,} households, every rule: {batch_s:.2f} s "
          f"({result['made']:,} made); bare INSERT … SELECT of the same rows: {bare_s:.2f} s "
          f"→ {batch_s / bare_s:.1f}×")

    rows = list(Payment.objects.filter(batch="bench").select_related("pot").order_by("aid_type", "id"))
    while len(rows) < args.roster:
        rows += rows[: args.roster - len(rows)]
    folder = Path(tempfile.mkdtemp(prefix="warmth-bench-"))
    t = time.perf_counter()
    roster_xlsx(rows, folder / "warmth.xlsx", org_name="测试区总工会", year=2025, full=False)
    warmth_s = time.perf_counter() - t
    # bare: the same strings and numbers, precomputed, written with xlsxwriter in constant-memory mode, once
    # with the roster's own cell formats (the same file: bordered cells, the money format) and once plain
    from warmth.core import pii

    plain = [[str(i), p.name, p.sex, str(p.age or ""), pii.mask_id_number(p.id_number), p.unit_or_address,
              float(p.amount), "", "本级工会经费", ""] for i, p in enumerate(rows, 1)]
    bare = {}
    for styled in (True, False):
        t = time.perf_counter()
        book = xlsxwriter.Workbook(str(folder / "bare.xlsx"), {"constant_memory": True})
        cell = book.add_format({"border": 1}) if styled else None
        money = book.add_format({"border": 1, "num_format": "#,##0.00"}) if styled else None
        ws = book.add_worksheet("s")
        for r, row in enumerate(plain):
            for c, v in enumerate(row):
                if isinstance(v, float):
                    ws.write_number(r, c, v, money)
                else:
                    ws.write_string(r, c, v, cell)
        book.close()
        bare[styled] = time.perf_counter() - t
    print(f"roster of {len(rows):,} payments: warmth {warmth_s:.2f} s (masking and formatting included); "
          f"bare xlsxwriter with the same cell formats {bare[True]:.2f} s → {warmth_s / bare[True]:.2f}×; "
          f"bare without formats {bare[False]:.2f} s → {warmth_s / bare[False]:.2f}×")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def batch_only(pot_id: int) -> None:
    import json

    import django

    django.setup()
    from warmth.funds.models import FundPot
    from warmth.orgs.access import actor_for
    from warmth.orgs.models import User
    from warmth.payments.batch import batch_pay

    pot, handler = FundPot.objects.get(pk=pot_id), actor_for(User.objects.get(username="bench_hand"))
    t = time.perf_counter()
    result = batch_pay(actor=handler, pot=pot, amount="100", aid_type="送温暖慰问", batch="bench")
    result["seconds"] = time.perf_counter() - t
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
