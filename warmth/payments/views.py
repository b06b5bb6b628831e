"""HTML pages of 实名制发放: the list, a new payment, the payment page (snapshot, rule verdicts, approval trail,
documents) and one POST route per step. Every payment is reached through ``payment_for_actor`` (404 outside
the subtree); every write is a service call whose refusal becomes a Chinese message, nothing written."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from warmth.archives.access import archives_for_actor
from warmth.archives.choices import HardshipCategory
from warmth.audit.services import audit_record
from warmth.campaigns.access import campaigns_for_actor
from warmth.core import pii
from warmth.core.dbrouter import replica_reads
from warmth.core.feedback import add_errors, attempt, form_data
from warmth.core.feedback import messages_of as _messages_of
from warmth.core.tables import upload_on_disk
from warmth.core.validation import text_problem
from warmth.funds import rules as funds_rules
from warmth.funds.access import pots_for_actor
from warmth.funds.choices import PayMethod
from warmth.jobs.services import job_create
from warmth.orgs.access import org_for_actor
from warmth.orgs.decorators import actor_required
from warmth.orgs.permissions import Perm
from warmth.payments import services
from warmth.payments.access import payment_for_actor, payments_for_actor
from warmth.payments.batch import batch_pay
from warmth.payments.bulk import ACTIONS, MAX_IDS, bulk_check
from warmth.payments.choices import AidType, PaymentStatus
from warmth.payments.documents import bank_csv, bank_xlsx, notice_rows, voucher_pdf
from warmth.payments.exporters import bank_records
from warmth.payments.forms import (
    BankFailForm,
    NoteForm,
    PaidForm,
    PaymentEditForm,
    PaymentForm,
    ReasonForm,
    RepayForm,
)
from warmth.payments.models import Verification, VerificationAnswer
from warmth.payments.verification import discrepancy_report, verification_record, verification_sample

PAGE_SIZE = 50
POTS_SHOWN = 200
S = PaymentStatus



#: the statuses whose rows may take a bulk action (the others are not asked of the engine)
BULK_STATUSES = (S.SUBMITTED, S.APPROVED, S.PAID)


@replica_reads
@require_GET
@actor_required()
def payment_list(request):
    actor = request.actor
    qs = payments_for_actor(actor).select_related("org", "pot__org", "archive").order_by("-id")
    status = request.GET.get("status") or ""
    if status in S.values:
        qs = qs.filter(status=status)
    batch = (request.GET.get("batch") or "").strip()[:60]
    if batch:
        qs = qs.filter(batch=batch)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    may_bulk = actor.can(Perm.PAYMENT_APPROVE) or actor.can(Perm.PAYMENT_WRITE)
    offered: set[str] = set()
    for p in page:
        p.masked_id = pii.mask_id_number(p.id_number)
        # the bulk actions the engine allows on this row (the bar offers only these, for the rows ticked)
        p.bulk = ([a for a in services.WORKFLOW.allowed(actor, p) if a in ACTIONS]
                  if may_bulk and p.status in BULK_STATUSES else [])
        offered.update(p.bulk)
    query = urlencode({k: v for k, v in (("status", status), ("batch", batch)) if v})
    return render(request, "payments/payment_list.html", {
        "page": page, "status": status, "statuses": S.choices, "batch": batch, "query": query,
        "bulk_actions": [(a, label) for a, label in ACTIONS.items() if a in offered]})


@require_POST
@actor_required()
def payment_bulk(request):
    """Bulk approve / return (one opinion) / register paid / confirm the ticked payments, or register a whole
    bank batch (the approved bank transfers of an org's subtree and year, as in the bank file) paid: checked
    at once (every error), then a background job that lists each refusal with its reason."""
    actor = request.actor
    if not (actor.can(Perm.PAYMENT_APPROVE) or actor.can(Perm.PAYMENT_WRITE)):
        raise PermissionDenied("您的角色无权办理发放。")
    p = request.POST
    action = p.get("action", "")
    ids = [int(i) for i in p.getlist("ids") if i.isascii() and i.isdigit() and len(i) <= 18][:MAX_IDS]
    if ids:  # only the payments of the actor's subtree: the others are not theirs to name
        seen = set(payments_for_actor(actor).filter(pk__in=ids).values_list("id", flat=True))
        if not seen:
            raise Http404("所选发放不存在或不在您的管辖范围内")
        ids = [i for i in ids if i in seen]
    title = ""
    if p.get("bank_org"):  # the bank batch: every approved bank transfer of the org's subtree and year
        org = org_for_actor(actor, p["bank_org"].strip())
        try:
            year = int(p.get("bank_year") or "")
        except ValueError:
            year = None
        action = "pay"
        ids = list(payments_for_actor(actor).filter(org__path__startswith=org.path, pot__year=year or 0,
                                                    status=S.APPROVED, method=PayMethod.BANK)
                   .order_by("id").values_list("id", flat=True)[:MAX_IDS]) if year else []
        title = f"{org.name} {year or ''}年度银行代发批次"
    try:
        paid_on = date.fromisoformat(p["paid_on"]) if p.get("paid_on") else None
    except ValueError:
        paid_on = None
    note, reason = (p.get("note") or "").strip(), (p.get("reason") or p.get("note") or "").strip()
    errors = bulk_check(action=action, ids=ids, note=note, reason=reason, paid_on=paid_on)
    if p.get("paid_on") and paid_on is None:
        errors["paid_on"] = "发放日期格式不正确"
    if errors:
        messages.error(request, "批量办理未开始：" + "；".join(errors.values()))
        return redirect("payment_list")
    label = ACTIONS[action]
    job = job_create(actor=actor, kind="payments.bulk", title=f"批量{label}：{title or f'{len(ids)} 笔发放'}",
                     params={"action": action, "ids": ids, "note": note, "reason": reason,
                             "paid_on": paid_on.isoformat() if paid_on else ""})
    return redirect("job_detail", pk=job.pk)


def _pots(actor, chosen: str | None):
    """The pots offered where money is chosen: with money still spendable today (money past its spend-by
    date is not offered), each labelled with what may be spent and until when."""
    qs = pots_for_actor(actor).filter(balance__gt=0).select_related("org").order_by("org__path", "-year", "id")
    pots = list(qs[:POTS_SHOWN])
    if chosen and chosen not in {str(p.pk) for p in pots}:
        extra = qs.filter(pk=chosen).first() if chosen.isdigit() else None
        pots += [extra] if extra else []
    return funds_rules.offered(pots, timezone.localdate())


_ALIAS = {"archive": "archive_no"}


@actor_required(Perm.PAYMENT_WRITE)
def payment_create(request):
    actor = request.actor
    chosen = request.POST.get("pot") or request.GET.get("pot")

    campaigns = list(campaigns_for_actor(actor).select_related("org").order_by("-year", "org__path")[:20])
    form = PaymentForm(form_data(request), pots=_pots(actor, chosen), campaigns=campaigns,
                       initial={"pot": chosen, "archive_no": request.GET.get("archive", ""),
                                "campaign": request.GET.get("campaign", "")})
    if request.method == "POST":
        valid = form.is_valid()
        d = form.cleaned_data
        archive = None
        if (d.get("archive_no") or "").strip():
            archive = archives_for_actor(actor).filter(archive_no=d["archive_no"].strip()).select_related("org").first()
            if archive is None:
                form.add_error("archive_no", "档案编号不存在或不在您的管辖范围内")
        if d.get("pot") is not None:  # the service's checks run even when the form's failed: one response
            recipient = None if archive else services.Recipient(
                name=d.get("name") or "", id_number=d.get("id_number") or "",
                unit_or_address=d.get("unit_or_address") or "", phone=d.get("phone") or "")
            try:
                p = attempt(form, lambda: services.payment_create(
                    actor=actor, pot=d["pot"], aid_type=d.get("aid_type") or "", amount=d.get("amount") or "",
                    method=d.get("method") or "", archive=archive, recipient=recipient,
                    recipient_kind=d.get("recipient_kind") or "other", on_visit=bool(d.get("on_visit")),
                    goods_items=d.get("goods_items") or "", bank_account=d.get("bank_account") or "",
                    bank_name=d.get("bank_name") or "", repeat_reason=d.get("repeat_reason") or "",
                    note=d.get("note") or "", campaign=d.get("campaign")),
                    keep=valid and not form.errors, on_error=lambda f, exc: add_errors(f, exc, alias=_ALIAS))
            except PermissionDenied as exc:
                form.add_error(None, _messages_of(exc))
            else:
                if p is not None:
                    messages.success(request, "发放已保存为草稿：请核对规则检查结果后提交审批。")
                    return redirect("payment_detail", pk=p.pk)
    return render(request, "payments/payment_form.html", {"form": form}, status=422 if form.errors else 200)


@require_GET
@actor_required()
def payment_detail(request, pk):
    actor = request.actor
    p = payment_for_actor(actor, pk)
    evaluation = services.evaluate(p) if p.status in (S.DRAFT, S.RETURNED, S.SUBMITTED) else None
    actions = {name: True for name in services.WORKFLOW.allowed(actor, p)}  # exactly what the engine allows
    return render(request, "payments/payment_detail.html", {
        "p": p, "evaluation": evaluation, "actions": actions, "trail": p.steps.select_related("actor"),
        "waiting": services.WORKFLOW.waiting_on(p), "held": services.WORKFLOW.held(actor, p),
        "masked_id": pii.mask_id_number(p.id_number), "masked_phone": pii.mask_phone(p.phone) if p.phone else "",
        "masked_account": pii.mask_account(p.bank_account) if p.bank_account else "",
        "repeats": services.repeats_of(p).count(),
    })


def _step_view(name: str, form_class, title: str, success: str, call):
    @require_POST
    @actor_required()
    def view(request, pk):
        p = payment_for_actor(request.actor, pk)
        form = form_class(request.POST) if form_class else None
        if form is not None and not form.is_valid():
            messages.error(request, f"{title}未完成：" + "；".join(e for errs in form.errors.values() for e in errs))
        else:
            try:
                call(request.actor, p, form.cleaned_data if form else {})
            except (ValidationError, PermissionDenied) as exc:
                if isinstance(exc, PermissionDenied):
                    raise
                messages.error(request, f"{title}未完成：{_messages_of(exc)}")
            else:
                messages.success(request, success)
        return redirect("payment_detail", pk=p.pk)

    view.__name__ = f"payment_{name}"
    return view


payment_submit = _step_view("submit", None, "提交审批", "已提交审批。",
                            lambda a, p, d: services.payment_submit(actor=a, payment=p))
payment_approve = _step_view("approve", NoteForm, "审批", "已审批通过本环节。",
                             lambda a, p, d: services.payment_approve(actor=a, payment=p, note=d["note"]))
payment_return = _step_view("return", ReasonForm, "退回", "已退回经办人。",
                            lambda a, p, d: services.payment_return(actor=a, payment=p, reason=d["reason"]))
payment_pay = _step_view("pay", PaidForm, "登记已发放", "已登记为已发放。",
                         lambda a, p, d: services.payment_mark_paid(actor=a, payment=p, paid_on=d["paid_on"],
                                                                    note=d["note"]))
payment_confirm = _step_view("confirm", None, "确认", "已确认。",
                             lambda a, p, d: services.payment_confirm(actor=a, payment=p))
payment_reverse = _step_view("reverse", ReasonForm, "冲正", "已冲正，资金已退回资金池（记录保留）。",
                             lambda a, p, d: services.payment_reverse(actor=a, payment=p, reason=d["reason"]))
payment_cancel = _step_view("cancel", ReasonForm, "作废", "已作废（记录保留，不再发放）。",
                            lambda a, p, d: services.payment_cancel(actor=a, payment=p, reason=d["reason"]))
payment_reverse_request = _step_view(
    "reverse_request", ReasonForm, "申请冲正", "已申请冲正，待另一位有审批权限的人审批。",
    lambda a, p, d: services.payment_reverse_request(actor=a, payment=p, reason=d["reason"]))
payment_reverse_approve = _step_view(
    "reverse_approve", NoteForm, "冲正审批", "冲正已审批通过，资金已退回资金池（记录保留）。",
    lambda a, p, d: services.payment_reverse_approve(actor=a, payment=p, note=d["note"]))
payment_reverse_reject = _step_view(
    "reverse_reject", ReasonForm, "驳回冲正", "已驳回冲正申请。",
    lambda a, p, d: services.payment_reverse_reject(actor=a, payment=p, reason=d["reason"]))
payment_bank_fail = _step_view(
    "bank_fail", BankFailForm, "登记银行退回", "已登记为发放失败，资金已退回资金池（记录保留）。",
    lambda a, p, d: services.payment_bank_fail(actor=a, payment=p, reason=d["reason"]))
payment_repay = _step_view(
    "repay", RepayForm, "重新发放", "已更正账号，重新进入待发放。",
    lambda a, p, d: services.payment_repay(actor=a, payment=p, bank_account=d["bank_account"],
                                           bank_name=d["bank_name"]))
STEP_VIEWS = {"bank_fail": payment_bank_fail, "repay": payment_repay,
              "submit": payment_submit, "approve": payment_approve, "return": payment_return, "pay": payment_pay,
              "confirm": payment_confirm, "reverse": payment_reverse, "cancel": payment_cancel,
              "reverse_request": payment_reverse_request, "reverse_approve": payment_reverse_approve,
              "reverse_reject": payment_reverse_reject}


@actor_required()
def payment_edit(request, pk):
    """修改 a draft or returned payment; every error shown at once, nothing written on a refusal."""
    actor = request.actor
    p = payment_for_actor(actor, pk)
    if "edit" not in services.WORKFLOW.allowed(actor, p):
        reason = services.WORKFLOW.refusal(actor, p, "edit") or "不能修改"
        if not actor.can(Perm.PAYMENT_WRITE):
            raise PermissionDenied(reason)
        messages.error(request, f"修改未完成：{reason}")
        return redirect("payment_detail", pk=p.pk)
    initial = {name: getattr(p, name) for name in services.EDITABLE if name != "bank_account"}
    form = PaymentEditForm(form_data(request), initial=initial)
    if request.method == "POST":
        valid = form.is_valid()
        d = {name: form.cleaned_data.get(name, getattr(p, name) if name != "bank_account" else "")
             for name in form.fields}  # a field the form refused: the service checks the rest
        if not (d["bank_account"] or "").strip():
            d["bank_account"] = p.bank_account  # left blank: unchanged
        if attempt(form, lambda: services.payment_edit(actor=actor, payment=p, **d), keep=valid) is not None:
            messages.success(request, "已保存修改。")
            return redirect("payment_detail", pk=p.pk)
    return render(request, "payments/payment_edit.html", {"form": form, "p": p},
                  status=422 if form.errors else 200)


@require_GET
@actor_required()
def payment_voucher(request, pk):
    """The 发放凭证 PDF; full ID numbers for roles with pii.full (audited), masked otherwise."""
    actor = request.actor
    p = payment_for_actor(actor, pk)
    full = request.GET.get("full") == "1" and actor.can(Perm.PII_FULL)
    data = voucher_pdf([p], full=full)
    if full:
        audit_record(actor=actor, action="pii.export", object_type="payment", object_id=p.pk, org=p.org,
                     after={"document": "voucher", "full_ids": True})
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="voucher-{p.pk}.pdf"'
    return response


@require_POST
@actor_required(Perm.EXPORT)
def payment_roster(request):
    """The 汇总表 of an org's subtree for a year, as a background job with a progress bar."""

    org = org_for_actor(request.actor, (request.POST.get("org") or request.actor.org.code).strip())
    try:
        year = int(request.POST.get("year") or "")
    except ValueError:
        raise Http404("年度无效") from None
    job = job_create(actor=request.actor, kind="payments.roster", title=f"实名制发放凭证汇总表：{org.name} {year}年",
                     params={"org": org.code, "year": year, "aid_type": request.POST.get("aid_type") or ""})
    return redirect("job_detail", pk=job.pk)


@actor_required(Perm.PAYMENT_WRITE)
def payment_batch(request):
    """Pay every active archive of the pot's subtree (optionally some categories), tied to a campaign: first a
    preview (who, how many, the total, which rule skips whom; nothing written), then the run as a background
    job whose page lists the skipped with their reasons and links to the payments made."""
    actor = request.actor
    pots = _pots(actor, request.POST.get("pot"))
    campaigns = list(campaigns_for_actor(actor).select_related("org").order_by("-year", "org__path")[:20])
    errors, preview = [], None
    if request.method == "POST":
        pot = next((p for p in pots if str(p.pk) == request.POST.get("pot")), None)
        campaign = next((c for c in campaigns if str(c.pk) == request.POST.get("campaign")), None)
        aid_type = request.POST.get("aid_type") or ""
        batch = (request.POST.get("batch") or "").strip()
        amount = (request.POST.get("amount") or "").strip()
        categories = [c for c in request.POST.getlist("categories") if c in HardshipCategory.values]
        if pot is None:
            errors.append("请选择资金（已过使用期限的资金不再列出）")
        if request.POST.get("campaign") and campaign is None:
            errors.append("请选择送温暖活动")
        if aid_type not in AidType.values:
            errors.append("请选择帮扶项目")
        if not batch:
            errors.append("请填写批次名称")
        if not amount:
            errors.append("请填写每户金额")
        # the page's first button previews; "run" (the confirm button, or a request without a preview) runs
        if not errors and request.POST.get("action") != "preview":
            params = {"pot": pot.pk, "amount": amount, "aid_type": aid_type, "batch": batch,
                      "categories": categories}
            if campaign is not None:
                params["campaign"] = campaign.pk
            job = job_create(actor=actor, kind="payments.batch", title=f"批量发放：{batch}", params=params)
            return redirect("job_detail", pk=job.pk)
        if not errors:
            try:
                preview = batch_pay(actor=actor, pot=pot, amount=amount, aid_type=aid_type, batch=batch,
                                    categories=categories or None, campaign=campaign, dry_run=True)
            except (ValidationError, PermissionDenied) as exc:
                errors.append(_messages_of(exc))
    return render(request, "payments/payment_batch.html", {
        "pots": pots, "campaigns": campaigns, "errors": errors, "aid_types": AidType.choices,
        "categories": HardshipCategory.choices, "data": request.POST,
        "chosen_categories": request.POST.getlist("categories"), "preview": preview},
        status=422 if errors else 200)


def _year_org(request):
    org = org_for_actor(request.actor, (request.GET.get("org") or request.actor.org.code).strip())
    try:
        year = int(request.GET.get("year") or "")
    except ValueError:
        raise Http404("请指定资金年度") from None
    return org, year


@require_GET
@actor_required(Perm.EXPORT)
def payment_bank(request):
    """The bank batch file of the approved (待发放) bank transfers of an org's subtree and year, with its control
    count and total. It carries full account numbers: pii.full is required and every download is audited."""
    import tempfile
    from pathlib import Path

    from django.http import FileResponse


    actor = request.actor
    actor.require(Perm.PII_FULL)
    org, year = _year_org(request)
    qs = (payments_for_actor(actor).filter(org__path__startswith=org.path, pot__year=year, status=S.APPROVED,
                                           method=PayMethod.BANK).order_by("id"))
    fmt = request.GET.get("format", "xlsx")
    if fmt == "csv":
        text, count, total = bank_csv(bank_records(qs))
        body = text.encode("utf-8")
    else:
        folder = Path(tempfile.mkdtemp(prefix="warmth-bank-"))
        count, total = bank_xlsx(bank_records(qs), folder / "bank.xlsx")
        body = None
    audit_record(actor=actor, action="pii.export", object_type="payment_bank", object_id=org.code, org=org,
                 after={"year": year, "rows": count, "total": total, "format": fmt})
    name = f"bank-{org.code}-{year}.{'csv' if fmt == 'csv' else 'xlsx'}"
    if body is not None:
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return FileResponse((folder / "bank.xlsx").open("rb"), as_attachment=True, filename=name)


@require_GET
@actor_required()
def payment_notice(request):
    """The 公示 list (masked names) of the paid payments of an org's subtree and year, ready to print."""

    org, year = _year_org(request)
    qs = (payments_for_actor(request.actor).filter(org__path__startswith=org.path, pot__year=year,
                                                   status__in=[S.PAID, S.CONFIRMED])
          .select_related("org").order_by("aid_type", "id"))
    rows = notice_rows(qs[:5000])
    return render(request, "payments/payment_notice.html", {"org": org, "year": year, "rows": rows,
                                                            "count": qs.count()})


@actor_required(Perm.PAYMENT_WRITE)
def payment_bank_returns(request):
    """银行回盘: upload the bank's result file; 检查 shows every problem by line and what would change, 导入
    applies the failures (nothing at all while any line has a problem)."""

    from warmth.payments.returns import MAX_BYTES, bank_return_import

    actor = request.actor
    summary, posted = None, {}
    if request.method == "POST":
        posted = request.POST
        upload = request.FILES.get("file")
        try:
            org = org_for_actor(actor, (posted.get("org") or actor.org.code).strip()[:40])
            batch = (posted.get("batch") or "").strip()
            if len(batch) > 60 or text_problem(batch):
                raise ValidationError("批次名称不对（不超过 60 个字，不含控制字符）")
            if upload is None:
                raise ValidationError("请选择银行回盘文件（xlsx 或 CSV）")
            if upload.size > MAX_BYTES:
                raise ValidationError(f"文件超过 {MAX_BYTES // 2**20} MB")
            with upload_on_disk(upload) as path:
                summary = bank_return_import(actor=actor, org=org, path=path, filename=upload.name or "",
                                             batch=batch, dry_run=posted.get("action") != "apply")
        except ValidationError as exc:
            messages.error(request, f"未完成：{_messages_of(exc)}")
        else:
            if summary["applied"]:
                messages.success(request, f"已导入回盘：{summary['failed']} 笔发放失败，{summary['amount']} 元已退回"
                                          f"资金池；{summary['succeeded']} 笔成功。")
    return render(request, "payments/bank_returns.html", {"summary": summary, "posted": posted},
                  status=422 if summary and summary["errors"] else 200)


@actor_required(Perm.PAYMENT_APPROVE)
def payment_verify(request):
    """回访核实: draw a sample (a named seed; the same name draws the same recipients), record the answers,
    see the discrepancy rate per org."""

    actor = request.actor
    seed = (request.GET.get("seed") or request.POST.get("seed") or "").strip()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "draw":
                org = org_for_actor(actor, (request.POST.get("org") or actor.org.code).strip())
                try:
                    year, size = int(request.POST.get("year") or ""), int(request.POST.get("size") or "")
                except ValueError:
                    raise ValidationError("请填写资金年度和抽样人数（整数）") from None
                made = verification_sample(actor=actor, org=org, year=year, size=size, seed=seed)
                messages.success(request, f"已抽取 {len(made)} 人。")
            else:
                v = Verification.objects.filter(pk=request.POST.get("verification"),
                                                payment__org__path__startswith=actor.org.path).first()
                if v is None:
                    raise Http404("记录不存在或不在您的管辖范围内")
                verification_record(actor=actor, verification=v, answer=request.POST.get("answer") or "",
                                    amount_reported=request.POST.get("amount_reported") or None,
                                    note=request.POST.get("note") or "")
                messages.success(request, "核实结果已记录。")
        except ValidationError as exc:
            messages.error(request, f"未完成：{_messages_of(exc)}")
        from urllib.parse import quote

        return redirect(f"{request.path}?seed={quote(seed)}")
    rows = (Verification.objects.filter(sample=seed, payment__org__path__startswith=actor.org.path)
            .select_related("payment__org").order_by("payment__org__path", "payment_id")) if seed else []
    for v in rows:
        v.masked_name = pii.mask_name(v.payment.name)
    return render(request, "payments/payment_verify.html", {
        "seed": seed, "rows": rows, "answers": VerificationAnswer.choices,
        "report": discrepancy_report(actor.org, seed) if seed else []})


@actor_required()
def payment_chain(request):
    """审批流程设置: the chain that applies to an org of the actor's subtree (its own or the nearest ancestor's,
    else the voucher's default), and, for a leader or an admin, the form that sets the org's own."""
    actor = request.actor
    code = (request.POST.get("org") or request.GET.get("org") or actor.org.code).strip()
    org = org_for_actor(actor, code)
    errors: list[str] = []
    data = request.POST
    if request.method == "POST":
        if not actor.can(Perm.RULES_MANAGE):
            raise PermissionDenied("只有领导或系统管理员可以设置审批流程。")
        try:
            services.chain_set(actor=actor, org=org, steps=data.get("steps", "").replace("，", ",").split(","),
                               threshold=data.get("threshold", ""), extra_step=data.get("extra_step", ""))
        except ValidationError as exc:
            errors.append(_messages_of(exc))
        else:
            messages.success(request, f"已保存{org.name}的审批流程，本级及下级新提交的发放按新流程审批。")
            return redirect(f"{request.path}?org={org.code}")
    chain = services.chain_of(org)
    return render(request, "payments/payment_chain.html", {
        "org": org, "chain": chain, "errors": errors, "data": data if errors else None,
        "can_set": actor.can(Perm.RULES_MANAGE)}, status=422 if errors else 200)
