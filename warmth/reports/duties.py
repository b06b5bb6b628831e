"""报送范围: which levels and kinds of union must report a form for a season.

A union decides for every report made in its subtree which kinds of its children and their children report the form to
their parent (``ReportDuty``), and may ask single children of its own whatever their level; the nearest decision above
a parent (its own included) applies to that parent's children, a decision at the root is the nationwide default, and
without any the built-in default holds: the 省、市(州)、县(区) unions and the 产业工会, 直属工会 and 企业集团工会
report (the provincial notice of 2015 asks the 市(州)总工会 and the 省产业（局）、企业集团（公司）工会 for the form,
seed ``000`` 四(五)); 乡镇(街道)工会 and 基层工会 report only where a union above says so.

What follows from it (``reports.services``): the parent's approval waits only for the children that must report
(``expected_children``), only they have a deadline, count as late and are reminded, and the to-do of a unit
that need not report holds no 报送 (its own draft rests). A child that need not report may still report: its
approved figures add up like any other."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from warmth.audit.services import audit_record
from warmth.core.validation import text
from warmth.funds.rules import ancestors_paths
from warmth.orgs.access import Actor
from warmth.orgs.models import ALLOWED_CHILDREN, Org, OrgLevel
from warmth.orgs.permissions import Perm
from warmth.reports.definitions import definition
from warmth.reports.models import ReportDuty

L = OrgLevel
DEFAULT_LEVELS = frozenset({L.PROVINCE, L.CITY, L.COUNTY, L.INDUSTRY, L.DIRECT, L.GROUP})
DEFAULT_TEXT = ("县级及以上总工会（省、市(州)、县(区)）和产业工会、直属工会、企业集团工会报送；"
                "乡镇(街道)工会和基层工会只在上级工会规定时报送")
ORDER = [v for v, _ in L.choices]
MAX_UNITS = 5000


def level_names(levels) -> str:
    return "、".join(L(v).label for v in ORDER if v in levels) or "（无）"


@dataclass(frozen=True)
class Duty:
    """The rule that applies to the children of one union: the levels that report, the deciding union's own
    children asked for one by one (``units``), and where it comes from."""

    levels: frozenset[str]
    row: ReportDuty | None  # None: the built-in default
    units: frozenset[int] = frozenset()

    def reports(self, org: Org) -> bool:
        return org.level in self.levels or (org.pk in self.units and org.parent_id == self.row.org_id)

    @property
    def source(self) -> str:
        if self.row is None:
            return "系统默认"
        return f"{self.row.org.name}设定"

    @property
    def names(self) -> str:
        return level_names(self.levels)


def _nearest(form: str, year: int, paths: list[str]) -> ReportDuty | None:
    if not paths:
        return None
    return (ReportDuty.objects.filter(form=form, year=year, org__path__in=paths).select_related("org", "set_by")
            .order_by("-org__depth").first())


def _duty(row: ReportDuty | None) -> Duty:
    if row is None:
        return Duty(DEFAULT_LEVELS, None)
    return Duty(frozenset(row.levels), row, frozenset(row.units.values_list("pk", flat=True)))


def duty_for(form: str, year: int, org: Org) -> Duty:
    """Which of ``org``'s children must report ``form`` for season ``year`` (its own decision, else the nearest
    one above it, else the default). One or two queries."""
    return _duty(_nearest(form, year, ancestors_paths(org)))


def must_report(form: str, year: int, org: Org) -> bool:
    """Whether ``org`` must report ``form`` for ``year`` to its parent (the top of the tree reports to no one
    and its own report is always due)."""
    paths = ancestors_paths(org)[:-1]  # the parent's and above: the parent's rule decides
    if not paths:
        return True
    return _duty(_nearest(form, year, paths)).reports(org)


def levels_below(org: Org) -> list[str]:
    """The levels that can stand anywhere below ``org`` (``ALLOWED_CHILDREN`` followed down), in list order."""
    seen: set[str] = set()
    todo = list(ALLOWED_CHILDREN.get(org.level, ()))
    while todo:
        lv = todo.pop()
        if lv not in seen:
            seen.add(lv)
            todo.extend(ALLOWED_CHILDREN.get(lv, ()))
    return [v for v in ORDER if v in seen]


@transaction.atomic
def report_duty_set(*, actor: Actor | None, form: str, year: int, org: Org, levels: list[str] | None,
                    units: list[str] = (), note: str = "") -> ReportDuty | None:
    """Set which levels report ``form`` for ``year`` in ``org``'s subtree, and which of ``org``'s own children
    (codes in ``units``) report whatever their level (``levels`` None: drop the org's own decision, so the one
    above it, or the default, applies again). Only the union itself decides, with the permission to approve its
    children's reports; audited with the levels and units before and after."""
    defn = definition(form)
    if actor is not None:
        if not actor.sees_org(org):
            raise PermissionDenied("该组织不在您的管辖范围内。")
        actor.require(Perm.REPORT_APPROVE)
        if org.pk != actor.org.pk:
            raise PermissionDenied("报送范围由本单位设定，对本单位及所属下级有效。")
    errors: dict[str, str] = {}
    note = text(note, "note", "说明", errors, max_length=300, multiline=True)
    possible = levels_below(org)
    chosen: list[str] = []
    if levels is not None:
        unknown = [v for v in levels if v not in possible]
        if unknown:
            named = [L(v).label if v in L.values else "未知层级" for v in unknown]
            errors["levels"] = (f"须报送的层级：{org.name}的下级中没有{'、'.join(dict.fromkeys(named))}，"
                                f"可选：{level_names(possible)}")
        chosen = [v for v in ORDER if v in levels]
    raw = list(units or ())
    codes = list(dict.fromkeys(c for c in raw if isinstance(c, str) and len(c) <= 32))
    picked = []
    if codes and len(raw) <= MAX_UNITS:
        picked = list(Org.objects.filter(parent=org, is_active=True, code__in=codes).order_by("path"))
    if len(picked) != len(codes) or len(codes) != len(dict.fromkeys(map(str, raw))):
        errors["units"] = f"另须报送的单位：只能选择{org.name}的直属下级（最多 {MAX_UNITS} 个）"
    if errors:
        raise ValidationError(errors)
    before_row = ReportDuty.objects.select_for_update().filter(form=defn.id, year=year, org=org).first()
    before = duty_for(defn.id, year, org)
    if levels is None:
        if before_row is None:
            return None
        before_row.delete()
        row = None
        after = duty_for(defn.id, year, org)
    else:
        row = before_row or ReportDuty(form=defn.id, year=year, org=org)
        row.levels, row.note, row.set_by, row.set_at = chosen, note, actor.user if actor else None, timezone.now()
        row.full_clean(exclude=["org", "set_by"])
        row.save()
        row.units.set(picked)
        after = _duty(row)
    audit_record(actor=actor, action="report.duty", object_type="report_duty", object_id=f"{defn.id}:{year}",
                 org=org, before={"levels": before.names, "units": _unit_names(before, org),
                                  "duty_source": before.source},
                 after={"form": defn.id, "year": year, "levels": after.names, "units": _unit_names(after, org),
                        "duty_source": after.source if row is not None else f"沿用{after.source}", "note": note})
    return row


def _unit_names(duty: Duty, org: Org) -> str:
    if duty.row is None or duty.row.org_id != org.pk or not duty.units:
        return "（无）"
    return "、".join(Org.objects.filter(pk__in=duty.units).order_by("path").values_list("name", flat=True))
