"""The report workflow: 填报 (cells saved by the org itself) → 报送 (rules checked, figures frozen) → the level
above 通过 (locks it; only when every child of the org that must report the form (``reports.duties``) has been
approved or exempted) or 退回 with a reason; the level above can reopen an approved report while its own report is
still open. Each step is a ``ReportStep`` and an audit row; every refusal is a Chinese message with nothing
written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from warmth.audit.services import audit_record
from warmth.campaigns.models import Campaign
from warmth.campaigns.queries import as_of_day
from warmth.core.validation import text
from warmth.core.workflow import Action, Guard, Transition, Workflow
from warmth.funds.rules import ancestors_paths
from warmth.orgs.access import Actor
from warmth.orgs.models import Org
from warmth.orgs.permissions import Perm, role_labels
from warmth.reports import engine
from warmth.reports.definitions import YES_NO, Definition, definition
from warmth.reports.duties import duty_for, must_report
from warmth.reports.models import Cell, Report, ReportStatus, ReportStep

S = ReportStatus


def children_of(org: Org) -> list[Org]:
    """Every active child of ``org`` (whether or not it must report a form)."""
    return list(Org.objects.filter(parent=org, is_active=True).order_by("path"))


def expected_children(org: Org, form: str, year: int) -> list[Org]:
    """The active children of ``org`` that must report ``form`` for ``year`` (the 报送范围 that applies to
    ``org``'s children): what the approval waits for, the board counts, the deadline and reminders concern."""
    duty = duty_for(form, year, org)
    q = Q(level__in=duty.levels)
    if duty.units and duty.row.org_id == org.pk:  # the org's own children asked for one by one
        q |= Q(pk__in=duty.units)
    return list(Org.objects.filter(q, parent=org, is_active=True).order_by("path"))


def children_reports(form: str, year: int, org: Org) -> dict[int, Report]:
    return {r.org_id: r for r in Report.objects.filter(form=form, year=year, org__parent=org)}


def entries_of(report: Report | None) -> dict:
    if report is None:
        return {}
    return {c.code: {"value": c.value, "reason": c.reason, "comment": c.comment} for c in report.cells.all()}


def report_definition(report: Report) -> Definition:
    """The form version the report is filled with (a later version of the form leaves it as it was)."""
    return definition(report.form, report.form_version)


def as_of(org: Org, year: int, report: Report | None = None) -> date:
    """The day the report's archive figures (items 2 and 3: 在档) are counted on, printed beside them: the day the
    dashboard and coverage use (``campaigns.queries.as_of_day``: the end of the campaign covering the org, or
    today while it runs); for a report sent up, as it stood on the day it was sent."""
    today = None
    if report is not None and report.locked and report.submitted_at is not None:
        today = timezone.localdate(report.submitted_at)
    return as_of_day(org, year, today)


def compute(defn: Definition, org: Org, year: int, report: Report | None = None) -> dict[str, engine.CellValue]:
    """The report's cells now: auto cells from the records (在档 on ``as_of``), manual cells from its entries and
    its approved children's frozen figures."""
    approved = [r.figures for r in children_reports(defn.id, year, org).values() if r.status == S.APPROVED]
    return engine.fill(defn, org, year, entries=entries_of(report), children_figures=approved,
                       day=as_of(org, year, report))


def _step(actor: Actor, report: Report, action: str, note: str = "", **after) -> None:
    ReportStep.objects.create(report=report, action=action, note=note, actor=actor.user)
    audit_record(actor=actor, action=f"report.{action}", object_type="report", object_id=report.pk, org=report.org,
                 after={"form": report.form, "year": report.year, "status": report.status, "note": note, **after})


def report_get_or_create(*, actor: Actor, form: str, org: Org, year: int) -> Report:
    defn = definition(form)
    if not actor.sees_org(org):
        raise PermissionDenied("该组织不在您的管辖范围内。")
    r = Report.objects.filter(form=defn.id, org=org, year=year).first()
    if r is None:
        actor.require(Perm.REPORT_WRITE)
        if org != actor.org:
            raise PermissionDenied("统计表由本单位填报，上级只能审核。")
        r, _ = Report.objects.get_or_create(form=defn.id, org=org, year=year, defaults={
            "created_by": actor.user, "deadline": deadline_of(org, year, defn.id), "form_version": defn.version})
    return r


def deadline_of(org: Org, year: int, form: str | None = None) -> date | None:
    """The reporting deadline: that of the season's campaign covering the org (its own or the nearest
    ancestor's), if it set one; with ``form``, none for an org that need not report it (``reports.duties``)."""
    if form is not None and not must_report(form, year, org):
        return None
    ancestors = ancestors_paths(org)
    c = (Campaign.objects.filter(year=year, org__path__in=ancestors, report_deadline__isnull=False)
         .order_by("-org__depth").first())
    return c.report_deadline if c else None


MAX_CELL = Decimal(10) ** 16


def parse_value(defn: Definition, code: str, raw) -> Decimal | None:
    """A typed cell: blank stays blank; text, negatives, floats from the API and too many decimals are refused."""
    it = defn.item(code)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, float):
        raise ValidationError({code: f"{code} {it.label}：请以文本或整数提交，不接受浮点数"})
    text = str(raw).strip().replace(",", "").replace("，", "")
    if it.unit == YES_NO:
        mapping = {"是": 1, "否": 0, "1": 1, "0": 0}
        if text not in mapping:
            raise ValidationError({code: f"{code} {it.label}：请填“是”或“否”"})
        return Decimal(mapping[text])
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise ValidationError({code: f"{code} {it.label}：“{text}”不是数字"}) from None
    if not d.is_finite():
        raise ValidationError({code: f"{code} {it.label}：“{text}”不是数字"})
    if d < 0:
        raise ValidationError({code: f"{code} {it.label}：不能为负数"})
    if d >= MAX_CELL:  # the column holds 16 digits before the point
        raise ValidationError({code: f"{code} {it.label}：数值过大"})
    if d != d.quantize(Decimal(1).scaleb(-it.places)):
        what = "万元最多保留 4 位小数" if it.places else f"单位为“{it.unit}”，须为整数"
        raise ValidationError({code: f"{code} {it.label}：{what}"})
    return d


@transaction.atomic
def cells_save(*, actor: Actor, report: Report, values: dict) -> Report:
    """Save the org's own cells: ``{code: {"value": …, "reason": …, "comment": …}}``. A manual cell takes the
    value; an auto cell takes a value only with a reason (an override); any cell takes a comment."""
    actor.require(Perm.REPORT_WRITE)
    if report.org_id != actor.org.pk:
        raise PermissionDenied("统计表由本单位填报，上级只能审核。")
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.locked:
        raise ValidationError({"__all__": f"统计表当前为“{report.get_status_display()}”，"
                                          "不能修改（须先退回或重新打开）"})
    defn = report_definition(report)
    errors: dict[str, str] = {}
    parsed = {}
    for code, given in values.items():
        if code not in defn.by_code:
            errors[code] = f"没有栏目 {code}"
            continue
        given = given if isinstance(given, dict) else {"value": given}
        try:
            value = parse_value(defn, code, given.get("value"))
        except ValidationError as exc:
            errors.update({k: "；".join(v) for k, v in exc.message_dict.items()})
            continue
        reason = text(given.get("reason"), code, f"{code} 的修改理由", errors, max_length=200)
        comment = text(given.get("comment"), code, f"{code} 的说明", errors, max_length=300, multiline=True)
        if code in errors:
            continue
        if defn.item(code).auto and value is not None and not reason:
            errors[code] = f"{code} {defn.item(code).label} 由系统根据记录自动计算，修改须填写理由"
            continue
        parsed[code] = (value, reason if value is not None else "", comment)
    if errors:
        raise ValidationError(errors)
    changed = {}
    for code, (value, reason, comment) in parsed.items():
        cell = report.cells.filter(code=code).first()
        before = None if cell is None else (cell.value, cell.reason, cell.comment)
        if before == (value, reason, comment) or (cell is None and value is None and not comment):
            continue
        Cell.objects.update_or_create(report=report, code=code, defaults={
            "value": value, "reason": reason, "comment": comment, "updated_by": actor.user,
            "updated_at": timezone.now()})
        changed[code] = {"before": None if before is None else str(before[0]), "after": str(value), "reason": reason}
    if changed:
        if report.status == S.RETURNED:
            report.status = S.DRAFT
            report.save(update_fields=["status"])
        _step(actor, report, "save", cells=changed)
    return report


# --- the workflow: one table run by warmth.core.workflow ----------------------------------------------------

def _report_access(actor: Actor, report: Report) -> None:
    if not actor.sees_org(report.org):
        raise PermissionDenied("该统计表不在您的管辖范围内。")


def _own(t: Transition) -> str | None:
    return None if t.actor is None or t.obj.org_id == t.actor.org.pk else "统计表由本单位报送。"


def _above(t: Transition) -> str | None:
    """The level above: the actor's org is the report org's parent."""
    return None if t.actor is None or t.obj.org.parent_id == t.actor.org.pk else "统计表由上一级工会审核。"


def _children_done(t: Transition) -> str | None:
    report = t.obj
    done = {r.org_id for r in children_reports(report.form, report.year, report.org).values()
            if r.status in (S.APPROVED, S.EXEMPT)}
    waiting = [k.name for k in expected_children(report.org, report.form, report.year) if k.pk not in done]
    if waiting:
        return (f"{report.org.name}须报送此表的下级尚未全部审核通过或免报：{'、'.join(waiting[:10])}"
                + ("等" if len(waiting) > 10 else ""))
    return None


def _parent_open(t: Transition) -> str | None:
    report = t.obj
    if report.status != S.APPROVED:
        return None
    parent = Report.objects.filter(form=report.form, year=report.year, org_id=report.org.parent_id).first()
    if parent is not None and parent.status in (S.SUBMITTED, S.APPROVED):
        return "上级统计表已报送或已通过，须先退回上级统计表"
    return None


def _submit(t: Transition) -> None:
    """报送: errors block; a failed warning needs a comment on one of its cells (or a note)."""
    report, d = t.obj, t.data
    note = str(d.get("note") or "")
    defn = report_definition(report)
    problems: dict = {}
    filled_by = text(d.get("filled_by") or report.filled_by, "filled_by", "填报人", problems, max_length=30)
    phone = text(d.get("phone") or report.phone, "phone", "联系电话", problems, max_length=30)
    note = text(note, "note", "报送说明", problems, max_length=300, multiline=True)
    if problems:
        raise ValidationError(problems)
    if not filled_by or not phone:
        raise ValidationError({"filled_by": "报送须填写填报人和联系电话"})
    cells = compute(defn, report.org, report.year, report)
    results = engine.check(defn, {c: v.value for c, v in cells.items()})
    errors = [r.message for r in results if not r.ok and r.level == "error"]
    if errors:
        raise ValidationError({"__all__": ["未通过校验，不能报送：", *errors]})
    unexplained = [r.message for r in results if not r.ok and r.level == "warning"
                   and not note and not any(cells[c].comment for c in r.rule.codes(cells) if c in cells)]
    if unexplained:
        raise ValidationError({"__all__": ["以下提示须在相关栏目填写说明（或填写报送说明）：", *unexplained]})
    report.figures = engine.figures(cells)
    report.submitted_at = timezone.now()
    report.deadline = deadline_of(report.org, report.year, report.form)  # as the 报送范围 stands now
    report.filled_by, report.phone = filled_by, phone
    t.note = note
    t.step_data = {"late": None}  # the report's lateness, read once the status is set (see _step)


def _decided(t: Transition) -> None:
    t.obj.decided_at, t.obj.decided_by = timezone.now(), t.actor.user
    if not t.action.reason:
        t.note = text(t.data.get("note"), "note", "审核意见", max_length=300, multiline=True)


def _return(t: Transition) -> None:
    if t.before == S.APPROVED:
        t.step_action = "reopen"


def _report_step(t: Transition) -> None:
    report = t.obj
    action = t.step_action or t.action.name
    if "late" in t.step_data:
        t.step_data = {"late": report.late}
    ReportStep.objects.create(report=report, action=action, note=t.note, actor=t.actor.user)
    t.audit_action = f"report.{action}"
    t.audit_after = {"form": report.form, "year": report.year, "status": report.status, "note": t.note,
                     **t.step_data}


def _submitter(report: Report) -> Org | None:
    """Who the 报送 waits on: the org itself, when it must report the form (or its parent returned it);
    a draft no one requires rests (no to-do, no 下一步) until the org sends it of its own accord."""
    if report.status == S.RETURNED or must_report(report.form, report.year, report.org):
        return report.org
    return None


def _wrong_state(report: Report, a: Action) -> str:
    return f"统计表当前为“{report.get_status_display()}”，不能{a.label}"


RW, RA = Perm.REPORT_WRITE, Perm.REPORT_APPROVE
_DECIDED = ("decided_at", "decided_by")

WORKFLOW = Workflow(
    name="report", model=Report, access=_report_access, sees=lambda actor, r: actor.sees_org(r.org), step=_report_step,
    audit=audit_record, org_of=lambda r: r.org, roles=role_labels, lock_related=("org",), wrong_state=_wrong_state,
    actions=[
        Action("submit", "报送", frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED, RW,
               guards=(Guard(_own, denied=True),), apply=_submit,
               fields=("figures", "submitted_at", "filled_by", "phone", "deadline"), forward=True,
               acting_org=_submitter),
        Action("approve", "审核通过", frozenset({S.SUBMITTED}), S.APPROVED, RA,
               guards=(Guard(_above, denied=True), Guard(_children_done)), apply=_decided, fields=_DECIDED,
               forward=True, acting_org=lambda r: r.org.parent),
        Action("return", "退回", frozenset({S.SUBMITTED, S.APPROVED}), S.RETURNED, RA,
               guards=(Guard(_above, denied=True), Guard(_parent_open)), reason="理由",
               reason_missing="退回须填写理由", reason_max=300, apply=_return),
        Action("exempt", "免报", frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED, S.EXEMPT}), S.EXEMPT, RA,
               guards=(Guard(_above, denied=True),), reason="理由", reason_missing="免报须填写理由",
               reason_max=300, apply=_decided, fields=_DECIDED, wrong_state="已通过的统计表不能改为免报"),
    ],
)


@transaction.atomic
def report_submit(*, actor: Actor, report: Report, filled_by: str = "", phone: str = "", note: str = "") -> Report:
    """报送: errors block; a failed warning needs a comment on one of its cells (or a note)."""
    return WORKFLOW.run(actor, report, "submit", filled_by=filled_by, phone=phone, note=note).obj


@transaction.atomic
def report_approve(*, actor: Actor, report: Report, note: str = "") -> Report:
    """通过 by the level above, only when every active child of the org is approved or exempt."""
    return WORKFLOW.run(actor, report, "approve", note=note).obj


@transaction.atomic
def report_return(*, actor: Actor, report: Report, reason: str) -> Report:
    """退回 (or reopen an approved report while the parent's own report is still open)."""
    return WORKFLOW.run(actor, report, "return", reason=reason).obj


@transaction.atomic
def report_exempt(*, actor: Actor, form: str, org: Org, year: int, reason: str) -> Report:
    """The level above exempts a child from reporting this form (e.g. a union merged or without members). The
    parent's figures hold nothing of a child not approved: exempting never changes them."""
    defn = definition(form)
    if not (reason or "").strip():
        raise ValidationError({"reason": "免报须填写理由"})
    probe = Report(form=defn.id, org=org, year=year)
    _report_access(actor, probe)
    actor.require(Perm.REPORT_APPROVE)
    if (refused := _above(Transition(WORKFLOW, WORKFLOW["exempt"], actor, probe, {}))):
        raise PermissionDenied(refused)
    r, _ = Report.objects.get_or_create(form=defn.id, org=org, year=year,
                                        defaults={"created_by": actor.user, "form_version": defn.version})
    return WORKFLOW.run(actor, r, "exempt", reason=reason).obj


def completeness(form: str, year: int, org: Org, today: date | None = None) -> dict:
    """The board of a parent: each child that must report (the 报送范围 applying to ``org``'s children) with its
    report's status and whether it is late; the children that need not report, and those of them that reported
    all the same (their approved figures add up, but nothing waits for them)."""
    today = today or timezone.localdate()
    reports = children_reports(form, year, org)
    duty = duty_for(form, year, org)
    due = deadline_of(org, year)
    rows, others = [], []
    for child in children_of(org):
        r = reports.get(child.pk)
        status = r.status if r else None
        sent = status in (S.SUBMITTED, S.APPROVED)
        if not duty.reports(child):
            others.append({"org": child, "report": r, "status": status, "sent": sent, "late": False,
                           "deadline": None})
            continue
        deadline = (r.deadline if r else None) or due
        if sent:
            late = bool(deadline and r.submitted_at and timezone.localdate(r.submitted_at) > deadline)
        else:
            late = status != S.EXEMPT and deadline is not None and today > deadline
        rows.append({"org": child, "report": r, "status": status, "sent": sent, "late": late, "deadline": deadline})
    return {"rows": rows, "expected": len(rows), "submitted": sum(1 for x in rows if x["sent"]),
            "approved": sum(1 for x in rows if x["status"] == S.APPROVED),
            "exempt": sum(1 for x in rows if x["status"] == S.EXEMPT),
            "late": sum(1 for x in rows if x["late"]), "deadline": due,
            "missing": [x["org"] for x in rows if not x["sent"] and x["status"] != S.EXEMPT],
            "duty": duty, "not_required": len(others), "voluntary": [x for x in others if x["report"] is not None]}
