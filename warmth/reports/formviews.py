"""The forms page of the system admin (报表格式管理): every form and version, copy a form to a new year or to a
new version, edit a draft (title, year, the JSON of its items, sums, rules, lead-ins and notes), check it (every
problem at once, the item named), preview it as it prints (HTML and the PDF of the downloads), publish it,
retire it. Only an admin of the top org manages forms (``formstore.require_form_admin``: 403 for anyone else,
before anything is looked up); every change is a service call in one transaction and an audit row."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from warmth.core.feedback import error_list
from warmth.orgs.decorators import actor_required
from warmth.reports import documents, formstore, sources
from warmth.reports.definitions import (
    COUNT_UNITS,
    WAN,
    YES_NO,
    DefinitionError,
    _parse,
    definitions,
    render_years,
)
from warmth.reports.models import FormStatus, ReportForm
from warmth.reports.views import _check_year, current_season, depth, season_label

F = FormStatus
BADGES = {F.DRAFT: "badge", F.PUBLISHED: "badge badge-active", F.RETIRED: "badge badge-rejected"}
FIELD_LABELS = {"form_id": "报表编号", "year": "报表年份", "title": "标题", "body": "栏目定义", "reason": "停用理由"}


def _row(request, pk: int) -> ReportForm:
    formstore.require_form_admin(request.actor)
    row = ReportForm.objects.filter(pk=pk).first()
    if row is None:
        raise Http404("没有这个报表格式")
    return row


def _labelled(exc: ValidationError) -> list[str]:
    """Every problem, each with the field's label in front (the body's problems name their item already)."""
    if not hasattr(exc, "error_dict"):
        return error_list(exc)
    out = []
    for field, msgs in exc.message_dict.items():
        label = FIELD_LABELS.get(field)
        out += [f"{label}：{m}" if label and field != "body" else m for m in msgs]
    return out


@actor_required()
def report_forms(request):
    """The list, and 复制 (to a new form id and year, or as the next version of the same form)."""
    actor = request.actor
    formstore.require_form_admin(actor)
    definitions()  # the shipped forms are loaded on first use
    errors: list[str] = []
    posted = {}
    if request.method == "POST":
        posted = request.POST
        raw = (posted.get("source") or "").strip()
        source = ReportForm.objects.filter(pk=int(raw)).first() if raw.isascii() and raw.isdigit() \
            and len(raw) < 10 else None
        try:
            if source is None:
                raise ValidationError({"__all__": "请选择要复制的报表格式"})
            with transaction.atomic():
                row = formstore.form_copy(actor=actor, source=source, form_id=posted.get("form_id", ""),
                                          year=posted.get("year"), title=posted.get("title", ""))
        except ValidationError as exc:
            errors = _labelled(exc)
        else:
            what = "新版本" if row.form_id == source.form_id else "新报表"
            messages.success(request, f"已复制为{what} {row.form_id} 第 {row.version} 版（草稿），请修改后发布。")
            return redirect("report_form", pk=row.pk)
    rows = list(ReportForm.objects.select_related("created_by", "published_by").order_by("form_id", "-version"))
    season = current_season(request.actor.org)
    for r in rows:
        r.badge = BADGES.get(r.status, "badge")
        r.uses = formstore.uses(r) if r.status != F.DRAFT else 0
        r.shown_title = render_years(r.title, season)
    return render(request, "reports/forms.html", {
        "rows": rows, "errors": errors, "posted": posted, "season": season, "season_label": season_label(season),
        "next_year": max([r.year for r in rows] or [season + 1]) + 1}, status=422 if errors else 200)


@actor_required()
def report_form(request, pk):
    """A version: its definition; editing while it may change (a draft, or a published version no report
    uses yet); 检查 checks without saving."""
    actor = request.actor
    row = _row(request, pk)
    errors: list[str] = []
    checked = False
    frozen = formstore.frozen_because(row)
    data = {"title": row.body.get("title", row.title), "year": row.year,
            "body": formstore.editable_text(row.body)}
    if request.method == "POST":
        p = request.POST
        data = {"title": p.get("title", ""), "year": p.get("year", ""), "body": p.get("body", "")}
        action = p.get("action", "save")
        try:
            if action == "check":
                _, problems = formstore.read_body(form_id=row.form_id, title=data["title"], year=data["year"],
                                                  text_in=data["body"], offset=formstore.offset(row.body))
                if problems:
                    raise ValidationError(problems)
                checked = True
            elif action == "save":
                with transaction.atomic():
                    row = formstore.form_save(actor=actor, row=row, title=data["title"], year=data["year"],
                                              body_text=data["body"])
            else:
                raise ValidationError({"__all__": "未知的操作"})
        except ValidationError as exc:
            errors = _labelled(exc)
        else:
            if action == "save":
                messages.success(request, "已保存，检查通过。")
                return redirect("report_form", pk=row.pk)
    versions = list(ReportForm.objects.filter(form_id=row.form_id).order_by("-version"))
    for v in versions:
        v.badge = BADGES.get(v.status, "badge")
    return render(request, "reports/form_edit.html", {
        "row": row, "badge": BADGES.get(row.status, "badge"), "frozen": frozen, "errors": errors,
        "checked": checked, "data": data, "uses": formstore.uses(row), "versions": versions,
        "catalogue": sources.catalogue(), "units": "、".join(sorted(COUNT_UNITS | {WAN, YES_NO})),
        "season": current_season(request.actor.org),
        "new_version_open": not any(v.status == F.DRAFT for v in versions)},
        status=422 if errors else 200)


@require_GET
@actor_required()
def report_form_preview(request, pk):
    """The version as it prints for a season: the page (title, head lines, lead-ins, items with their whole
    phrases and units, notes) or, with ``fmt=pdf``, the very PDF a report's download makes, blank."""
    actor = request.actor
    row = _row(request, pk)
    try:
        year = _check_year(int(request.GET.get("year") or current_season(request.actor.org)))
    except (ValueError, Http404):
        year = current_season(request.actor.org)
    try:
        defn = _parse(row.body, version=row.version)
    except DefinitionError as exc:
        return render(request, "reports/form_preview.html", {"row": row, "errors": [str(exc)], "year": year},
                      status=422)
    if request.GET.get("fmt") == "pdf":
        body = documents.report_pdf(defn, actor.org, year, {}, None)
        resp = HttpResponse(body, content_type="application/pdf")
        resp["Content-Disposition"] = f'inline; filename="preview-{row.form_id}-v{row.version}-{year}.pdf"'
        return resp
    lead_ins = defn.lead_ins_for(year)
    rows = [{"item": it, "lead": lead_ins.get(it.code, ""), "label": it.text_for(year),
             "indent": "\u3000" * (2 * depth(defn, it.code)), "source": "自动" if it.auto else "手填"}
            for it in defn.items]
    return render(request, "reports/form_preview.html", {
        "row": row, "defn": defn, "year": year, "season": season_label(year), "title": defn.title_for(year),
        "notes": defn.notes_for(year), "rows": rows, "rules": defn.rules(), "org": actor.org,
        "pdf": reverse("report_form_preview", args=[row.pk]) + f"?year={year}&fmt=pdf"})


@require_POST
@actor_required()
def report_form_publish(request, pk):
    actor = request.actor
    row = _row(request, pk)
    try:
        with transaction.atomic():
            row = formstore.form_publish(actor=actor, row=row)
    except ValidationError as exc:
        for e in _labelled(exc):
            messages.error(request, e)
    else:
        messages.success(request, f"已发布 {row.form_id} 第 {row.version} 版，各单位现在可以填报。")
    return redirect("report_form", pk=row.pk)


@require_POST
@actor_required()
def report_form_retire(request, pk):
    actor = request.actor
    row = _row(request, pk)
    try:
        with transaction.atomic():
            row = formstore.form_retire(actor=actor, row=row, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        for e in _labelled(exc):
            messages.error(request, e)
    else:
        messages.success(request, f"已停用 {row.form_id} 第 {row.version} 版；已填报的统计表仍可查看。")
    return redirect("report_form", pk=row.pk)
