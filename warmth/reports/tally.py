"""The tally: each org's own figures per season, so a statistics form at a city, a province or the root adds up
a few rows per org instead of scanning millions of archives, members, visits and payments.

- ``Tally`` holds one row per (org, season) with the org's OWN archives, members, visits and payments, computed
  with the very expressions the live sources use (``sources.ARCHIVE_EXPRS``, ``visit_exprs``,
  ``payment_exprs``); season 0 is the archive as it stands now (在档 now: ``archives.queries.filed_on()``). A
  subtree's figure is the sum of its orgs' rows: every record belongs to exactly one org, so nothing counts
  twice.
- One figure is not a plain sum: households visited count an archive once however many visits it had. Inside
  one org the row counts it once (``COUNT(DISTINCT archive)``); an archive visited at two orgs in a season (it
  moved between the visits) gets a ``TallyOverlap`` row of −1 at the lowest common ancestor of each pair of
  its visiting orgs that are neighbours in tree order. A subtree holding k of its visiting orgs then sums
  k − (k − 1) = 1, and 0 when it holds none (the standard count of distinct colours in a subtree).
- Freshness: database triggers (migration ``reports 0003``) write the org of every inserted, updated or
  deleted archive, member, visit and payment to ``TallyDirty``, whatever wrote it (the ORM, the importer,
  the batch writer's ``COPY``, a manual SQL fix); an archive whose class or org changes also marks the orgs of
  its visits and payments, and an org whose path changes (a move) marks itself. ``totals`` refreshes the
  dirty orgs before it sums, so a form always shows the records as they are; the worker's periodic job and
  ``warmth reports tally`` do the same ahead of time.
- A refresh first deletes the dirty marks it can see, then recomputes those orgs: a writer that has not
  committed yet keeps its mark (it was not visible to the delete) and is picked up by the next refresh.
  Refreshes are serialized (an advisory lock on PostgreSQL; SQLite has one writer anyway).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import Coalesce, ExtractYear

from warmth.archives.choices import ArchiveStatus, ExitReason
from warmth.archives.models import Archive, FamilyMember
from warmth.archives.queries import FILED_STATUSES, filed_on
from warmth.campaigns.choices import VisitKind
from warmth.core.dbrouter import leave_replica
from warmth.core.money import to_wanyuan
from warmth.orgs.models import Org
from warmth.payments.models import Payment
from warmth.reports import sources
from warmth.reports.models import Tally, TallyDirty, TallyOverlap
from warmth.visits.models import Visit

NOW = 0                  # the season of the year-independent figures (the archive as it stands)
CHUNK = 2000             # orgs per recomputation query
FULL_AT = 20000          # more dirty orgs than this: recompute everything (one pass is cheaper)
LOCK_KEY = 7_420_151     # pg_advisory_xact_lock key of the refresh

COUNT_FIELDS = ("households", "migrant_households", "below_dibao", "near_dibao", "accident", "workers",
                "migrant_workers", "lifted", "visited", "visited_workers", "visited_migrants", "visited_models",
                "enterprises", "enterprises_in_difficulty", "frontline")
MONEY_FIELDS = ("paid", "paid_models", "paid_migrants")
VISIT_FIELDS = ("visited", "visited_workers", "visited_migrants", "visited_models")  # in VISIT_CLASSES order
STEP = Org.steplen


def _chunks(ids: list[int] | None) -> Iterable[list[int] | None]:
    if ids is None:
        yield None
        return
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


def _own(qs, field: str, ids: list[int] | None):
    return qs if ids is None else qs.filter(**{f"{field}__in": ids})


def _compute(ids: list[int] | None) -> dict[tuple[int, int], dict]:
    """The rows of these orgs (None: every org), keyed (org id, season)."""

    rows: dict[tuple[int, int], dict] = defaultdict(dict)
    filed = Archive.objects.filter(filed_on())  # 在档 now: the season-0 rows are the archive as it stands
    for r in (_own(filed, "org_id", ids).values("org_id").order_by()
              .annotate(**{k: f() for k, f in sources.ARCHIVE_EXPRS.items()})):
        rows[r["org_id"], NOW].update(households=r["households"], migrant_households=r["migrant"],
                                      below_dibao=r["below"], near_dibao=r["near"], accident=r["accident"],
                                      workers=r["households"], migrant_workers=r["migrant"])
    members = FamilyMember.objects.filter(archive__status__in=FILED_STATUSES)  # the members of ``filed``
    for r in (_own(members, "archive__org_id", ids).values(o=F("archive__org_id")).order_by()
              .annotate(**{k: f() for k, f in sources.MEMBER_EXPRS.items()})):
        row = rows[r["o"], NOW]
        row["workers"] = row.get("workers", 0) + r["workers"]
        row["migrant_workers"] = row.get("migrant_workers", 0) + r["migrants"]
    lifted = Archive.objects.filter(status=ArchiveStatus.EXITED, exit_reason=ExitReason.RECOVERED,
                                    exited_at__isnull=False)
    for r in (_own(lifted, "org_id", ids).values("org_id", y=ExtractYear("exited_at")).order_by()
              .annotate(n=Count("id"))):
        rows[r["org_id"], r["y"]]["lifted"] = r["n"]
    visits = Visit.objects.filter(voided=False)
    for r in (_own(visits, "org_id", ids).values("org_id", y=F("campaign__year")).order_by()
              .annotate(**sources.visit_exprs())):
        row = rows[r["org_id"], r["y"]]
        for i, field in enumerate(VISIT_FIELDS):
            row[field] = r[f"a{i}"] + r[f"o{i}"]
        row.update(enterprises=r["enterprises"], enterprises_in_difficulty=r["difficult"],
                   frontline=r["frontline"], paid=r["cash"] or 0, paid_models=r["cash_models"] or 0,
                   paid_migrants=r["cash_migrants"] or 0)
    paid = Payment.objects.filter(status__in=sources.PAID_STATUSES)
    for r in (_own(paid, "org_id", ids).values("org_id", y=F("pot__year")).order_by()
              .annotate(**sources.payment_exprs())):
        row = rows[r["org_id"], r["y"]]
        for field, part in (("paid", "total"), ("paid_models", "models"), ("paid_migrants", "migrants")):
            row[field] = Decimal(row.get(field) or 0) + Decimal(r[part] or 0)
    return rows


def _lca(a: str, b: str) -> str:
    n = 0
    while n + STEP <= min(len(a), len(b)) and a[n:n + STEP] == b[n:n + STEP]:
        n += STEP
    return a[:n]


def _overlaps(archive_ids: list[int] | None) -> list[TallyOverlap]:
    """The corrections for archives visited at more than one org in a season (of these archives; None: all)."""

    visits = Visit.objects.filter(voided=False, kind=VisitKind.HOUSEHOLD, archive__isnull=False)
    if archive_ids is not None:
        visits = visits.filter(archive_id__in=archive_ids)
    multi = list(visits.values("archive_id", y=F("campaign__year")).order_by()
                 .annotate(n=Count("org_id", distinct=True)).filter(n__gt=1).values_list("archive_id", "y"))
    if not multi:
        return []
    wanted = set(multi)
    seen: dict[tuple[int, int], set[str]] = defaultdict(set)
    klass: dict[int, tuple[bool, bool]] = {}
    for aid, y, path, mtype, identity in (visits.filter(archive_id__in={a for a, _ in multi})
                                          .values_list("archive_id", "campaign__year", "org__path",
                                                       "archive__model_worker_type", "archive__identity")):
        if (aid, y) in wanted:
            seen[aid, y].add(path)
            model = mtype not in ("", "非劳模")
            klass[aid] = (model, identity == "农民工")
    lcas = [(aid, y, _lca(p, q)) for (aid, y), paths in seen.items()
            for p, q in zip(sorted(paths), sorted(paths)[1:], strict=False)]
    org_of = dict(Org.objects.filter(path__in={p for _, _, p in lcas}).values_list("path", "id"))
    out = []
    for aid, y, path in lcas:
        if path not in org_of:  # no common ancestor: no subtree holds both
            continue
        model, migrant = klass[aid]
        out.append(TallyOverlap(year=y, archive_id=aid, org_id=org_of[path], visited=-1,
                                visited_workers=0 if model else -1,
                                visited_migrants=-1 if (migrant and not model) else 0,
                                visited_models=-1 if model else 0))
    return out


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def refresh(*, full: bool = False, progress: Callable[[str], None] | None = None) -> dict:
    """Bring the tally up to date: the dirty orgs (or every org with ``full``). Returns what it did."""

    started = time.perf_counter()
    say = progress or (lambda _m: None)
    with transaction.atomic():
        _lock()
        if full:
            TallyDirty.objects.all().delete()
            ids = None
        else:
            marks = list(TallyDirty.objects.values_list("id", "org_id"))
            if not marks:
                return {"orgs": 0, "rows": 0, "overlaps": 0, "seconds": 0.0}
            for i in range(0, len(marks), 10000):
                TallyDirty.objects.filter(id__in=[m for m, _ in marks[i:i + 10000]]).delete()
            ids = sorted({o for _, o in marks})
            if len(ids) > FULL_AT:
                ids = None
        done = written = 0
        overlaps: list[TallyOverlap] = []
        if ids is None:
            Tally.objects.all().delete()
            TallyOverlap.objects.all().delete()
        for chunk in _chunks(ids):
            rows = _compute(chunk)
            if chunk is not None:
                Tally.objects.filter(org_id__in=chunk).delete()
                archives = list(Visit.objects.filter(org_id__in=chunk, archive__isnull=False)
                                .values_list("archive_id", flat=True).distinct())
                for i in range(0, len(archives), 10000):
                    part = archives[i:i + 10000]
                    TallyOverlap.objects.filter(archive_id__in=part).delete()
                    overlaps += _overlaps(part)
            objs = [Tally(org_id=o, year=y, **vals) for (o, y), vals in rows.items()]
            Tally.objects.bulk_create(objs, batch_size=5000)
            written += len(objs)
            done += len(chunk) if chunk is not None else Org.objects.count()
            say(f"统计汇总：已计算 {done} 个组织")
        if ids is None:
            overlaps = _overlaps(None)
        TallyOverlap.objects.bulk_create(overlaps, batch_size=5000)
    return {"orgs": done, "rows": written, "overlaps": len(overlaps),
            "seconds": round(time.perf_counter() - started, 3)}


def totals(org: Org, year: int) -> dict[str, object]:
    """The archive, visit and payment sources of ``org``'s subtree for season ``year``, after a refresh of
    whatever is dirty. The same names and values as ``sources._archive_live`` and ``_visit_live``."""
    if TallyDirty.objects.exists():
        refresh()
        # on a read replica (a report page's scope) the refresh is not replayed yet: sum on the primary
        leave_replica("tally refreshed")
    sums = {f: Coalesce(Sum(f), 0) for f in COUNT_FIELDS}
    sums.update({f: Coalesce(Sum(f), Decimal(0)) for f in MONEY_FIELDS})
    rows = Tally.objects.filter(org__path__startswith=org.path)
    now = rows.filter(year=NOW).aggregate(**{f: sums[f] for f in COUNT_FIELDS[:7]})
    season = rows.filter(year=year).aggregate(**{f: sums[f] for f in COUNT_FIELDS[7:] + MONEY_FIELDS})
    fix = TallyOverlap.objects.filter(org__path__startswith=org.path, year=year).aggregate(
        **{f: Coalesce(Sum(f), 0) for f in VISIT_FIELDS})
    out: dict[str, object] = {
        "archives.households": now["households"], "archives.migrant_households": now["migrant_households"],
        "archives.below_dibao": now["below_dibao"], "archives.near_dibao": now["near_dibao"],
        "archives.accident": now["accident"], "archives.workers": now["workers"],
        "archives.migrant_workers": now["migrant_workers"], "archives.lifted": season["lifted"],
        "visits.enterprises": season["enterprises"],
        "visits.enterprises_in_difficulty": season["enterprises_in_difficulty"],
        "visits.frontline": season["frontline"],
        "payments.paid_total": to_wanyuan(season["paid"] or 0),
        "payments.paid_models": to_wanyuan(season["paid_models"] or 0),
        "payments.paid_migrants": to_wanyuan(season["paid_migrants"] or 0),
    }
    for name, field in zip(sources.VISIT_CLASSES, VISIT_FIELDS, strict=True):
        out[name] = season[field] + fix[field]
    return out


def check(orgs: Iterable[Org], years: Iterable[int]) -> list[str]:
    """The differences between the tally and the live sources at these orgs and seasons (empty: none)."""
    out = []
    for org in orgs:
        for y in years:
            s = sources.Scope(org, y)
            live = {**sources._archive_live(s), **sources._visit_live(s)}
            got = totals(org, y)
            out += [f"{org.code} {y} {k}: 汇总 {got[k]}，实际 {v}" for k, v in live.items() if got[k] != v]
    return out


def mark(org_ids: Iterable[int]) -> None:
    """Mark orgs dirty by hand (what the triggers do; for a repair)."""
    TallyDirty.objects.bulk_create([TallyDirty(org_id=o) for o in set(org_ids)])

