"""Read-side figures of a campaign's visits: coverage (全覆盖, 不重复) for an org and each direct child, the
not-yet-visited list, the money paid so far.

Coverage counts households filed now (archives 在档) in the org's whole subtree. A filed household is visited
when it has at least one visit of the campaign that is not voided; visited twice when it has two or more. All the
figures of an org and of each child come from two grouped queries over the subtree, whatever the number of
children (a child is the first ``len(child.path)`` characters of every path below it)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, fields
from decimal import Decimal

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Substr

from warmth.archives.choices import ArchiveStatus
from warmth.archives.models import Archive
from warmth.campaigns.choices import VisitKind
from warmth.campaigns.models import Campaign, VisitGroup
from warmth.orgs.models import Org
from warmth.payments.choices import PaymentStatus
from warmth.payments.models import Payment
from warmth.visits.models import Visit

NOT_MODEL = ["", "非劳模"]
MODEL_Q = ~Q(model_worker_type__in=NOT_MODEL)


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
    # a visit before the household was filed is an applicant's: not a filed household's visit
    return Visit.objects.filter(campaign=campaign, kind=VisitKind.HOUSEHOLD, voided=False, applicant=False)


def _filed(org: Org):
    return Archive.objects.filter(org__path__startswith=org.path, status=ArchiveStatus.ACTIVE)


def _with_visits(campaign: Campaign, qs):
    n = (_visits(campaign).filter(archive=OuterRef("pk")).order_by().values("archive")
         .annotate(c=Count("id")).values("c"))
    return qs.annotate(n=Coalesce(Subquery(n, output_field=IntegerField()), Value(0)))


def _repeat(campaign: Campaign):
    """A live visit of an archive that already had an earlier live visit in the campaign (its second or later)."""
    earlier = _visits(campaign).filter(archive=OuterRef("archive"), pk__lt=OuterRef("pk"))
    return Exists(earlier)


def _by_prefix(campaign: Campaign, org: Org, width: int) -> dict[str, Coverage]:
    """Coverage of the org's subtree grouped by the first ``width`` characters of the filing org's path: with the
    width of a child's path, one group per child plus the org's own households under ``org.path``.

    Two grouped queries, neither correlated per archive: the filed households, and the live visits of filed
    households counted by distinct archive (a visit with an earlier live visit of the same archive marks the
    archive visited twice). On the national demo: 0.14 s for a province, 2.4 s with a subquery per archive."""
    out: dict[str, Coverage] = defaultdict(Coverage)
    filed = (_filed(org).annotate(prefix=Substr("org__path", 1, width)).values("prefix").order_by()
             .annotate(filed=Count("*"), models_filed=Count("pk", filter=MODEL_Q)))
    for r in filed:
        out[r["prefix"]] = Coverage(filed=r["filed"], models_filed=r["models_filed"])
    visits = (_visits(campaign).filter(archive__status=ArchiveStatus.ACTIVE, archive__org__path__startswith=org.path)
              .annotate(prefix=Substr("archive__org__path", 1, width)).values("prefix").order_by()
              .annotate(visited=Count("archive", distinct=True),
                        visited_twice=Count("archive", distinct=True, filter=_repeat(campaign)),
                        models_visited=Count("archive", distinct=True, filter=~Q(
                            archive__model_worker_type__in=NOT_MODEL))))
    for r in visits:
        cov = out[r["prefix"]]
        cov.visited, cov.visited_twice, cov.models_visited = r["visited"], r["visited_twice"], r["models_visited"]
    return out


def summed(rows: list[tuple[Org | None, Coverage]]) -> Coverage:
    """The org's whole coverage from the rows of ``coverage_by_child`` (children and own cover the subtree once)."""
    total = Coverage()
    for _, cov in rows:
        for f in fields(Coverage):
            setattr(total, f.name, getattr(total, f.name) + getattr(cov, f.name))
    return total


def coverage(campaign: Campaign, org: Org) -> Coverage:
    return _by_prefix(campaign, org, len(org.path)).get(org.path, Coverage())


def coverage_by_child(campaign: Campaign, org: Org) -> list[tuple[Org | None, Coverage]]:
    """(child, its subtree's coverage) for each direct child, then (None, the org's own households)."""
    children = list(Org.objects.filter(parent=org).order_by("path"))
    width = len(children[0].path) if children else len(org.path)
    groups = _by_prefix(campaign, org, width)
    return [(c, groups.get(c.path, Coverage())) for c in children] + [(None, groups.get(org.path, Coverage()))]


def not_visited(campaign: Campaign, org: Org, *, models_only: bool = False):
    # NOT EXISTS, not NOT IN: PostgreSQL turns it into an anti-join (NOT IN over a nullable column it cannot)
    qs = _filed(org).exclude(Exists(_visits(campaign).filter(archive=OuterRef("pk"))))
    if models_only:
        qs = qs.filter(MODEL_Q)
    return qs.select_related("org").order_by("org__path", "archive_no")


def visited_twice(campaign: Campaign, org: Org):
    twice = _visits(campaign).filter(_repeat(campaign)).values("archive")
    return (_with_visits(campaign, _filed(org).filter(pk__in=twice)).select_related("org")
            .order_by("org__path", "archive_no"))


PAID = (PaymentStatus.APPROVED, PaymentStatus.PAID, PaymentStatus.CONFIRMED)


def money_so_far(campaign: Campaign, org: Org) -> dict:
    """Payments of the campaign approved or later in the org's subtree, and cash handed over on visits."""
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


def page_figures(campaign: Campaign, org: Org) -> dict:
    """What the campaign's page shows from the visits: coverage per child and in total, money so far, the
    enterprise visits (registered into ``campaigns.extensions``)."""
    children = coverage_by_child(campaign, org)
    return {"children": children, "total": summed(children), "money": money_so_far(campaign, org),
            "enterprise": enterprise_figures(campaign, org)}


def group_page_figures(group: VisitGroup) -> dict:
    """The visits a group's page lists, newest first (registered into ``campaigns.extensions``)."""
    return {"visits": Visit.objects.filter(group=group).select_related("org")[:200]}
