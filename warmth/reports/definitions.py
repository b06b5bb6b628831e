"""Form definitions as data: one JSON file per form and version under ``reports/forms/`` (the 2014 and 2015
统计表, the 2013 and 2014 帮扶中心表). Each lists its items in print order (code as printed, label as printed,
unit, parent for 其中 items, source: a named query or "manual"), its declared sums and, optionally, written rules
``left op right``. Adding the 2016 form is adding a file."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

from warmth.core.money import to_wanyuan

FORMS_DIR = Path(__file__).resolve().parent / "forms"
COUNT_UNITS = frozenset({"人", "户", "家", "个", "对", "人次", "列", "节", "辆", "艘", "架", "张", "件", "场次", "笔"})
YES_NO = "是/否"
WAN = "万元"
OPS = ("<=", ">=", "==", "<", ">", "!=")
MISSING = ("never_skip", "skip_if_any_missing", "skip_if_all_missing")  # DHIS2's missing-value strategies


@dataclass(frozen=True)
class Item:
    code: str
    label: str
    unit: str
    parent: str | None
    source: str
    printed: str = ""

    @property
    def auto(self) -> bool:
        return self.source != "manual"

    @property
    def places(self) -> int:
        """Decimal places a value may have: 4 for 万元, none for counts and 是/否."""
        return 4 if self.unit == WAN else 0


@dataclass(frozen=True)
class Rule:
    """``left op right``: each side a sum of item codes (``"5.B+5.C"``) or a number."""

    code: str
    left: str
    op: str
    right: str
    importance: str = "error"        # error blocks submission; warning needs a comment
    missing: str = "never_skip"
    message: str = ""

    def codes(self, known=()) -> list[str]:
        return [t for side in (self.left, self.right) for t in _terms(side) if t in known or not _is_number(t)]


def _terms(side: str) -> list[str]:
    return [t.strip() for t in side.split("+") if t.strip()]


def _is_number(term: str) -> bool:
    return re.fullmatch(r"-?\d+(\.\d+)?", term) is not None


@dataclass(frozen=True)
class Definition:
    id: str
    title: str
    kind: str
    seed: str
    year: int
    notes: tuple[str, ...]
    items: tuple[Item, ...]
    sums: tuple[tuple[str, tuple[str, ...]], ...]
    written: tuple[Rule, ...] = ()
    by_code: dict = field(default_factory=dict, compare=False, repr=False)

    def item(self, code: str) -> Item:
        return self.by_code[code]

    def rules(self) -> list[Rule]:
        """The rules derived from the definition (each 其中 ≤ its parent; each declared sum holds), then the
        written ones."""
        out = [Rule(f"part:{it.code}", it.code, "<=", it.parent, message=f"{it.code} 不能超过 {it.parent}")
               for it in self.items if it.parent and it.unit != YES_NO and self.item(it.parent).unit == it.unit]
        out += [Rule(f"sum:{total}", total, "==", "+".join(parts), message=f"{total} 应等于 {'+'.join(parts)}")
                for total, parts in self.sums]
        return out + list(self.written)


def _parse(data: dict) -> Definition:
    items = tuple(Item(code=i["code"], label=i["label"], unit=i["unit"], parent=i.get("parent"),
                       source=i.get("source", "manual"), printed=i.get("printed", "")) for i in data["items"])
    written = tuple(Rule(code=r.get("code", f"rule:{n}"), left=r["left"], op=r["op"], right=r["right"],
                         importance=r.get("importance", "error"), missing=r.get("missing", "never_skip"),
                         message=r.get("message", "")) for n, r in enumerate(data.get("rules", []), 1))
    d = Definition(id=data["id"], title=data["title"], kind=data["kind"], seed=data.get("seed", ""),
                   year=int(data["year"]), notes=tuple(data.get("notes", [])), items=items,
                   sums=tuple((s["total"], tuple(s["parts"])) for s in data.get("sums", [])), written=written)
    d.by_code.update({it.code: it for it in items})
    return d


@cache
def definitions() -> dict[str, Definition]:
    out = {}
    for path in sorted(FORMS_DIR.glob("*.json")):
        d = _parse(json.loads(path.read_text(encoding="utf-8")))
        out[d.id] = d
    return out


def definition(form_id: str) -> Definition:
    try:
        return definitions()[form_id]
    except KeyError:
        raise KeyError(f"没有报表 {form_id}（可用：{'、'.join(definitions())}）") from None


def quantize(item: Item, value) -> Decimal:
    """A cell's value at its item's precision, rounded half up (四舍五入). A 万元 value goes through the one
    money rounding, ``core.money.to_wanyuan`` (the value in yuan is exact: only the exponent changes)."""
    number = Decimal(value)
    if item.unit == WAN:
        return to_wanyuan(number.scaleb(4), item.places)
    return number.quantize(Decimal(1).scaleb(-item.places), rounding=ROUND_HALF_UP)
