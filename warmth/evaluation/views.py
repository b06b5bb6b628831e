"""第三方评估 pages: the samples of the user's subtree and the draw form; a sample's rates with drill-down to the
children and the households; the export for the evaluators (personal data: audited) and the import of findings."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from warmth.audit.services import audit_record
from warmth.core import pii
from warmth.core.feedback import messages_of
from warmth.core.tables import upload_on_disk
from warmth.evaluation import services
from warmth.evaluation.models import Stratum
from warmth.orgs.access import org_for_actor
from warmth.orgs.decorators import actor_required
from warmth.orgs.permissions import Perm

LABELS = {"name": "样本名称", **{f"size_{s.value}": f"{s.label}样本量" for s in Stratum}}


@actor_required()
def sample_list(request):
    actor = request.actor
    errors, posted = [], {}
    if request.method == "POST":
        actor.require(Perm.ARCHIVE_APPROVE)
        posted = request.POST
        try:
            org = org_for_actor(actor, (posted.get("org") or actor.org.code).strip()[:40])
            sample = services.sample_draw(actor=actor, org=org, name=posted.get("name", ""),
                                          sizes={s.value: posted.get(f"size_{s.value}", "") for s in Stratum})
        except ValidationError as exc:
            for key, msgs in exc.message_dict.items():
                errors += [f"{LABELS[key]}：{m}" if key in LABELS else m for m in msgs]
        else:
            messages.success(request, f"已抽取 {sample.cases.count()} 户。")
            return redirect("evaluation_detail", pk=sample.pk)
    samples = services.samples_for_actor(actor).select_related("org", "drawn_by").order_by("-drawn_at")
    return render(request, "evaluation/sample_list.html", {
        "samples": samples, "frames": [(st, n) for st, n in zip(Stratum, services.frame_counts(actor.org).values(),
                                                                  strict=True)],
        "errors": errors, "posted": posted, "can_draw": actor.can(Perm.ARCHIVE_APPROVE)},
        status=422 if errors else 200)


@actor_required()
def sample_detail(request, pk):
    actor = request.actor
    sample = services.sample_for_actor(actor, pk)
    code = (request.GET.get("org") or "").strip()[:40]
    org = org_for_actor(actor, code) if code else sample.org
    if not org.path.startswith(sample.org.path):
        raise Http404("该单位不在这个样本的范围内")
    cases = list(sample.cases.filter(org__path__startswith=org.path).select_related("archive", "org")
                 .order_by("org__path", "stratum", "id")[:500])
    for c in cases:
        c.masked_name = pii.mask_name(c.archive.name)
    return render(request, "evaluation/sample_detail.html", {
        "sample": sample, "org": org, "total": services.rates(sample, org),
        "children": services.rates_by_child(sample, org), "cases": cases,
        "can_import": actor.can(Perm.ARCHIVE_APPROVE), "can_export": actor.can(Perm.EXPORT),
        })


@actor_required(Perm.EXPORT)
def sample_export(request, pk):
    """The sample for the evaluators: who, where, the questions of each stratum as empty columns. Full ID numbers
    and phones only with pii.full; every export is an audit row (pii.export). Nothing is kept on the server."""
    import xlsxwriter

    actor = request.actor
    sample = services.sample_for_actor(actor, pk)
    full = actor.can(Perm.PII_FULL)
    folder = Path(tempfile.mkdtemp(prefix="warmth-eval-"))
    path = folder / "sample.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    ws = book.add_worksheet("评估样本")
    head = ["样本编号", "层", "单位", "档案编号", "户主姓名", "身份证号", "联系电话", "家庭住址",
            *services.FINDING_LABELS.values(), "评估说明", "须评估的项目"]
    for col, h in enumerate(head):
        ws.write_string(0, col, h)
    rows = (sample.cases.select_related("archive", "org").order_by("org__path", "stratum", "id"))
    n = 0
    for n, c in enumerate(rows, start=1):
        a = c.archive
        idn, phone = (a.id_number, a.phone) if full else (pii.mask_id_number(a.id_number),
                                                           pii.mask_phone(a.phone) if a.phone else "")
        asked = "、".join(services.FINDING_LABELS[q] for q in services.QUESTIONS[c.stratum])
        values = [str(c.pk), Stratum(c.stratum).label, c.org.name, a.archive_no, a.name, idn, phone, a.address,
                  "", "", "", "", asked]
        for col, v in enumerate(values):
            ws.write_string(n, col, v or "")
    book.close()
    audit_record(actor=actor, action="pii.export", object_type="evaluation_sample", object_id=sample.pk,
                 org=sample.org, after={"rows": n, "full_ids": full})
    response = FileResponse(path.open("rb"), as_attachment=True, filename=f"evaluation-{sample.pk}.xlsx")
    path.unlink()  # the open handle keeps the data until the response is sent; nothing stays on disk
    folder.rmdir()
    return response


@require_POST
@actor_required(Perm.ARCHIVE_APPROVE)
def sample_findings(request, pk):
    actor = request.actor
    sample = services.sample_for_actor(actor, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择评估结果文件（导出的样本表填写后上传，xlsx 或 CSV）")
        return redirect("evaluation_detail", pk=sample.pk)
    if upload.size > services.MAX_BYTES:
        messages.error(request, f"文件超过 {services.MAX_BYTES // 2**20} MB")
        return redirect("evaluation_detail", pk=sample.pk)
    try:
        with upload_on_disk(upload) as path:
            summary = services.findings_import(actor=actor, sample=sample, path=path, filename=upload.name or "")
    except ValidationError as exc:
        messages.error(request, f"未完成：{messages_of(exc)}")
        return redirect("evaluation_detail", pk=sample.pk)
    if summary["errors"]:
        lines = "；".join(f"第 {n} 行：{m}" if n else m for n, m in summary["errors"][:50])
        more = f"（共 {len(summary['errors'])} 处）" if len(summary["errors"]) > 50 else ""
        messages.error(request, f"有问题，未导入：{lines}{more}")
    else:
        messages.success(request, f"已导入 {summary['updated']} 户的评估结果。")
    return redirect("evaluation_detail", pk=sample.pk)
