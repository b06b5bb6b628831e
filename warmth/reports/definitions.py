"""Form definitions as data: the shipped forms are one JSON file each under ``reports/forms/`` (the 2014 and 2015
统计表, the 2013 and 2014 帮扶中心表). Each lists its items in print order (code as printed, label as printed,
unit, parent for 其中 items, source: a named query or "manual"), its declared sums and, optionally, written rules
``left op right``. These files are the shipped forms; the system admin adds next year's on the forms page
(``reports.formstore`` keeps every form and version in the database).

**The season's years.** Titles, labels, printed phrases, lead-ins and notes mark the years that belong to the
season the form is filled for: ``{year}`` is the calendar year of the 两节 (元旦 and 春节), ``{year-1}`` the year
before it. A season is labelled by the year its money belongs to (``core.festival``: season 2025 is the 两节 of
2026), so ``{year}`` = season + 1: the 2015 form filled for season 2025 prints "2026年元旦、春节期间…" and
"2025年度经过工会帮扶实现脱贫"; the 2013 帮扶中心表 filled for 2025 prints "截止2025年12月31日". ``season`` in the
file is the season the form was printed for; ``label`` / ``title`` / ``notes`` on the parsed definition are
rendered for it (they equal the attachment's text), and the ``*_for(season)`` methods render for another.

**What prints.** ``text`` (optional) is an item's whole printed phrase for the 项目 column when its label alone
would lose words of the form (the words after a blank, the vehicle before 运送): ``　　`` (two full-width spaces)
marks a blank left for another item's figure, as on paper. ``lead_ins`` are the printed lines that head a group
of items ("{year}年元旦、春节期间送温暖活动中" before items 4, 7 and 8). ``head`` names the two header fields
(填报单位/填报人 by default; the 2013 帮扶中心表 prints 填表单位/填表人).

**Checked when loaded.** An unknown source name, a parent or sum part that is not an item, a duplicate code or a
unit the engine does not know refuses the whole definition with the item named (:class:`DefinitionError`), so
a bad file fails when the forms are loaded, never halfway through a fill."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
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


YEAR_MARK = re.compile(r"\{year(?:([+-])(\d+))?\}")
BLANK = "\u3000\u3000"  # a blank left for a figure, as the printed text phrase shows it


class DefinitionError(ValueError):
    """A form definition that cannot be used: the message names the form and the item."""


def render_years(text: str, season: int) -> str:
    """``text`` with its year marks filled for ``season``: ``{year}`` is the 两节's year (season + 1)."""
    def one(m: re.Match) -> str:
        n = int(m.group(2) or 0)
        return str(season + 1 + (n if m.group(1) == "+" else -n))
    return YEAR_MARK.sub(one, text)


@dataclass(frozen=True)
class Item:
    code: str
    label: str
    unit: str
    parent: str | None
    source: str
    printed: str = ""
    label_t: str = ""              # the label with its year marks (``label`` is rendered for the form's season)
    text_t: str = ""               # the whole printed phrase for the 项目 column, when the label is not all of it

    def label_for(self, season: int) -> str:
        return render_years(self.label_t or self.label, season)

    def text_for(self, season: int) -> str:
        """What the 项目 column prints: the whole phrase with its blanks, for ``season``."""
        return render_years(self.text_t or self.label_t or self.label, season)

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
    season: int = 0                                   # the season the form was printed for
    title_t: str = ""
    notes_t: tuple[str, ...] = ()
    lead_ins: tuple[tuple[str, str], ...] = ()        # (before item code, text with year marks)
    head: tuple[str, str] = ("填报单位", "填报人")
    version: int = 1                                  # the ``ReportForm`` version it was parsed from

    def item(self, code: str) -> Item:
        return self.by_code[code]

    def title_for(self, season: int) -> str:
        return render_years(self.title_t or self.title, season)

    def notes_for(self, season: int) -> tuple[str, ...]:
        return tuple(render_years(n, season) for n in (self.notes_t or self.notes))

    def lead_ins_for(self, season: int) -> dict[str, str]:
        """``{item code: the line printed before it}`` for ``season``."""
        return {code: render_years(text, season) for code, text in self.lead_ins}

    def for_season(self, season: int) -> Definition:
        """The same form with its title, notes and item labels rendered for ``season`` (for pages that show
        ``title`` and ``label`` as they are)."""
        if season == self.season:
            return self
        items = tuple(replace(it, label=it.label_for(season), printed=render_years(it.printed, season))
                      for it in self.items)
        d = replace(self, title=self.title_for(season), notes=self.notes_for(season), items=items, by_code={},
                    season=season)
        d.by_code.update({it.code: it for it in items})
        return d

    def rules(self) -> list[Rule]:
        """The rules derived from the definition (each 其中 ≤ its parent; each declared sum holds), then the
        written ones."""
        out = [Rule(f"part:{it.code}", it.code, "<=", it.parent, message=f"{it.code} 不能超过 {it.parent}")
               for it in self.items if it.parent and it.unit != YES_NO and self.item(it.parent).unit == it.unit]
        out += [Rule(f"sum:{total}", total, "==", "+".join(parts), message=f"{total} 应等于 {'+'.join(parts)}")
                for total, parts in self.sums]
        return out + list(self.written)


def _parse(data: dict, *, known_source=None, version: int = 1) -> Definition:
    """A definition from its JSON, checked (:func:`validate`); ``known_source(name)`` says whether a named
    source exists (default: the registry of ``reports.sources``)."""
    problems = validate(data, known_source=known_source)
    if problems:
        raise DefinitionError(f"报表定义 {data.get('id', '?')} 有误：" + "；".join(problems))
    season = int(data.get("season", data["year"] - 1))
    items = tuple(Item(code=i["code"], label=render_years(i["label"], season), unit=i["unit"],
                       parent=i.get("parent"), source=i.get("source", "manual"),
                       printed=render_years(i.get("printed", ""), season),
                       label_t=i["label"], text_t=i.get("text", "")) for i in data["items"])
    written = tuple(Rule(code=r.get("code", f"rule:{n}"), left=r["left"], op=r["op"], right=r["right"],
                         importance=r.get("importance", "error"), missing=r.get("missing", "never_skip"),
                         message=r.get("message", "")) for n, r in enumerate(data.get("rules", []), 1))
    head = data.get("head") or {}
    d = Definition(id=data["id"], title=render_years(data["title"], season), kind=data["kind"],
                   seed=data.get("seed", ""), year=int(data["year"]),
                   notes=tuple(render_years(n, season) for n in data.get("notes", [])), items=items,
                   sums=tuple((s["total"], tuple(s["parts"])) for s in data.get("sums", [])), written=written,
                   season=season, title_t=data["title"], notes_t=tuple(data.get("notes", [])),
                   lead_ins=tuple((x["before"], x["text"]) for x in data.get("lead_ins", [])),
                   head=(head.get("unit", "填报单位"), head.get("person", "填报人")), version=version)
    d.by_code.update({it.code: it for it in items})
    return d


def _registry_has(name: str) -> bool:
    from warmth.reports import sources  # the registry of named queries (imports the apps that feed it)

    return sources.source(name) is not None


def validate(data: dict, *, known_source=None) -> list[str]:
    """What is wrong with a form definition, each problem naming its item; empty when it can be used."""
    known_source = known_source or _registry_has
    problems: list[str] = []
    items = data.get("items") or []
    if not items:
        return ["没有栏目"]
    units = COUNT_UNITS | {YES_NO, WAN} | set(data.get("extra_units", []))
    seen: dict[str, dict] = {}
    for it in items:
        code = it.get("code", "")
        if not code:
            problems.append(f"第 {len(seen) + 1} 个栏目没有编号")
            continue
        if code in seen:
            problems.append(f"栏目 {code} 重复")
        seen[code] = it
        if it.get("unit") not in units:
            problems.append(f"栏目 {code} 的单位 {it.get('unit')} 无效")
        source = it.get("source", "manual")
        if source not in ("manual", "sum") and not known_source(source):
            problems.append(f"栏目 {code} 的数据来源 {source} 不存在")
        if YEAR_MARK.sub("", it.get("label", "")).count("{"):
            problems.append(f"栏目 {code} 的名称中有无法识别的年份标记")
    for it in items:
        parent = it.get("parent")
        if parent and parent not in seen:
            problems.append(f"栏目 {it.get('code')} 的上级栏目 {parent} 不存在")
    sums = data.get("sums", [])
    for s in sums:
        for code in (s.get("total"), *s.get("parts", [])):
            if code not in seen:
                problems.append(f"合计 {s.get('total')} 引用的栏目 {code} 不存在")
    totals = {s.get("total") for s in sums}
    for it in items:
        if it.get("source") == "sum" and it.get("code") not in totals:
            problems.append(f"栏目 {it.get('code')} 标为合计，但没有声明其组成")
    for x in data.get("lead_ins", []):
        if x.get("before") not in seen:
            problems.append(f"引导语“{x.get('text')}”所在的栏目 {x.get('before')} 不存在")
    for n, r in enumerate(data.get("rules", []), 1):
        name = f"校验规则 {r.get('code') or n}"
        if r.get("op") not in OPS:
            problems.append(f"{name} 的比较符 {r.get('op')} 无效（可用：{' '.join(OPS)}）")
        for side in ("left", "right"):
            terms = _terms(str(r.get(side) or ""))
            if not terms:
                problems.append(f"{name} 缺少{'左边' if side == 'left' else '右边'}")
            problems += [f"{name} 引用的栏目 {t} 不存在" for t in terms if t not in seen and not _is_number(t)]
        if r.get("importance", "error") not in ("error", "warning"):
            problems.append(f"{name} 的级别须为 error（错误，阻止报送）或 warning（提示）")
        if r.get("missing", "never_skip") not in MISSING:
            problems.append(f"{name} 的缺值处理须为 {'、'.join(MISSING)} 之一")
    return problems


def package_forms() -> dict[str, dict]:
    """The shipped forms as their files hold them: ``{form id: JSON}``."""
    out = {}
    for path in sorted(FORMS_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        out[data["id"]] = data
    return out


@cache
def package_definitions() -> dict[str, Definition]:
    return {form_id: _parse(data) for form_id, data in package_forms().items()}


def definitions() -> dict[str, Definition]:
    """The forms that can be filled now: the current published version of each form kept in the database
    (``reports.formstore``: the shipped ones loaded from the package files, next year's added on the forms
    page); the package files alone while the database cannot be read (before ``migrate``, when tests are
    collected)."""
    from warmth.reports import formstore  # the store reads the models, which this module must not need

    try:
        return formstore.published()
    except formstore.Unavailable:
        return package_definitions()


def definition(form_id: str, version: int | None = None) -> Definition:
    """A form by id: its current published version, or ``version`` (what a report was filled with); a
    retired form still opens its reports."""
    from warmth.reports import formstore

    current = definitions().get(form_id)
    if current is not None and version in (None, current.version):
        return current
    try:
        found = formstore.version_of(form_id, version)
    except formstore.Unavailable:
        found = None
    if found is None:
        raise KeyError(f"没有报表 {form_id}（可用：{'、'.join(definitions())}）")
    return found


def quantize(item: Item, value) -> Decimal:
    """A cell's value at its item's precision, rounded half up (四舍五入). A 万元 value goes through the one
    money rounding, ``core.money.to_wanyuan`` (the value in yuan is exact: only the exponent changes)."""
    number = Decimal(value)
    if item.unit == WAN:
        return to_wanyuan(number.scaleb(4), item.places)
    return number.quantize(Decimal(1).scaleb(-item.places), rounding=ROUND_HALF_UP)
