"""Page times on the national demo (issue 8: "the app stays responsive on it"; issue 23: each with its floor): the
archive list, a search by ID number, an archive page, the payment list, the season coverage of the user's org and
its 2015 report, each requested through Django's test client (the whole view, middleware and template, no network)
as the national administrator (``root``), 四川's administrator (``sc_admin``) and 武侯's handler (``wh_handler``).

Floor of each page, measured in the same run: **the page's own queries without the view, template and
middleware** — every SELECT the request ran (captured once, the session and the actor's look-ups included), replayed
as plain SQL on one cursor with every row fetched. Same statements, same rows read; what the floor leaves out is
Django's Python: the ORM building the queries and the objects, the decryption of the names and ID numbers the page
shows, the template, the middleware. So the ratio is the cost of the page above its database work (the writes a
request may make, the session's save, are left out of the replay). 3 runs each after one warm-up, median and
spread, the load average at start and end; the bare request (``/healthz`` through the same client and middleware)
is noted per user.

    source /work/national.env
    uv run python bench/pages.py [--runs 3] [--user root --user sc_admin --user wh_handler]

Results: bench/results/pages.json. The test client's logins add a session row per user (nothing else is written).
"""

import argparse
import os
import sys

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/warmth_national")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "warmth.settings")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import Bench, time_runs

GOAL_MS = {"archive search by ID number": 150, "archive list": 150}  # the rest: pages ≤ 300 ms


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--user", action="append", help="usernames (default: root, sc_admin, wh_handler)")
    ap.add_argument("--year", type=int, default=2025)
    args = ap.parse_args()
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from warmth.archives.models import Archive
    from warmth.orgs.access import actor_for
    from warmth.orgs.models import User

    setup_test_environment()
    bench = Bench("pages")

    def replay(queries):
        with connection.cursor() as cur:
            for sql in queries:
                cur.execute(sql)
                cur.fetchall()

    for username in args.user or ["root", "sc_admin", "wh_handler"]:
        user = User.objects.get(username=username)
        org = actor_for(user).org
        archive = (Archive.objects.filter(org__path__startswith=org.path, status="active").order_by("id")
                   .only("id").first())
        archive = Archive.objects.get(pk=archive.pk) if archive else None
        pages = [
            ("archive list", "/archives/"),
            ("archive search by ID number", f"/archives/?q={archive.id_number}" if archive else None),
            ("archive page", f"/archives/{archive.pk}/" if archive else None),
            ("payment list", "/payments/"),
            ("season coverage of the user's org", f"/campaigns/coverage/?year={args.year}"),
            ("2015 report at the user's org", f"/reports/warmth-2015/{args.year}/"),
        ]
        client = Client(SERVER_NAME="localhost")
        client.force_login(user)

        def get(url, client=client):
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code)

        get("/healthz")
        bare = time_runs(lambda: get("/healthz"), args.runs)
        bench.note(f"as {username} ({org.name}): bare request (/healthz through the same stack) {bare}")
        for name, url in pages:
            if url is None:
                continue
            with CaptureQueriesContext(connection) as q:
                get(url)  # the warm-up, and the queries of the floor
            every = [x["sql"] for x in q.captured_queries]
            slow = max(q.captured_queries, key=lambda x: float(x["time"]), default=None)
            slowest = (f"; slowest query {float(slow['time']) * 1000:.0f} ms: {slow['sql'][:70]}…" if slow else "")
            selects = [sql for sql in every if sql.lstrip().upper().startswith(("SELECT", "WITH"))]
            t = time_runs(lambda url=url: get(url), args.runs)
            f = time_runs(lambda s=selects: replay(s), args.runs)
            goal = GOAL_MS.get(name, 300)
            bench.row(f"{name} as {username} ({org.name})", t, floor=f,
                      floor_what=f"its {len(selects)} SELECTs replayed", goal=f"≤ {goal} ms (single request)",
                      goal_seconds=goal / 1000, extra=f"{url[:50]}; {len(every)} queries in all{slowest}")
    bench.save()


if __name__ == "__main__":
    main()
