"""Benchmark of the 统计表 engine (issue 7): fill the 2015 工会送温暖活动统计表 at the root of a national
database and compare, in the same run, with one hand-written SQL statement computing the same auto cells.

Target: the engine ≤ 1.5× the hand-written SQL and ≤ 2 s.

The database must already hold the national demo (it is not created here: the load takes a while):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/warmth_national uv run warmth migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/warmth_national uv run warmth seed-demo --scale national
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/warmth_national uv run python bench/reports.py [--org ACFTU]

(the same WARMTH_FIELD_KEY / WARMTH_INDEX_KEY as the load). Each side runs ``--rounds`` times after one warm-up
of each, alternating; the best and the median are printed. The script also checks that both give the same
figures, so the SQL is a fair baseline and not a cheaper question.
"""

import argparse
import os
import statistics
import sys
import time
from decimal import Decimal

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/warmth_national")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "warmth.settings")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# One statement: a sub-select per table, with the filters the named sources document (warmth/reports/sources.py).
SQL = """
WITH scope AS (SELECT %(path)s::text AS p, %(year)s::int AS y),
filed AS (
  SELECT a.id, a.identity, a.category FROM archives_archive a JOIN orgs_org o ON o.id = a.org_id, scope
  WHERE o.path LIKE scope.p || '%%' AND a.status = 'active'),
arch AS (
  SELECT count(*) AS households, count(*) FILTER (WHERE identity = '农民工') AS migrant,
         count(*) FILTER (WHERE category IN ('低保户', '深度困难')) AS below,
         count(*) FILTER (WHERE category IN ('低保边缘户', '相对困难')) AS near,
         count(*) FILTER (WHERE category IN ('意外致困户', '意外致困')) AS accident FROM filed),
mem AS (
  SELECT count(*) FILTER (WHERE m.identity IN ('劳模', '在岗', '下（待）岗', '失（无）业', '退休', '离休', '病退',
                                                '病休', '内退', '农民工')) AS workers,
         count(*) FILTER (WHERE m.identity = '农民工') AS migrants
  FROM archives_familymember m WHERE m.archive_id IN (SELECT id FROM filed)),
lifted AS (
  SELECT count(*) AS n FROM archives_archive a JOIN orgs_org o ON o.id = a.org_id, scope
  WHERE o.path LIKE scope.p || '%%' AND a.status = 'exited' AND a.exit_reason = '脱困'
    AND a.exited_at >= make_timestamptz(scope.y, 1, 1, 0, 0, 0, 'Asia/Shanghai')
    AND a.exited_at < make_timestamptz(scope.y + 1, 1, 1, 0, 0, 0, 'Asia/Shanghai')),
vis AS (
  SELECT v.*, (v.archive_id IS NOT NULL AND a.model_worker_type NOT IN ('', '非劳模'))
              OR (v.archive_id IS NULL AND v.recipient_kind = 'hardship_model') AS is_model,
         (v.archive_id IS NOT NULL AND a.model_worker_type IN ('', '非劳模') AND a.identity = '农民工')
              OR (v.archive_id IS NULL AND v.recipient_kind = 'migrant') AS is_migrant,
         (v.archive_id IS NOT NULL AND a.model_worker_type IN ('', '非劳模'))
              OR (v.archive_id IS NULL AND v.recipient_kind IN ('migrant', 'other')) AS is_worker,
         (v.archive_id IS NOT NULL AND a.identity = '农民工')
              OR (v.archive_id IS NULL AND v.recipient_kind = 'migrant') AS cash_migrant
  FROM campaigns_visit v JOIN campaigns_campaign c ON c.id = v.campaign_id
  JOIN orgs_org o ON o.id = v.org_id LEFT JOIN archives_archive a ON a.id = v.archive_id, scope
  WHERE c.year = scope.y AND o.path LIKE scope.p || '%%' AND NOT v.voided),
visits AS (
  SELECT count(DISTINCT archive_id) FILTER (WHERE kind = 'household' AND (is_model OR is_migrant OR is_worker))
           + count(*) FILTER (WHERE kind = 'household' AND archive_id IS NULL
                              AND (is_model OR is_migrant OR is_worker)) AS v_households,
         count(DISTINCT archive_id) FILTER (WHERE kind = 'household' AND is_worker)
           + count(*) FILTER (WHERE kind = 'household' AND archive_id IS NULL AND is_worker) AS v_workers,
         count(DISTINCT archive_id) FILTER (WHERE kind = 'household' AND is_migrant)
           + count(*) FILTER (WHERE kind = 'household' AND archive_id IS NULL AND is_migrant) AS v_migrants,
         count(DISTINCT archive_id) FILTER (WHERE kind = 'household' AND is_model)
           + count(*) FILTER (WHERE kind = 'household' AND archive_id IS NULL AND is_model) AS v_models,
         count(*) FILTER (WHERE kind = 'enterprise') AS enterprises,
         count(*) FILTER (WHERE kind = 'enterprise' AND enterprise_in_difficulty) AS difficult,
         coalesce(sum(frontline_greeted) FILTER (WHERE frontline_greeted > 0), 0) AS frontline,
         coalesce(sum(cash_amount) FILTER (WHERE entry_id IS NOT NULL), 0) AS cash,
         coalesce(sum(cash_amount) FILTER (WHERE entry_id IS NOT NULL AND is_model), 0) AS cash_models,
         coalesce(sum(cash_amount) FILTER (WHERE entry_id IS NOT NULL AND cash_migrant), 0) AS cash_migrants
  FROM vis),
paid AS (
  SELECT coalesce(sum(p.amount), 0) AS total,
         coalesce(sum(p.amount) FILTER (WHERE (p.archive_id IS NOT NULL AND a.model_worker_type NOT IN ('', '非劳模'))
                                         OR p.recipient_kind = 'hardship_model'), 0) AS models,
         coalesce(sum(p.amount) FILTER (WHERE (p.archive_id IS NOT NULL AND a.identity = '农民工')
                                         OR p.recipient_kind = 'migrant'), 0) AS migrants
  FROM payments_payment p JOIN orgs_org o ON o.id = p.org_id JOIN funds_fundpot f ON f.id = p.pot_id
  LEFT JOIN archives_archive a ON a.id = p.archive_id, scope
  WHERE o.path LIKE scope.p || '%%' AND f.year = scope.y AND p.status IN ('approved', 'paid', 'confirmed')),
money AS (
  SELECT coalesce(sum(e.amount), 0) AS total,
         coalesce(sum(e.amount) FILTER (WHERE f.source = 'central'), 0) AS central,
         coalesce(sum(e.amount) FILTER (WHERE f.source IN ('provincial', 'local')), 0) AS local,
         coalesce(sum(e.amount) FILTER (WHERE f.source IN ('upper_union', 'own_union')), 0) AS union_,
         coalesce(sum(e.amount) FILTER (WHERE f.source = 'donation'), 0) AS donation,
         coalesce(sum(e.amount) FILTER (WHERE f.source = 'other'), 0) AS other
  FROM funds_ledgerentry e JOIN funds_fundpot f ON f.id = e.pot_id JOIN orgs_org o ON o.id = f.org_id
  LEFT JOIN funds_allocation al ON al.id = e.allocation_id LEFT JOIN orgs_org fo ON fo.id = al.from_org_id
  LEFT JOIN funds_ledgerentry r ON r.id = e.reverses_id LEFT JOIN funds_allocation ral ON ral.id = r.allocation_id
  LEFT JOIN orgs_org rfo ON rfo.id = ral.from_org_id, scope
  WHERE o.path LIKE scope.p || '%%' AND f.year = scope.y AND f.purpose = 'warmth'
    AND (e.kind = 'raised' OR (e.kind = 'reversal' AND r.kind = 'raised')
         OR (e.kind = 'received' AND NOT coalesce(fo.path LIKE scope.p || '%%', false))
         OR (e.kind = 'reversal' AND r.kind = 'received' AND NOT coalesce(rfo.path LIKE scope.p || '%%', false)))),
acts AS (
  SELECT coalesce(json_object_agg(kind, json_build_array(n, people, amount)), '{}') AS by_kind FROM (
    SELECT act.kind, sum(act.count) AS n, coalesce(sum(act.people), 0) AS people,
           coalesce(sum(act.amount), 0) AS amount
    FROM campaigns_activity act JOIN orgs_org o ON o.id = act.org_id
    LEFT JOIN campaigns_campaign c ON c.id = act.campaign_id, scope
    WHERE o.path LIKE scope.p || '%%' AND NOT act.voided
      AND (c.year = scope.y OR (act.campaign_id IS NULL AND act.on_date BETWEEN %(start)s AND %(end)s))
    GROUP BY act.kind) k)
SELECT arch.*, mem.workers, mem.migrants AS member_migrants, lifted.n AS lifted, visits.*,
       paid.total AS paid_total, paid.models AS paid_models, paid.migrants AS paid_migrants,
       money.total AS money_total, money.central, money.local, money.union_, money.donation, money.other,
       acts.by_kind
FROM arch, mem, lifted, visits, paid, money, acts
"""


def wan(v) -> Decimal:
    return (Decimal(v or 0) / 10000).quantize(Decimal("0.0001"))


def sql_cells(row: dict, defn) -> dict[str, Decimal]:
    """The SQL row as the form's auto cells, by the sources the 2015 definition names."""
    acts = row["by_kind"]
    by_source = {
        "archives.workers": row["households"] + row["workers"],
        "archives.migrant_workers": row["migrant"] + row["member_migrants"],
        "archives.households": row["households"], "archives.migrant_households": row["migrant"],
        "archives.below_dibao": row["below"], "archives.near_dibao": row["near"],
        "archives.accident": row["accident"], "archives.lifted": row["lifted"],
        "visits.enterprises": row["enterprises"], "visits.enterprises_in_difficulty": row["difficult"],
        "visits.frontline": row["frontline"], "visits.households": row["v_households"],
        "visits.worker_households": row["v_workers"], "visits.migrant_households": row["v_migrants"],
        "visits.model_households": row["v_models"],
        "funds.raised_total": wan(row["money_total"]), "funds.raised_central": wan(row["central"]),
        "funds.raised_local": wan(row["local"]), "funds.raised_union": wan(row["union_"]),
        "funds.raised_donation": wan(row["donation"]), "funds.raised_other": wan(row["other"]),
        "payments.paid_total": wan(row["paid_total"] + row["cash"]),
        "payments.paid_models": wan(row["paid_models"] + row["cash_models"]),
        "payments.paid_migrants": wan(row["paid_migrants"] + row["cash_migrants"]),
    }
    out = {}
    for it in defn.items:
        if not it.auto or it.source == "sum":
            continue
        if it.source.startswith("activity:"):
            _, kind, field = it.source.split(":")
            n, people, amount = acts.get(kind, [0, 0, 0])
            value = {"count": n, "people": people, "amount": wan(amount)}[field]
        else:
            value = by_source[it.source]
        out[it.code] = Decimal(value)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--org", default="ACFTU", help="org code (default: the root)")
    ap.add_argument("--year", type=int, default=2025)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--dirty", type=int, default=100, help="counties marked dirty before the last fill")
    args = ap.parse_args()
    import django

    django.setup()
    from django.db import connection

    from warmth.core.festival import campaign_window
    from warmth.orgs.models import Org
    from warmth.reports import services
    from warmth.reports.definitions import definition

    defn = definition("warmth-2015")
    org = Org.objects.get(code=args.org)
    start, end = campaign_window(args.year)
    with connection.cursor() as cur:
        for table in ("orgs_org", "archives_archive", "archives_familymember", "campaigns_visit",
                      "payments_payment", "funds_ledgerentry", "funds_fundpot", "campaigns_activity"):
            cur.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed names)
            print(f"{table}: {cur.fetchone()[0]:,} rows")

    def run_sql():
        with connection.cursor() as cur:
            cur.execute(SQL, {"path": org.path, "year": args.year, "start": start, "end": end})
            return dict(zip([c.name for c in cur.description], cur.fetchone(), strict=True))

    def run_engine():
        return services.compute(defn, org, args.year)

    cells, row = run_engine(), run_sql()  # warm-up (and the figures to compare)
    want = sql_cells(row, defn)
    got = {code: cells[code].value for code in want}
    diff = {code: (got[code], want[code]) for code in want if got[code] != want[code]}
    print(f"auto cells compared: {len(want)}; differing: {len(diff)} {diff if diff else ''}")
    times = {"engine": [], "sql": []}
    for _ in range(args.rounds):
        for name, fn in (("sql", run_sql), ("engine", run_engine)):
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    best = {k: min(v) for k, v in times.items()}
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"fill warmth-2015 at {org.name} ({args.year}): engine best {best['engine']:.3f} s, median "
          f"{med['engine']:.3f} s; hand-written SQL best {best['sql']:.3f} s, median {med['sql']:.3f} s; "
          f"ratio (best) {best['engine'] / best['sql']:.2f}×, (median) {med['engine'] / med['sql']:.2f}×")
    # the tally is refreshed before a fill when writes have marked orgs dirty: a fill after writes at a few
    # counties (what a busy day looks like between two fills), and the worker's full rebuild
    from warmth.reports import tally

    counties = list(Org.objects.filter(level="county").order_by("path").values_list("id", flat=True)[:args.dirty])
    for n in (1, args.dirty):
        tally.mark(counties[:n])
        t = time.perf_counter()
        run_engine()
        print(f"fill after writes at {n} counties (their tally recomputed first): {time.perf_counter() - t:.3f} s")
    t = time.perf_counter()
    done = tally.refresh(full=True)
    print(f"full rebuild of the tally: {time.perf_counter() - t:.1f} s ({done['rows']:,} rows, "
          f"{done['overlaps']:,} overlap corrections)")


if __name__ == "__main__":
    main()
