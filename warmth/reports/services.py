"""The report workflow: 填报 (cells saved by the org itself) → 报送 (rules checked, figures frozen) → the level
above 通过 (locks it; only when every expected child of the org has been approved or exempted) or 退回 with a
reason; the level above can reopen an approved report while its own report is still open. Each step is a
``ReportStep`` and an audit row; every refusal is a Chinese message with nothing written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from warmth.audit.services import audit_record
from warmth.funds.rules import ancestors_paths
from warmth.orgs.access import Actor
from warmth.orgs.models import Org
from warmth.orgs.permissions import Perm
from warmth.reports import engine
from warmth.reports.definitions import YES_NO, Definition, definition
from warmth.reports.models import Cell, Report, ReportStatus, ReportStep

S = ReportStatus


def expected_children(org: Org) -> list[Org]:
    return list(Org.objects.filter(parent=org, is_active=True).order_by("path"))


def children_reports(form: str, year: int, org: Org) -> dict[int, Report]:
    return {r.org_id: r for r in Report.objects.filter(form=form, year=year, org__parent=org)}


def entries_of(report: Report | None) -> dict:
    if report is None:
        return {}
    return {c.code: {"value": c.value, "reason": c.reason, "comment": c.comment} for c in report.cells.all()}


def compute(defn: Definition, org: Org, year: int, report: Report | None = None) -> dict[str, engine.CellValue]:
    """The report's cells now: auto cells from the records, manual cells from its entries and its approved
    children's frozen figures."""
    approved = [r.figures for r in children_reports(defn.id, year, org).values() if r.status == S.APPROVED]
    return engine.fill(defn, org, year, entries=entries_of(report), children_figures=approved)


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
            "created_by": actor.user, "deadline": deadline_of(org, year)})
    return r


def deadline_of(org: Org, year: int) -> date | None:
    """The reporting deadline: that of the season's campaign covering the org (its own or the nearest
    ancestor's), if it set one."""
    from warmth.campaigns.models import Campaign

    ancestors = ancestors_paths(org)
    c = (Campaign.objects.filter(year=year, org__path__in=ancestors, report_deadline__isnull=False)
         .order_by("-org__depth").first())
    return c.report_deadline if c else None


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
    defn = definition(report.form)
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
        reason = (given.get("reason") or "").strip()[:200]
        comment = (given.get("comment") or "").strip()[:300]
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


@transaction.atomic
def report_submit(*, actor: Actor, report: Report, filled_by: str = "", phone: str = "", note: str = "") -> Report:
    """报送: errors block; a failed warning needs a comment on one of its cells (or a note)."""
    actor.require(Perm.REPORT_WRITE)
    if report.org_id != actor.org.pk:
        raise PermissionDenied("统计表由本单位报送。")
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status not in (S.DRAFT, S.RETURNED):
        raise ValidationError({"__all__": f"统计表当前为“{report.get_status_display()}”，不能报送"})
    defn = definition(report.form)
    filled_by, phone = (filled_by or report.filled_by).strip()[:30], (phone or report.phone).strip()[:30]
    if not filled_by or not phone:
        raise ValidationError({"filled_by": "报送须填写填报人和联系电话"})
    cells = compute(defn, report.org, report.year, report)
    results = engine.check(defn, {c: v.value for c, v in cells.items()})
    errors = [r.message for r in results if not r.ok and r.level == "error"]
    if errors:
        raise ValidationError({"__all__": ["未通过校验，不能报送：", *errors]})
    unexplained = [r.message for r in results if not r.ok and r.level == "warning"
                   and not note.strip() and not any(cells[c].comment for c in r.rule.codes(cells) if c in cells)]
    if unexplained:
        raise ValidationError({"__all__": ["以下提示须在相关栏目填写说明（或填写报送说明）：", *unexplained]})
    report.figures = engine.figures(cells)
    report.status, report.submitted_at = S.SUBMITTED, timezone.now()
    report.filled_by, report.phone = filled_by, phone
    report.save(update_fields=["figures", "status", "submitted_at", "filled_by", "phone"])
    _step(actor, report, "submit", note.strip()[:300], late=report.late)
    return report


def _above(actor: Actor, report: Report, perm: Perm = Perm.REPORT_APPROVE) -> None:
    """The level above: the actor's org is the report org's parent."""
    if not actor.sees_org(report.org):
        raise PermissionDenied("该统计表不在您的管辖范围内。")
    actor.require(perm)
    if report.org.parent_id != actor.org.pk:
        raise PermissionDenied("统计表由上一级工会审核。")


@transaction.atomic
def report_approve(*, actor: Actor, report: Report, note: str = "") -> Report:
    _above(actor, report)
    report = Report.objects.select_for_update().select_related("org").get(pk=report.pk)
    if report.status != S.SUBMITTED:
        raise ValidationError({"__all__": f"统计表当前为“{report.get_status_display()}”，只能审核已报送的"})
    kids = expected_children(report.org)
    done = {r.org_id for r in children_reports(report.form, report.year, report.org).values()
            if r.status in (S.APPROVED, S.EXEMPT)}
    waiting = [k.name for k in kids if k.pk not in done]
    if waiting:
        raise ValidationError({"__all__": f"{report.org.name}的下级尚未全部审核通过或免报：{'、'.join(waiting[:10])}"
                                          + ("等" if len(waiting) > 10 else "")})
    report.status, report.decided_at, report.decided_by = S.APPROVED, timezone.now(), actor.user
    report.save(update_fields=["status", "decided_at", "decided_by"])
    _step(actor, report, "approve", note.strip()[:300])
    return report


def _parent_open(report: Report) -> None:
    parent = Report.objects.filter(form=report.form, year=report.year, org_id=report.org.parent_id).first()
    if parent is not None and parent.status in (S.SUBMITTED, S.APPROVED):
        raise ValidationError({"__all__": "上级统计表已报送或已通过，须先退回上级统计表"})


@transaction.atomic
def report_return(*, actor: Actor, report: Report, reason: str) -> Report:
    _above(actor, report)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "退回须填写理由"})
    report = Report.objects.select_for_update().select_related("org").get(pk=report.pk)
    if report.status not in (S.SUBMITTED, S.APPROVED):
        raise ValidationError({"__all__": f"统计表当前为“{report.get_status_display()}”，不能退回"})
    if report.status == S.APPROVED:
        _parent_open(report)
    action = "reopen" if report.status == S.APPROVED else "return"
    report.status = S.RETURNED
    report.save(update_fields=["status"])
    _step(actor, report, action, reason[:300])
    return report


@transaction.atomic
def report_exempt(*, actor: Actor, form: str, org: Org, year: int, reason: str) -> Report:
    """The level above exempts a child from reporting this form (e.g. a union merged or without members)."""
    defn = definition(form)
    if not (reason or "").strip():
        raise ValidationError({"reason": "免报须填写理由"})
    probe = Report(form=defn.id, org=org, year=year)
    _above(actor, probe)  # the parent's figures hold nothing of a child not approved: exempting never changes them
    r, _ = Report.objects.get_or_create(form=defn.id, org=org, year=year, defaults={"created_by": actor.user})
    if r.status == S.APPROVED:
        raise ValidationError({"__all__": "已通过的统计表不能改为免报"})
    r.status, r.decided_at, r.decided_by = S.EXEMPT, timezone.now(), actor.user
    r.save(update_fields=["status", "decided_at", "decided_by"])
    _step(actor, r, "exempt", reason.strip()[:300])
    return r


def completeness(form: str, year: int, org: Org, today: date | None = None) -> dict:
    """The board of a parent: each expected child with its report's status and whether it is late."""
    today = today or timezone.localdate()
    reports = children_reports(form, year, org)
    due = deadline_of(org, year)
    rows = []
    for child in expected_children(org):
        r = reports.get(child.pk)
        status = r.status if r else None
        sent = status in (S.SUBMITTED, S.APPROVED)
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
            "missing": [x["org"] for x in rows if not x["sent"] and x["status"] != S.EXEMPT]}
