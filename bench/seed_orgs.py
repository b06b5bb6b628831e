"""Benchmark: building the national union tree (≈100k orgs) and querying subtrees, on PostgreSQL.

Compares, in one run:
  - bare:   psycopg COPY of the very same rows (code, name, level, region, path, depth, numchild) into a
            scratch table of the same shape: the floor for getting 100k rows into PostgreSQL;
  - warmth: bulk_create_tree(), level by level with parent ids (what `seed-demo --scale national` uses);
  - subtree count of one province through Org.subtree() against the same count in hand-written SQL.

Each side runs three times (median and spread, bench/common.py); the record goes to bench/results/orgs.json.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/warmth_bench uv run python bench/seed_orgs.py
The database must exist; the script migrates it and empties orgs_org first (never point it at real data).
"""

import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "warmth.settings")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench.common import Bench, peak_rss_mb  # noqa: E402
from warmth.demo.orgs import build_tree  # noqa: E402
from warmth.demo.pipeline import DemoContext  # noqa: E402
from warmth.orgs.bulk import _step, bulk_create_tree  # noqa: E402
from warmth.orgs.models import Org  # noqa: E402


def flatten(spec):
    rows, level = [], [("", _step(1), 1, spec)]
    while level:
        nxt = []
        for _parent_path, path, depth, s in level:
            rows.append((s.code, s.name, s.level, s.region_code, path, depth, len(s.children)))
            nxt.extend((path, path + _step(i), depth + 1, c) for i, c in enumerate(s.children, 1))
        level = nxt
    return rows


def main():
    if connection.vendor != "postgresql":
        sys.exit("run this against PostgreSQL (DATABASE_URL=postgres://…)")
    bench = Bench("orgs")
    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    spec = build_tree(DemoContext(scale="national", seed=2025, year=2025))
    t_spec = time.perf_counter() - t
    rows = flatten(spec)
    bench.note(f"orgs in the national tree: {len(rows):,} (tree built in memory in {t_spec:.2f} s)")

    def fresh_copy():
        with connection.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS bench_org_copy")
            cur.execute("CREATE TABLE bench_org_copy (LIKE orgs_org INCLUDING ALL)")

    def bare():
        with connection.cursor() as cur, cur.copy(
                "COPY bench_org_copy (code, name, level, region_code, path, depth, numchild, is_active, created_at) "
                "FROM STDIN") as copy:
            for r in rows:
                copy.write_row((*r, True, "2025-11-01T00:00:00+08:00"))

    def empty():
        with connection.cursor() as cur:
            cur.execute("DELETE FROM orgs_org")  # untimed; TRUNCATE … CASCADE would reach the append-only ledger

    written = []
    bench.row(f"national union tree: bulk_create_tree of {len(rows):,} orgs",
              bench.time(lambda: written.append(bulk_create_tree(spec)), setup=empty),
              floor=bench.time(bare, setup=fresh_copy),
              floor_what="psycopg COPY of the same rows into a table of the same shape and indexes")
    assert written[-1] == len(rows)

    province = Org.objects.get(code="510000")
    reps = 20
    counts = {}

    def orm():
        for _ in range(reps):
            counts["orm"] = province.subtree().count()

    def sql():
        with connection.cursor() as cur:
            for _ in range(reps):
                cur.execute("SELECT count(*) FROM orgs_org WHERE path LIKE %s", [province.path + "%"])
                counts["sql"] = cur.fetchone()[0]

    t_orm, t_sql = bench.time(orm), bench.time(sql)
    assert counts["orm"] == counts["sql"]
    bench.row(f"subtree count of 四川 ({counts['orm']:,} orgs) ×{reps} through Org.subtree()", t_orm, floor=t_sql,
              floor_what=f"the same count in hand-written SQL ×{reps}")
    with connection.cursor() as cur:
        cur.execute("EXPLAIN SELECT count(*) FROM orgs_org WHERE path LIKE %s", [province.path + "%"])
        plan = " / ".join(r[0].strip() for r in cur.fetchall())
        cur.execute("DROP TABLE bench_org_copy")

    bench.note(f"subtree plan: {plan}")
    bench.note(f"peak RSS {peak_rss_mb():.0f} MB")
    bench.save()


if __name__ == "__main__":
    main()
