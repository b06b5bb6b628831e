"""Load test (issues 8 and 23): simulated users against the production server set-up (gunicorn with the
deployment's worker count, the background-job worker, PostgreSQL), on loopback, bounded in time, one scenario per
mix, each the same length:

- ``county``: county and city handlers (45 武侯 county handlers, 5 成都 city handlers of every 50): archive list 3,
  archive search by ID number 3, archive page 3, payment list 2, report fill (the 2015 form at the user's org) 1,
  payment create + submit (API) 1, payment approve (API, a colleague approves the first step) 1;
- ``national`` (``--national-users``, default 10: such users are few): the root's and the provinces' users (1 in 5
  the national administrator ``root``, the others
  四川's administrator and leader and 海南's handler): archive list 3, archive search by ID number 3, payment list 2,
  report page (the 2015 form at the user's own org: the whole country for the root) 1, season coverage of the
  user's own org 1. Read-only.

Every figure is kept per request kind and role (county / city; root / province).

Goals: 0 errors; pages p95 ≤ 300 ms; archive search by ID number p95 ≤ 150 ms; the archive list p95 ≤ 150 ms
(issue 23's measurements).

    source /work/national.env   # the national demo's DATABASE_URL and keys
    uv run python bench/load.py [--mix county --mix national] [--users 50] [--national-users 10] [--seconds 60] \
        [--workers CORES] [--think 1-3] [--pin] [--bare-seconds 0]

Each simulated user has a session (made in the database, as a login would: logging in is not part of the
workload) and an API token; it loops over its mix by weight, with a random pause between requests (``--think``,
seconds; locust's usual ``between(1, 3)``). Payment creation (county mix) writes real drafts into the database:
each run takes fresh households of 武侯 that have no payment in the season, and the drafts stay. Every figure is
what the client saw (no timing inside the server).

The load generator's own CPU time per scenario is printed and saved (``os.times``), so the reader sees how much of
the cores it took (about 1 % of one core for 50 users: it mostly sleeps). ``--pin`` pins the server (gunicorn and
the job worker) to core 0 and this process to core 1 (``taskset``; PostgreSQL is left where the operating system
puts it); on two cores that halves the server's CPU, so it is not the default.

Floor of each request kind: the single-request time of the same page, measured in the same run on the idle
server just before the scenario (3 sequential requests by the same role, median). The figure is the p95 under
load; the ratio p95 / single request is the cost of the load (queueing for the cores), not of the code.
``--bare-seconds N`` first runs a phase where every request is ``GET /healthz`` (the whole stack, a view doing
nothing). Results: bench/results/load.json (one row per mix and request kind).
"""

import argparse
import http.client
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/warmth_national")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "warmth.settings")
os.environ.setdefault("WARMTH_SECRET_KEY", "load-test-" + "x" * 60)  # the sessions made here must verify there
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
HOST, PORT = "127.0.0.1", 8765

from bench.common import Bench, Timing  # noqa: E402

# (county handler, a reviewer above who may approve its payments) of the national demo
ACCOUNT = "6222020200112233445"
PAIRS = [("wh_handler", "cd_reviewer")]
CITY_USERS = ["cd_handler"]
ROOT_USER = "root"
PROVINCE_USERS = ["sc_admin", "sc_leader", "hn_handler"]
YEAR = 2025

MIXES = {
    "county": [("archive list", 3), ("archive search by ID", 3), ("archive page", 3), ("payment list", 2),
               ("report fill", 1), ("payment create+submit", 1), ("payment approve", 1)],
    "national": [("archive list", 3), ("archive search by ID", 3), ("payment list", 2), ("report page", 1),
                 ("coverage", 1)],
}
WRITES = ("payment create+submit", "payment approve")
GOALS_MS = {"archive search by ID": 150, "archive list": 150}  # the rest: pages p95 ≤ 300 ms
PAGE_GOAL_MS = 300


def percentile(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    k = min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))
    return s[k]


class Client:
    def __init__(self, cookie="", token=""):
        self.cookie, self.token = cookie, token

    def request(self, method, path, body=None):
        conn = http.client.HTTPConnection(HOST, PORT, timeout=60)
        headers = {"Host": "localhost", "X-Forwarded-Proto": "https"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        t = time.perf_counter()
        try:
            conn.request(method, path, body=data, headers=headers)
            r = conn.getresponse()
            status, payload = r.status, r.read()
        except OSError as exc:  # a timeout or a refused connection: an error of the request, not of the test
            status, payload = 0, repr(exc).encode()
        ms = (time.perf_counter() - t) * 1000
        conn.close()
        return status, payload, ms


def prepare(n_users, n_national, mixes):
    """The users of each mix (sessions and tokens made in the database), and what their requests pick from."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    from warmth.archives.models import Archive
    from warmth.funds.models import FundPot
    from warmth.orgs.access import actor_for
    from warmth.orgs.middleware import LOGIN_AT_KEY, SEEN_KEY
    from warmth.orgs.models import Org, User
    from warmth.orgs.services import token_create
    from warmth.payments.models import Payment

    store = import_string(settings.SESSION_ENGINE + ".SessionStore")
    rnd = random.Random(7)

    def session(user):
        s = store()
        s[SESSION_KEY] = str(user.pk)
        s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        s[HASH_SESSION_KEY] = user.get_session_auth_hash()
        s[LOGIN_AT_KEY] = int(time.time())
        s[SEEN_KEY] = int(time.time())
        s.create()
        return f"{settings.SESSION_COOKIE_NAME}={s.session_key}"

    samples = {}  # org path -> (archive pks, their ID numbers): what a user of that org opens and searches for

    def sample(org):
        if org.path not in samples:
            pks = list(Archive.objects.filter(org__path__startswith=org.path, status="active")
                       .values_list("pk", flat=True))
            chosen = list(Archive.objects.filter(pk__in=rnd.sample(pks, min(300, len(pks)))))
            samples[org.path] = ([a.pk for a in chosen], [a.id_number for a in chosen])
        return samples[org.path]

    users = {}
    fresh = []
    if "county" in mixes:
        out = []
        for i in range(n_users):
            if i % 10 == 9:
                name, approver = CITY_USERS[0], None
            else:
                name, approver = PAIRS[i % len(PAIRS)]
            u = User.objects.get(username=name)
            actor = actor_for(u)
            pks, ids = sample(actor.org)
            entry = {"name": name, "role": actor.org.level, "cookie": session(u), "pks": pks, "ids": ids,
                     "token": token_create(actor=actor, name=f"load-{i}")[1]}
            if approver:
                a = User.objects.get(username=approver)
                entry["approver_token"] = token_create(actor=actor_for(a), name=f"load-approve-{i}")[1]
                entry["pot"] = (FundPot.objects.filter(org=actor.org, year=YEAR, purpose="warmth").order_by("-id")
                                .values_list("id", flat=True).first())
            out.append(entry)
        users["county"] = out
        wuhou = Org.objects.get(code="510107")
        here = list(Archive.objects.filter(org__path__startswith=wuhou.path, status="active")
                    .values_list("pk", "archive_no"))
        paid = set(Payment.objects.filter(pot__year=YEAR, archive_id__in=[pk for pk, _ in here])
                   .values_list("archive_id", flat=True))
        fresh = [no for pk, no in here if pk not in paid]
        rnd.shuffle(fresh)
        print(f"{len(here):,} filed households at 武侯, {len(fresh):,} without a payment this season", flush=True)
    if "national" in mixes:
        out = []
        for i in range(n_national):
            name = ROOT_USER if i % 5 == 0 else PROVINCE_USERS[i % len(PROVINCE_USERS)]
            u = User.objects.get(username=name)
            actor = actor_for(u)
            pks, ids = sample(actor.org)
            out.append({"name": name, "role": "root" if name == ROOT_USER else "province", "cookie": session(u),
                        "pks": pks, "ids": ids})
        users["national"] = out
    return users, fresh


def deployed_url(url: str) -> str:
    """The database URL with the options deploy/warmth.env.example gives production (persistent connections:
    without ``conn_max_age`` every request would open a PostgreSQL connection of its own)."""
    with open(os.path.join(ROOT, "deploy", "warmth.env.example"), encoding="utf-8") as fh:
        example = fh.read()
    wanted = re.search(r"^DATABASE_URL=[^?\s]*\?(\S+)", example, re.M)
    if not wanted or "?" in url:
        return url
    return f"{url}?{wanted.group(1)}"


def start_server(workers, pin):
    env = dict(os.environ, WARMTH_ENV="production", WARMTH_ALLOWED_HOSTS="localhost,127.0.0.1",
               WARMTH_BEHIND_PROXY="1", WARMTH_SSL_REDIRECT="1",
               WARMTH_LOG_LEVEL="WARNING", DATABASE_URL=deployed_url(os.environ["DATABASE_URL"]))
    print(f"server database: {env['DATABASE_URL']}", flush=True)
    subprocess.run([sys.executable, "-m", "django", "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT,
                   check=True)
    prefix = ["taskset", "-c", "0"] if pin else []
    web = subprocess.Popen([*prefix, os.path.join(os.path.dirname(sys.executable), "gunicorn"),
                            "warmth.wsgi:application", "--bind", f"{HOST}:{PORT}", "--workers", str(workers),
                            "--timeout", "120", "--log-level", "warning"], env=env, cwd=ROOT, start_new_session=True)
    worker = subprocess.Popen([*prefix, sys.executable, "-m", "django", "db_worker", "--interval", "1"], env=env,
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    for _ in range(100):
        try:
            status, _, _ = Client().request("GET", "/login/")
            if status == 200:
                return web, worker
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not come up")


def cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system


def url_of(kind, u, rnd):
    """The GET of a read request kind for user ``u`` (None: a write, done in the loop)."""
    return {
        "archive list": "/archives/",
        "archive search by ID": f"/archives/?q={rnd.choice(u['ids'])}" if u["ids"] else "/archives/?q=x",
        "archive page": f"/archives/{rnd.choice(u['pks'])}/" if u["pks"] else "/archives/",
        "payment list": "/payments/",
        "report fill": f"/reports/warmth-2015/{YEAR}/",
        "report page": f"/reports/warmth-2015/{YEAR}/",
        "coverage": f"/campaigns/coverage/?year={YEAR}",
    }.get(kind)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mix", action="append", choices=sorted(MIXES),
                    help="a scenario, run after the other (default: county then national)")
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=60, help="length of each scenario")
    ap.add_argument("--workers", type=int, default=os.cpu_count(),
                    help="gunicorn workers (docs/deployment.md: as many as the cores)")
    ap.add_argument("--think", default="1-3", help="pause between a user's requests, seconds: LOW-HIGH")
    ap.add_argument("--national-users", type=int, default=10,
                    help="users of the national mix (the root's and the provinces' users are few)")
    ap.add_argument("--pin", action="store_true",
                    help="pin the server to core 0 and this generator to core 1 (halves the server's CPU on two cores)")
    ap.add_argument("--bare-seconds", type=int, default=0,
                    help="a baseline phase first: the county users and pauses, every request GET /healthz")
    ap.add_argument("--single", type=int, default=3, help="idle single requests per kind and role (the floor)")
    args = ap.parse_args()
    mixes = args.mix or ["county", "national"]
    lo, hi = (float(x) for x in args.think.split("-"))
    pin = args.pin and (os.cpu_count() or 1) >= 2
    bench = Bench("load")
    users, fresh = prepare(args.users, args.national_users, mixes)
    fresh_lock = threading.Lock()
    drafts: list[tuple[int, str]] = []  # (payment id, approver token) waiting for approval
    print("starting gunicorn and the worker" + (" on core 0; this generator on core 1" if pin else ""), flush=True)
    web, worker = start_server(args.workers, pin)
    if pin:
        os.sched_setaffinity(0, {1})
    lock = threading.Lock()
    stop_at = time.monotonic()

    def user_loop(u, seed, mix, results, errors, bare=False):
        rnd = random.Random(seed)
        page = Client(cookie=u["cookie"])

        def record(name, status, ms, want=(200,), body=b""):
            key = f"{name} ({u['role']})"
            with lock:
                results[key].append(ms)
                if status not in want:
                    errors[key].append((status, body[:200].decode("utf-8", "replace")))

        if bare:  # the whole stack (gunicorn, middleware, session, actor), a view doing nothing
            time.sleep(rnd.uniform(0, hi))
            while time.monotonic() < stop_at:
                st, body, ms = page.request("GET", "/healthz")
                record("bare /healthz", st, ms, body=body)
                time.sleep(rnd.uniform(lo, hi))
            return
        api = Client(token=u.get("token", ""))
        tasks = [(t, w) for t, w in MIXES[mix] if t not in WRITES or u.get("pot")]
        names = [t for t, _ in tasks]
        weights = [w for _, w in tasks]
        time.sleep(rnd.uniform(0, hi))
        while time.monotonic() < stop_at:
            name = rnd.choices(names, weights)[0]
            url = url_of(name, u, rnd)
            if url is not None:
                st, body, ms = page.request("GET", url)
                record(name, st, ms, body=body)
            elif name == "payment create+submit":
                with fresh_lock:
                    no = fresh.pop() if fresh else None
                if no is None:
                    continue
                st, body, ms = api.request("POST", "/api/payments/", {
                    "pot": u["pot"], "archive_no": no, "aid_type": "送温暖慰问", "amount": "500", "method": "bank",
                    "bank_account": ACCOUNT})
                total = ms
                if st == 201:
                    pid = json.loads(body)["id"]
                    st, body, ms = api.request("POST", f"/api/payments/{pid}/submit", {})
                    total += ms
                    if st == 200:
                        with lock:
                            drafts.append((pid, u["approver_token"]))
                record(name, st, total, want=(200, 201), body=body)
            elif name == "payment approve":
                with lock:
                    item = drafts.pop(0) if drafts else None
                if item is None:
                    continue
                pid, token = item
                st, body, ms = Client(token=token).request("POST", f"/api/payments/{pid}/approve",
                                                           {"note": "同意"})
                record(name, st, ms, body=body)
            time.sleep(rnd.uniform(lo, hi))

    def phase(mix, seconds, bare=False):
        nonlocal stop_at
        results, errors = defaultdict(list), defaultdict(list)
        cpu, started = cpu_seconds(), time.monotonic()
        stop_at = started + seconds
        threads = [threading.Thread(target=user_loop, args=(u, i, mix, results, errors, bare), daemon=True)
                   for i, u in enumerate(users[mix])]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return results, errors, time.monotonic() - started, cpu_seconds() - cpu

    def singles(mix):
        """Each read kind requested alone on the idle server, ``--single`` times per role: the floor."""
        out = {}
        rnd = random.Random(11)
        for role in dict.fromkeys(u["role"] for u in users[mix]):
            u = next(x for x in users[mix] if x["role"] == role)
            page = Client(cookie=u["cookie"])
            for kind, _ in MIXES[mix]:
                if kind in WRITES:
                    continue
                runs = []
                for _ in range(args.single):
                    st, body, ms = page.request("GET", url_of(kind, u, rnd))
                    if st != 200:
                        raise SystemExit(f"{u['name']}: {kind} answered {st}: {body[:200]!r}")
                    runs.append(ms / 1000)
                key = f"{kind} ({role})"
                out.setdefault(key, []).extend(runs)
        return {k: Timing(v) for k, v in out.items()}

    summary = []
    try:
        for mix in mixes:  # every worker imports and connects, every page is cached as it would be, before a clock
            singles(mix)
        if args.bare_seconds:
            res, _, elapsed, cpu = phase(mixes[0], args.bare_seconds, bare=True)
            ms = next(iter(res.values()), [])
            bench.note(f"bare phase ({args.bare_seconds} s, GET /healthz, {mixes[0]} users): n {len(ms)}, p50 "
                       f"{statistics.median(ms):.0f} ms, p95 {percentile(ms, 95):.0f} ms; generator CPU {cpu:.1f} s")
        for mix in mixes:
            floor = singles(mix)
            results, errors, elapsed, cpu = phase(mix, args.seconds)
            summary.append((mix, results, errors, elapsed, cpu, floor))
    finally:
        for p in (web, worker):
            os.killpg(p.pid, signal.SIGTERM)
        for p in (web, worker):
            p.wait(timeout=30)

    setup = (f"{args.users} county-mix users, {args.national_users} national-mix users, {args.seconds} s each, "
             f"think {args.think} s, gunicorn {args.workers} workers + "
             f"db_worker" + (" pinned to core 0, the generator to core 1, PostgreSQL unpinned" if pin
                             else ", the generator on the same cores (not pinned)"))
    bench.note(setup)
    for mix, results, errors, elapsed, cpu, floor in summary:
        total = sum(len(v) for v in results.values())
        n_err = sum(len(v) for v in errors.values())
        bench.note(f"mix {mix}: {total} requests in {elapsed:.1f} s ({total / elapsed:.1f}/s), {n_err} errors; "
                   f"the generator used {cpu:.1f} s of CPU ({cpu / elapsed * 100:.0f} % of one core)")
        print(f"{'task':34} {'n':>6} {'p50':>7} {'p95':>7} {'max':>7}  single (ms)")
        pages = []
        for name, ms in sorted(results.items()):
            kind = name.split(" (")[0]
            p50, p95 = statistics.median(ms), percentile(ms, 95)
            single = floor.get(name)
            if kind not in WRITES:
                pages += ms
            goal_ms = None if kind in WRITES else GOALS_MS.get(kind, PAGE_GOAL_MS)
            print(f"{name:34} {len(ms):6} {p50:7.0f} {p95:7.0f} {max(ms):7.0f}  "
                  f"{single.median * 1000 if single else float('nan'):7.0f}")
            row = bench.row(f"{mix} mix: {name}, p95 under load", Timing([p95 / 1000]), floor=single,
                            floor_what="single request, idle server, same run" if single else "",
                            goal=f"p95 ≤ {goal_ms} ms" if goal_ms else "",
                            goal_seconds=goal_ms / 1000 if goal_ms else None, value=f"{p95:.0f} ms",
                            extra=f"n {len(ms)}, p50 {p50:.0f} ms, max {max(ms):.0f} ms, "
                                  f"errors {len(errors.get(name, []))}")
            row["spread"] = ""
            if errors.get(name):
                row["met"] = False
        if pages:
            row = bench.row(f"{mix} mix: all pages, p95 under load", Timing([percentile(pages, 95) / 1000]),
                            goal=f"p95 ≤ {PAGE_GOAL_MS} ms, 0 errors", goal_seconds=PAGE_GOAL_MS / 1000,
                            value=f"{percentile(pages, 95):.0f} ms",
                            extra=f"n {len(pages)}, p50 {statistics.median(pages):.0f} ms, max {max(pages):.0f} ms, "
                                  f"errors {n_err} of {total}")
            row["spread"] = ""
            if n_err:
                row["met"] = False
        for name, errs in errors.items():
            bench.note(f"mix {mix}: errors in {name}: {len(errs)}, first: {errs[0]}")
    bench.note("one run of each scenario (a load test is not repeated three times); the floor of each row is the "
               "median of the single requests of that kind and role on the idle server just before the scenario")
    bench.save()


if __name__ == "__main__":
    main()
