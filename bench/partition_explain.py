"""Would partitioning payments and ledger entries by season pay? EXPLAIN (ANALYZE, BUFFERS) of the season
queries on the national demo as it is, then the same queries on a scratch copy of the payments with a ``year``
column: one table with a composite (year, org_id) index against a table partitioned by year.

    source /work/national.env   # or any database seeded with `warmth seed-demo`
    uv run python bench/partition_explain.py [--scratch warmth_replica_part] [--out bench/explain-partition.txt]

The national database is only read (every EXPLAIN runs in a READ ONLY transaction). ``--scratch`` creates (and
at the end drops) a database of that name on the same server and copies into it the columns the queries use;
without it only the first part runs. Each query runs three times; the median execution time and the buffers of
the last run are printed, the full plans go to ``--out``.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "warmth.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, Sum  # noqa: E402

from bench.common import loadavg  # noqa: E402
from warmth.orgs.models import Org  # noqa: E402
from warmth.payments.exporters import roster_queryset  # noqa: E402
from warmth.payments.models import Payment  # noqa: E402
from warmth.reports import sources  # noqa: E402

RUNS = 3
OUT: list[str] = []


def sql_of(qs) -> str:
    """The SQL Django runs for a queryset, with the parameters inlined."""
    sql, params = qs.query.sql_with_params()
    return connection.ops.compose_sql(sql, params)


def aggregate_sql(qs, aggregate: dict) -> str:
    """Run the aggregate with the queries captured, and take the SQL of the one it sent."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        qs.aggregate(**aggregate)
    return ctx.captured_queries[-1]["sql"]


def explain(label: str, sql: str, *, alias_conn=None) -> dict:
    conn = alias_conn or connection
    times, plan = [], ""
    for _ in range(RUNS):
        with transaction.atomic(using=conn.alias), conn.cursor() as cur:
            cur.execute("SET TRANSACTION READ ONLY")
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = "\n".join(r[0] for r in cur.fetchall())
        times.append(float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1)))
    top = plan.splitlines()[0].strip()
    buffers = re.search(r"Buffers: ([^\n]+)", plan)
    row = {"label": label, "ms": statistics.median(times), "runs": times, "top": top,
           "buffers": buffers.group(1) if buffers else ""}
    print(f"{label}: {row['ms']:.0f} ms (runs {', '.join(f'{t:.0f}' for t in times)}); {top[:90]}; "
          f"{row['buffers']}", flush=True)
    OUT.append(f"### {label}\n{sql}\n\n{plan}\n")
    return row


def national(year: int, province: Org) -> list[dict]:
    root = Org.objects.get_root_nodes().first()
    rows = []
    for org in (root, province):
        s = sources.Scope(org, year)
        where = "root" if org == root else f"province {org.code}"
        paid = Payment.objects.filter(org__path__startswith=org.path, pot__year=year,
                                      status__in=sources.PAID_STATUSES)
        rows.append(explain(f"payments of season {year} at the {where} (report aggregate)",
                            aggregate_sql(paid, sources.payment_exprs())))
        rows.append(explain(f"ledger raised of season {year} at the {where} (report aggregate)",
                            aggregate_sql(sources._raised_entries(s, None), {"t": Sum("amount")})))
        rows.append(explain(f"payment list pager count at the {where} (every season)",
                            aggregate_sql(Payment.objects.filter(org__path__startswith=org.path),
                                          {"n": Count("*")})))
    rows.append(explain(f"roster of season {year} at province {province.code} (the export's query)",
                        sql_of(roster_queryset(province, year))))
    return rows


def psql(db: str, sql: str) -> str:
    return subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", *conn_args(db), "-c", sql],
                          check=True, capture_output=True, text=True).stdout


def conn_args(db: str) -> list[str]:
    s = connection.settings_dict
    args = ["-h", s["HOST"] or "127.0.0.1", "-U", s["USER"] or "postgres", "-d", db]
    if s["PORT"]:
        args[2:2] = ["-p", str(s["PORT"])]
    return args


def copy(db: str, select: str, table: str) -> None:
    src = subprocess.Popen(["psql", "-X", "-q", *conn_args(connection.settings_dict["NAME"]), "-c",
                            f"COPY ({select}) TO STDOUT"], stdout=subprocess.PIPE)
    subprocess.run(["psql", "-X", "-q", *conn_args(db), "-c", f"COPY {table} FROM STDIN"], stdin=src.stdout,
                   check=True)
    src.stdout.close()
    if src.wait():
        raise RuntimeError(f"copy of {table} failed")


PAY_COLS = ("id bigint, org_id bigint, pot_id bigint, archive_id bigint, year int, status varchar(10), "
            "amount numeric(12,2), recipient_kind varchar(16), aid_type varchar(10), created_at timestamptz, pad text")
LEDGER_COLS = "id bigint, pot_id bigint, org_id bigint, year int, kind varchar(16), amount numeric(14,2), pad text"


def scratch(db: str, year: int, province: Org, years: list[int], pad_payments: int, pad_ledger: int) -> list[dict]:
    """The copies carry the columns the queries use plus ``pad`` bytes a row, so that a row is as wide as in
    the real table (a payment holds its encrypted personal data, ~785 bytes a row in the national demo) and
    a scan reads as many pages."""
    psql("postgres", f"DROP DATABASE IF EXISTS {db}")
    psql("postgres", f"CREATE DATABASE {db}")
    psql(db, "CREATE TABLE orgs (id bigint PRIMARY KEY, path varchar(255) COLLATE \"C\");"
             "CREATE TABLE archives (id bigint PRIMARY KEY, model_worker_type varchar(40), identity varchar(20));"
             f"CREATE TABLE pay_flat ({PAY_COLS});"
             f"CREATE TABLE pay_part ({PAY_COLS}) PARTITION BY LIST (year);"
             f"CREATE TABLE ledger_flat ({LEDGER_COLS});"
             f"CREATE TABLE ledger_part ({LEDGER_COLS}) PARTITION BY LIST (year);")
    for y in years:
        psql(db, f"CREATE TABLE pay_{y} PARTITION OF pay_part FOR VALUES IN ({y});"
                 f"CREATE TABLE ledger_{y} PARTITION OF ledger_part FOR VALUES IN ({y});")
    copy(db, "SELECT id, path FROM orgs_org", "orgs")
    copy(db, "SELECT id, model_worker_type, identity FROM archives_archive", "archives")
    pay = ("SELECT p.id, p.org_id, p.pot_id, p.archive_id, f.year, p.status, p.amount, p.recipient_kind, "  # noqa: S608
           f"p.aid_type, p.created_at, repeat('x', {pad_payments}) FROM payments_payment p "
           "JOIN funds_fundpot f ON f.id = p.pot_id")
    copy(db, pay, "pay_flat")
    copy(db, pay, "pay_part")
    led = (f"SELECT e.id, e.pot_id, f.org_id, f.year, e.kind, e.amount, repeat('x', {pad_ledger}) "  # noqa: S608
           "FROM funds_ledgerentry e JOIN funds_fundpot f ON f.id = e.pot_id")
    copy(db, led, "ledger_flat")
    copy(db, led, "ledger_part")
    psql(db, "CREATE INDEX ON orgs (path varchar_pattern_ops);"
             "ALTER TABLE pay_flat ADD PRIMARY KEY (id); CREATE INDEX ON pay_flat (org_id);"
             "CREATE INDEX pay_flat_year_org ON pay_flat (year, org_id);"
             "CREATE INDEX pay_flat_org_year ON pay_flat (org_id, year);"
             "ALTER TABLE pay_part ADD PRIMARY KEY (id, year); CREATE INDEX ON pay_part (org_id);"
             "CREATE INDEX ON ledger_flat (year, org_id); CREATE INDEX ON ledger_part (org_id);"
             # the alternative to partitions for the ledger: only the few entries the report sums are indexed
             "CREATE TABLE ledger_idx AS SELECT * FROM ledger_flat;"
             "CREATE INDEX ON ledger_idx (year, org_id) WHERE kind IN ('raised', 'received', 'reversal');")
    psql(db, "VACUUM ANALYZE")
    from django.db import connections

    connections.databases["scratch"] = {**connection.settings_dict, "NAME": db}
    c = connections["scratch"]
    rows = []
    root_path = Org.objects.get_root_nodes().first().path
    paid = "('approved', 'paid', 'confirmed')"
    for where, path in (("root", root_path), (f"province {province.code}", province.path)):
        for table in ("pay_flat", "pay_part"):
            rows.append(explain(
                f"[{table}] payments of season {year} at the {where}",
                f"SELECT sum(p.amount), sum(p.amount) FILTER (WHERE a.model_worker_type NOT IN ('', '非劳模') "  # noqa: S608 (constants)
                f"OR p.recipient_kind = 'hardship_model'), sum(p.amount) FILTER (WHERE a.identity = '农民工' "
                f"OR p.recipient_kind = 'migrant') FROM {table} p JOIN orgs o ON o.id = p.org_id "
                f"LEFT JOIN archives a ON a.id = p.archive_id WHERE p.year = {year} AND p.status IN {paid} "
                f"AND o.path LIKE '{path}%'", alias_conn=c))
        for table in ("ledger_flat", "ledger_part", "ledger_idx"):
            rows.append(explain(
                f"[{table}] ledger raised of season {year} at the {where}",
                f"SELECT sum(e.amount) FROM {table} e JOIN orgs o ON o.id = e.org_id WHERE e.year = {year} "  # noqa: S608 (constants)
                f"AND e.kind = 'raised' AND o.path LIKE '{path}%'", alias_conn=c))
        for table in ("pay_flat", "pay_part"):
            rows.append(explain(
                f"[{table}] payment list pager count at the {where} (every season)",
                f"SELECT count(*) FROM {table} p JOIN orgs o ON o.id = p.org_id WHERE o.path LIKE '{path}%'",  # noqa: S608 (constants)
                alias_conn=c))
    for table in ("pay_flat", "pay_part"):
        rows.append(explain(
            f"[{table}] roster rows of season {year} at province {province.code}",
            f"SELECT p.id, p.org_id, p.pot_id, p.archive_id, p.status, p.amount, p.aid_type, p.pad "  # noqa: S608
            f"FROM {table} p JOIN orgs o ON o.id = p.org_id WHERE p.year = {year} "
            f"AND p.status IN {paid} AND o.path LIKE '{province.path}%' ORDER BY p.aid_type, o.path, p.id",
            alias_conn=c))
    sizes = psql(db, "SELECT relname, pg_size_pretty(pg_relation_size(oid)) FROM pg_class "
                     "WHERE relname IN ('pay_flat', 'pay_flat_year_org', 'pay_flat_org_year', 'ledger_flat', "
                     "'ledger_idx') "
                     "OR relname LIKE 'pay_2%' "
                     "OR relname LIKE 'ledger_2%' ORDER BY relname")
    print(sizes)
    OUT.append("### sizes\n" + sizes)
    c.close()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scratch", default="")
    ap.add_argument("--keep", action="store_true", help="keep the scratch database")
    ap.add_argument("--pad-payments", type=int, default=690, help="bytes added to each copied payment")
    ap.add_argument("--pad-ledger", type=int, default=100, help="bytes added to each copied ledger entry")
    ap.add_argument("--skip-national", action="store_true", help="only the scratch comparison")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "explain-partition.txt"))
    args = ap.parse_args()
    print(f"load average at start: {loadavg()}", flush=True)
    years = sorted(set(Payment.objects.values_list("pot__year", flat=True).distinct()))
    year = years[-1]
    provinces = list(Org.objects.get_root_nodes().first().get_children())
    province = max(provinces, key=lambda o: Payment.objects.filter(org__path__startswith=o.path,
                                                                   pot__year=year).count())
    print(f"seasons {years}; season {year}; province {province.code} {province.name}", flush=True)
    if not args.skip_national:
        national(year, province)
    if args.scratch:
        try:
            scratch(args.scratch, year, province, years, args.pad_payments, args.pad_ledger)
        finally:
            if not args.keep:
                connection.close()
                psql("postgres", f"DROP DATABASE IF EXISTS {args.scratch}")
    print(f"load average at end: {loadavg()}", flush=True)
    Path(args.out).write_text("\n".join(OUT))


if __name__ == "__main__":
    main()
