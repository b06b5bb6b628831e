"""Read-side figures of the visits: coverage (全覆盖, 不重复) of an org and each direct child for a season, the
not-yet-visited list, the money a campaign paid so far.

Coverage is keyed by (org, season), never by one campaign: it counts the season's visits under the org whichever
level's campaign they were recorded in (a county's own campaign, its city's, its province's), so a province or the
root sees its coverage although no campaign of its own covers it, and 全覆盖 is judged at every level. The filed
households are those 在档 at the end of a stated day (``archives.queries.filed_on``, the one definition the
dashboard and the statistics forms use too; ``campaigns.queries.as_of_day`` gives the day, and every page prints
it). A filed household is visited when it has at least one household visit of the season that is not voided;
visited twice when it has two or more. All the figures of an org and of each child come from two grouped queries
over the subtree, whatever the number of children (a child is the first ``len(child.path)`` characters of every
path below it)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, fields
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Substr

from warmth.archives.queries import filed_in
from warmth.campaigns.choices import VisitKind
from warmth.campaigns.models import Campaign, VisitGroup
from warmth.campaigns.queries import as_of_day
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


def _visits(year: int):
    """The live household visits of the season, in any campaign of it. A visit before the household was filed is
    an applicant's: not a filed household's visit."""
    return Visit.objects.filter(campaign__year=year, kind=VisitKind.HOUSEHOLD, voided=False, applicant=False)


def _with_visits(year: int, qs):
    n = (_visits(year).filter(archive=OuterRef("pk")).order_by().values("archive")
         .annotate(c=Count("id")).values("c"))
    return qs.annotate(n=Coalesce(Subquery(n, output_field=IntegerField()), Value(0)))


def _repeat(year: int):
    """A live visit of an archive that already had an earlier live visit in the season (its second or later)."""
    earlier = _visits(year).filter(archive=OuterRef("archive"), pk__lt=OuterRef("pk"))
    return Exists(earlier)


def _by_prefix(org: Org, year: int, day: date | None, width: int) -> dict[str, Coverage]:
    """Coverage of the org's subtree grouped by the first ``width`` characters of the filing org's path: with the
    width of a child's path, one group per child plus the org's own households under ``org.path``.

    Two grouped queries, neither correlated per archive: the filed households, and the live visits of filed
    households counted by distinct archive (a visit with an earlier live visit of the same archive marks the
    archive visited twice). On the national demo: 0.14 s for a province, 2.4 s with a subquery per archive."""
    out: dict[str, Coverage] = defaultdict(Coverage)
    filed = filed_in(org, day)
    for r in (filed.annotate(prefix=Substr("org__path", 1, width)).values("prefix").order_by()
              .annotate(filed=Count("*"), models_filed=Count("pk", filter=MODEL_Q))):
        out[r["prefix"]] = Coverage(filed=r["filed"], models_filed=r["models_filed"])
    visits = (_visits(year).filter(archive__in=filed.values("pk"))
              .annotate(prefix=Substr("archive__org__path", 1, width)).values("prefix").order_by()
              .annotate(visited=Count("archive", distinct=True),
                        visited_twice=Count("archive", distinct=True, filter=_repeat(year)),
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


def coverage(org: Org, year: int, day: date | None = None) -> Coverage:
    """Coverage of ``org``'s whole subtree in season ``year``, households 在档 at the end of ``day`` (None: now)."""
    return _by_prefix(org, year, day, len(org.path)).get(org.path, Coverage())


def coverage_by_child(org: Org, year: int, day: date | None = None) -> list[tuple[Org | None, Coverage]]:
    """(child, its subtree's coverage) for each direct child, then (None, the org's own households)."""
    children = list(Org.objects.filter(parent=org).order_by("path"))
    width = len(children[0].path) if children else len(org.path)
    groups = _by_prefix(org, year, day, width)
    return [(c, groups.get(c.path, Coverage())) for c in children] + [(None, groups.get(org.path, Coverage()))]


def not_visited(org: Org, year: int, day: date | None = None, *, models_only: bool = False):
    """The households 在档 at the end of ``day`` under ``org`` without a live household visit in season ``year``."""
    # NOT EXISTS, not NOT IN: PostgreSQL turns it into an anti-join (NOT IN over a nullable column it cannot)
    qs = filed_in(org, day).exclude(Exists(_visits(year).filter(archive=OuterRef("pk"))))
    if models_only:
        qs = qs.filter(MODEL_Q)
    return qs.select_related("org").order_by("org__path", "archive_no")


def visited_twice(org: Org, year: int, day: date | None = None):
    twice = _visits(year).filter(_repeat(year)).values("archive")
    return (_with_visits(year, filed_in(org, day).filter(pk__in=twice)).select_related("org")
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
    """What the campaign's page shows from the visits: the season's coverage per child and in total (households
    在档 on ``as_of``), money so far, the enterprise visits (registered into ``campaigns.extensions``)."""
    day = as_of_day(org, campaign.year)
    children = coverage_by_child(org, campaign.year, day)
    return {"children": children, "total": summed(children), "as_of": day, "money": money_so_far(campaign, org),
            "enterprise": enterprise_figures(campaign, org)}


def group_page_figures(group: VisitGroup) -> dict:
    """The visits a group's page lists, newest first (registered into ``campaigns.extensions``)."""
    return {"visits": Visit.objects.filter(group=group).select_related("org")[:200]}
