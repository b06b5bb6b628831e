"""The named queries that fill the auto cells of the statistics forms, each over an org's WHOLE subtree and one
season (the year as everywhere here: season 2025 is the 两节 of 2026, the year of its fund pots and campaigns).

Each source gives a value and the records behind it (``records``: a queryset the provenance page lists,
narrowed by the caller to what the user may see). A parent's auto cell is computed from the records of its
subtree, never by adding its children's reports, so nothing counts twice.

What each name counts:

- ``archives.*``: households 在档 in the subtree at the end of the scope's day (``archives.queries.filed_on``:
  approved by then, the exit not yet approved by then; the day is the one the dashboard and coverage print).
  ``households`` all of them; ``migrant_households`` the head's 身份 is 农民工; ``below_dibao`` category 低保户
  (or 深度困难 of the national scheme); ``near_dibao`` 低保边缘户 (相对困难); ``accident`` 意外致困户 (意外致困);
  ``lifted`` archives that left the archive as 脱困 during the season's calendar year; ``workers``/
  ``migrant_workers`` the workers of the filed households (the head and every member whose 身份 is a worker's:
  not students, children, soldiers or farmers), and of those the 农民工.
- ``visits.*``: the season's campaign visits (not voided) to orgs of the subtree. Households count once each
  (全覆盖, 不重复: a second visit to the same archive is not a second household); a visit to another recipient
  kind counts as a household of its class (困难劳模 → model, 农民工 → migrant, 其他生活困难职工 → worker).
  ``worker_households`` includes the 农民工 (the forms' 说明: 困难职工包括困难农民工); ``households`` is the
  workers' and the 困难劳模's together.
- ``funds.*``: money that came into the subtree for the season, in 万元, by the form's source lines: what the
  subtree raised (ledger entries of kind 筹集) and what it received from a union above it (上级下拨收入 from an
  org outside the subtree), each net of its reversals, on the subtree's pots of that year and purpose 送温暖.
  Money passed down inside the subtree is not counted again, so a city's figure is its districts' figures
  plus what the city itself raised or received, never more.
- ``payments.*``: money paid in the subtree for the season: payments approved or later (not reversed) from
  pots of that year, plus cash handed over on visits; ``paid_models``/``paid_migrants`` the part paid to
  困难劳模 / 农民工 households.
- ``activity:<kind>:<field>``: the sum of a field of the dated records of that kind in the subtree whose
  campaign is of the season, or, without a campaign, dated within the season's default window."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from warmth.archives.choices import ArchiveStatus, ExitReason
from warmth.archives.models import Archive, FamilyMember
from warmth.archives.queries import changed_since, filed_in
from warmth.campaigns.choices import KINDS, VisitKind
from warmth.campaigns.models import Activity
from warmth.core.festival import campaign_window
from warmth.core.money import to_wanyuan
from warmth.funds.choices import EntryKind, FundSource, Purpose
from warmth.funds.models import LedgerEntry
from warmth.orgs.models import Org
from warmth.payments.models import Payment
from warmth.reports import tally
from warmth.visits.models import Visit

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Scope:
    org: Org
    year: int
    #: the day the archive figures (在档) are counted on; None: now. ``reports.services.as_of`` gives the
    #: report's day (``campaigns.queries.as_of_day``, the day the dashboard and coverage use too)
    day: date | None = None

    @property
    def now(self) -> bool:
        return self.day is None or self.day >= timezone.localdate()


@dataclass(frozen=True)
class Source:
    name: str
    unit: str                                   # "count" or "wan" (the value is in 万元)
    value: Callable[[Scope], Decimal | int]
    records: Callable[[Scope], QuerySet]


# --- archives ---------------------------------------------------------------------------------------------

def _filed(s: Scope):
    return filed_in(s.org, s.day)


def _archives(extra: Q | None = None):
    def records(s: Scope):
        qs = _filed(s)
        return qs.filter(extra) if extra is not None else qs
    return records


def _lifted(s: Scope):
    return Archive.objects.filter(org__path__startswith=s.org.path, status=ArchiveStatus.EXITED,
                                  exit_reason=ExitReason.RECOVERED, exited_at__year=s.year)


# members who are workers themselves (not students, children, soldiers or farmers)
WORKER_MEMBERS = ("劳模", "在岗", "下（待）岗", "失（无）业", "退休", "离休", "病退", "病休", "内退", "农民工")


def _people(migrant: bool):
    def value(s: Scope) -> int:
        filed = _filed(s)
        heads = filed.filter(identity="农民工").count() if migrant else filed.count()
        members = FamilyMember.objects.filter(archive__in=filed)
        members = members.filter(identity="农民工") if migrant else members.filter(identity__in=WORKER_MEMBERS)
        return heads + members.count()
    return value


# --- visits -------------------------------------------------------------------------------------------------

MODEL_Q = ~Q(archive__model_worker_type__in=["", "非劳模"])
MIGRANT_Q = Q(archive__identity="农民工")


def _visits(s: Scope):
    return Visit.objects.filter(campaign__year=s.year, org__path__startswith=s.org.path, voided=False,
                                kind=VisitKind.HOUSEHOLD)


def _class_q(klass: str) -> Q:
    """Household visits of one class: archives by the archive's fields (as the group rule counts them), other
    recipients by their kind."""
    if klass == "model":
        return (Q(archive__isnull=False) & MODEL_Q) | Q(archive__isnull=True, recipient_kind="hardship_model")
    if klass == "migrant":
        return (Q(archive__isnull=False) & ~MODEL_Q & MIGRANT_Q) | Q(archive__isnull=True, recipient_kind="migrant")
    # 困难职工 includes 困难农民工 (the forms' 说明): every household that is not a 困难劳模's
    return (Q(archive__isnull=False) & ~MODEL_Q) | Q(archive__isnull=True, recipient_kind__in=["migrant", "other"])


def _households(klass: str | None):
    def records(s: Scope):
        qs = _visits(s)
        if klass is None:
            return qs.filter(_class_q("model") | _class_q("migrant") | _class_q("worker"))
        return qs.filter(_class_q(klass))

    def value(s: Scope) -> int:
        qs = records(s)
        row = qs.aggregate(archives=Count("archive", distinct=True),
                           others=Count("id", filter=Q(archive__isnull=True)))
        return row["archives"] + row["others"]
    return value, records


def _enterprises(difficulty: bool):
    def records(s: Scope):
        qs = Visit.objects.filter(campaign__year=s.year, org__path__startswith=s.org.path, voided=False,
                                  kind=VisitKind.ENTERPRISE)
        return qs.filter(enterprise_in_difficulty=True) if difficulty else qs
    return records


def _frontline_records(s: Scope):
    return Visit.objects.filter(campaign__year=s.year, org__path__startswith=s.org.path, voided=False,
                                frontline_greeted__gt=0)


# --- money ----------------------------------------------------------------------------------------------------

FORM_SOURCES = {  # the lines of both forms (seed 000 附件1 item 5, 003 附件1 item 5), as funds.choices.FORM_LINES
    "government": ("central", "provincial", "local"),  # 2014: 政府拨款
    "central": ("central",), "local": ("provincial", "local"), "union": ("upper_union", "own_union"),
    "donation": ("donation",), "other": ("other",),
}


def _raised_entries(s: Scope, sources: tuple[str, ...] | None):
    inside = s.org.path
    from_outside = Q(allocation__from_org__path__startswith=inside)
    reversed_from_outside = Q(reverses__allocation__from_org__path__startswith=inside)
    qs = LedgerEntry.objects.filter(pot__org__path__startswith=inside, pot__year=s.year,
                                    pot__purpose=Purpose.WARMTH).filter(
        Q(kind=EntryKind.RAISED) | Q(kind=EntryKind.REVERSAL, reverses__kind=EntryKind.RAISED)
        | (Q(kind=EntryKind.RECEIVED) & ~from_outside)
        | (Q(kind=EntryKind.REVERSAL, reverses__kind=EntryKind.RECEIVED) & ~reversed_from_outside))
    return qs.filter(pot__source__in=sources) if sources else qs


def _raised(sources: tuple[str, ...] | None):
    def value(s: Scope) -> Decimal:
        return to_wanyuan(_raised_entries(s, sources).aggregate(t=Sum("amount"))["t"] or 0)

    def records(s: Scope):
        return _raised_entries(s, sources)
    return value, records


PAID_STATUSES = ("approved", "paid", "confirmed")


def _payments(s: Scope, klass: str | None):
    qs = Payment.objects.filter(org__path__startswith=s.org.path, pot__year=s.year, status__in=PAID_STATUSES)
    if klass == "model":
        qs = qs.filter((Q(archive__isnull=False) & MODEL_Q) | Q(recipient_kind="hardship_model"))
    elif klass == "migrant":
        qs = qs.filter((Q(archive__isnull=False) & MIGRANT_Q) | Q(recipient_kind="migrant"))
    return qs


def _cash(s: Scope, klass: str | None):
    qs = Visit.objects.filter(campaign__year=s.year, org__path__startswith=s.org.path, voided=False,
                              entry__isnull=False)
    if klass == "model":
        qs = qs.filter(_class_q("model"))
    elif klass == "migrant":
        qs = qs.filter((Q(archive__isnull=False) & MIGRANT_Q) | Q(archive__isnull=True, recipient_kind="migrant"))
    return qs


def _paid(klass: str | None):
    def value(s: Scope) -> Decimal:
        paid = _payments(s, klass).aggregate(t=Sum("amount"))["t"] or 0
        cash = _cash(s, klass).aggregate(t=Sum("cash_amount"))["t"] or 0
        return to_wanyuan(Decimal(paid) + Decimal(cash))

    def records(s: Scope):
        return _payments(s, klass)
    return value, records


# --- activity records -----------------------------------------------------------------------------------------

ACTIVITY_RE = re.compile(r"^activity:([a-z_]+):(count|people|part|amount|part_amount)$")


def _activities(kind: str):
    def records(s: Scope):
        start, end = campaign_window(s.year)
        return Activity.objects.filter(org__path__startswith=s.org.path, kind=kind, voided=False).filter(
            Q(campaign__year=s.year) | Q(campaign__isnull=True, on_date__range=(start, end)))
    return records


def _activity_source(name: str) -> Source | None:
    m = ACTIVITY_RE.match(name)
    if not m or m.group(1) not in KINDS:
        return None
    kind, field = m.groups()
    records = _activities(kind)
    money = field in ("amount", "part_amount")

    def value(s: Scope):
        total = records(s).aggregate(t=Coalesce(Sum(field), 0 if not money else Decimal(0)))["t"]
        return to_wanyuan(total) if money else int(total)
    return Source(name, "wan" if money else "count", value, records)


# --- the registry -----------------------------------------------------------------------------------------------

def _count_of(records) -> Callable[[Scope], int]:
    return lambda s: records(s).count()


def _registry() -> dict[str, Source]:
    out: dict[str, Source] = {}

    def add(name, unit, value, records):
        out[name] = Source(name, unit, value, records)

    archive_q = {
        "archives.households": None, "archives.migrant_households": Q(identity="农民工"),
        "archives.below_dibao": Q(category__in=["低保户", "深度困难"]),
        "archives.near_dibao": Q(category__in=["低保边缘户", "相对困难"]),
        "archives.accident": Q(category__in=["意外致困户", "意外致困"]),
    }
    for name, q in archive_q.items():
        rec = _archives(q)
        add(name, "count", _count_of(rec), rec)
    add("archives.lifted", "count", _count_of(_lifted), _lifted)
    add("archives.workers", "count", _people(False), _archives())
    add("archives.migrant_workers", "count", _people(True), _archives(Q(identity="农民工")))
    for name, klass in (("visits.households", None), ("visits.worker_households", "worker"),
                        ("visits.migrant_households", "migrant"), ("visits.model_households", "model")):
        value, rec = _households(klass)
        add(name, "count", value, rec)
    add("visits.enterprises", "count", _count_of(_enterprises(False)), _enterprises(False))
    add("visits.enterprises_in_difficulty", "count", _count_of(_enterprises(True)), _enterprises(True))
    add("visits.frontline", "count",
        lambda s: _frontline_records(s).aggregate(t=Coalesce(Sum("frontline_greeted"), 0))["t"], _frontline_records)
    value, rec = _raised(None)
    add("funds.raised_total", "wan", value, rec)
    for line, sources in FORM_SOURCES.items():
        value, rec = _raised(sources)
        add(f"funds.raised_{line}", "wan", value, rec)

    for src in FundSource.values:
        value, rec = _raised((src,))
        add(f"funds.raised:{src}", "wan", value, rec)
    for name, klass in (("payments.paid_total", None), ("payments.paid_models", "model"),
                        ("payments.paid_migrants", "migrant")):
        value, rec = _paid(klass)
        add(name, "wan", value, rec)
    for name, (unit, value, records) in _REGISTERED.items():
        add(name, unit, value, records)
    return out


_SOURCES: dict[str, Source] | None = None
#: name -> (unit, value, records) of the sources an app above reports registers (centers: the 帮扶中心 forms)
_REGISTERED: dict[str, tuple[str, Callable[[Scope], Decimal | int], Callable[[Scope], QuerySet]]] = {}


def register(sources: dict[str, tuple[str, Callable[[Scope], Decimal | int], Callable[[Scope], QuerySet]]]) -> None:
    """Add named sources from an app above reports (called from its ``AppConfig.ready``): ``(unit, value,
    records)`` as ``Source`` has them. A name may be registered once."""
    global _SOURCES
    taken = set(sources) & set(_REGISTERED)
    if taken:
        raise ValueError(f"data sources registered twice: {sorted(taken)}")
    _REGISTERED.update(sources)
    _SOURCES = None


def source(name: str) -> Source | None:
    """The source of that name, or None (an unknown name: the definition test catches it)."""
    global _SOURCES
    if _SOURCES is None:
        _SOURCES = _registry()
    return _SOURCES.get(name) or _activity_source(name)


# --- batches: the sources of one table computed together ------------------------------------------------------
#
# A form fills about sixty auto cells; computed one by one that is one query each, every one of them scanning
# the subtree's archives, visits, entries or payments again. ``values`` computes the sources that share a
# table in one aggregate query (a ``FILTER`` clause per cell), with the very filters the single sources use,
# so the two ways give the same figures (a test holds them to it).

ARCHIVE_EXPRS = {  # over the filed archives (``_filed``)
    "households": lambda: Count("id"), "migrant": lambda: Count("id", filter=Q(identity="农民工")),
    "below": lambda: Count("id", filter=Q(category__in=["低保户", "深度困难"])),
    "near": lambda: Count("id", filter=Q(category__in=["低保边缘户", "相对困难"])),
    "accident": lambda: Count("id", filter=Q(category__in=["意外致困户", "意外致困"])),
}
MEMBER_EXPRS = {  # over the members of the filed archives
    "workers": lambda: Count("id", filter=Q(identity__in=WORKER_MEMBERS)),
    "migrants": lambda: Count("id", filter=Q(identity="农民工")),
}


def _archive_live(s: Scope) -> dict[str, object]:
    """The archive sources straight from the records (the tally's check: ``tally.totals`` must agree)."""

    a = _filed(s).aggregate(**{k: f() for k, f in ARCHIVE_EXPRS.items()})
    m = FamilyMember.objects.filter(archive__in=_filed(s)).aggregate(**{k: f() for k, f in MEMBER_EXPRS.items()})
    return {"archives.households": a["households"], "archives.migrant_households": a["migrant"],
            "archives.below_dibao": a["below"], "archives.near_dibao": a["near"], "archives.accident": a["accident"],
            "archives.workers": a["households"] + m["workers"],
            "archives.migrant_workers": a["migrant"] + m["migrants"], "archives.lifted": _lifted(s).count()}


VISIT_CLASSES = ("visits.households", "visits.worker_households", "visits.migrant_households",
                 "visits.model_households")


def _visit_class_q(i: int) -> Q:
    return (_class_q("model") | _class_q("migrant") | _class_q("worker"), _class_q("worker"), _class_q("migrant"),
            _class_q("model"))[i]


def visit_exprs() -> dict:
    """The aggregates of the visit sources over a set of (not voided) visits of one season: ``a<i>`` distinct
    archives and ``o<i>`` other recipients of class ``VISIT_CLASSES[i]``, enterprises, 一线职工, cash."""

    household = Q(kind=VisitKind.HOUSEHOLD)
    cash = Q(entry__isnull=False)
    exprs = {}
    for i in range(len(VISIT_CLASSES)):
        q = _visit_class_q(i)
        exprs[f"a{i}"] = Count("archive", distinct=True, filter=household & q)
        exprs[f"o{i}"] = Count("id", filter=household & Q(archive__isnull=True) & q)
    exprs.update(
        enterprises=Count("id", filter=Q(kind=VisitKind.ENTERPRISE)),
        difficult=Count("id", filter=Q(kind=VisitKind.ENTERPRISE, enterprise_in_difficulty=True)),
        frontline=Coalesce(Sum("frontline_greeted", filter=Q(frontline_greeted__gt=0)), 0),
        cash=Sum("cash_amount", filter=cash), cash_models=Sum("cash_amount", filter=cash & _class_q("model")),
        cash_migrants=Sum("cash_amount", filter=cash & ((Q(archive__isnull=False) & MIGRANT_Q)
                                                        | Q(archive__isnull=True, recipient_kind="migrant"))))
    return exprs


def payment_exprs() -> dict:
    """The aggregates of the payment sources over paid payments (``PAID_STATUSES``) of one season."""
    return dict(total=Sum("amount"), models=Sum("amount", filter=(Q(archive__isnull=False) & MODEL_Q)
                                                | Q(recipient_kind="hardship_model")),
                migrants=Sum("amount", filter=(Q(archive__isnull=False) & MIGRANT_Q) | Q(recipient_kind="migrant")))


PAID_PARTS = (("payments.paid_total", "total", "cash"), ("payments.paid_models", "models", "cash_models"),
              ("payments.paid_migrants", "migrants", "cash_migrants"))


def _visit_live(s: Scope) -> dict[str, object]:
    """The visit and payment sources straight from the records (the tally's check)."""

    v = Visit.objects.filter(campaign__year=s.year, org__path__startswith=s.org.path, voided=False).aggregate(
        **visit_exprs())
    out: dict[str, object] = {name: v[f"a{i}"] + v[f"o{i}"] for i, name in enumerate(VISIT_CLASSES)}
    out.update({"visits.enterprises": v["enterprises"], "visits.enterprises_in_difficulty": v["difficult"],
                "visits.frontline": v["frontline"]})
    p = Payment.objects.filter(org__path__startswith=s.org.path, pot__year=s.year,
                               status__in=PAID_STATUSES).aggregate(**payment_exprs())
    for name, paid, handed in PAID_PARTS:
        out[name] = to_wanyuan(Decimal(p[paid] or 0) + Decimal(v[handed] or 0))
    return out


def _tally_batch(s: Scope) -> dict[str, object]:
    """The archive, visit and payment sources from the tally (``tally.totals``): the subtree's per-org sums,
    brought up to date first, instead of a scan of its records. The tally holds the archive as it stands; for
    a day already past (a season whose campaign has ended) the archive sources are counted from the records
    as of that day (one aggregate over the subtree's archives and one over their members)."""

    out = tally.totals(s.org, s.year)
    if not s.now:
        out.update(_archive_as_of(s, out))
    return out


def _archive_as_of(s: Scope, now: dict[str, object]) -> dict[str, object]:
    """The archive sources at the end of a past day: the tally's figures now (``now``), less the archives filed
    now but not then, plus those filed then but not now (``archives.queries.changed_since``), each with its
    members. A few index lookups however large the subtree (the root of a national database: about 0.1 s,
    against 5.5 s for counting every archive and member as of the day)."""
    base = Archive.objects.filter(org__path__startswith=s.org.path)
    not_then, not_now = changed_since(s.day)
    d = dict.fromkeys([*ARCHIVE_EXPRS, *MEMBER_EXPRS], 0)
    for sign, q in [(-1, q) for q in not_then] + [(1, q) for q in not_now]:
        changed = base.filter(q)
        a = changed.aggregate(**{k: f() for k, f in ARCHIVE_EXPRS.items()})
        m = FamilyMember.objects.filter(archive__in=changed).aggregate(**{k: f() for k, f in MEMBER_EXPRS.items()})
        for k, v in (*a.items(), *m.items()):
            d[k] += sign * v
    return {"archives.households": now["archives.households"] + d["households"],
            "archives.migrant_households": now["archives.migrant_households"] + d["migrant"],
            "archives.below_dibao": now["archives.below_dibao"] + d["below"],
            "archives.near_dibao": now["archives.near_dibao"] + d["near"],
            "archives.accident": now["archives.accident"] + d["accident"],
            "archives.workers": now["archives.workers"] + d["households"] + d["workers"],
            "archives.migrant_workers": now["archives.migrant_workers"] + d["migrant"] + d["migrants"]}


def _money_batch(s: Scope) -> dict[str, object]:
    lines = {f"funds.raised_{line}": srcs for line, srcs in FORM_SOURCES.items()}
    lines.update({f"funds.raised:{src}": (src,) for src in FundSource.values})
    exprs = {f"l{i}": Sum("amount", filter=Q(pot__source__in=srcs)) for i, srcs in enumerate(lines.values())}
    row = _raised_entries(s, None).aggregate(total=Sum("amount"), **exprs)
    out: dict[str, object] = {"funds.raised_total": to_wanyuan(row["total"] or 0)}
    out.update({name: to_wanyuan(row[f"l{i}"] or 0) for i, name in enumerate(lines)})
    return out


def _activity_batch(s: Scope) -> dict[str, object]:
    start, end = campaign_window(s.year)
    rows = (Activity.objects.filter(org__path__startswith=s.org.path, voided=False)
            .filter(Q(campaign__year=s.year) | Q(campaign__isnull=True, on_date__range=(start, end)))
            .values("kind").annotate(count=Sum("count"), people=Sum("people"), part=Sum("part"),
                                     amount=Sum("amount"), part_amount=Sum("part_amount")).order_by())
    got = {r["kind"]: r for r in rows}
    out: dict[str, object] = {}
    for kind in KINDS:
        r = got.get(kind, {})
        for field in ("count", "people", "part"):
            out[f"activity:{kind}:{field}"] = int(r.get(field) or 0)
        for field in ("amount", "part_amount"):
            out[f"activity:{kind}:{field}"] = to_wanyuan(r.get(field) or 0)
    return out


LIVE_BATCHES: tuple[Callable[[Scope], dict[str, object]], ...] = (_archive_live, _visit_live)
_BATCH_OF = {"archives.": _tally_batch, "visits.": _tally_batch, "payments.": _tally_batch,
             "funds.": _money_batch, "activity:": _activity_batch}


def _batch_of(name: str):
    for prefix, batch in _BATCH_OF.items():
        if name.startswith(prefix):
            return batch
    return None


def values(names, s: Scope) -> dict[str, object]:
    """The values of these sources for one scope: a query per table for the batched ones (archives, visits
    and payments, money, activity records), one per source for the rest (the 帮扶中心 registry)."""
    out: dict[str, object] = {}
    done = {}
    for name in dict.fromkeys(names):
        batch = _batch_of(name)
        if batch is not None:
            if batch not in done:
                done[batch] = batch(s)
            if name in done[batch]:
                out[name] = done[batch][name]
                continue
        src = source(name)
        if src is None:
            raise KeyError(f"数据来源 {name} 不存在")
        out[name] = src.value(s)
    return out


def names() -> list[str]:
    source("archives.households")
    return sorted(_SOURCES or {})


def catalogue() -> list[tuple[str, str]]:
    """Every name a form's item may take as its source, with its unit ("人、户…" or 万元), for the forms page."""
    global _SOURCES
    if _SOURCES is None:
        _SOURCES = _registry()
    out = [(name, "万元" if s.unit == "wan" else "计数") for name, s in sorted(_SOURCES.items())]
    for code, kind in KINDS.items():
        out.append((f"activity:{code}:count", f"计数 · {kind.label}"))
        out.append((f"activity:{code}:amount", f"万元 · {kind.label}"))
    return out
