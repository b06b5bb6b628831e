"""待办 at scale: how long the to-do list takes (``todo.queries.todo_for``), and how many objects it asks the
workflow engine about, when one kind holds far more candidates than the cap (a batch of thousands of payments
waiting for approval).

Beside it, in the same run: **the candidates by hand** — one hand-written SQL statement per kind listing the objects
in the states from which a forward action of the actor's permissions starts, at the orgs the actor acts for (its
subtree less the subtrees below it that hold the permission themselves), oldest first, at most the cap, with the
count beyond it. That is the least database work any to-do list must do, but it is NOT the same result: the engine
then drops the candidates whose waiting step is not the actor's (a second approval step at the county, the funds
rules, the payer who may not approve). The script checks that the items are a subset of these candidates and prints
how many candidates the engine dropped; the ratio is therefore a bound (what the engine's per-object questions cost
above listing the candidates), not a floor. Writing the approval chains and the guards by hand too would duplicate
the engine; not done.

Seeds nothing itself: run it on a database with the small demo, to which it adds ``--extra`` submitted payments
of 武侯 (copies of a demo payment, each its own batch name), inside a transaction rolled back at the end:

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/warmth_NAME   # (or sqlite:////tmp/todo-bench.sqlite3)
    uv run warmth migrate && uv run warmth seed-demo --scale small
    uv run python bench/todo.py --extra 5000

For each of 成都's reviewer (whose reach includes 武侯: 武侯 has no 审核人), 四川's leader and 武侯's handler:
the items, the objects asked of the engine, the queries, 3 runs (median and spread). Results: bench/results/todo.json.
"""

import argparse
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "warmth.settings")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import Bench, time_runs

# kind -> (table, alias, the org column whose path decides the reach, the join to that org, the age column)
KINDS = {
    "archive": ("archives_archive x", "JOIN orgs_org o ON o.id = x.org_id", "x.updated_at"),
    "transfer": ("archives_transfer x", "JOIN orgs_org o ON o.id = x.to_org_id", "x.requested_at"),
    "payment": ("payments_payment x", "JOIN orgs_org o ON o.id = x.org_id",
                "(SELECT max(s.at) FROM payments_paymentstep s WHERE s.payment_id = x.id)"),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--extra", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from warmth.archives import lifecycle
    from warmth.orgs.access import actor_for
    from warmth.orgs.models import User
    from warmth.orgs.permissions import Perm
    from warmth.payments import services as payments
    from warmth.payments.models import Payment
    from warmth.reports import services as reports
    from warmth.todo.queries import CAP, Reach, _forward, todo_for

    bench = Bench("todo")
    pg = connection.vendor == "postgresql"

    def reach_sql(reach, perm, col):
        """``col`` (an org path) is one the actor acts for with ``perm``, and its parameters."""
        sql = f"{col} LIKE %s"
        params = [reach.actor.org.path + "%"]
        for h in reach.holders(perm):
            sql += f" AND {col} NOT LIKE %s"
            params.append(h + "%")
        return sql, params

    def by_hand(actor):
        """(kind, pk) of the candidates of every kind, oldest first, capped; and the counts beyond the cap."""
        reach = Reach(actor)
        out, more = set(), {}
        with connection.cursor() as cur:
            def listed(kind, frm, where, params, age):
                cur.execute(f"SELECT x.id FROM {frm} WHERE {where} ORDER BY {age}, x.id LIMIT %s",  # noqa: S608
                            [*params, CAP + 1])
                ids = [r[0] for r in cur.fetchall()]
                if len(ids) > CAP:
                    cur.execute(f"SELECT count(*) FROM {frm} WHERE {where}", params)  # noqa: S608
                    more[kind] = cur.fetchone()[0] - CAP
                    ids = ids[:CAP]
                out.update((kind, i) for i in ids)

            for kind, wf in (("archive", lifecycle.WORKFLOW), ("transfer", lifecycle.TRANSFER_WORKFLOW),
                             ("payment", payments.WORKFLOW)):
                table, join, age = KINDS[kind]
                parts, params = [], []
                for a in _forward(wf, actor):
                    r, p = reach_sql(reach, a.perm, "o.path")
                    parts.append(f"(x.status IN ({', '.join(['%s'] * len(a.sources))}) AND {r})")
                    params += [str(s) for s in a.sources] + p
                if parts:
                    listed(kind, f"{table} {join}", " OR ".join(parts), params, age)
            parts, params = [], []
            for a in _forward(reports.WORKFLOW, actor):  # 报送 by the report's org, 审核 by its parent
                r, p = reach_sql(reach, a.perm, "po.path" if a.perm == Perm.REPORT_APPROVE else "o.path")
                parts.append(f"(x.status IN ({', '.join(['%s'] * len(a.sources))}) AND {r})")
                params += [str(s) for s in a.sources] + p
            if parts:
                listed("report", "reports_report x JOIN orgs_org o ON o.id = x.org_id "
                       "LEFT JOIN orgs_org po ON po.id = o.parent_id", " OR ".join(parts), params,
                       "coalesce((SELECT max(s.at) FROM reports_reportstep s WHERE s.report_id = x.id), x.created_at)")
            if actor.can(Perm.ARCHIVE_APPROVE):
                r, p = reach_sql(reach, Perm.ARCHIVE_APPROVE, "o.path")
                for kind, table, age in (("objection", "archives_objection", "x.received_on"),
                                         ("duplicate", "archives_duplicateflag", "x.created_at")):
                    listed(kind, f"{table} x JOIN archives_archive a ON a.id = x.archive_id "
                           "JOIN orgs_org o ON o.id = a.org_id", f"x.resolved_at IS NULL AND {r}", p, age)
            if actor.can(Perm.PAYMENT_APPROVE):
                cur.execute(
                    "SELECT min(v.id) FROM payments_verification v JOIN payments_payment p ON p.id = v.payment_id "
                    "JOIN orgs_org o ON o.id = p.org_id WHERE v.answer = '' AND o.path LIKE %s "
                    "AND EXISTS (SELECT 1 FROM orgs_membership m WHERE m.user_id = v.drawn_by_id AND m.org_id = %s "
                    "AND m.is_active) GROUP BY v.sample ORDER BY min(v.drawn_at) LIMIT %s",
                    [actor.org.path + "%", actor.org.pk, CAP])
                out.update(("verification", r[0]) for r in cur.fetchall())
        return out, more

    with transaction.atomic():
        template = Payment.objects.filter(status="submitted", org__code="510107").order_by("id").first()
        copies = []
        for i in range(args.extra):
            template.pk, template.batch = None, f"bench-{i}"
            copies.append(Payment(**{f.attname: getattr(template, f.attname) for f in Payment._meta.concrete_fields}))
        Payment.objects.bulk_create(copies, batch_size=1000)
        waiting = Payment.objects.filter(status="submitted", org__code="510107").count()
        bench.note(f"{connection.vendor}; the small demo plus {args.extra:,} copies of a 武侯 payment waiting for "
                   f"approval ({waiting:,} in all, rolled back at the end); cap {CAP} per kind")
        if pg:
            with connection.cursor() as cur:
                cur.execute("ANALYZE payments_payment")
        for username in ("cd_reviewer", "sc_leader", "wh_handler"):
            actor = actor_for(User.objects.get(username=username))
            with CaptureQueriesContext(connection) as q:
                todo = todo_for(actor)
            n_queries = len(q.captured_queries)
            items = {(i.kind, i.pk) for i in todo.items}
            cands, more = by_hand(actor)
            if not items <= cands:
                raise SystemExit(f"{username}: items not among the hand-written candidates: {sorted(items - cands)}")
            engine_more = {k: n for k, (n, _) in todo.more.items()}
            t = time_runs(lambda actor=actor: todo_for(actor), args.runs)
            f = time_runs(lambda actor=actor: by_hand(actor), args.runs)
            bench.row(f"待办 of {username} ({actor.org.name})", t, floor=f,
                      floor_what=f"candidates by hand ({len(cands)}; not the same result, a bound)",
                      extra=f"items {todo.count}, asked {todo.checked}, queries {n_queries}, the engine dropped "
                            f"{len(cands) - len(items)} candidates; not checked {engine_more} (by hand {more})")
        transaction.set_rollback(True)
    bench.save()


if __name__ == "__main__":
    main()
