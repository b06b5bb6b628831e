"""Benchmark: building the national union tree (≈100k orgs) and querying subtrees, on PostgreSQL.

Compares, in one run:
  - bare:   psycopg COPY of the very same rows (code, name, level, region, path, depth, numchild) into a
            scratch table of the same shape: the floor for getting 100k rows into PostgreSQL;
  - warmth: bulk_create_tree(), level by level with parent ids (what `seed-demo --scale national` uses);
  - subtree count of one province through Org.subtree() against the same count in hand-written SQL.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/warmth_bench uv run python bench/seed_orgs.py
The database must exist; the script migrates it and empties orgs_org first (never point it at real data).
"""

import os
import resource
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "warmth.settings")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

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
    call_command("migrate", verbosity=0)
    with connection.cursor() as cur:
        cur.execute("TRUNCATE orgs_org CASCADE")
    t = time.perf_counter()
    spec = build_tree(DemoContext(scale="national", seed=2025, year=2025))
    t_spec = time.perf_counter() - t
    rows = flatten(spec)
    print(f"orgs in the national tree: {len(rows):,} (tree built in memory in {t_spec:.2f} s)")

    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_org_copy")
        cur.execute("CREATE TABLE bench_org_copy (LIKE orgs_org INCLUDING ALL)")
    t = time.perf_counter()
    with connection.cursor() as cur, cur.copy(
            "COPY bench_org_copy (code, name, level, region_code, path, depth, numchild, is_active, created_at) "
            "FROM STDIN") as copy:
        for r in rows:
            copy.write_row((*r, True, "2025-11-01T00:00:00+08:00"))
    t_bare = time.perf_counter() - t

    t = time.perf_counter()
    written = bulk_create_tree(spec)
    t_warmth = time.perf_counter() - t
    assert written == len(rows)

    province = Org.objects.get(code="510000")
    reps = 20
    t = time.perf_counter()
    for _ in range(reps):
        n_orm = province.subtree().count()
    t_orm = (time.perf_counter() - t) / reps
    t = time.perf_counter()
    with connection.cursor() as cur:
        for _ in range(reps):
            cur.execute("SELECT count(*) FROM orgs_org WHERE path LIKE %s", [province.path + "%"])
            n_sql = cur.fetchone()[0]
    t_sql = (time.perf_counter() - t) / reps
    assert n_orm == n_sql
    with connection.cursor() as cur:
        cur.execute("EXPLAIN SELECT count(*) FROM orgs_org WHERE path LIKE %s", [province.path + "%"])
        plan = " / ".join(r[0].strip() for r in cur.fetchall())
        cur.execute("DROP TABLE bench_org_copy")

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"bare COPY of the same rows:      {t_bare:6.2f} s")
    print(f"warmth bulk_create_tree:         {t_warmth:6.2f} s   ratio {t_warmth / t_bare:.2f}x")
    print(f"subtree count of 四川 ({n_orm:,} orgs): ORM {t_orm * 1000:.2f} ms, bare SQL {t_sql * 1000:.2f} ms, "
          f"ratio {t_orm / t_sql:.2f}x")
    print(f"plan: {plan}")
    print(f"peak RSS: {rss:.0f} MB")


if __name__ == "__main__":
    main()
