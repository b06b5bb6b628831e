"""HTML pages of 困难职工档案: the list, the 登记表 form, the archive page with its lifecycle steps, and the
动态管理 lists. Every archive is reached through ``archive_for_actor`` (subtree first, 404 outside it); every
write is a service call whose ValidationError/PermissionDenied becomes a Chinese message."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from warmth.archives import care, lifecycle, rules
from warmth.archives.access import (
    archive_for_actor,
    archives_for_actor,
    attachment_for_actor,
    transfer_for_actor,
)
from warmth.archives.choices import NATIONAL_SCHEME, SEED_SCHEME, ArchiveStatus
from warmth.archives.forms import (
    ArchiveFilterForm,
    ArchiveForm,
    AttachmentForm,
    DuplicateResolveForm,
    ExitRequestForm,
    ImportForm,
    NoteForm,
    ObjectionForm,
    ObjectionResolveForm,
    PlanForm,
    PublicityForm,
    ReasonForm,
    ReviewForm,
    SampleForm,
    TransferDecideForm,
    TransferForm,
    VerifyForm,
    apply_errors,
    archive_input,
    member_formset,
)
from warmth.archives.importing import ImportRefused, archive_import_start
from warmth.archives.lifecycle import TRANSFER_WORKFLOW, TRANSITIONS, WORKFLOW
from warmth.archives.models import Archive, AssistancePlan, Transfer
from warmth.archives.pdf import registration_form_pdf
from warmth.archives.queries import filter_archives, search_archives
from warmth.archives.services import EDITABLE_STATUSES, archive_file, archive_update
from warmth.archives.template import write_template
from warmth.audit.services import audit_record
from warmth.core import pii, regions
from warmth.core.dbrouter import replica_reads
from warmth.core.feedback import attempt, form_data, form_files
from warmth.core.feedback import form_messages as _form_messages
from warmth.core.feedback import messages_of as _messages_of
from warmth.core.money import AmountError, parse_amount
from warmth.jobs.services import job_create
from warmth.orgs.access import Actor, org_for_actor, visible_orgs
from warmth.orgs.decorators import actor_required
from warmth.orgs.models import Org
from warmth.orgs.permissions import Perm

PAGE_SIZE = 50
ORG_CHOICES_SHOWN = 300  # codes offered in the organisation datalist (typing any code of the subtree works)

# The timeline's action names (lifecycle steps take theirs from TRANSITIONS).
STEP_NAMES = {
    "file": "建档", "update": "修改档案", "objection": "登记公示异议", "objection_resolved": "处理公示异议",
    "promote": "临时救助档案转正", "transfer_out": "申请转出", "transfer_in": "转入", "transfer_refused": "转入被拒收",
    "review": "年度复核", "plan": "一户一策帮扶计划", "attachment": "上传附件",
} | {action: t[3] for action, t in TRANSITIONS.items()}

# Lifecycle steps: the form that parses the step's input (None: a bare button) and the service.
STEPS = {
    "submit": (None, lifecycle.archive_submit),
    "accept": (NoteForm, lifecycle.archive_accept),
    "return": (ReasonForm, lifecycle.archive_return),
    "verify": (VerifyForm, lifecycle.archive_verify),
    "end_publicity": (None, lifecycle.archive_end_publicity),
    "approve": (NoteForm, lifecycle.archive_approve),
    "reject": (ReasonForm, lifecycle.archive_reject),
    "exit_request": (ExitRequestForm, lifecycle.archive_exit_request),
    "exit_cancel": (ReasonForm, lifecycle.archive_exit_cancel),
    "exit_approve": (PublicityForm, lifecycle.archive_exit_approve),
    "exit_finalize": (None, lifecycle.archive_exit_finalize),
}
CARE_LISTS = {"due": "本年度待复核", "overdue": "帮扶计划逾期（或未制定）", "unchanged": "一年以上未更新",
              "sample": "抽查样本"}




# the columns the list rows show (archives/_rows.html); the rest (the phone's decryption, ~40 columns) stays unread
ROW_FIELDS = ("archive_no", "name", "is_temporary", "id_number", "category", "cause_1", "cause_2", "cause_3",
              "org__name", "household_size", "household_annual_income", "status", "created_at")


def _masked_rows(rows):
    for a in rows:
        a.masked_id = pii.mask_id_number(a.id_number)
    return rows


def _org_datalist(actor: Actor):
    return visible_orgs(actor).filter(is_active=True).order_by("path").only("code", "name")[:ORG_CHOICES_SHOWN]


# --- the list -------------------------------------------------------------------------------------

@replica_reads
@actor_required()
def archive_list(request):
    actor = request.actor
    if request.method == "POST":  # the search box posts, so a typed ID number never lands in a URL or a log
        return redirect(_stash_search(request))
    params = request.GET.copy()
    if "qid" in params:
        params["q"] = request.session.get(SEARCH_KEY, {}).get(params.pop("qid")[0], "")
    form = ArchiveFilterForm(params or None)
    form.is_valid()
    f = getattr(form, "cleaned_data", {})
    q = (f.get("q") or "").strip()
    qs = search_archives(actor, q) if q else archives_for_actor(actor)
    org_code = (f.get("org") or "").strip()
    if org_code:
        try:
            org_for_actor(actor, org_code)
        except Http404:
            form.add_error("org", "该组织代码不存在或不在您的管辖范围内")
            qs = qs.none()
    year = timezone.localdate().year
    qs = filter_archives(qs, status=f.get("status") or None, category=f.get("category") or None,
                         cause=f.get("cause") or None, org_code=org_code or None,
                         model_worker=True if f.get("model_worker") else None,
                         migrant=True if f.get("migrant") else None,
                         review_due_year=year if f.get("review_due") else None)
    # COUNT(*), not COUNT(id): PostgreSQL answers it from the (org, status) index alone
    counts = dict(qs.order_by().values_list("status").annotate(n=Count("*")))
    qs = qs.select_related("org").only(*ROW_FIELDS).order_by("-created_at", "-id")
    pager = Paginator(qs, PAGE_SIZE)
    pager.count = sum(counts.values())  # the same rows: no second count
    page = pager.get_page(request.GET.get("page"))
    _masked_rows(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("q", None)
    incoming = (Transfer.objects.filter(status="pending", to_org__path__startswith=actor.org.path)
                .select_related("archive", "from_org", "to_org", "requested_by").order_by("requested_at")[:50])
    for t in incoming:
        t.masked_id = pii.mask_id_number(t.archive.id_number)
        t.decisions = TRANSFER_WORKFLOW.allowed(actor, t)  # 接收 only while the archive is still 在档
    return render(request, "archives/archive_list.html", {
        "form": form, "page": page, "query": query.urlencode(), "q": q,
        "status_counts": [(v, label, counts.get(v, 0)) for v, label in ArchiveStatus.choices if counts.get(v)],
        "total": pager.count, "incoming": incoming, "orgs": _org_datalist(actor), "year": year,
        "sample_form": SampleForm(), "care_lists": CARE_LISTS,
    })


SEARCH_KEY = "warmth_archive_searches"


def _stash_search(request) -> str:
    """Keep the search text in the session under a short random key; the URL carries only the key."""
    params = request.POST.copy()
    params.pop("csrfmiddlewaretoken", None)
    params.pop("page", None)
    q = params.pop("q", [""])[0].strip()
    if q:
        saved = dict(list(request.session.get(SEARCH_KEY, {}).items())[-9:])
        key = secrets.token_urlsafe(6)
        saved[key] = q
        request.session[SEARCH_KEY] = saved
        params["qid"] = key
    return reverse("archive_list") + ("?" + params.urlencode() if params else "")


@replica_reads
@actor_required()
def archive_care(request, kind):
    """动态管理 lists: due for review this year, plans overdue, unchanged for a year, a spot-check sample."""
    actor = request.actor
    if kind not in CARE_LISTS:
        raise Http404("没有这个名单")
    today = timezone.localdate()
    sample_form = SampleForm(request.GET if kind == "sample" and "seed" in request.GET else None)
    if kind == "due":
        qs = care.due_for_review(actor, today.year)
    elif kind == "overdue":
        qs = care.plans_overdue(actor, today=today)
    elif kind == "unchanged":
        qs = care.unchanged_for_a_year(actor, today=today)
    elif sample_form.is_bound and sample_form.is_valid():
        sample = care.spot_check_sample(actor, seed=sample_form.cleaned_data["seed"])
        order = {a.pk: i for i, a in enumerate(sample)}
        rows = sorted(Archive.objects.filter(pk__in=order).select_related("org"), key=lambda a: order[a.pk])
        qs = rows
    else:
        qs = []
    if not isinstance(qs, list):
        qs = qs.select_related("org").only(*ROW_FIELDS).order_by("archive_no")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    _masked_rows(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "archives/archive_care.html", {
        "kind": kind, "title": CARE_LISTS[kind], "page": page, "query": query.urlencode(),
        "sample_form": sample_form, "care_lists": CARE_LISTS, "year": today.year,
    })


# --- the 登记表 form ----------------------------------------------------------------------------------

def _render_form(request, form, formset, member_errors, archive=None, status=200):
    return render(request, "archives/archive_form.html", {
        "form": form, "formset": formset, "member_errors": member_errors, "archive": archive,
        "orgs": _org_datalist(request.actor) if archive is None else [],
        "region_name": _region_name(form["hukou_region_code"].value()),
        "age": archive.age_on(timezone.localdate()) if archive else None,
    }, status=status)


@actor_required(Perm.ARCHIVE_WRITE)
def archive_create(request):
    actor = request.actor
    form = ArchiveForm(form_data(request), initial={"org_code": actor.org.code})
    formset = member_formset(form_data(request))
    member_errors: list[str] = []
    if request.method == "POST":
        valid = form.is_valid() & formset.is_valid()
        member_errors.extend(formset.non_form_errors())
        org = actor.org  # checked against while the code itself is wrong; never written there
        if form.cleaned_data.get("org_code"):
            try:
                org = org_for_actor(actor, form.cleaned_data["org_code"])
            except Http404:
                form.add_error("org_code", "该组织代码不存在或不在您的管辖范围内")
        # the service's checks run even when the form's failed, so every problem shows in one response
        try:
            archive = attempt(form, lambda: archive_file(
                actor=actor, org=org, data=archive_input(form, formset),
                temporary=bool(form.cleaned_data.get("is_temporary"))),
                keep=valid and not member_errors, on_error=lambda f, exc: apply_errors(f, exc, member_errors))
        except PermissionDenied as exc:
            form.add_error(None, _messages_of(exc))
        else:
            if archive is not None:
                messages.success(request, f"已建档，档案编号 {archive.archive_no}（草稿）。核对无误后请提交初审。")
                return redirect("archive_detail", pk=archive.pk)
    return _render_form(request, form, formset, member_errors)


@actor_required()
def archive_edit(request, pk):
    archive = archive_for_actor(request.actor, pk, write=True)
    if archive.status not in EDITABLE_STATUSES:
        messages.error(request, f"档案处于“{archive.get_status_display()}”状态，不能修改（草稿或在档时可修改）")
        return redirect("archive_detail", pk=archive.pk)
    form = ArchiveForm(form_data(request), archive=archive)
    formset = member_formset(form_data(request), archive=archive)
    member_errors: list[str] = []
    if request.method == "POST":
        valid = form.is_valid() & formset.is_valid()
        member_errors.extend(formset.non_form_errors())
        try:  # the service's checks too, in one response (rolled back while anything is wrong)
            saved = attempt(form, lambda: archive_update(actor=request.actor, archive=archive,
                                                         data=archive_input(form, formset)),
                            keep=valid and not member_errors,
                            on_error=lambda f, exc: apply_errors(f, exc, member_errors))
        except PermissionDenied as exc:
            form.add_error(None, _messages_of(exc))
        else:
            if saved is not None:
                messages.success(request, "档案已保存。")
                return redirect("archive_detail", pk=archive.pk)
    return _render_form(request, form, formset, member_errors, archive=archive)


def _region_name(code) -> str:
    code = (code or "").strip()
    if len(code) != 6 or not code.isdigit():
        return ""
    r = regions.current(code) or regions.latest(code)
    return r.full_name if r else ""


@require_GET
@actor_required()
def archive_region(request):
    """The name of a 6-digit region code, for the hint beside the input (HTMX)."""
    code = (request.GET.get("hukou_region_code") or "").strip()
    return render(request, "archives/_region.html", {"code": code, "name": _region_name(code)})


@require_GET
@actor_required()
def archive_suggest(request):
    """建议困难类别 (HTMX): rules.suggest with the figures typed and the region's 低保 standard. Both schemes are
    shown; the handler chooses."""
    g = request.GET
    problems, figures = [], {}
    for name, label in (("household_annual_income", "家庭年度总收入"), ("rigid_expenses", "家庭年度刚性支出"),
                        ("hardship_costs", "年度致困支出")):
        raw = (g.get(name) or "").strip()
        try:
            figures[name] = parse_amount(raw or "0", allow_zero=True)
        except AmountError as exc:
            problems.append(f"{label}：{exc}")
    if not (g.get("household_annual_income") or "").strip():
        problems.append("请先填写家庭年度总收入")
    try:
        size = int(g.get("household_size") or "")
        if size < 1:
            raise ValueError
    except ValueError:
        problems.append("请先填写家庭人口")
        size = 1
    code = (g.get("hukou_region_code") or "").strip()
    year = timezone.localdate().year
    dibao: Decimal | None = rules.dibao_for(code, year) if len(code) == 6 and code.isdigit() else None
    suggestions = []
    if not problems:
        for scheme, title, cats in (("seed", "地方标准", SEED_SCHEME), ("national", "全国标准", NATIONAL_SCHEME)):
            s = rules.suggest(scheme=scheme, household_size=size, dibao_monthly=dibao, **figures)
            suggestions.append({"title": title, "category": s.category, "reason": s.reason,
                                "scheme": "、".join(cats)})
    return render(request, "archives/_suggest.html", {
        "problems": problems, "suggestions": suggestions, "dibao": dibao, "year": year,
        "region": _region_name(code), "code": code,
    })


# --- the archive page -----------------------------------------------------------------------------

def _available_steps(actor: Actor, archive: Archive, allowed: list[str]) -> list[dict]:
    """A button (with its form) for each lifecycle step the engine allows this actor now, and nothing else."""
    steps = []
    for action in allowed:
        if action not in STEPS:
            continue  # promotion and transfer have their own sections of the page
        form_class = STEPS[action][0]
        steps.append({"action": action, "name": WORKFLOW.label(action),
                      "url": reverse(f"archive_{action}", args=[archive.pk]),
                      "form": form_class(auto_id=f"{action}-%s") if form_class else None,
                      "danger": action in ("return", "reject", "exit_request")})
    return steps


def _flow(status: str) -> list[tuple[str, str]]:
    s = ArchiveStatus
    if status in (s.EXIT_REVIEW, s.EXIT_PUBLICIZING, s.EXITED):
        path = (s.ACTIVE, s.EXIT_REVIEW, s.EXIT_PUBLICIZING, s.EXITED)
    else:
        path = (s.DRAFT, s.SUBMITTED, s.VERIFYING, s.PUBLICIZING, s.APPROVING,
                s.REJECTED if status == s.REJECTED else s.ACTIVE)
    return [(v, s(v).label) for v in path]


@actor_required()
def archive_detail(request, pk):
    actor = request.actor
    archive = archive_for_actor(actor, pk)
    today = timezone.localdate()
    reveal = request.GET.get("reveal", "")
    members = list(archive.members.all())
    show_ids = show_phone = False
    if reveal in ("id", "phone"):
        actor.require(Perm.PII_FULL)
        fields = ["id_number", "members.id_number"] if reveal == "id" else ["phone"]
        audit_record(actor=actor, action="pii.view", object_type="archive", object_id=archive.pk, org=archive.org,
                     after={"field": "、".join(fields)})
        show_ids, show_phone = reveal == "id", reveal == "phone"
    for m in members:
        m.shown_id = m.id_number if show_ids else pii.mask_id_number(m.id_number)
        m.age = m.birth_date and (today.year - m.birth_date.year
                                  - ((today.month, today.day) < (m.birth_date.month, m.birth_date.day)))
    plan = AssistancePlan.objects.filter(archive=archive).select_related("updated_by").first()
    plan_initial = {}
    if plan:
        plan_initial = {"needs": plan.needs, "measures": plan.measures, "contact_name": plan.contact_name,
                        "contact_phone": pii.mask_phone(plan.contact_phone), "next_visit_date": plan.next_visit_date}
    flags = list(archive.duplicate_flags.select_related("other__org", "resolved_by").order_by("created_at"))
    for fl in flags:
        fl.visible = actor.sees_org(fl.other.org)
    transfers = list(archive.transfers.select_related("from_org", "to_org", "requested_by", "decided_by")
                     .order_by("-requested_at"))
    for t in transfers:
        t.decisions = TRANSFER_WORKFLOW.allowed(actor, t)
        t.waiting = TRANSFER_WORKFLOW.waiting_on(t)
    steps = list(archive.steps.select_related("actor"))
    for s in steps:
        s.name = STEP_NAMES.get(s.action, s.action)
        s.from_label = ArchiveStatus(s.from_status).label if s.from_status in ArchiveStatus.values else ""
        s.to_label = ArchiveStatus(s.to_status).label if s.to_status in ArchiveStatus.values else ""
    can_write, can_approve = actor.can(Perm.ARCHIVE_WRITE), actor.can(Perm.ARCHIVE_APPROVE)
    allowed = WORKFLOW.allowed(actor, archive)
    publicizing = archive.status in (ArchiveStatus.PUBLICIZING, ArchiveStatus.EXIT_PUBLICIZING)
    return render(request, "archives/archive_detail.html", {
        "a": archive, "members": members, "today": today, "age": archive.age_on(today),
        "id_shown": archive.id_number if show_ids else pii.mask_id_number(archive.id_number),
        "phone_shown": archive.phone if show_phone else pii.mask_phone(archive.phone),
        "can_reveal": actor.can(Perm.PII_FULL), "show_ids": show_ids, "show_phone": show_phone,
        "steps": _available_steps(actor, archive, allowed), "timeline": steps,
        "waiting": WORKFLOW.waiting_on(archive), "held": WORKFLOW.held(actor, archive),
        "can_edit": can_write and archive.status in EDITABLE_STATUSES,
        "can_write": can_write, "can_approve": can_approve,
        "can_promote": "promote" in allowed,
        "plan": plan, "plan_form": PlanForm(initial=plan_initial, auto_id="plan-%s") if can_write else None,
        "attachments": archive.attachments.filter(withdrawn_at__isnull=True).select_related("uploaded_by"),
        "attachment_form": AttachmentForm(auto_id="att-%s") if can_write else None,
        "reviews": archive.reviews.select_related("reviewer"),
        "review_form": (ReviewForm(auto_id="review-%s") if can_write and archive.status == ArchiveStatus.ACTIVE
                        else None),
        "flags": flags, "flag_form": DuplicateResolveForm() if can_approve else None,
        "objections": archive.objections.select_related("recorded_by", "resolved_by"),
        "objection_form": (ObjectionForm(initial={"received_on": today}, auto_id="obj-%s")
                           if can_write and publicizing else None),
        "objection_resolve_form": ObjectionResolveForm() if can_approve else None,
        "transfers": transfers, "flow": _flow(archive.status),
        "plan_phone": (plan.contact_phone if show_phone else pii.mask_phone(plan.contact_phone)) if plan else "",
        "transfer_form": TransferForm(auto_id="transfer-%s") if "transfer" in allowed else None,
    })


@actor_required()
def archive_pdf(request, pk):
    """打印登记表（PDF）; ``?full=1`` prints the full ID numbers (PII_FULL, audited as an export)."""
    actor = request.actor
    archive = archive_for_actor(actor, pk)
    full = request.GET.get("full") == "1"
    if full:
        actor.require(Perm.PII_FULL)

    data = registration_form_pdf(archive, show_full_id=full)
    if full:
        audit_record(actor=actor, action="pii.export", object_type="archive", object_id=archive.pk, org=archive.org,
                     after={"document": "登记表PDF", "fields": "id_number、members.id_number、phone"})
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{archive.archive_no}.pdf"'
    return response


# --- lifecycle steps ----------------------------------------------------------------------------------

def _step_view(action: str):
    form_class, service = STEPS[action]
    name = TRANSITIONS[action][3]

    @require_POST
    @actor_required()  # the archive first (404 outside the subtree), then the step's permission (403)
    def view(request, pk):
        archive = archive_for_actor(request.actor, pk, write=True, perm=TRANSITIONS[action][2])
        kwargs = {}
        if form_class is not None:
            form = form_class(request.POST, request.FILES)  # the 公示 record of a backdated 公示
            if not form.is_valid():
                messages.error(request, f"{name}未完成：{_form_messages(form)}")
                return redirect("archive_detail", pk=archive.pk)
            kwargs = {k: v for k, v in form.cleaned_data.items() if v not in (None, "") or k in ("reason",)}
        try:
            archive = service(actor=request.actor, archive=archive, **kwargs)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, f"{name}未完成：{_messages_of(exc)}")
        else:
            messages.success(request, f"“{name}”已完成，档案当前状态：{archive.get_status_display()}。")
        return redirect("archive_detail", pk=archive.pk)

    view.__name__ = f"archive_{action}"
    return view


STEP_VIEWS = {action: _step_view(action) for action in STEPS}


@require_POST
@actor_required()
def archive_promote(request, pk):
    archive = archive_for_actor(request.actor, pk, write=True, perm=Perm.ARCHIVE_APPROVE)
    try:
        lifecycle.archive_promote(actor=request.actor, archive=archive)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, f"转正未完成：{_messages_of(exc)}")
    else:
        messages.success(request, "临时救助档案已转为正式档案。")
    return redirect("archive_detail", pk=archive.pk)


def _archive_post(perm: Perm, form_class, title: str, success: str, anchor: str):
    """A POST form of the archive page: parse, call ``do(request, archive, cleaned_data)``, message, PRG."""

    def deco(do):
        @require_POST
        @actor_required()  # the archive first (404 outside the subtree), then ``perm`` (403)
        def view(request, pk, **kwargs):
            archive = archive_for_actor(request.actor, pk, write=True, perm=perm)
            form = form_class(request.POST, request.FILES)
            if not form.is_valid():
                messages.error(request, f"{title}未完成：{_form_messages(form)}")
            else:
                try:
                    do(request, archive, form.cleaned_data, **kwargs)
                except (ValidationError, PermissionDenied) as exc:
                    messages.error(request, f"{title}未完成：{_messages_of(exc)}")
                else:
                    messages.success(request, success)
            return redirect(reverse("archive_detail", args=[archive.pk]) + f"#{anchor}")

        view.__name__ = do.__name__
        return view

    return deco


@_archive_post(Perm.ARCHIVE_WRITE, PlanForm, "保存帮扶计划", "一户一策帮扶计划已保存。", "plan")
def archive_plan(request, archive, d):
    phone = (d["contact_phone"] or "").strip()
    if "*" in phone:
        plan = AssistancePlan.objects.filter(archive=archive).first()
        if plan is None or pii.mask_phone(plan.contact_phone) != phone:
            raise ValidationError({"contact_phone": "请填写完整的联系人电话"})
        phone = plan.contact_phone
    care.plan_save(actor=request.actor, archive=archive, needs=d["needs"], measures=d["measures"],
                   contact_name=d["contact_name"], contact_phone=phone, next_visit_date=d["next_visit_date"])


@_archive_post(Perm.ARCHIVE_WRITE, AttachmentForm, "上传附件", "附件已上传。", "attachments")
def archive_attachments(request, archive, d):
    care.attachment_add(actor=request.actor, archive=archive, kind=d["kind"], upload=d["file"])


@_archive_post(Perm.ARCHIVE_WRITE, ReviewForm, "年度复核", "年度复核已记录。", "reviews")
def archive_reviews(request, archive, d):
    care.review_record(actor=request.actor, archive=archive, year=d["year"], result=d["result"], notes=d["notes"])


@_archive_post(Perm.ARCHIVE_WRITE, ObjectionForm, "登记异议", "公示异议已登记，处理完毕前公示不能结束。", "objections")
def archive_objections(request, archive, d):
    lifecycle.objection_record(actor=request.actor, archive=archive, received_on=d["received_on"],
                               content=d["content"], raised_by=d["raised_by"])


@_archive_post(Perm.ARCHIVE_APPROVE, ObjectionResolveForm, "处理异议", "异议处理结果已记录。", "objections")
def archive_objection_resolve(request, archive, d, objection):
    obj = archive.objections.filter(pk=objection).first()
    if obj is None:
        raise Http404("异议不存在")
    lifecycle.objection_resolve(actor=request.actor, objection=obj, resolution=d["resolution"])


@_archive_post(Perm.ARCHIVE_APPROVE, DuplicateResolveForm, "处理疑似重复", "疑似重复已处理。", "duplicates")
def archive_duplicate_resolve(request, archive, d, flag):
    fl = archive.duplicate_flags.filter(pk=flag).first()
    if fl is None:
        raise Http404("记录不存在")
    care.duplicate_resolve(actor=request.actor, flag=fl, resolution=d["resolution"], note=d["note"])


@_archive_post(Perm.ARCHIVE_WRITE, TransferForm, "申请转出", "转出申请已提交，待转入单位接收。", "transfers")
def archive_transfer(request, archive, d):
    to_org = Org.objects.filter(code=d["to_org"].strip(), is_active=True).first()
    if to_org is None:
        raise ValidationError({"to_org": f"组织代码{d['to_org']}不存在"})
    lifecycle.transfer_request(actor=request.actor, archive=archive, to_org=to_org, reason=d["reason"])


# --- attachments and transfers (reached through their own access rule) ---------------------------------

@actor_required()
def attachment_download(request, pk):
    att = attachment_for_actor(request.actor, pk)
    if att.withdrawn_at is not None:
        raise Http404("附件已撤回")
    try:
        path = care.attachment_path(att)
    except ValidationError:
        raise Http404("附件不存在") from None
    if not path.is_file():
        raise Http404("附件不存在")
    return FileResponse(path.open("rb"), as_attachment=True, filename=att.original_name,
                        content_type=att.content_type)


@require_POST
@actor_required()
def attachment_withdraw(request, pk):
    att = attachment_for_actor(request.actor, pk)
    request.actor.require(Perm.ARCHIVE_WRITE)
    try:
        care.attachment_withdraw(actor=request.actor, attachment=att)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, f"撤回附件未完成：{_messages_of(exc)}")
    else:
        messages.success(request, f"附件“{att.original_name}”已撤回（记录保留）。")
    return redirect(reverse("archive_detail", args=[att.archive_id]) + "#attachments")


@require_POST
@actor_required()
def transfer_decide(request, pk):
    actor = request.actor
    t = transfer_for_actor(actor, pk)
    actor.require(Perm.ARCHIVE_APPROVE)
    form = TransferDecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"接收未完成：{_form_messages(form)}")
    else:
        accept = form.cleaned_data["decision"] == "accept"
        try:
            lifecycle.transfer_decide(actor=actor, transfer=t, accept=accept, note=form.cleaned_data["note"])
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, f"{'接收' if accept else '拒收'}未完成：{_messages_of(exc)}")
        else:
            messages.success(request, f"已{'接收' if accept else '拒收'}档案 {t.archive.archive_no}。")
    if archives_for_actor(actor).filter(pk=t.archive_id).exists():
        return redirect("archive_detail", pk=t.archive_id)
    return redirect("archive_list")


# --- import and export (background jobs) ------------------------------------------------------------

@actor_required()
def archive_import(request):
    """Upload a filled template; the import runs as a background job whose page shows progress and problems.
    The page also holds the export button (roles that may only export see just that)."""

    actor = request.actor
    if request.method == "POST" or not actor.can(Perm.EXPORT):
        actor.require(Perm.ARCHIVE_WRITE)
    form = ImportForm(form_data(request), form_files(request), initial={"org": actor.org.code})
    if request.method == "POST" and form.is_valid():
        try:
            org = org_for_actor(actor, form.cleaned_data["org"].strip())
            upload = form.cleaned_data["file"]
            job = archive_import_start(actor=actor, chunks=upload.chunks(), filename=upload.name, org=org,
                                       dry_run=form.cleaned_data["dry_run"],
                                       valid_only=form.cleaned_data["valid_only"])
        except Http404:
            form.add_error("org", "该组织代码不存在或不在您的管辖范围内")
        except ImportRefused as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("job_detail", pk=job.pk)
    return render(request, "archives/archive_import.html", {"form": form})


@require_POST
@actor_required(Perm.EXPORT)
def archive_export(request):
    """Export the archives of an org's subtree to the import template's layout, as a background job."""

    org = org_for_actor(request.actor, (request.POST.get("org") or request.actor.org.code).strip())
    job = job_create(actor=request.actor, kind="archives.export", title=f"导出困难职工档案：{org.name}",
                     params={"org": org.code})
    return redirect("job_detail", pk=job.pk)


@actor_required()
def archive_template(request):
    """The empty import template (official headers, drop-downs for every closed list)."""
    import tempfile
    from pathlib import Path


    folder = Path(tempfile.mkdtemp(prefix="warmth-template-"))
    path = folder / "template.xlsx"
    write_template(path)
    return FileResponse(path.open("rb"), as_attachment=True, filename="困难职工档案导入模板.xlsx")
