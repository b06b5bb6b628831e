"""待办 at scale: how long the to-do list takes, and how many objects it asks the engine about, when one kind
holds far more candidates than the cap (a batch of thousands of payments waiting for approval).

Seeds nothing itself: run it on a database with the small demo, to which it adds ``--extra`` submitted payments
of 武侯 (copies of a demo payment, each its own batch name), inside a transaction rolled back at the end:

    export DATABASE_URL=sqlite:////tmp/todo-bench.sqlite3
    uv run warmth migrate && uv run warmth seed-demo --scale small
    uv run python bench/todo.py --extra 5000

For each of 成都's reviewer (whose reach includes 武侯: 武侯 has no 审核人), 四川's leader and 武侯's handler it
prints the items, the objects asked of the engine, the queries and the median of ``--rounds`` runs.
"""

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "warmth.settings")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--extra", type=int, default=5000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from warmth.orgs.access import actor_for
    from warmth.orgs.models import User
    from warmth.payments.models import Payment
    from warmth.todo.queries import CAP, todo_for

    with transaction.atomic():
        template = Payment.objects.filter(status="submitted", org__code="510107").order_by("id").first()
        copies = []
        for i in range(args.extra):
            template.pk, template.batch = None, f"bench-{i}"
            copies.append(Payment(**{f.attname: getattr(template, f.attname) for f in Payment._meta.concrete_fields}))
        Payment.objects.bulk_create(copies, batch_size=1000)
        print(f"payments waiting for approval in 武侯: "
              f"{Payment.objects.filter(status='submitted', org__code='510107').count():,}; cap {CAP} per kind")
        for username in ("cd_reviewer", "sc_leader", "wh_handler"):
            actor = actor_for(User.objects.get(username=username))
            times = []
            for _ in range(args.rounds):
                with CaptureQueriesContext(connection) as q:
                    started = time.perf_counter()
                    todo = todo_for(actor)
                    times.append(time.perf_counter() - started)
            more = {k: n for k, (n, _) in todo.more.items()}
            print(f"{username:12} {actor.org.name:8} items {todo.count:4}  asked {todo.checked:4}  "
                  f"queries {len(q):4}  median {statistics.median(times) * 1000:7.1f} ms  not checked {more}")
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
