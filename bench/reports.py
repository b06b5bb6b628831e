"""The 2015 工会送温暖活动统计表 filled by the engine (``reports.services.compute``, what the report page and the API
call) at the national root and at a province (四川), against two floors measured in the same run:

- **the engine's own queries written by hand** (the honest floor of the engine's overhead): the same questions the
  engine asks, as plain SQL statements run one after the other through one cursor — the dirty-mark check, the
  subtree's sums over the per-org tally (``reports/tally.py``: the org's own archives, visits and payments per
  season, plus the overlap corrections), the archives 在档 on the report's day straight from the records when that
  day is past (``sources._tally_batch``: the tally holds the archive as it stands now), the ledger aggregate of the
  money lines and the activity records grouped by kind. The ratio engine / this floor is what the engine's Python
  (ORM compilation, the definition, cells, rounding, the children's reports, the stated day) costs.
- **the raw-record SQL** the bench had before the tally: one statement scanning the subtree's archives, members,
  visits, payments, ledger entries and activities. Not a floor of the engine's work (it does far more); the ratio to
  it shows what the tally saves.

Both floors are checked to give the engine's figures (every auto cell of the form), so neither is a cheaper
question. 3 runs each (one warm-up of each first), median and spread, the load average at start and end; the
report page itself through Django's test client (the whole view and template, no network) beside it, its floor
the engine's fill alone. Read-only: nothing is written.

    source /work/national.env   # or DATABASE_URL=… WARMTH_FIELD_KEY=… WARMTH_INDEX_KEY=… of the national demo
    uv run python bench/reports.py [--org ACFTU --org 510000] [--year 2025] [--runs 3] [--no-raw] [--no-page]

``--dirty N`` additionally marks N counties dirty and times a fill that recomputes them first, then the full rebuild
of the tally: that WRITES the tally (not on a shared database). Results: bench/results/reports.json.
"""

# ruff: noqa: S608 (the SQL below is composed of this file's constants; values go as parameters)
import argparse
import os
import sys
from datetime import datetime, time, timedelta
from decimal import Decimal

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/warmth_national")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "warmth.settings")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import Bench, time_runs

FILED_STATUSES = "('active', 'exit_review', 'exit_publicizing')"
# 在档 at the end of the day (archives.queries.filed_on): now, the state; a past day, the approval and exit times
FILED_NOW = f"a.status IN {FILED_STATUSES}"
FILED_ON_DAY = f"""
  (a.activated_at < %(day_end)s
   OR (a.activated_at IS NULL AND ((a.status IN {FILED_STATUSES} AND a.exited_at IS NULL)
                                   OR a.exited_at >= %(day_end)s)))
  AND ((a.status IN {FILED_STATUSES} AND a.exited_at IS NULL) OR a.exited_at >= %(day_end)s)"""

WORKER_MEMBERS = ("('劳模', '在岗', '下（待）岗', '失（无）业', '退休', '离休', '病退', '病休', '内退', "
                  "'农民工')")

# the archives of the subtree 在档 on the day, their members, and those lifted out in the season's year
ARCHIVE_CTES = """
filed AS (
  SELECT a.id, a.identity, a.category FROM archives_archive a JOIN orgs_org o ON o.id = a.org_id, scope
  WHERE o.path LIKE scope.p || '%%' AND {filed}),
arch AS (
  SELECT count(*) AS households, count(*) FILTER (WHERE identity = '农民工') AS migrant,
         count(*) FILTER (WHERE category IN ('低保户', '深度困难')) AS below,
         count(*) FILTER (WHERE category IN ('低保边缘户', '相对困难')) AS near,
         count(*) FILTER (WHERE category IN ('意外致困户', '意外致困')) AS accident FROM filed),
mem AS (
  SELECT count(*) FILTER (WHERE m.identity IN """ + WORKER_MEMBERS + """) AS workers,
         count(*) FILTER (WHERE m.identity = '农民工') AS migrants
  FROM archives_familymember m WHERE m.archive_id IN (SELECT id FROM filed)),
lifted AS (
  SELECT count(*) AS n FROM archives_archive a JOIN orgs_org o ON o.id = a.org_id, scope
  WHERE o.path LIKE scope.p || '%%' AND a.status = 'exited' AND a.exit_reason = '脱困'
    AND a.exited_at >= make_timestamptz(scope.y, 1, 1, 0, 0, 0, 'Asia/Shanghai')
    AND a.exited_at < make_timestamptz(scope.y + 1, 1, 1, 0, 0, 0, 'Asia/Shanghai'))"""

MONEY_CTE = """
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
         OR (e.kind = 'reversal' AND r.kind = 'received' AND NOT coalesce(rfo.path LIKE scope.p || '%%', false))))"""

ACTS_CTE = """
acts AS (
  SELECT coalesce(json_object_agg(kind, json_build_array(n, people, amount)), '{}') AS by_kind FROM (
    SELECT act.kind, sum(act.count) AS n, coalesce(sum(act.people), 0) AS people,
           coalesce(sum(act.amount), 0) AS amount
    FROM campaigns_activity act JOIN orgs_org o ON o.id = act.org_id
    LEFT JOIN campaigns_campaign c ON c.id = act.campaign_id, scope
    WHERE o.path LIKE scope.p || '%%' AND NOT act.voided
      AND (c.year = scope.y OR (act.campaign_id IS NULL AND act.on_date BETWEEN %(start)s AND %(end)s))
    GROUP BY act.kind) k)"""

SCOPE = "WITH scope AS (SELECT %(path)s::text AS p, %(year)s::int AS y),"

# --- floor 1: the engine's own questions, by hand -------------------------------------------------------------

# the subtree's sums of the tally: the archive as it stands (season 0) and the season's visits and payments, with
# the overlap corrections of archives visited at two orgs (tally.totals)
TALLY_SQL = SCOPE + """
sub AS (SELECT t.* FROM reports_tally t JOIN orgs_org o ON o.id = t.org_id, scope
        WHERE o.path LIKE scope.p || '%%' AND t.year IN (0, scope.y)),
fix AS (SELECT coalesce(sum(x.visited), 0) AS visited, coalesce(sum(x.visited_workers), 0) AS visited_workers,
               coalesce(sum(x.visited_migrants), 0) AS visited_migrants,
               coalesce(sum(x.visited_models), 0) AS visited_models
        FROM reports_tallyoverlap x JOIN orgs_org o ON o.id = x.org_id, scope
        WHERE o.path LIKE scope.p || '%%' AND x.year = scope.y)
SELECT coalesce(sum(sub.households) FILTER (WHERE sub.year = 0), 0) AS households,
       coalesce(sum(sub.migrant_households) FILTER (WHERE sub.year = 0), 0) AS migrant,
       coalesce(sum(sub.below_dibao) FILTER (WHERE sub.year = 0), 0) AS below,
       coalesce(sum(sub.near_dibao) FILTER (WHERE sub.year = 0), 0) AS near,
       coalesce(sum(sub.accident) FILTER (WHERE sub.year = 0), 0) AS accident,
       coalesce(sum(sub.workers) FILTER (WHERE sub.year = 0), 0) AS t_workers,
       coalesce(sum(sub.migrant_workers) FILTER (WHERE sub.year = 0), 0) AS t_migrant_workers,
       coalesce(sum(sub.lifted) FILTER (WHERE sub.year = scope.y), 0) AS lifted,
       coalesce(sum(sub.visited) FILTER (WHERE sub.year = scope.y), 0) + max(fix.visited) AS v_households,
       coalesce(sum(sub.visited_workers) FILTER (WHERE sub.year = scope.y), 0) + max(fix.visited_workers) AS v_workers,
       coalesce(sum(sub.visited_migrants) FILTER (WHERE sub.year = scope.y), 0)
         + max(fix.visited_migrants) AS v_migrants,
       coalesce(sum(sub.visited_models) FILTER (WHERE sub.year = scope.y), 0) + max(fix.visited_models) AS v_models,
       coalesce(sum(sub.enterprises) FILTER (WHERE sub.year = scope.y), 0) AS enterprises,
       coalesce(sum(sub.enterprises_in_difficulty) FILTER (WHERE sub.year = scope.y), 0) AS difficult,
       coalesce(sum(sub.frontline) FILTER (WHERE sub.year = scope.y), 0) AS frontline,
       coalesce(sum(sub.paid) FILTER (WHERE sub.year = scope.y), 0) AS paid_total,
       coalesce(sum(sub.paid_models) FILTER (WHERE sub.year = scope.y), 0) AS paid_models,
       coalesce(sum(sub.paid_migrants) FILTER (WHERE sub.year = scope.y), 0) AS paid_migrants
FROM scope, fix LEFT JOIN sub ON true GROUP BY scope.y"""

# a past day: the tally's archive figures now, less the archives filed now but not then, plus those filed then but not
# now (sources._archive_as_of, archives.queries.changed_since): for each condition, the archives and their members
FILED_LIST = "('active', 'exit_review', 'exit_publicizing')"
APPROVED_THEN = "(a.activated_at < %(day_end)s OR a.activated_at IS NULL)"
CHANGED = [  # (sign, condition)
    (-1, f"a.status IN {FILED_LIST} AND a.activated_at >= %(day_end)s"),
    (-1, f"a.status IN {FILED_LIST} AND a.exited_at < %(day_end)s AND {APPROVED_THEN}"),
    (+1, f"a.status NOT IN {FILED_LIST} AND a.exited_at >= %(day_end)s AND {APPROVED_THEN}"),
]
CHANGED_SUB = """SELECT a.id FROM archives_archive a JOIN orgs_org o ON o.id = a.org_id
  WHERE o.path LIKE %(path)s || '%%' AND {cond}"""
CHANGED_SQL = [(sign, [
    """SELECT count(*) AS households, count(*) FILTER (WHERE identity = '农民工') AS migrant,
         count(*) FILTER (WHERE category IN ('低保户', '深度困难')) AS below,
         count(*) FILTER (WHERE category IN ('低保边缘户', '相对困难')) AS near,
         count(*) FILTER (WHERE category IN ('意外致困户', '意外致困')) AS accident
       FROM archives_archive WHERE id IN (""" + CHANGED_SUB.format(cond=cond) + ")",
    """SELECT count(*) FILTER (WHERE m.identity IN """ + WORKER_MEMBERS + """) AS m_workers,
         count(*) FILTER (WHERE m.identity = '农民工') AS m_migrants
       FROM archives_familymember m WHERE m.archive_id IN (""" + CHANGED_SUB.format(cond=cond) + ")"])
    for sign, cond in CHANGED]

MONEY_SQL = SCOPE + MONEY_CTE + """
SELECT money.total AS money_total, money.central, money.local, money.union_, money.donation, money.other FROM money"""

ACTS_SQL = SCOPE + ACTS_CTE + " SELECT acts.by_kind FROM acts"

# --- floor 2: the raw records, one statement (the bench's baseline before the tally) -----------------------------

RAW_SQL = SCOPE + ARCHIVE_CTES + """,
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
  WHERE o.path LIKE scope.p || '%%' AND f.year = scope.y AND p.status IN ('approved', 'paid', 'confirmed')),""" \
    + MONEY_CTE + "," + ACTS_CTE + """
SELECT arch.*, arch.households + mem.workers AS t_workers, arch.migrant + mem.migrants AS t_migrant_workers,
       lifted.n AS lifted, visits.v_households, visits.v_workers, visits.v_migrants, visits.v_models,
       visits.enterprises, visits.difficult, visits.frontline,
       paid.total + visits.cash AS paid_total, paid.models + visits.cash_models AS paid_models,
       paid.migrants + visits.cash_migrants AS paid_migrants,
       money.total AS money_total, money.central, money.local, money.union_, money.donation, money.other,
       acts.by_kind
FROM arch, mem, lifted, visits, paid, money, acts"""


def cells_of(row: dict, defn) -> dict[str, Decimal]:
    """A floor's row as the form's auto cells, by the sources the 2015 definition names."""
    from warmth.core.money import to_wanyuan

    acts = row["by_kind"]
    by_source = {
        "archives.workers": row["t_workers"], "archives.migrant_workers": row["t_migrant_workers"],
        "archives.households": row["households"], "archives.migrant_households": row["migrant"],
        "archives.below_dibao": row["below"], "archives.near_dibao": row["near"],
        "archives.accident": row["accident"], "archives.lifted": row["lifted"],
        "visits.enterprises": row["enterprises"], "visits.enterprises_in_difficulty": row["difficult"],
        "visits.frontline": row["frontline"], "visits.households": row["v_households"],
        "visits.worker_households": row["v_workers"], "visits.migrant_households": row["v_migrants"],
        "visits.model_households": row["v_models"],
        "funds.raised_total": to_wanyuan(row["money_total"]), "funds.raised_central": to_wanyuan(row["central"]),
        "funds.raised_local": to_wanyuan(row["local"]), "funds.raised_union": to_wanyuan(row["union_"]),
        "funds.raised_donation": to_wanyuan(row["donation"]), "funds.raised_other": to_wanyuan(row["other"]),
        "payments.paid_total": to_wanyuan(row["paid_total"]),
        "payments.paid_models": to_wanyuan(row["paid_models"]),
        "payments.paid_migrants": to_wanyuan(row["paid_migrants"]),
    }
    out = {}
    for it in defn.items:
        if not it.auto or it.source == "sum":
            continue
        if it.source.startswith("activity:"):
            _, kind, field = it.source.split(":")
            n, people, amount = acts.get(kind, [0, 0, 0])
            value = {"count": n, "people": people, "amount": to_wanyuan(Decimal(str(amount)))}[field]
        else:
            value = by_source[it.source]
        out[it.code] = Decimal(value)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--org", action="append", help="org code (default: ACFTU, the root, and 510000, 四川)")
    ap.add_argument("--year", type=int, default=2025)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-raw", action="store_true", help="skip the raw-record SQL (seconds at the root)")
    ap.add_argument("--no-page", action="store_true", help="skip the report page through the test client")
    ap.add_argument("--user", action="append",
                    help="username whose own org's report page is timed, one per --org (default: root, sc_admin)")
    ap.add_argument("--dirty", type=int, default=0,
                    help="WRITES THE TALLY: mark this many counties dirty, time a fill, then a full rebuild")
    args = ap.parse_args()
    orgs = args.org or ["ACFTU", "510000"]
    users = args.user or ["root", "sc_admin"][:len(orgs)]
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.utils import timezone

    from warmth.core.festival import campaign_window
    from warmth.orgs.models import Org, User
    from warmth.reports import services
    from warmth.reports.definitions import definition

    bench = Bench("reports")
    setup_test_environment()
    defn = definition("warmth-2015")
    start, end = campaign_window(args.year)
    with connection.cursor() as cur:
        sizes = []
        for table in ("orgs_org", "archives_archive", "archives_familymember", "campaigns_visit",
                      "payments_payment", "funds_ledgerentry", "campaigns_activity", "reports_tally"):
            cur.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
            sizes.append(f"{table} {cur.fetchone()[0]:,}")
    bench.note("data (rows, planner statistics): " + "; ".join(sizes))

    def fetch(cur, sql, params):
        cur.execute(sql, params)
        return dict(zip([c.name for c in cur.description], cur.fetchone(), strict=True))

    for code, username in zip(orgs, users + [None] * len(orgs), strict=False):
        org = Org.objects.get(code=code)
        day = services.as_of(org, args.year)
        past = day < timezone.localdate()
        day_end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone())
        params = {"path": org.path, "year": args.year, "start": start, "end": end, "day_end": day_end}

        def engine(org=org):
            return services.compute(defn, org, args.year)

        def by_hand(params=params, past=past):
            """The engine's questions (sources.values: tally.totals, _archive_as_of on a past day, _money_batch,
            _activity_batch) as plain SQL, one statement each, on one cursor."""
            with connection.cursor() as cur:
                cur.execute("SELECT EXISTS (SELECT 1 FROM reports_tallydirty)")
                if cur.fetchone()[0]:
                    raise SystemExit("the tally has dirty marks: run `warmth reports tally` first")
                row = fetch(cur, TALLY_SQL, params)
                if past:
                    for sign, (arch_sql, member_sql) in CHANGED_SQL:
                        a, m = fetch(cur, arch_sql, params), fetch(cur, member_sql, params)
                        for k in ("households", "migrant", "below", "near", "accident"):
                            row[k] += sign * a[k]
                        row["t_workers"] += sign * (a["households"] + m["m_workers"])
                        row["t_migrant_workers"] += sign * (a["migrant"] + m["m_migrants"])
                row.update(fetch(cur, MONEY_SQL, params))
                row.update(fetch(cur, ACTS_SQL, params))
            return row

        def raw(params=params, past=past):
            sql = RAW_SQL.replace("{filed}", FILED_ON_DAY if past else FILED_NOW)
            with connection.cursor() as cur:
                return fetch(cur, sql, params)

        with CaptureQueriesContext(connection) as q:
            cells = engine()  # warm-up, and the figures to compare
        got_all = {c: v.value for c, v in cells.items()}
        floors = [("the engine's queries by hand (tally)", by_hand)]
        if not args.no_raw:
            floors.append(("raw-record SQL, one statement", raw))
        checked = []
        for name, fn in floors:
            want = cells_of(fn(), defn)
            diff = {c: (str(got_all[c]), str(want[c])) for c in want if got_all[c] != want[c]}
            checked.append(f"{name}: {len(want)} auto cells, {len(diff)} differing")
            if diff:
                raise SystemExit(f"{org.name}: {name} disagrees with the engine: {diff}")
        where = f"{org.name} ({code})"
        how = ("past: the tally corrected by the archives approved or exited since" if past
               else "today: archives from the tally")
        bench.note(f"{where}: the report's day {day} ({how}); "
                   f"the engine ran {len(q)} queries; " + "; ".join(checked))
        e = time_runs(engine, args.runs)
        h = time_runs(by_hand, args.runs)
        bench.row(f"2015 form at {where}: engine vs its own queries by hand", e, floor=h,
                  floor_what="same queries as plain SQL", goal="≤ 2 s (issue 7)", goal_seconds=2.0,
                  extra=f"{len(q)} queries")
        if not args.no_raw:
            r = time_runs(raw, args.runs)
            bench.row(f"2015 form at {where}: engine vs raw-record SQL (not a floor: what the tally saves)", e,
                      floor=r, floor_what="one statement over the records")
        if not args.no_page and username:
            client = Client(SERVER_NAME="localhost")
            client.force_login(User.objects.get(username=username))
            url = f"/reports/warmth-2015/{args.year}/"

            def page(client=client, url=url):
                r = client.get(url)
                assert r.status_code == 200, (url, r.status_code)

            page()
            p = time_runs(page, args.runs)
            bench.row(f"report page {url} as {username} ({where}), test client", p, floor=e,
                      floor_what="the engine's fill alone", goal="≤ 2 s", goal_seconds=2.0)

    if args.dirty:
        from warmth.reports import tally

        org = Org.objects.get(code=orgs[0])
        counties = list(Org.objects.filter(level="county").order_by("path").values_list("id", flat=True)[:args.dirty])
        for n in sorted({1, args.dirty}):
            tally.mark(counties[:n])
            t = time_runs(lambda org=org: services.compute(defn, org, args.year), 1)
            bench.row(f"fill at {org.name} after writes at {n} counties (their tally recomputed first)", t)
        t = time_runs(lambda: tally.refresh(full=True), 1)
        bench.row("full rebuild of the tally", t)
    bench.save()


if __name__ == "__main__":
    main()
