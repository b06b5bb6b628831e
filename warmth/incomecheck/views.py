"""收入核对 pages: the overview (比对率 by org with drill-down, the batches, a new batch), an archive's
authorisations, a batch (its households, the export for the centre, the import of its answers) and the decision on
a 不一致 answer."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from warmth.audit.services import audit_record
from warmth.core import pii
from warmth.core.feedback import messages_of
from warmth.core.tables import upload_on_disk
from warmth.incomecheck import services
from warmth.incomecheck.models import Authorization, Check, Decision, Result
from warmth.orgs.access import org_for_actor
from warmth.orgs.decorators import actor_required
from warmth.orgs.permissions import Perm


@actor_required()
def overview(request):
    actor = request.actor
    if request.method == "POST":
        actor.require(Perm.ARCHIVE_APPROVE)
        try:
            org = org_for_actor(actor, (request.POST.get("org") or actor.org.code).strip()[:40])
            batch = services.batch_create(actor=actor, org=org)
        except ValidationError as exc:
            messages.error(request, f"未建立：{messages_of(exc)}")
            return redirect("incomecheck_overview")
        messages.success(request, f"已建立批次 {batch.number}，共 {batch.checks.count()} 户。")
        return redirect("incomecheck_batch", pk=batch.pk)
    code = (request.GET.get("org") or "").strip()[:40]
    org = org_for_actor(actor, code) if code else actor.org
    return render(request, "incomecheck/overview.html", {
        "org": org, "total": services.rates(org), "children": services.rates_by_child(org),
        "due": services.due(org).count(),
        "batches": services.batches_for_actor(actor).filter(org__path__startswith=org.path)
        .select_related("org", "created_by").order_by("-id")[:100],
        "can_batch": actor.can(Perm.ARCHIVE_APPROVE)})


@actor_required()
def archive_authorization(request, pk):
    actor = request.actor
    archive = services.archive_for_actor(actor, pk)
    errors = []
    if request.method == "POST":
        actor.require(Perm.ARCHIVE_WRITE)
        try:
            services.authorization_record(actor=actor, archive=archive, signed_on=request.POST.get("signed_on", ""),
                                          signer=request.POST.get("signer", ""), upload=request.FILES.get("file"),
                                          declared=request.POST.get("declared") == "on")
        except ValidationError as exc:
            errors = [messages_of(exc)]
        else:
            messages.success(request, "已登记授权书。")
            return redirect("incomecheck_archive", pk=archive.pk)
    return render(request, "incomecheck/archive.html", {
        "archive": archive, "masked_name": pii.mask_name(archive.name), "errors": errors,
        "auths": Authorization.objects.filter(archive=archive).select_related("recorded_by").order_by("-id"),
        "checks": Check.objects.filter(archive=archive).select_related("batch__org").order_by("-id"),
        "can_write": actor.can(Perm.ARCHIVE_WRITE)}, status=422 if errors else 200)


@actor_required()
def authorization_file(request, pk):
    """The scan of a signed form (kept also when superseded), for whoever sees the archive."""
    auth = Authorization.objects.select_related("archive__org").filter(pk=pk).exclude(file="").first()
    if auth is None or not request.actor.sees_org(auth.archive.org):
        raise Http404("授权书不存在或不在您的管辖范围内")
    root = Path(settings.WARMTH_FILES_DIR).resolve()
    path = (root / auth.file).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise Http404("授权书文件不存在")
    return FileResponse(path.open("rb"), as_attachment=True, filename=auth.original_name or "授权书",
                        content_type=auth.content_type)


@actor_required()
def batch_detail(request, pk):
    actor = request.actor
    batch = services.batch_for_actor(actor, pk)
    checks = list(batch.checks.filter(org__path__startswith=actor.org.path).select_related("archive", "org")
                  .order_by("org__path", "id")[:1000])
    for c in checks:
        c.masked_name = pii.mask_name(c.archive.name)
    return render(request, "incomecheck/batch.html", {
        "batch": batch, "checks": checks, "decisions": Decision.choices, "inconsistent": Result.INCONSISTENT,
        "can_review": actor.can(Perm.ARCHIVE_APPROVE),
        "can_export": actor.can(Perm.EXPORT) and actor.can(Perm.PII_FULL)})


@actor_required(Perm.EXPORT)
def batch_export(request, pk):
    """The batch for the 核对 centre: full ID numbers of the household and its members (pii.full required; every
    export is an audit row pii.export); the file is built in a temporary folder and not kept."""
    import xlsxwriter

    actor = request.actor
    actor.require(Perm.PII_FULL)
    batch = services.batch_for_actor(actor, pk)
    folder = Path(tempfile.mkdtemp(prefix="warmth-hc-"))
    path = folder / "check.xlsx"
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    ws, wm = book.add_worksheet("核对家庭"), book.add_worksheet("家庭成员")
    head = ["批次号", "序号", "核对编号", "姓名", "身份证号", "家庭人口", "申报家庭年收入", "结果", "核对家庭年收入",
            "说明"]
    for col, h in enumerate(head):
        ws.write_string(0, col, h)
    for col, h in enumerate(["核对编号", "户主姓名", "成员姓名", "关系", "身份证号"]):
        wm.write_string(0, col, h)
    n = m = 0
    checks = batch.checks.select_related("archive").prefetch_related("archive__members").order_by("org__path", "id")
    for n, c in enumerate(checks, start=1):
        a = c.archive
        for col, v in enumerate([batch.number, str(n), str(c.pk), a.name, a.id_number, str(a.household_size),
                                 str(c.declared_income)]):
            ws.write_string(n, col, v)
        for mem in a.members.all():
            m += 1
            for col, v in enumerate([str(c.pk), a.name, mem.name, mem.relation, mem.id_number or ""]):
                wm.write_string(m, col, v)
    book.close()
    audit_record(actor=actor, action="pii.export", object_type="incomecheck_batch", object_id=batch.pk,
                 org=batch.org, after={"rows": n, "members": m, "full_ids": True})
    response = FileResponse(path.open("rb"), as_attachment=True, filename=f"{batch.number}.xlsx")
    path.unlink()  # the open handle keeps the data until the response is sent; nothing stays on disk
    folder.rmdir()
    return response


@require_POST
@actor_required(Perm.ARCHIVE_APPROVE)
def batch_answers(request, pk):
    actor = request.actor
    batch = services.batch_for_actor(actor, pk)
    upload = request.FILES.get("file")
    if upload is None or upload.size > services.MAX_BYTES:
        messages.error(request, f"请选择核对结果文件（xlsx 或 CSV，不超过 {services.MAX_BYTES // 2**20} MB）")
        return redirect("incomecheck_batch", pk=batch.pk)
    with upload_on_disk(upload) as path:
        summary = services.answers_import(actor=actor, batch=batch, path=path, filename=upload.name or "")
    if summary["errors"]:
        lines = "；".join(f"第 {n} 行：{m}" if n else m for n, m in summary["errors"][:50])
        more = f"（共 {len(summary['errors'])} 处）" if len(summary["errors"]) > 50 else ""
        messages.error(request, f"有问题，未导入：{lines}{more}")
    else:
        messages.success(request, f"已导入 {summary['updated']} 户的核对结果，其中不一致 {summary['inconsistent']} 户"
                                  f"待复核。")
    return redirect("incomecheck_batch", pk=batch.pk)


@require_POST
@actor_required(Perm.ARCHIVE_APPROVE)
def check_decide(request, pk):
    actor = request.actor
    check = services.check_for_actor(actor, pk)
    try:
        services.check_decide(actor=actor, check=check, decision=request.POST.get("decision", ""),
                              note=request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, f"未保存：{messages_of(exc)}")
    else:
        messages.success(request, "已记录复核决定。")
    return redirect("incomecheck_batch", pk=check.batch_id)
