"""统计表 API: the form definitions, a report's cells with their origin, the rule results, status and steps; saving
cells, 报送, 通过, 退回 (also reopens an approved report), 免报, a parent's completeness board, and the 报送范围 (which
levels of a union's subtree must report a form for a season).

Every route reaches its org through ``org_for_actor`` and its report through ``warmth.reports.access`` (outside
the subtree: 404); the services check roles (403) and the rules (422 with Chinese messages), each write in one
transaction, so a refusal writes nothing. A value is a string or an integer, never a JSON float."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from ninja import Router

from warmth.core.schemas import Figure
from warmth.core.validation import InputSchema
from warmth.orgs.access import Actor, org_for_actor
from warmth.orgs.models import Org
from warmth.reports import duties, engine, services
from warmth.reports.access import report_of
from warmth.reports.definitions import Definition, definition, definitions
from warmth.reports.models import Report
from warmth.reports.views import FIRST_YEAR, LAST_YEAR

router = Router(tags=["统计表"])


# --- schemas ------------------------------------------------------------------------------------------

class CellIn(InputSchema):
    value: Figure = None
    reason: str = ""
    comment: str = ""


class CellsIn(InputSchema):
    org: str = ""
    cells: dict[str, CellIn]


class SubmitIn(InputSchema):
    org: str = ""
    filled_by: str = ""
    phone: str = ""
    note: str = ""


class ApproveIn(InputSchema):
    org: str
    note: str = ""


class ReasonIn(InputSchema):
    org: str
    reason: str


class DutyIn(InputSchema):
    org: str = ""
    levels: list[str] = []
    units: list[str] = []  # codes of the org's own children that must report whatever their level
    note: str = ""
    inherit: bool = False  # drop the org's own decision: the one above it (or the default) applies again


# --- helpers ------------------------------------------------------------------------------------------

def _defn(form: str, year: int) -> Definition:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404(f"年度 {year} 不在 {FIRST_YEAR}–{LAST_YEAR} 之间")
    try:
        return definition(form)
    except KeyError as exc:
        raise Http404(exc.args[0]) from None


def _org(actor: Actor, code: str) -> Org:
    code = (code or "").strip()
    return org_for_actor(actor, code) if code else actor.org


def _existing(actor: Actor, defn: Definition, org: Org, year: int) -> Report:
    r = report_of(actor, defn.id, org, year)
    if r is None:
        raise Http404(f"{org.name}的{defn.title_for(year)}（{year} 年度）尚未填报")
    return r


def _v(value) -> str | None:
    return None if value is None else format(value, "f")


def _definition(d: Definition) -> dict:
    return {"id": d.id, "title": d.title, "kind": d.kind, "seed": d.seed, "year": d.year, "notes": list(d.notes),
            "items": [{"code": it.code, "label": it.label, "unit": it.unit, "parent": it.parent, "source": it.source,
                       "auto": it.auto, "printed": it.printed} for it in d.items],
            "sums": [{"total": total, "parts": list(parts)} for total, parts in d.sums],
            "rules": [{"code": r.code, "left": r.left, "op": r.op, "right": r.right, "importance": r.importance,
                       "missing": r.missing, "message": r.message} for r in d.rules()]}


def _report(actor: Actor, defn: Definition, org: Org, year: int) -> dict:
    report = report_of(actor, defn.id, org, year)
    if report is not None:
        defn = services.report_definition(report)
    cells = services.compute(defn, org, year, report)
    results = engine.check(defn, {c: v.value for c, v in cells.items()})
    steps = list(report.steps.select_related("actor")) if report else []
    probe = report or Report(form=defn.id, org=org, year=year)
    waiting = services.WORKFLOW.waiting_on(probe)
    return {
        "form": defn.id, "title": defn.title_for(year), "org": org.code, "org_name": org.name, "year": year,
        "report": report.pk if report else None, "status": report.status if report else None,
        "filled_by": report.filled_by if report else "", "phone": report.phone if report else "",
        "submitted_at": report.submitted_at if report else None, "late": bool(report and report.late),
        "as_of": services.as_of(org, year, report),  # the day the archive items (在档) are counted on
        "cells": {code: {"value": _v(c.value), "origin": c.origin, "auto_value": _v(c.auto_value), "own": _v(c.own),
                         "children": _v(c.children), "reason": c.reason, "comment": c.comment}
                  for code, c in cells.items()},
        "rules": [{"rule": r.rule.code, "level": r.level, "ok": r.ok, "skipped": r.skipped, "message": r.message}
                  for r in results],
        "steps": [{"action": s.action, "note": s.note, "actor": s.actor.display_name, "at": s.at} for s in steps],
        "actions": services.WORKFLOW.allowed(actor, probe),  # what this caller may do now, nothing else
        "waiting_on": str(waiting) if waiting else None,
    }


# --- routes -------------------------------------------------------------------------------------------

@router.get("/forms", response=list[dict], summary="全部报表定义（栏目、合计、校验规则）")
def reports_forms(request):
    return [_definition(d) for d in definitions().values()]


@router.get("/{form}/{int:year}", response=dict, summary="一个单位的统计表：栏目的值与来源、校验、状态、办理记录")
def reports_detail(request, form: str, year: int, org: str = ""):
    actor = request.auth
    defn = _defn(form, year)
    return _report(actor, defn, _org(actor, org), year)


@router.post("/{form}/{int:year}/cells", response=dict, summary="保存本单位的栏目（手填值、修改自动数据须附理由）")
def reports_cells(request, form: str, year: int, payload: CellsIn):
    actor = request.auth
    defn = _defn(form, year)
    org = _org(actor, payload.org)
    with transaction.atomic():
        r = services.report_get_or_create(actor=actor, form=defn.id, org=org, year=year)
        services.cells_save(actor=actor, report=r, values={k: v.dict() for k, v in payload.cells.items()})
    return _report(actor, defn, org, year)


@router.post("/{form}/{int:year}/submit", response=dict, summary="报送本单位的统计表（须通过校验）")
def reports_submit(request, form: str, year: int, payload: SubmitIn):
    actor = request.auth
    defn = _defn(form, year)
    org = _org(actor, payload.org)
    with transaction.atomic():
        r = services.report_get_or_create(actor=actor, form=defn.id, org=org, year=year)
        services.report_submit(actor=actor, report=r, filled_by=payload.filled_by, phone=payload.phone,
                               note=payload.note)
    return _report(actor, defn, org, year)


@router.post("/{form}/{int:year}/approve", response=dict, summary="上一级工会审核通过（下级须全部通过或免报）")
def reports_approve(request, form: str, year: int, payload: ApproveIn):
    actor = request.auth
    defn = _defn(form, year)
    org = _org(actor, payload.org)
    services.report_approve(actor=actor, report=_existing(actor, defn, org, year), note=payload.note)
    return _report(actor, defn, org, year)


@router.post("/{form}/{int:year}/return", response=dict, summary="上一级工会退回（已通过的统计表退回即重新打开）")
def reports_return(request, form: str, year: int, payload: ReasonIn):
    actor = request.auth
    defn = _defn(form, year)
    org = _org(actor, payload.org)
    services.report_return(actor=actor, report=_existing(actor, defn, org, year), reason=payload.reason)
    return _report(actor, defn, org, year)


@router.post("/{form}/{int:year}/exempt", response=dict, summary="上一级工会设定下级免报（须填理由）")
def reports_exempt(request, form: str, year: int, payload: ReasonIn):
    actor = request.auth
    defn = _defn(form, year)
    org = _org(actor, payload.org)
    services.report_exempt(actor=actor, form=defn.id, org=org, year=year, reason=payload.reason)
    return _report(actor, defn, org, year)


@router.get("/{form}/{int:year}/completeness", response=dict, summary="下级报送情况：应报、已报、免报、逾期、未报")
def reports_completeness(request, form: str, year: int, org: str = ""):
    actor = request.auth
    defn = _defn(form, year)
    o = _org(actor, org)
    board = services.completeness(defn.id, year, o)
    return {"form": defn.id, "year": year, "org": o.code, "org_name": o.name,
            **{k: board[k] for k in ("expected", "submitted", "approved", "exempt", "late")},
            "missing": [{"code": m.code, "name": m.name} for m in board["missing"]],
            "rows": [{"code": row["org"].code, "name": row["org"].name, "status": row["status"], "sent": row["sent"],
                      "late": row["late"], "submitted_at": row["report"].submitted_at if row["report"] else None}
                     for row in board["rows"]],
            "not_required": board["not_required"],
            "voluntary": [{"code": row["org"].code, "name": row["org"].name, "status": row["status"]}
                          for row in board["voluntary"]],
            "duty": _duty(defn, o, year)}


def _duty(defn: Definition, org: Org, year: int) -> dict:
    d = duties.duty_for(defn.id, year, org)
    return {"form": defn.id, "year": year, "org": org.code, "levels": sorted(d.levels, key=duties.ORDER.index),
            "names": d.names, "source": d.source, "decided_by": d.row.org.code if d.row else None,
            "units": sorted(Org.objects.filter(pk__in=d.units, parent=org).values_list("code", flat=True))
            if d.row and d.row.org_id == org.pk else [],
            "own": bool(d.row and d.row.org_id == org.pk), "note": d.row.note if d.row else "",
            "default": sorted(duties.DEFAULT_LEVELS, key=duties.ORDER.index), "possible": duties.levels_below(org),
            "must_report": duties.must_report(defn.id, year, org)}


@router.get("/{form}/{int:year}/duty", response=dict, summary="报送范围：本单位及所属下级中须报送此表的层级")
def reports_duty(request, form: str, year: int, org: str = ""):
    actor = request.auth
    defn = _defn(form, year)
    return _duty(defn, _org(actor, org), year)


@router.post("/{form}/{int:year}/duty", response=dict, summary="设定报送范围（本单位审核人或领导设定）")
def reports_duty_set(request, form: str, year: int, payload: DutyIn):
    actor = request.auth
    defn = _defn(form, year)
    org = _org(actor, payload.org)
    duties.report_duty_set(actor=actor, form=defn.id, year=year, org=org,
                           levels=None if payload.inherit else payload.levels, units=payload.units,
                           note=payload.note)
    return _duty(defn, org, year)
