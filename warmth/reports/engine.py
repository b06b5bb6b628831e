"""One engine for every form definition: fill the cells of (form, org, season) and check the rules.

- An **auto** cell is its source's value over the org's whole subtree, computed from the records (never by
  adding the children's reports, so nothing counts twice); an override typed with a reason replaces it.
- A **sum** cell (a declared total whose parts are all auto) is the sum of its parts' values.
- A **manual** cell is the org's own entry plus the values of its children's approved reports (their figures
  frozen at approval), so a city's manual cells add up its districts without counting any district twice:
  each report's figures already hold its own subtree.
- Blank and zero differ: a manual cell nobody typed and no approved child reported is blank (None).

``check`` evaluates the derived and written rules with DHIS2's semantics: each side is a sum of items; a side
with a blank item is skipped, counted as zero, or skipped only when all its items are blank, as the rule's
missing-value strategy says."""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from warmth.orgs.models import Org
from warmth.reports import sources
from warmth.reports.definitions import WAN, YES_NO, Definition, Rule, _is_number, _terms, quantize

OPS = {"<=": operator.le, ">=": operator.ge, "==": operator.eq, "<": operator.lt, ">": operator.gt,
       "!=": operator.ne}


@dataclass
class CellValue:
    code: str
    value: Decimal | None
    origin: str                    # auto, override, manual (own entry and/or children)
    auto_value: Decimal | None = None
    own: Decimal | None = None     # a manual cell: what the org itself typed
    children: Decimal | None = None  # a manual cell: the sum of its approved children's figures
    reason: str = ""
    comment: str = ""


@dataclass
class RuleResult:
    rule: Rule
    ok: bool
    skipped: bool
    left: Decimal | None
    right: Decimal | None

    @property
    def level(self) -> str:
        return self.rule.importance

    @property
    def message(self) -> str:
        base = self.rule.message or f"{self.rule.left} {self.rule.op} {self.rule.right}"
        return f"{base}（左 {_fmt(self.left)}，右 {_fmt(self.right)}）"


def _fmt(v) -> str:
    return "空" if v is None else format(v.normalize(), "f") if isinstance(v, Decimal) else str(v)


def fill(defn: Definition, org: Org, year: int, *, entries: dict | None = None,
         children_figures: list[dict] | None = None, day: date | None = None) -> dict[str, CellValue]:
    """Every cell of the form for ``org`` and season ``year``. ``entries``: the org's own cells
    ``{code: {"value", "reason", "comment"}}`` (manual entries, and overrides of auto cells with a reason);
    ``children_figures``: the frozen figures ``{code: "value"}`` of its children's approved reports; ``day``:
    the day the archive sources count 在档 on (None: now; ``services.as_of`` gives the report's)."""
    entries = entries or {}
    children_figures = children_figures or []
    out: dict[str, CellValue] = {}
    autos = [it for it in defn.items if it.auto and it.source != "sum"]
    for it in autos:
        if sources.source(it.source) is None:
            raise KeyError(f"{it.code} 的数据来源 {it.source} 不存在")
    computed_all = sources.values([it.source for it in autos], sources.Scope(org, year, day))
    for it in defn.items:
        e = entries.get(it.code) or {}
        own = None if e.get("value") in (None, "") else quantize(it, e["value"])
        if it.source == "sum":
            continue  # computed from its parts below (it precedes them in print order)
        if it.auto:
            computed = quantize(it, computed_all[it.source])
            if own is not None and e.get("reason"):
                out[it.code] = CellValue(it.code, own, "override", computed, reason=e["reason"],
                                         comment=e.get("comment", ""))
            else:
                out[it.code] = CellValue(it.code, computed, "auto", computed, comment=e.get("comment", ""))
            continue
        if it.unit == YES_NO:  # a yes/no question is the org's own answer: children's answers do not add up
            out[it.code] = CellValue(it.code, own, "manual", own=own, comment=e.get("comment", ""))
            continue
        reported = [Decimal(f[it.code]) for f in children_figures if f.get(it.code) not in (None, "")]
        kids = quantize(it, sum(reported)) if reported else None
        value = None if own is None and kids is None else quantize(it, (own or 0) + (kids or 0))
        out[it.code] = CellValue(it.code, value, "manual", own=own, children=kids, comment=e.get("comment", ""))
    parts_of = dict(defn.sums)
    for total, parts in defn.sums:
        # A declared total with a source of its own (5.A 筹集款物总额: all money raised) is printed as the sum
        # of its printed parts: every part is rounded to 4 places of 万元 on its own, so the total rounded on
        # its own could differ from their sum in the last place and refuse a correct report ("5.A 应等于
        # 5.B+…+5.F"). The parts partition the total's records (funds.choices.FORM_LINES), so this is the
        # same money, rounded once per printed figure. The source's own figure stays as ``auto_value``.
        if defn.item(total).source == "sum" or defn.item(total).unit != WAN or out[total].origin != "auto":
            continue  # a "sum" cell is computed from its parts below
        got = [out[p].value for p in parts if out[p].value is not None]
        if len(got) == len(parts):
            out[total].value = quantize(defn.item(total), sum(got))
    for it in defn.items:
        if it.source != "sum":
            continue
        e = entries.get(it.code) or {}
        got = [out[p].value for p in parts_of[it.code] if out[p].value is not None]
        computed = quantize(it, sum(got)) if got else None
        if e.get("value") not in (None, "") and e.get("reason"):
            out[it.code] = CellValue(it.code, quantize(it, e["value"]), "override", computed, reason=e["reason"],
                                     comment=e.get("comment", ""))
        else:
            out[it.code] = CellValue(it.code, computed, "auto", computed, comment=e.get("comment", ""))
    return {it.code: out[it.code] for it in defn.items}


def _side(side: str, values: dict[str, Decimal | None]) -> tuple[Decimal | None, int, int]:
    """(sum, items blank, items in all) of one side; numbers count as present."""
    total, blank, n = Decimal(0), 0, 0
    for t in _terms(side):
        if t not in values and _is_number(t):  # an item code such as "9" is a code, not the number 9
            total += Decimal(t)
            continue
        n += 1
        v = values.get(t)
        if v is None:
            blank += 1
        else:
            total += v
    return total, blank, n


def check(defn: Definition, values: dict[str, Decimal | None]) -> list[RuleResult]:
    out = []
    for r in defn.rules():
        lv, lb, ln = _side(r.left, values)
        rv, rb, rn = _side(r.right, values)
        blank, items = lb + rb, ln + rn
        skip = (r.missing == "skip_if_any_missing" and blank > 0) or (
            r.missing == "skip_if_all_missing" and items and blank == items)
        if r.missing == "never_skip" and r.code.startswith(("part:", "sum:")) and blank == items:
            skip = True  # a derived rule over cells all blank has nothing to say
        if skip:
            out.append(RuleResult(r, True, True, None if lb == ln and ln else lv, None if rb == rn and rn else rv))
            continue
        out.append(RuleResult(r, OPS[r.op](lv, rv), False, lv, rv))
    return out


def figures(cells: dict[str, CellValue]) -> dict[str, str | None]:
    """The frozen, JSON-safe figures of a report (what its parent adds up)."""
    return {code: None if c.value is None else str(c.value) for code, c in cells.items()}
