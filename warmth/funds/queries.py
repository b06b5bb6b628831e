"""Reads of the money side that are more than a filter: statements by source and purpose for an org and its
subtree, the money unspent at its deadline, and pot balances. Every figure is a sum of ledger entries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Case, CharField, Min, Q, Sum, Value, When
from django.db.models.functions import Substr

from warmth.funds.choices import EntryKind, FundSource, Purpose
from warmth.funds.models import ZERO, FundPot, LedgerEntry
from warmth.funds.rules import expired_part, expiry_sums
from warmth.orgs.models import Org

CENT = Decimal("0.01")
COLUMNS = ("raised", "received", "allocated", "paid", "converted", "balance")
COLUMN_LABELS = {"raised": "筹集", "received": "上级下拨", "allocated": "下拨下级", "paid": "发放",
                 "converted": "结余转入(+)/转出(-)", "balance": "余额"}

# Which statement column an entry's kind lands in; a reversal lands in the column of the entry it reverses.
_COLUMN_OF_KIND = {
    EntryKind.RAISED: "raised", EntryKind.RECEIVED: "received", EntryKind.ALLOCATED: "allocated",
    EntryKind.PAID: "paid", EntryKind.VISIT_PAID: "paid",
    EntryKind.CONVERTED_IN: "converted", EntryKind.CONVERTED_OUT: "converted",
}


@dataclass
class Line:
    """One row of a statement. ``allocated`` and ``paid`` are shown as positive outflows."""

    source: str
    purpose: str
    raised: Decimal = ZERO
    received: Decimal = ZERO
    allocated: Decimal = ZERO
    paid: Decimal = ZERO
    converted: Decimal = ZERO
    balance: Decimal = ZERO
    spend_by: date | None = None

    @property
    def source_label(self) -> str:
        return FundSource(self.source).label

    @property
    def purpose_label(self) -> str:
        return Purpose(self.purpose).label

    @property
    def income(self) -> Decimal:
        return self.raised + self.received + max(self.converted, ZERO)

    @property
    def spend_rate(self) -> Decimal | None:
        """Paid and passed down, against the money that came in (percent, one place)."""
        base = self.income
        if base <= 0:
            return None
        return ((self.paid + self.allocated) * 100 / base).quantize(Decimal("0.1"))

    def add(self, other: Line) -> None:
        for c in COLUMNS:
            setattr(self, c, getattr(self, c) + getattr(other, c))
        if other.spend_by and (self.spend_by is None or other.spend_by < self.spend_by):
            self.spend_by = other.spend_by


@dataclass
class Statement:
    org: Org
    year: int
    own: list[Line] = field(default_factory=list)       # the org's own pots
    subtree: list[Line] = field(default_factory=list)   # the org and everything below it

    @staticmethod
    def total(lines: list[Line]) -> Line:
        t = Line("", "")
        for ln in lines:
            t.add(ln)
        return t


def _column_expr():
    whens = [When(kind=k, then=Value(c)) for k, c in _COLUMN_OF_KIND.items()]
    whens += [When(kind=EntryKind.REVERSAL, reverses__kind=k, then=Value(c)) for k, c in _COLUMN_OF_KIND.items()]
    return Case(*whens, default=Value("other"), output_field=CharField())


def lines_for(entries, pots) -> list[Line]:
    """Statement lines (by source × purpose) from an entry queryset and the matching pot queryset."""
    by_key: dict[tuple[str, str], Line] = {}

    def line(source, purpose):
        return by_key.setdefault((source, purpose), Line(source, purpose))

    rows = (entries.annotate(col=_column_expr()).values("pot__source", "pot__purpose", "col")
            .annotate(s=Sum("amount")).order_by())
    for r in rows:
        ln = line(r["pot__source"], r["pot__purpose"])
        value = Decimal(r["s"] or ZERO).quantize(CENT)
        if r["col"] in ("allocated", "paid"):
            value = -value
        setattr(ln, r["col"], getattr(ln, r["col"]) + value)
    for r in pots.values("source", "purpose").annotate(b=Sum("balance")).order_by():
        line(r["source"], r["purpose"]).balance = Decimal(r["b"] or ZERO).quantize(CENT)
    deadlines = (entries.filter(amount__gt=0, spend_by__isnull=False).values("pot__source", "pot__purpose")
                 .annotate(d=Min("spend_by")).order_by())
    for r in deadlines:
        line(r["pot__source"], r["pot__purpose"]).spend_by = r["d"]
    order = {v: i for i, v in enumerate(FundSource.values)}, {v: i for i, v in enumerate(Purpose.values)}
    return sorted(by_key.values(), key=lambda ln: (order[0][ln.source], order[1][ln.purpose]))


def statement(org: Org, year: int) -> Statement:
    own_entries = LedgerEntry.objects.filter(pot__org=org, pot__year=year)
    sub_entries = LedgerEntry.objects.filter(pot__org__path__startswith=org.path, pot__year=year)
    own_pots = FundPot.objects.filter(org=org, year=year)
    sub_pots = FundPot.objects.filter(org__path__startswith=org.path, year=year)
    return Statement(org, year, lines_for(own_entries, own_pots), lines_for(sub_entries, sub_pots))


def subtree_total(org: Org, year: int) -> Line:
    sub_entries = LedgerEntry.objects.filter(pot__org__path__startswith=org.path, pot__year=year)
    sub_pots = FundPot.objects.filter(org__path__startswith=org.path, year=year)
    return Statement.total(lines_for(sub_entries, sub_pots))


def children_totals(org: Org, year: int) -> list[tuple[Org, Line]]:
    """Each direct child's subtree total, in three grouped queries however many children there are (the
    child is the first ``len(child.path)`` characters of every path below it)."""
    children = list(Org.objects.filter(parent=org).order_by("path"))
    if not children:
        return []
    width = len(children[0].path)
    totals = {c.path: Line("", "") for c in children}
    below = LedgerEntry.objects.filter(pot__org__path__startswith=org.path, pot__year=year).exclude(pot__org=org)
    rows = (below.annotate(prefix=Substr("pot__org__path", 1, width), col=_column_expr())
            .values("prefix", "col").annotate(s=Sum("amount")).order_by())
    for r in rows:
        ln = totals.get(r["prefix"])
        if ln is None:
            continue
        value = Decimal(r["s"] or ZERO).quantize(CENT)
        if r["col"] in ("allocated", "paid"):
            value = -value
        setattr(ln, r["col"], getattr(ln, r["col"]) + value)
    pots = (FundPot.objects.filter(org__path__startswith=org.path, year=year).exclude(org=org)
            .annotate(prefix=Substr("org__path", 1, width)).values("prefix").annotate(b=Sum("balance")).order_by())
    for r in pots:
        if r["prefix"] in totals:
            totals[r["prefix"]].balance = Decimal(r["b"] or ZERO).quantize(CENT)
    deadlines = (below.filter(amount__gt=0, spend_by__isnull=False).annotate(prefix=Substr("pot__org__path", 1, width))
                 .values("prefix").annotate(d=Min("spend_by")).order_by())
    for r in deadlines:
        if r["prefix"] in totals:
            totals[r["prefix"]].spend_by = r["d"]
    return [(c, totals[c.path]) for c in children]


@dataclass(frozen=True)
class Unspent:
    pot: FundPot
    deadline: date
    amount: Decimal


def unspent_at_deadline(org: Org, *, today: date, year: int | None = None) -> list[Unspent]:
    """Pots of the subtree holding money whose spend-by date has passed and that was not spent in time, in
    one grouped query over the entries of the pots concerned."""
    entries = LedgerEntry.objects.filter(pot__org__path__startswith=org.path, pot__balance__gt=0)
    if year is not None:
        entries = entries.filter(pot__year=year)
    late = entries.filter(spend_by__lt=today).values("pot_id")
    rows = (entries.filter(pot_id__in=late).values("pot_id", "pot__balance")
            .annotate(deadline=Min("spend_by", filter=Q(amount__gt=0, spend_by__lt=today)), **expiry_sums(today))
            .order_by())
    found = {}
    for r in rows:
        expired = min(expired_part(r), Decimal(r["pot__balance"]).quantize(CENT))
        if expired > 0 and r["deadline"] is not None:
            found[r["pot_id"]] = (r["deadline"], expired)
    pots = FundPot.objects.filter(pk__in=found).select_related("org").order_by("org__path", "id")
    return [Unspent(p, *found[p.pk]) for p in pots]


def pots_of(org: Org, year: int):
    return FundPot.objects.filter(org=org, year=year).order_by("source", "purpose")


def ledger_of(pot: FundPot):
    return pot.entries.select_related("created_by", "reverses", "reversed_by").order_by("-id")
