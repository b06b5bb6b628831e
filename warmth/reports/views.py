"""HTML pages of the statistics reports (统计表): the forms and the actor's own reports of a season, a report laid
out like the paper form (auto cells with their provenance, manual cells, overrides with a reason, comments, the
rule results, the workflow 报送 → 通过 / 退回, the step trail, the downloads), the records behind an auto cell, and
a parent's completeness board (免报, 提醒未报单位, 报送范围: which levels of its subtree must report the form).

Every report is reached through ``warmth.reports.access`` and every org through ``org_for_actor`` (404 outside
the subtree); every write is a service call inside one transaction, so a refusal is a Chinese message (422) with
nothing written."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from warmth.audit.services import audit_record
from warmth.core import pii
from warmth.core.dbrouter import replica_reads
from warmth.core.feedback import error_list
from warmth.core.season import default_season
from warmth.jobs.services import job_create
from warmth.orgs.access import Actor, org_for_actor
from warmth.orgs.decorators import actor_required
from warmth.orgs.models import Org, OrgLevel
from warmth.orgs.permissions import Perm
from warmth.reports import documents, duties, engine, formstore, services, sources
from warmth.reports.access import report_of, reports_for_actor
from warmth.reports.definitions import YES_NO, Definition, Item, definition, definitions
from warmth.reports.models import Report, ReportStatus

S = ReportStatus
PAGE_SIZE = 50
FIRST_YEAR, LAST_YEAR = 2000, 2098  # seasons the lunar calendar of core.festival supports (and then some)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Format:
    function: str      # the name of the function in reports/documents.py
    content_type: str
    ext: str
    label: str


# Every download goes through one view that looks the function up by name, so a format appears as soon as
# documents.py has it (and answers 404 until then).
FORMATS = {
    "xlsx": Format("report_xlsx", XLSX, "xlsx", "Excel"),
    "pdf": Format("report_pdf", "application/pdf", "pdf", "PDF"),
    "csv": Format("report_csv", "text/csv; charset=utf-8", "csv", "CSV"),
    "json": Format("report_json", "application/json; charset=utf-8", "json", "JSON"),
    "txt": Format("narrative", "text/plain; charset=utf-8", "txt", "文字说明"),
}

BADGES = {S.DRAFT: "badge", S.SUBMITTED: "badge badge-submitted", S.RETURNED: "badge badge-exit_review",
          S.APPROVED: "badge badge-active", S.EXEMPT: "badge badge-rejected"}
STEP_NAMES = {"save": "保存", "submit": "报送", "approve": "通过", "return": "退回", "reopen": "重新打开（退回）",
              "exempt": "免报"}
ORIGIN_NAMES = {"auto": "自动", "override": "已修改", "manual": "手填"}


# --- helpers ------------------------------------------------------------------------------------------

def _not_found(request, text: str):
    return render(request, "error.html", {"status": 404, "title": "页面不存在", "text": text}, status=404)


def _defn(form: str) -> Definition:
    try:
        return definition(form)
    except KeyError as exc:
        raise Http404(exc.args[0]) from None


def _filled_with(defn: Definition, report: Report | None) -> Definition:
    """The version of the form the report is filled with (the current one for a report not started)."""
    return defn if report is None else services.report_definition(report)


def _check_year(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404(f"年度 {year} 不在 {FIRST_YEAR}–{LAST_YEAR} 之间")
    return year


def current_season(org: Org) -> int:
    """The season the reports open on: the one rule of every page (``core.season.default_season``: the season
    whose campaign window contains today, else the latest with a campaign)."""
    return default_season(org)


def _org(request) -> Org:
    code = (request.GET.get("org") or request.POST.get("org") or "").strip()
    return org_for_actor(request.actor, code) if code else request.actor.org


def _field_errors(exc: ValidationError) -> dict[str, str]:
    if not hasattr(exc, "error_dict"):
        return {}
    return {k: "；".join(v) for k, v in exc.message_dict.items() if k != "__all__"}


def fmt(item: Item, value) -> str:
    """A cell as the form prints it: blank stays blank, 是/否 as words, 万元 with its 4 places."""
    if value is None:
        return ""
    if item.unit == YES_NO:
        return "是" if value else "否"
    return format(value, "f")


def depth(defn: Definition, code: str) -> int:
    n, parent = 0, defn.item(code).parent
    while parent:
        n, parent = n + 1, defn.item(parent).parent
    return n


def season_label(year: int) -> str:
    return f"{year} 年度（{year + 1} 年元旦春节）"


def _query(org: Org, **extra) -> str:
    parts = [f"org={quote(org.code)}", *(f"{k}={quote(str(v))}" for k, v in extra.items())]
    return "&".join(parts)


def _formats() -> list[tuple[str, Format]]:
    return [(key, f) for key, f in FORMATS.items() if callable(getattr(documents, f.function, None))]


# --- the forms and the actor's reports ------------------------------------------------------------------

@replica_reads
@require_GET
@actor_required()
def report_index(request):
    actor = request.actor
    org = _org(request)
    try:
        year = _check_year(int(request.GET.get("year") or current_season(org)))
    except (ValueError, Http404):
        year = current_season(org)
    own = {r.form: r for r in reports_for_actor(actor).filter(org=org, year=year)}
    has_children = bool(services.children_of(org))
    forms = []
    for d in sorted(definitions().values(), key=lambda d: (d.kind != "warmth", -d.year, d.id)):
        r = own.get(d.id)
        board = services.completeness(d.id, year, org) if has_children else None
        forms.append({"defn": d.for_season(year), "report": r,
                      "badge": BADGES.get(r.status, "badge") if r else "badge",
                      "auto": sum(1 for it in d.items if it.auto), "board": board})
    return render(request, "reports/index.html", {
        "forms": forms, "year": year, "org": org, "season": season_label(year), "has_children": has_children,
        "query": _query(org), "form_admin": formstore.is_form_admin(actor)})


# --- a report ---------------------------------------------------------------------------------------------

def _rows(defn: Definition, cells: dict[str, engine.CellValue], data, writable: bool, field_errors: dict,
          flagged: set[str], year: int, as_of=None) -> list[dict]:
    """The grid: one row per item in print order, with what the inputs show (the posted values after a
    refusal, else the org's own entries); the archive items (在档) carry the day they are counted on."""
    rows = []
    for it in defn.items:
        c = cells[it.code]
        own_input = fmt(it, c.value) if c.origin == "override" else fmt(it, c.own) if not it.auto else ""
        value_in = data.get(f"value-{it.code}", own_input) if data is not None else own_input
        reason_in = data.get(f"reason-{it.code}", c.reason) if data is not None else c.reason
        comment_in = data.get(f"comment-{it.code}", c.comment) if data is not None else c.comment
        rows.append({
            "item": it, "label": it.text_for(year), "slug": it.code.replace(".", "_"),
            "indent": "\u3000" * (2 * depth(defn, it.code)),
            "cell": c, "value": fmt(it, c.value), "auto_value": fmt(it, c.auto_value), "own": fmt(it, c.own),
            "children": fmt(it, c.children), "origin": ORIGIN_NAMES.get(c.origin, c.origin),
            "is_sum": it.source == "sum", "value_in": value_in, "reason_in": reason_in, "comment_in": comment_in,
            "error": field_errors.get(it.code, ""), "flagged": it.code in flagged,
            "as_of": as_of if it.source.startswith("archives.") and it.source != "archives.lifted" else None,
            "open": bool(writable and it.auto and (c.origin == "override" or field_errors.get(it.code)
                                                   or (data is not None and data.get(f"value-{it.code}")))),
        })
    return rows


def _posted_cells(defn: Definition, post) -> dict:
    """The grid's inputs as ``cells_save`` takes them: only items whose fields were on the page."""
    out = {}
    for it in defn.items:
        if f"value-{it.code}" not in post and f"comment-{it.code}" not in post:
            continue
        out[it.code] = {"value": post.get(f"value-{it.code}", ""), "reason": post.get(f"reason-{it.code}", ""),
                        "comment": post.get(f"comment-{it.code}", "")}
    return out


def _preview(defn: Definition, org: Org, year: int, report: Report | None, posted: dict):
    """The cells as the refused submission would have made them (to show its rule results), or None when a
    typed value cannot be read at all."""
    entries = services.entries_of(report)
    for code, given in posted.items():
        try:
            value = services.parse_value(defn, code, given["value"])
        except ValidationError:
            return None
        entries[code] = {"value": value, "reason": given["reason"].strip(), "comment": given["comment"].strip()}
    approved = [r.figures for r in services.children_reports(defn.id, year, org).values() if r.status == S.APPROVED]
    return engine.fill(defn, org, year, entries=entries, children_figures=approved,
                       day=services.as_of(org, year, report))


def _may(actor: Actor, org: Org, report: Report) -> dict:
    """What the page offers: exactly the workflow's allowed actions (``report`` may be an unsaved probe of a
    report not started yet), and the cells' form while the org's own report is open (which is when 报送 is)."""
    allowed = services.WORKFLOW.allowed(actor, report)
    return {"write": "submit" in allowed, "submit": "submit" in allowed, "approve": "approve" in allowed,
            "return": "return" in allowed, "held": services.WORKFLOW.held(actor, report) or "", "allowed": allowed}


@replica_reads
@actor_required()
def report_detail(request, form, year):
    actor = request.actor
    defn = _defn(form)
    _check_year(year)
    org = _org(request)
    report = report_of(actor, defn.id, org, year)
    defn = _filled_with(defn, report)
    errors: list[str] = []
    field_errors: dict[str, str] = {}
    data = None
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if request.method == "POST":
        p = request.POST
        if action in ("save", "submit"):
            actor.require(Perm.REPORT_WRITE)
        elif action in ("approve", "return"):
            actor.require(Perm.REPORT_APPROVE)
        try:
            with transaction.atomic():
                if action in ("save", "submit"):
                    report = services.report_get_or_create(actor=actor, form=defn.id, org=org, year=year)
                    values = _posted_cells(defn, p)
                    if values:
                        report = services.cells_save(actor=actor, report=report, values=values)
                    if action == "submit":
                        report = services.report_submit(actor=actor, report=report, filled_by=p.get("filled_by", ""),
                                                        phone=p.get("phone", ""), note=p.get("note", ""))
                elif action in ("approve", "return"):
                    if report is None:
                        raise ValidationError({"__all__": f"{org.name}尚未填报此表"})
                    if action == "approve":
                        report = services.report_approve(actor=actor, report=report, note=p.get("note", ""))
                    else:
                        report = services.report_return(actor=actor, report=report, reason=p.get("reason", ""))
                else:
                    raise ValidationError({"__all__": "未知的操作"})
        except ValidationError as exc:
            errors, field_errors, data = error_list(exc), _field_errors(exc), p
            report = report_of(actor, defn.id, org, year)  # as it stands after the rollback
            defn = _filled_with(defn, report)
        else:
            done = {"save": "统计表已保存。", "submit": f"{defn.title_for(year)}已报送，等待上级审核。",
                    "approve": f"已通过{org.name}的统计表。", "return": f"已退回{org.name}的统计表。"}
            messages.success(request, done[action])
            return redirect(f"{request.path}?{_query(org)}")
    probe = report or Report(form=defn.id, org=org, year=year)
    may = _may(actor, org, probe)
    cells = services.compute(defn, org, year, report)
    previewed = False
    if data is not None and action in ("save", "submit"):
        preview = _preview(defn, org, year, report, _posted_cells(defn, data))
        if preview is not None:
            cells, previewed = preview, True
    results = engine.check(defn, {c: v.value for c, v in cells.items()})
    failed = [r for r in results if not r.ok]
    bad = [r for r in failed if r.level == "error"]
    warn = [r for r in failed if r.level != "error"]
    flagged = {c for r in failed for c in r.rule.codes(cells) if c in cells}
    steps = list(report.steps.select_related("actor")) if report else []
    for s in steps:
        s.name = STEP_NAMES.get(s.action, s.action)
    trail = [o for o in Org.objects.get_ancestors(org) if o.path.startswith(actor.org.path)]
    must = duties.must_report(defn.id, year, org)
    duty_source = "" if must else duties.duty_for(defn.id, year, org.parent).source
    return render(request, "reports/report.html", {
        "defn": defn.for_season(year), "org": org, "year": year, "season": season_label(year), "report": report,
        "status": report.get_status_display() if report else "未填报",
        "badge": BADGES.get(report.status, "badge") if report else "badge",
        "rows": _rows(defn.for_season(year), cells, data, may["write"], field_errors, flagged, year,
                      services.as_of(org, year, report)),
        "title": defn.title_for(year),
        "may": may, "errors": errors, "waiting": services.WORKFLOW.waiting_on(probe),
        "bad": bad, "warn": warn, "checked": len([r for r in results if not r.skipped]), "steps": steps,
        "formats": _formats(), "query": _query(org), "has_children": bool(services.children_of(org)),
        "trail": trail, "data": data or {}, "previewed": previewed, "must_report": must, "duty_source": duty_source,
        "filled_by": (data or {}).get("filled_by") or (report.filled_by if report else "") or actor.user.display_name,
        "phone": (data or {}).get("phone") or (report.phone if report else "")},
        status=422 if errors else 200)


# --- the records behind a cell -----------------------------------------------------------------------------

def _narrow(qs, actor: Actor):
    """Only what the viewer's subtree holds (the records of a source already lie in the report org's subtree;
    this keeps it so whatever a source returns)."""
    names = {f.name for f in qs.model._meta.get_fields()}
    field = "org" if "org" in names else "pot__org"
    return qs.filter(**{f"{field}__path__startswith": actor.org.path}).select_related(field)


def _table(model, objs) -> tuple[list[str], list[dict]]:
    """Headers and rows of a page of records; people's names are masked."""
    kind = model._meta.model_name
    rows = []
    if kind == "archive":
        headers = ["档案编号", "户主", "单位", "困难类别", "身份", "劳模类型", "状态"]
        for a in objs:
            rows.append({"url": reverse("archive_detail", args=[a.pk]), "cells": [
                a.archive_no, pii.mask_name(a.name), a.org.name, a.category, a.identity, a.model_worker_type,
                a.get_status_display()]})
    elif kind == "visit":
        headers = ["走访日期", "类型", "对象", "单位", "档案编号", "慰问一线职工", "现场发放（元）"]
        for v in objs:
            who = v.enterprise if v.kind == "enterprise" else pii.mask_name(v.name)
            rows.append({"url": None, "cells": [
                f"{v.visited_on:%Y-%m-%d}", v.get_kind_display(), who, v.org.name,
                v.archive.archive_no if v.archive_id else "", v.frontline_greeted or "",
                "" if v.cash_amount is None else v.cash_amount]})
    elif kind == "ledgerentry":
        headers = ["业务日期", "单位", "资金来源", "类别", "金额（元）", "摘要"]
        for e in objs:
            rows.append({"url": None, "cells": [
                f"{e.on_date:%Y-%m-%d}", e.pot.org.name, e.pot.get_source_display(), e.get_kind_display(), e.amount,
                e.memo]})
    elif kind == "payment":
        headers = ["发放日期", "单位", "对象", "帮扶项目", "金额（元）", "状态"]
        for x in objs:
            rows.append({"url": None, "cells": [
                f"{x.paid_on:%Y-%m-%d}" if x.paid_on else "", x.org.name, pii.mask_name(x.name),
                x.get_aid_type_display(), x.amount, x.get_status_display()]})
    elif kind == "activity":
        headers = ["日期", "单位", "类别", "数量", "运送人次", "其中", "金额（元）", "说明"]
        for a in objs:
            rows.append({"url": None, "cells": [
                f"{a.on_date:%Y-%m-%d}", a.org.name, a.get_kind_display(), a.count,
                "" if a.people is None else a.people, "" if a.part is None else a.part,
                "" if a.amount is None else a.amount, a.note]})
    else:  # a source over another model: its text only
        headers = ["记录"]
        rows = [{"url": None, "cells": [str(o)]} for o in objs]
    return headers, rows


def source_note(name: str) -> str:
    """What the records of a source are, in the words of the form's users."""
    if name == "archives.lifted":
        return "困难职工档案：本年度以“脱困”退档的户。"
    if name.startswith("archives."):
        note = "困难职工档案：本单位及下级在档的户（已审批建档、退档尚未批准；截至下述日期）。"
        if name in ("archives.workers", "archives.migrant_workers"):
            note += "按户列出；数值是这些户中的职工人数（户主及身份为职工的家庭成员）。"
        return note
    if name.startswith("visits.enterprises"):
        return "送温暖活动中走访企业的记录（不含已作废的）。"
    if name == "visits.frontline":
        return "走访企业时慰问一线职工的记录；数值是慰问人数之和。"
    if name.startswith("visits."):
        return "送温暖活动中入户慰问的记录（不含已作废的）；同一户走访多次只计一户。"
    if name.startswith("funds."):
        return ("资金台账：本单位及下级筹集的资金和从上级收到的下拨款（均扣除冲正）；单位内部的下拨不重复计算。"
                "金额按元列出，合计换算为万元。")
    if name.startswith("payments."):
        return "实名制发放（已审批及以后、未冲正）；数值另含慰问团入户现场发放的慰问金（见走访记录）。金额按元列出。"
    if name.startswith("activity:"):
        return "维权、服务与平安返乡工作记录（不含已作废的）。"
    return ""


@replica_reads
@require_GET
@actor_required()
def report_cell(request, form, year, code):
    actor = request.actor
    defn = _defn(form)
    _check_year(year)
    org = _org(request)
    report = report_of(actor, defn.id, org, year)
    defn = _filled_with(defn, report)
    item = defn.by_code.get(code)
    if item is None:
        return _not_found(request, f"{defn.title_for(year)}没有栏目 {code}")
    values = services.compute(defn, org, year, report)
    cell = values[code]
    shown = defn.for_season(year)
    ctx = {"defn": shown, "org": org, "year": year, "season": season_label(year), "item": shown.item(code),
           "cell": cell, "value": fmt(item, cell.value), "auto_value": fmt(item, cell.auto_value), "query": _query(org),
           "origin": ORIGIN_NAMES.get(cell.origin, cell.origin)}
    if item.source == "sum":
        parts = dict(defn.sums).get(code, ())
        ctx["parts"] = [{"item": shown.item(p), "value": fmt(defn.item(p), values[p].value)} for p in parts]
    elif item.auto:
        src = sources.source(item.source)
        if src is None:
            return _not_found(request, f"{code} 的数据来源 {item.source} 不存在")
        day = services.as_of(org, year, report)
        qs = _narrow(src.records(sources.Scope(org, year, day)), actor).order_by("pk")
        if item.source.startswith("archives.") and item.source != "archives.lifted":
            ctx["as_of"] = day
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        ctx["headers"], ctx["records"] = _table(qs.model, page)
        ctx["page"], ctx["source"], ctx["note"] = page, src, source_note(src.name)
    else:
        kids = services.children_reports(defn.id, year, org)
        due = {o.pk for o in services.expected_children(org, defn.id, year)}
        ctx["children"] = [{"org": child, "report": kids.get(child.pk), "required": child.pk in due,
                            "value": fmt(item, _figure(kids.get(child.pk), code))}
                           for child in services.children_of(org) if child.pk in due or child.pk in kids]
        ctx["own"] = fmt(item, cell.own)
    return render(request, "reports/cell.html", ctx)


def _figure(report: Report | None, code: str):
    """What an approved child's report adds to its parent's manual cell (its frozen figure), else None."""
    if report is None or report.status != S.APPROVED:
        return None
    raw = (report.figures or {}).get(code)
    return None if raw in (None, "") else Decimal(raw)


# --- the completeness board of a parent ---------------------------------------------------------------------

@replica_reads
@actor_required()
def report_board(request, form, year):
    actor = request.actor
    defn = _defn(form)
    _check_year(year)
    org = _org(request)
    errors: list[str] = []
    if request.method == "POST":
        p = request.POST
        action = p.get("action", "")
        if action in ("exempt", "bulk_exempt", "duty", "duty_clear"):
            actor.require(Perm.REPORT_APPROVE)
        elif action == "remind" and not (actor.can(Perm.REPORT_WRITE) or actor.can(Perm.REPORT_APPROVE)):
            raise PermissionDenied(f"您的角色（{actor.membership.get_role_display()}）无权提醒未报单位。")
        try:
            if action == "exempt":
                child = org_for_actor(actor, (p.get("child") or "").strip())
                if child.parent_id != org.pk:
                    raise ValidationError({"child": f"{child.name}不是{org.name}的直属下级"})
                with transaction.atomic():
                    services.report_exempt(actor=actor, form=defn.id, org=child, year=year,
                                           reason=p.get("reason", ""))
                messages.success(request, f"已将{child.name}设为免报。")
            elif action == "bulk_exempt":  # many units, one reason: a background job listing each refusal
                codes = [c.strip() for c in p.getlist("children") if c.strip()]
                problems = {}
                if not (p.get("reason") or "").strip():
                    problems["reason"] = "免报须填写理由"
                if not codes:
                    problems["children"] = "请至少勾选一个单位"
                if problems:
                    raise ValidationError(problems)
                job = job_create(actor=actor, kind="reports.exempt",
                                 title=f"批量免报：{defn.title_for(year)} {org.name}",
                                 params={"form": defn.id, "year": year, "org": org.code, "children": codes,
                                         "reason": p.get("reason", "").strip()})
                return redirect("job_detail", pk=job.pk)
            elif action in ("duty", "duty_clear"):  # 报送范围: which levels of the subtree report this form
                with transaction.atomic():
                    duties.report_duty_set(actor=actor, form=defn.id, year=year, org=org,
                                           levels=p.getlist("levels") if action == "duty" else None,
                                           units=p.getlist("units"), note=p.get("note", ""))
                now = duties.duty_for(defn.id, year, org)
                done = "已保存" if action == "duty" else f"恢复为{now.source}"
                named = "、".join(o.name for o in Org.objects.filter(pk__in=now.units, parent=org).order_by("path"))
                named = f"；另单独要求：{named}" if named else ""
                messages.success(request, f"报送范围{done}：{now.names}{named}。")
            elif action == "remind":
                if org.pk != actor.org.pk:
                    raise PermissionDenied("只能提醒本单位的直属下级。")
                missing = services.completeness(defn.id, year, org)["missing"]
                if not missing:
                    raise ValidationError({"__all__": "下级单位均已报送或免报，无须提醒"})
                names = "、".join(o.name for o in missing)
                audit_record(actor=actor, action="report.remind", object_type="report_board",
                             object_id=f"{defn.id}:{year}", org=org,
                             after={"form": defn.id, "year": year,
                                    "missing": [{"code": o.code, "name": o.name} for o in missing]})
                messages.success(request, f"已记录提醒：{names}（系统不发送通知，请电话通知）。")
            else:
                raise ValidationError({"__all__": "未知的操作"})
        except ValidationError as exc:
            errors = error_list(exc)
        else:
            return redirect(f"{request.path}?{_query(org)}")
    board = services.completeness(defn.id, year, org)
    for row in board["rows"]:
        r = row["report"]
        row["label"] = r.get_status_display() if r else "未填报"
        row["badge"] = BADGES.get(r.status, "badge") if r else "badge"
        probe = r or Report(form=defn.id, org=row["org"], year=year)
        row["can_exempt"] = row["status"] != S.EXEMPT and "exempt" in services.WORKFLOW.allowed(actor, probe)
    for row in board["voluntary"]:
        row["label"] = row["report"].get_status_display()
        row["badge"] = BADGES.get(row["report"].status, "badge")
    above = org.pk == actor.org.pk
    duty = board["duty"]
    kinds = {}
    children = services.children_of(org)
    for child in children:
        k = kinds.setdefault(child.level, [child.level_label, 0, 0])  # label, children, of which must report
        k[1], k[2] = k[1] + 1, k[2] + duty.reports(child)
    again = errors and request.POST.get("action") == "duty"  # a refused form shows what was ticked
    chosen = request.POST.getlist("levels") if again else list(duty.levels)
    asked = set(request.POST.getlist("units")) if again else {c.code for c in children if c.pk in duty.units
                                                               and duty.row.org_id == org.pk}
    for row in board["rows"]:
        row["by_unit"] = row["org"].level not in duty.levels
    own = duty.row is not None and duty.row.org_id == org.pk
    note = request.POST.get("note", "") if errors else (duty.row.note if own else "")
    return render(request, "reports/board.html", {
        "defn": defn.for_season(year), "org": org, "year": year, "season": season_label(year), "board": board,
        "errors": errors,
        "duty": duty, "duty_default": duties.DEFAULT_TEXT,
        "duty_own": own,
        "duty_levels": [{"value": v, "label": OrgLevel(v).label, "checked": v in chosen,
                         "default": v in duties.DEFAULT_LEVELS} for v in duties.levels_below(org)],
        "duty_kinds": list(kinds.values()), "duty_note": note,
        "duty_units": [{"org": c, "checked": c.code in asked} for c in children],
        "duty_units_open": bool(asked),
        "duty_unit_names": "、".join(c.name for c in children if c.pk in duty.units and duty.row.org_id == org.pk),
        "may_duty": above and actor.can(Perm.REPORT_APPROVE),
        "query": _query(org), "may_exempt": above and actor.can(Perm.REPORT_APPROVE),
        "may_remind": above and (actor.can(Perm.REPORT_WRITE) or actor.can(Perm.REPORT_APPROVE))},
        status=422 if errors else 200)


# --- downloads --------------------------------------------------------------------------------------------

@replica_reads
@require_GET
@actor_required()
def report_download(request, form, year, fmt):
    actor = request.actor
    defn = _defn(form)
    _check_year(year)
    org = _org(request)
    spec = FORMATS.get(fmt)
    if spec is None:
        return _not_found(request, f"没有“{fmt}”格式的下载（可选：{'、'.join(FORMATS)}）")
    render_it = getattr(documents, spec.function, None)
    if not callable(render_it):
        return _not_found(request, f"{spec.label}格式的下载尚未提供")
    report = report_of(actor, defn.id, org, year)
    defn = _filled_with(defn, report)
    cells = services.compute(defn, org, year, report)
    body = render_it(defn, org, year, cells, report)
    if isinstance(body, str):
        body = body.encode("utf-8")
    audit_record(actor=actor, action="report.export", object_type="report", object_id=report.pk if report else "",
                 org=org, after={"form": defn.id, "year": year, "format": fmt})
    resp = HttpResponse(body, content_type=spec.content_type)
    name = f"{defn.title_for(year)}-{org.name}-{year}.{spec.ext}"
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp
