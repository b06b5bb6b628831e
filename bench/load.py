"""Load test (issue 8): a mixed workload of simulated users against the production server set-up (gunicorn with
the deployment's worker count, the background-job worker, PostgreSQL), on loopback, bounded in time.

Targets: 0 errors; p95 ≤ 300 ms for pages; archive search by ID number p95 ≤ 150 ms.

The database must hold the national demo (see bench/reports.py for the load); run with its keys:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/warmth_national uv run python bench/load.py \
        [--users 50] [--seconds 60] [--workers CORES] [--think 1-3] [--bare-seconds 30]

Each simulated user is a county or city handler with a session (made in the database, as a login would:
logging in is not part of the workload) and an API token; it loops over the tasks below by weight, with a
random pause between requests (``--think``, seconds; locust's usual ``between(1, 3)``). Payment creation writes
real drafts into the database: each run takes fresh households that have no payment in the season, and the
drafts stay (they are records like any other). Nothing here is timed inside the server: every figure is what
the client saw.

Workload (weight): archive list 3, archive search by ID number 3, archive page 3, payment list 2, report fill
(the 2015 form at the user's org) 1, payment create + submit (API) 1, payment approve (API, a
colleague approves the first step) 1.
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

# (county handler, a reviewer above who may approve its payments) of the national demo
ACCOUNT = "6222020200112233445"
PAIRS = [("wh_handler", "cd_reviewer")]
CITY_USERS = ["cd_handler"]


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
        conn.request(method, path, body=data, headers=headers)
        r = conn.getresponse()
        payload = r.read()
        ms = (time.perf_counter() - t) * 1000
        conn.close()
        return r.status, payload, ms


def prepare(n_users):
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    from warmth.archives.models import Archive
    from warmth.funds.models import FundPot
    from warmth.orgs.access import actor_for
    from warmth.orgs.middleware import LOGIN_AT_KEY, SEEN_KEY
    from warmth.orgs.models import User
    from warmth.orgs.services import token_create
    from warmth.payments.models import Payment

    store = import_string(settings.SESSION_ENGINE + ".SessionStore")

    def session(user):
        s = store()
        s[SESSION_KEY] = str(user.pk)
        s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        s[HASH_SESSION_KEY] = user.get_session_auth_hash()
        s[LOGIN_AT_KEY] = int(time.time())
        s[SEEN_KEY] = int(time.time())
        s.create()
        return f"{settings.SESSION_COOKIE_NAME}={s.session_key}"

    users = []
    for i in range(n_users):
        if i % 10 == 9:
            name, approver = CITY_USERS[0], None
        else:
            name, approver = PAIRS[i % len(PAIRS)]
        u = User.objects.get(username=name)
        actor = actor_for(u)
        org = actor.org
        entry = {"name": name, "cookie": session(u), "token": token_create(actor=actor, name=f"load-{i}")[1]}
        if approver:
            a = User.objects.get(username=approver)
            entry["approver_token"] = token_create(actor=actor_for(a), name=f"load-approve-{i}")[1]
            entry["pot"] = (FundPot.objects.filter(org=org, year=2025, purpose="warmth").order_by("-id")
                            .values_list("id", flat=True).first())
        users.append(entry)
    wh = users[0]
    from warmth.orgs.models import Org

    wuhou = Org.objects.get(code="510107")
    here = list(Archive.objects.filter(org__path__startswith=wuhou.path, status="active")
                .values_list("pk", "archive_no"))
    paid = set(Payment.objects.filter(pot__year=2025, archive_id__in=[pk for pk, _ in here])
               .values_list("archive_id", flat=True))
    rnd = random.Random(7)
    fresh = [no for pk, no in here if pk not in paid]
    rnd.shuffle(fresh)
    sample = list(Archive.objects.filter(pk__in=rnd.sample([pk for pk, _ in here], 300)))
    print(f"{len(here):,} filed households at 武侯, {len(fresh):,} without a payment this season", flush=True)
    ids = [a.id_number for a in sample]
    pks = [a.pk for a in sample]
    return users, fresh, ids, pks, wh


def deployed_url(url: str) -> str:
    """The database URL with the options deploy/warmth.env.example gives production (persistent connections:
    without ``conn_max_age`` every request would open a PostgreSQL connection of its own)."""
    with open(os.path.join(ROOT, "deploy", "warmth.env.example"), encoding="utf-8") as fh:
        example = fh.read()
    wanted = re.search(r"^DATABASE_URL=[^?\s]*\?(\S+)", example, re.M)
    if not wanted or "?" in url:
        return url
    return f"{url}?{wanted.group(1)}"


def start_server(workers):
    env = dict(os.environ, WARMTH_ENV="production", WARMTH_ALLOWED_HOSTS="localhost,127.0.0.1",
               WARMTH_BEHIND_PROXY="1", WARMTH_SSL_REDIRECT="1",
               WARMTH_LOG_LEVEL="WARNING", DATABASE_URL=deployed_url(os.environ["DATABASE_URL"]))
    print(f"server database: {env['DATABASE_URL']}", flush=True)
    subprocess.run([sys.executable, "-m", "django", "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT,
                   check=True)
    web = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "gunicorn"), "warmth.wsgi:application",
                            "--bind", f"{HOST}:{PORT}", "--workers", str(workers), "--timeout", "120",
                            "--log-level", "warning"], env=env, cwd=ROOT, start_new_session=True)
    worker = subprocess.Popen([sys.executable, "-m", "django", "db_worker", "--interval", "1"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    for _ in range(100):
        try:
            status, _, _ = Client().request("GET", "/login/")
            if status == 200:
                return web, worker
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not come up")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--workers", type=int, default=os.cpu_count(),
                    help="gunicorn workers (docs/deployment.md: as many as the cores)")
    ap.add_argument("--think", default="1-3", help="pause between a user's requests, seconds: LOW-HIGH")
    ap.add_argument("--bare-seconds", type=int, default=30,
                    help="the baseline phase first: the same users and pauses, every request GET /healthz")
    args = ap.parse_args()
    lo, hi = (float(x) for x in args.think.split("-"))
    users, fresh, ids, pks, _ = prepare(args.users)
    fresh_lock = threading.Lock()
    drafts: list[tuple[int, str]] = []  # (payment id, approver token) waiting for approval
    print("starting gunicorn and the worker", flush=True)
    web, worker = start_server(args.workers)
    print("running", flush=True)
    results = defaultdict(list)
    errors = defaultdict(list)
    lock = threading.Lock()
    stop_at = time.monotonic() + args.seconds

    def record(name, status, ms, want=(200,), body=b""):
        with lock:
            results[name].append(ms)
            if status not in want:
                errors[name].append((status, body[:200].decode("utf-8", "replace")))

    def user_loop(u, seed, bare=False):
        rnd = random.Random(seed)
        page = Client(cookie=u["cookie"])
        if bare:  # the bare baseline: the whole stack (gunicorn, middleware, session, actor), a view doing nothing
            time.sleep(rnd.uniform(0, hi))
            while time.monotonic() < stop_at:
                record("bare", *page.request("GET", "/healthz")[::2])
                time.sleep(rnd.uniform(lo, hi))
            return
        api = Client(token=u["token"])
        tasks = [("archive list", 3), ("archive search by ID", 3), ("archive page", 3), ("payment list", 2),
                 ("report fill", 1)]
        if u.get("pot"):
            tasks += [("payment create+submit", 1), ("payment approve", 1)]
        names = [t for t, _ in tasks]
        weights = [w for _, w in tasks]
        time.sleep(rnd.uniform(0, hi))
        while time.monotonic() < stop_at:
            name = rnd.choices(names, weights)[0]
            if name == "archive list":
                record(name, *page.request("GET", "/archives/")[::2])
            elif name == "archive search by ID":
                st, body, ms = page.request("GET", f"/archives/?q={rnd.choice(ids)}")
                record(name, st, ms, body=body)
            elif name == "archive page":
                st, body, ms = page.request("GET", f"/archives/{rnd.choice(pks)}/")
                record(name, st, ms, body=body)
            elif name == "payment list":
                st, body, ms = page.request("GET", "/payments/")
                record(name, st, ms, body=body)
            elif name == "report fill":
                st, body, ms = page.request("GET", "/reports/warmth-2015/2025/")
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

    warm = Client(cookie=users[0]["cookie"])  # every gunicorn worker imports and connects before the clock runs
    for _ in range(3 * args.workers):
        for path in ("/archives/", f"/archives/{pks[0]}/", f"/archives/?q={ids[0]}", "/payments/",
                     "/reports/warmth-2015/2025/"):
            warm.request("GET", path)
    def phase(seconds, bare):
        nonlocal stop_at
        started = time.monotonic()
        stop_at = started + seconds
        threads = [threading.Thread(target=user_loop, args=(u, i, bare), daemon=True) for i, u in enumerate(users)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return time.monotonic() - started

    try:
        if args.bare_seconds:
            phase(args.bare_seconds, True)
        bare = results.pop("bare", [])
        errors.pop("bare", None)
        elapsed = phase(args.seconds, False)
    finally:
        for p in (web, worker):
            os.killpg(p.pid, signal.SIGTERM)
        for p in (web, worker):
            p.wait(timeout=30)
    total = sum(len(v) for v in results.values())
    n_err = sum(len(v) for v in errors.values())
    print(f"{args.users} users, {args.seconds} s, gunicorn {args.workers} workers + db_worker, think "
          f"{args.think} s: {total} requests in {elapsed:.1f} s ({total / elapsed:.1f}/s), {n_err} errors")
    def line(name, ms):
        p50, p95 = statistics.median(ms), percentile(ms, 95)
        ratio = f"{p50 / statistics.median(bare):7.1f}× {p95 / percentile(bare, 95):6.1f}×" if bare else ""
        print(f"{name:24} {len(ms):6} {p50:8.0f} {p95:8.0f} {max(ms):8.0f}  {ratio}")

    print(f"{'task':24} {'n':>6} {'median':>8} {'p95':>8} {'max':>8}  (ms)  ratio to bare: median, p95")
    if bare:
        line(f"bare /healthz ({args.bare_seconds} s)", bare)
    pages = []
    for name, ms in sorted(results.items()):
        if not name.startswith("payment create") and name != "payment approve":
            pages += ms
        line(name, ms)
    line("all pages", pages)
    for name, errs in errors.items():
        print(f"errors in {name}: {len(errs)}, first: {errs[0]}")
    search = results.get("archive search by ID", [])
    print(f"targets: 0 errors ({'met' if n_err == 0 else 'NOT met'}); pages p95 ≤ 300 ms "
          f"({'met' if percentile(pages, 95) <= 300 else 'NOT met'}); search p95 ≤ 150 ms "
          f"({'met' if percentile(search, 95) <= 150 else 'NOT met'})")


if __name__ == "__main__":
    main()
