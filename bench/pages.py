"""Page times on the national demo (issue 8: "the app stays responsive on it"): the archive list, a search by
ID number, an archive page, the payment list, a province's coverage page and the root's 2015 report, each
requested through Django's test client (the whole view, templates included, no network) as the national
administrator (``root``) and as 武侯's handler, ``--rounds`` times after one warm-up; median, worst, and the ratio
to a bare request measured in the same run (``/healthz`` through the same client and middleware).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/warmth_national uv run python bench/pages.py

(the same WARMTH_FIELD_KEY / WARMTH_INDEX_KEY as the load; see bench/reports.py for loading the data).
"""

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/warmth_national")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "warmth.settings")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    from warmth.archives.models import Archive
    from warmth.campaigns.models import Campaign
    from warmth.orgs.models import Org, User

    setup_test_environment()
    sichuan = Org.objects.get(code="510000")
    archive = Archive.objects.filter(org__path__startswith=sichuan.path, status="active").order_by("id")[1000]
    campaign = Campaign.objects.filter(org=sichuan).order_by("id").first()
    pages = [
        ("archive list", "/archives/"),
        ("archive search by ID number", f"/archives/?q={archive.id_number}"),
        ("archive page", f"/archives/{archive.pk}/"),
        ("payment list", "/payments/"),
        ("coverage of 四川's season", f"/campaigns/{campaign.pk}/coverage/" if campaign else None),
        ("2015 report at the user's own org", "/reports/warmth-2015/2025/"),
    ]
    def timed(client, url):
        times = []
        for _ in range(args.rounds):
            t = time.perf_counter()
            r = client.get(url)
            times.append(time.perf_counter() - t)
            assert r.status_code == 200, (url, r.status_code)
        return statistics.median(times), max(times)

    for username in ("root", "wh_handler"):
        client = Client(SERVER_NAME="localhost")
        client.force_login(User.objects.get(username=username))
        client.get("/healthz")
        # the bare baseline: the same client and middleware (session, user, actor), a view that does nothing
        bare, _ = timed(client, "/healthz")
        print(f"\nas {username}: bare request (/healthz through the same stack) median {bare * 1000:.1f} ms")
        for name, url in pages:
            if url is None:
                continue
            first = client.get(url)
            if first.status_code != 200:
                print(f"  {name:36} {url}: HTTP {first.status_code} (skipped)")
                continue
            median, worst = timed(client, url)
            print(f"  {name:36} median {median * 1000:7.0f} ms, worst {worst * 1000:7.0f} ms, "
                  f"{median / bare:6.1f}× bare   {url[:60]}")


if __name__ == "__main__":
    main()
