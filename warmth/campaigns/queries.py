"""Read-side figures of a campaign: coverage (全覆盖, 不重复) for an org and each direct child, the not-yet-visited
list, the money paid so far.

Coverage counts households filed now (archives 在档) in the org's whole subtree. A filed household is visited
when it has at least one visit of the campaign that is not voided; visited twice when it has two or more. Each
figure is one grouped query over the subtree, whatever the number of children (a child is the first
``len(child.path)`` characters of every path below it)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Substr

from warmth.archives.choices import ArchiveStatus
from warmth.archives.models import Archive
from warmth.campaigns.choices import VisitKind
from warmth.campaigns.models import Campaign, Visit
from warmth.orgs.models import Org
from warmth.payments.choices import PaymentStatus

MODEL_Q = ~Q(model_worker_type__in=["", "非劳模"])


@dataclass
class Coverage:
    filed: int = 0
    visited: int = 0
    visited_twice: int = 0
    models_filed: int = 0
    models_visited: int = 0

    @property
    def not_visited(self) -> int:
        return self.filed - self.visited

    @property
    def models_not_visited(self) -> int:
        return self.models_filed - self.models_visited

    @property
    def rate(self) -> str:
        return f"{self.visited * 100 / self.filed:.1f}%" if self.filed else "—"

    def as_dict(self) -> dict:
        return {**asdict(self), "not_visited": self.not_visited, "models_not_visited": self.models_not_visited}


def _visits(campaign: Campaign):
    return Visit.objects.filter(campaign=campaign, kind=VisitKind.HOUSEHOLD, voided=False)


def _filed(org: Org):
    return Archive.objects.filter(org__path__startswith=org.path, status=ArchiveStatus.ACTIVE)


def _with_visits(campaign: Campaign, qs):
    n = (_visits(campaign).filter(archive=OuterRef("pk")).order_by().values("archive")
         .annotate(c=Count("id")).values("c"))
    return qs.annotate(n=Coalesce(Subquery(n, output_field=IntegerField()), Value(0)))


def _figures() -> dict:
    return {"filed": Count("id"), "visited": Count("id", filter=Q(n__gte=1)),
            "visited_twice": Count("id", filter=Q(n__gte=2)), "models_filed": Count("id", filter=MODEL_Q),
            "models_visited": Count("id", filter=MODEL_Q & Q(n__gte=1))}


def coverage(campaign: Campaign, org: Org) -> Coverage:
    row = _with_visits(campaign, _filed(org)).aggregate(**_figures())
    return Coverage(**row)


def coverage_by_child(campaign: Campaign, org: Org) -> list[tuple[Org | None, Coverage]]:
    """(child, its subtree's coverage) for each direct child, then (None, the org's own households)."""
    children = list(Org.objects.filter(parent=org).order_by("path"))
    out = {c.path: Coverage() for c in children}
    if children:
        width = len(children[0].path)
        rows = (_with_visits(campaign, _filed(org)).annotate(prefix=Substr("org__path", 1, width))
                .values("prefix").annotate(**_figures()).order_by())
        for r in rows:
            prefix = r.pop("prefix")
            if prefix in out:
                out[prefix] = Coverage(**r)
    own = Coverage(**_with_visits(campaign, Archive.objects.filter(org=org, status=ArchiveStatus.ACTIVE))
                   .aggregate(**_figures()))
    return [(c, out[c.path]) for c in children] + [(None, own)]


def not_visited(campaign: Campaign, org: Org, *, models_only: bool = False):
    qs = _filed(org).exclude(pk__in=_visits(campaign).filter(archive__isnull=False).values("archive_id"))
    if models_only:
        qs = qs.filter(MODEL_Q)
    return qs.select_related("org").order_by("org__path", "archive_no")


def visited_twice(campaign: Campaign, org: Org):
    return (_with_visits(campaign, _filed(org)).filter(n__gte=2).select_related("org")
            .order_by("org__path", "archive_no"))


PAID = (PaymentStatus.APPROVED, PaymentStatus.PAID, PaymentStatus.CONFIRMED)


def money_so_far(campaign: Campaign, org: Org) -> dict:
    """Payments of the campaign approved or later in the org's subtree, and cash handed over on visits."""
    from warmth.payments.models import Payment

    pays = Payment.objects.filter(campaign=campaign, org__path__startswith=org.path, status__in=PAID).aggregate(
        n=Count("id"), s=Sum("amount"))
    cash = Visit.objects.filter(campaign=campaign, org__path__startswith=org.path, voided=False,
                                entry__isnull=False).aggregate(n=Count("id"), s=Sum("cash_amount"))
    cent = Decimal("0.01")
    return {"payments": pays["n"], "paid": Decimal(pays["s"] or 0).quantize(cent),
            "cash_visits": cash["n"], "cash": Decimal(cash["s"] or 0).quantize(cent),
            "total": (Decimal(pays["s"] or 0) + Decimal(cash["s"] or 0)).quantize(cent)}


def enterprise_figures(campaign: Campaign, org: Org) -> dict:
    v = Visit.objects.filter(campaign=campaign, org__path__startswith=org.path, voided=False)
    row = v.aggregate(enterprises=Count("id", filter=Q(kind=VisitKind.ENTERPRISE)),
                      in_difficulty=Count("id", filter=Q(kind=VisitKind.ENTERPRISE, enterprise_in_difficulty=True)),
                      frontline=Coalesce(Sum("frontline_greeted"), 0))
    return row


# --- the weekly wage-arrears report, summed by the level above --------------------------------------------------

def arrears_week(campaign: Campaign, org: Org, week_of) -> dict:
    """For ``org`` and one week: each direct child with its live submitted report (or None), the sum of those
    reports per row and column, and the children that have not submitted. The org's own report, if any, is
    returned beside (it is what the org sends up, not part of the sum)."""
    from warmth.campaigns.choices import ArrearsRow, ArrearsStatus
    from warmth.campaigns.models import ArrearsLine, ArrearsReport

    children = list(Org.objects.filter(parent=org).order_by("path"))
    live = ArrearsReport.objects.filter(campaign=campaign, week_of=week_of, superseded=False)
    submitted = {r.org_id: r for r in live.filter(org__in=children, status=ArrearsStatus.SUBMITTED)}
    sums = {row: {"amount": Decimal("0.0000"), "enterprises": 0, "people": 0} for row in ArrearsRow.values}
    for ln in ArrearsLine.objects.filter(report__in=list(submitted.values())).values(
            "row").annotate(a=Sum("amount"), e=Sum("enterprises"), p=Sum("people")).order_by():
        sums[ln["row"]] = {"amount": Decimal(ln["a"] or 0).quantize(Decimal("0.0001")), "enterprises": ln["e"] or 0,
                           "people": ln["p"] or 0}
    return {"children": [(c, submitted.get(c.pk)) for c in children], "sums": sums,
            "missing": [c for c in children if c.pk not in submitted],
            "own": live.filter(org=org).first()}
