"""困难职工档案 API: list and search, detail, filing and editing, and one POST route per lifecycle step.

Every route reaches its archive through ``archive_for_actor`` (outside the subtree: 404) and then calls the
service, which checks the role again (403) and the rules (422, Chinese messages through the handlers in
``warmth/api.py``). Writes answer with the archive's detail, as ``GET /archives/{id}`` does.

Money is exact: amounts are sent as strings ("850.00") or integers. A JSON number with a decimal point is
refused (422) instead of being turned into a ``Decimal`` through a float.

ID numbers and phones are masked unless the role holds ``pii.full``; every response that carries them in
full writes a ``pii.view`` audit row.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from ninja import Router, Status
from ninja.pagination import paginate

from warmth.archives import care, lifecycle, rules
from warmth.archives.access import archive_for_actor
from warmth.archives.models import Archive, Transfer
from warmth.archives.queries import archive_with_details, filter_archives, search_archives
from warmth.archives.schemas import (
    ArchiveCreateIn,
    ArchiveFieldsIn,
    ArchiveOut,
    ArchiveRowOut,
    ArchiveUpdateIn,
    DecideIn,
    ExitApproveIn,
    ExitRequestIn,
    MemberIn,
    NoteIn,
    ObjectionIn,
    PlanIn,
    ReasonIn,
    ResolveIn,
    ReviewIn,
    SearchIn,
    SuggestionOut,
    TransferIn,
    TransferOut,
    VerifyIn,
)
from warmth.archives.services import HEAD_FIELDS, MEMBER_FIELDS, ArchiveInput, archive_file, archive_update
from warmth.audit.services import audit_record
from warmth.core import pii
from warmth.core.money import AmountError, parse_amount
from warmth.core.validation import BoundedPagination
from warmth.orgs.access import Actor, org_for_actor
from warmth.orgs.models import Org
from warmth.orgs.permissions import Perm

router = Router(tags=["档案"])

# --- helpers ---------------------------------------------------------------------------------------

def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def detail_for(actor: Actor, archive_id: int) -> dict:
    """The detail of one archive as the actor may see it (masked unless ``pii.full``; a full view is
    audited as ``pii.view``)."""
    a = archive_with_details(actor, archive_id)
    full = actor.can(Perm.PII_FULL)
    members = list(a.members.all())
    plan = getattr(a, "plan", None)
    if full:
        shown = ["id_number", "phone"] + (["members.id_number"] if members else []) + (
            ["plan.contact_phone"] if plan and plan.contact_phone else [])
        audit_record(actor=actor, action="pii.view", object_type="archive", object_id=a.pk, org=a.org,
                     after={"fields": shown})

    def id_no(value: str) -> str:
        return value if full else pii.mask_id_number(value)

    def phone(value: str) -> str:
        return value if full else pii.mask_phone(value)

    nested = ("members", "plan", "steps", "objections", "reviews", "pending_transfers", "created_by")
    data = {name: getattr(a, name) for name in ArchiveOut.model_fields if name not in nested and hasattr(a, name)}
    for name in ("monthly_income", "household_annual_income", "rigid_expenses", "hardship_costs",
                 "dibao_monthly", "per_capita_income"):
        data[name] = _money(getattr(a, name))
    data.update(
        org_code=a.org.code, org_name=a.org.name, status_label=a.get_status_display(), id_number=id_no(a.id_number),
        phone=phone(a.phone), causes=a.causes, created_by=a.created_by.display_name, pii_full=full,
        members=[{"id": m.pk, "position": m.position, "name": m.name, "relation": m.relation, "sex": m.sex,
                  "political_status": m.political_status, "birth_date": m.birth_date,
                  "id_number": id_no(m.id_number), "health": m.health, "monthly_income": str(m.monthly_income),
                  "identity": m.identity, "school_or_employer": m.school_or_employer} for m in members],
        plan=None if plan is None else {
            "needs": plan.needs, "measures": plan.measures, "contact_name": plan.contact_name,
            "contact_phone": phone(plan.contact_phone), "next_visit_date": plan.next_visit_date,
            "updated_at": plan.updated_at},
        steps=[{"action": s.action, "from_status": s.from_status, "to_status": s.to_status,
                "actor_name": s.actor.display_name if s.actor else "系统", "at": s.at, "note": s.note,
                "data": s.data} for s in a.steps.all()],
        objections=[{"id": o.pk, "phase": o.phase, "received_on": o.received_on, "raised_by": o.raised_by,
                     "content": o.content, "resolution": o.resolution, "resolved_at": o.resolved_at,
                     "is_open": o.is_open} for o in a.objections.all()],
        reviews=[{"year": r.year, "result": r.result, "notes": r.notes, "reviewed_at": r.reviewed_at}
                 for r in a.reviews.all()],
        pending_transfers=[{"id": t.pk, "to_org_code": t.to_org.code, "to_org_name": t.to_org.name,
                            "reason": t.reason, "requested_at": t.requested_at} for t in a.pending_transfers],
        actions=lifecycle.WORKFLOW.allowed(actor, a),
        waiting_on=str(w) if (w := lifecycle.WORKFLOW.waiting_on(a)) else None,
    )
    return data


def _archive(request, archive_id: int) -> Archive:
    return archive_for_actor(request.auth, archive_id)


def _input(payload: ArchiveFieldsIn, members: list[MemberIn]) -> ArchiveInput:
    fields = payload.model_dump(include=set(HEAD_FIELDS), exclude_unset=True)
    return ArchiveInput(fields=fields, members=[m.model_dump() for m in members])


def _current_input(archive: Archive) -> ArchiveInput:
    fields = {name: archive.causes if name == "causes" else getattr(archive, name) for name in HEAD_FIELDS}
    members = [{name: getattr(m, name) for name in MEMBER_FIELDS} for m in archive.members.all()]
    return ArchiveInput(fields=fields, members=members)


# --- reads -----------------------------------------------------------------------------------------

@router.get("/", response=list[ArchiveRowOut], summary="档案列表（检索与筛选）")
@paginate(BoundedPagination)
def archive_list(request, q: str = "", status: str = "", category: str = "", cause: str = "", org: str = "",
                 model_worker: bool | None = None, migrant: bool | None = None,
                 review_due_year: int | None = None):
    """``q``: part of the 户主's name or an archive number. To search by 身份证号 use ``POST /search``: a number
    in a query string ends up in access logs."""
    qs = filter_archives(search_archives(request.auth, q), status=status, category=category, cause=cause,
                         org_code=org, model_worker=model_worker, migrant=migrant,
                         review_due_year=review_due_year)
    return qs.select_related("org").order_by("-created_at", "-id")


@router.post("/search", response=list[ArchiveRowOut], summary="按身份证号、姓名或档案编号检索（请求体，不进日志）")
def archive_search(request, payload: SearchIn):
    """At most 200 matches, newest first (an ID number matches one household)."""
    qs = search_archives(request.auth, payload.q).select_related("org").order_by("-created_at", "-id")
    return list(qs[:200])


@router.get("/suggest-category", response=SuggestionOut, summary="建议困难类别")
def suggest_category(request, household_annual_income: str, household_size: int, region_code: str,
                     scheme: str = "seed", rigid_expenses: str = "0", hardship_costs: str = "0",
                     year: int | None = None):
    """The category the rules suggest for these figures and the local 低保 standard (the handler decides)."""
    if scheme not in ("seed", "national"):
        raise ValidationError({"scheme": "类别口径须为 seed（低保户/低保边缘户/意外致困户）"
                                         "或 national（深度困难/相对困难/意外致困）"})
    if household_size < 1:
        raise ValidationError({"household_size": "家庭人口至少为1"})
    amounts, errors = {}, {}
    for name, raw in (("household_annual_income", household_annual_income), ("rigid_expenses", rigid_expenses),
                      ("hardship_costs", hardship_costs)):
        try:
            amounts[name] = parse_amount(raw, allow_zero=True)
        except AmountError as exc:
            errors[name] = str(exc)
    if errors:
        raise ValidationError(errors)
    dibao = rules.dibao_for(region_code, year or timezone.localdate().year)
    s = rules.suggest(scheme=scheme, household_size=household_size, dibao_monthly=dibao, **amounts)
    return {"category": str(s.category) if s.category else None, "reason": s.reason, "scheme": scheme,
            "dibao_monthly": _money(dibao)}


@router.get("/transfers", response=list[TransferOut], summary="待处理的转出、转入")
def transfer_list(request):
    """Pending transfers of the actor's archives (转出) and to the actor's orgs (转入)."""
    path = request.auth.org.path
    return (Transfer.objects.filter(status="pending")
            .filter(Q(to_org__path__startswith=path) | Q(archive__org__path__startswith=path))
            .select_related("archive", "from_org", "to_org").order_by("requested_at", "id"))


@router.post("/transfers/{int:transfer_id}/decide", response=TransferOut, summary="接收或拒收转入档案")
def transfer_decide(request, transfer_id: int, payload: DecideIn):
    transfer = (Transfer.objects.filter(pk=transfer_id, to_org__path__startswith=request.auth.org.path)
                .select_related("archive", "from_org", "to_org").first())
    if transfer is None:
        raise Http404("转出申请不存在或不在您的管辖范围内")
    transfer = lifecycle.transfer_decide(actor=request.auth, transfer=transfer, accept=payload.accept,
                                         note=payload.note)
    return Transfer.objects.select_related("archive", "from_org", "to_org").get(pk=transfer.pk)


@router.get("/{int:archive_id}", response=ArchiveOut, summary="档案详情")
def archive_detail(request, archive_id: int):
    return detail_for(request.auth, archive_id)


# --- filing and editing ----------------------------------------------------------------------------

@router.post("/", response={201: ArchiveOut}, summary="建档（草稿）")
def archive_create(request, payload: ArchiveCreateIn):
    org = org_for_actor(request.auth, payload.org)
    archive = archive_file(actor=request.auth, org=org, data=_input(payload, payload.members),
                           temporary=payload.temporary)
    return Status(201, detail_for(request.auth, archive.pk))


@router.post("/{int:archive_id}/update", response=ArchiveOut, summary="修改档案（草稿或在档）",
             url_name="archive_update")
def archive_edit(request, archive_id: int, payload: ArchiveUpdateIn):
    """Only the fields sent change; ``members``, when sent, replaces the whole family list."""
    archive = archive_for_actor(request.auth, archive_id, write=True)
    data = _current_input(archive)
    data.fields.update(payload.model_dump(include=set(HEAD_FIELDS), exclude_unset=True))
    if payload.members is not None:
        data.members = [m.model_dump() for m in payload.members]
    archive_update(actor=request.auth, archive=archive, data=data)
    return detail_for(request.auth, archive_id)


# --- lifecycle -------------------------------------------------------------------------------------

@router.post("/{int:archive_id}/submit", response=ArchiveOut, summary="提交初审")
def archive_submit(request, archive_id: int):
    lifecycle.archive_submit(actor=request.auth, archive=_archive(request, archive_id))
    return detail_for(request.auth, archive_id)


@router.post("/{int:archive_id}/accept", response=ArchiveOut, summary="初审通过")
def archive_accept(request, archive_id: int, payload: NoteIn):
    lifecycle.archive_accept(actor=request.auth, archive=_archive(request, archive_id), note=payload.note)
    return detail_for(request.auth, archive_id)


@router.post("/{int:archive_id}/return", response=ArchiveOut, summary="退回修改")
def archive_return(request, archive_id: int, payload: ReasonIn):
    lifecycle.archive_return(actor=request.auth, archive=_archive(request, archive_id), reason=payload.reason)
    return detail_for(request.auth, archive_id)


@router.post("/{int:archive_id}/verify", response=ArchiveOut, summary="入户核查完成并公示")
def archive_verify(request, archive_id: int, payload: VerifyIn):
    lifecycle.archive_verify(actor=request.auth, archive=_archive(request, archive_id),
                             visited_on=payload.visited_on, visitors=payload.visitors, findings=payload.findings,
                             publicity_start=payload.publicity_start, publicity_reason=payload.publicity_reason,
                             publicity_record_id=payload.publicity_record_id)
    return detail_for(request.auth, archive_id)


@router.post("/{int:archive_id}/end-publicity", response=ArchiveOut, summary="公示期满")
def archive_end_publicity(request, archive_id: int):
    lifecycle.archive_end_publicity(actor=request.auth, archive=_archive(request, archive_id))
    return detail_for(request.auth, archive_id)


@router.post("/{int:archive_id}/approve", response=ArchiveOut, summary="审批通过")
def archive_approve(request, archive_id: int, payload: NoteIn):
    lifecycle.archive_approve(actor=request.auth, archive=_archive(request, archive_id), note=payload.note)
    return detail_for(request.auth, archive_id)


@router.post("/{int:archive_id}/reject", response=ArchiveOut, summary="审批不通过")
def archive_reject(request, archive_id: int, payload: ReasonIn):
    lifecycle.archive_reject(actor=request.auth, archive=_archive(request, archive_id), reason=payload.reason)
    return detail_for(request.auth, archive_id)


@router.post("/{int:archive_id}/exit-request", response=ArchiveOut, summary="申请退档")
def archive_exit_request(request, archive_id: int, payload: ExitRequestIn):
    lifecycle.archive_exit_request(actor=request.auth, archive=_archive(request, archive_id),
                                   reason=payload.reason, note=payload.note)
    return detail_for(request.auth, archive_id)


@router.post("/{int:archive_id}/exit-cancel", response=ArchiveOut, summary="撤销退档")
def archive_exit_cancel(request, archive_id: int, payload: ReasonIn):
    lifecycle.archive_exit_cancel(actor=request.auth, archive=_archive(request, archive_id),
                                  reason=payload.reason)
    return detail_for(request.auth, archive_id)


@router.post("/{int:archive_id}/exit-approve", response=ArchiveOut, summary="退档审批通过并公示")
def archive_exit_approve(request, archive_id: int, payload: ExitApproveIn):
    lifecycle.archive_exit_approve(actor=request.auth, archive=_archive(request, archive_id),
                                   publicity_start=payload.publicity_start,
                                   publicity_reason=payload.publicity_reason,
                                   publicity_record_id=payload.publicity_record_id)
    return detail_for(request.auth, archive_id)


@router.post("/{int:archive_id}/exit-finalize", response=ArchiveOut, summary="退档公示期满")
def archive_exit_finalize(request, archive_id: int):
    lifecycle.archive_exit_finalize(actor=request.auth, archive=_archive(request, archive_id))
    return detail_for(request.auth, archive_id)


@router.post("/{int:archive_id}/promote", response=ArchiveOut, summary="临时救助档案转正")
def archive_promote(request, archive_id: int):
    lifecycle.archive_promote(actor=request.auth, archive=_archive(request, archive_id))
    return detail_for(request.auth, archive_id)


@router.post("/{int:archive_id}/objections", response=ArchiveOut, summary="登记公示异议")
def objection_record(request, archive_id: int, payload: ObjectionIn):
    lifecycle.objection_record(actor=request.auth, archive=_archive(request, archive_id),
                               received_on=payload.received_on, content=payload.content, raised_by=payload.raised_by)
    return detail_for(request.auth, archive_id)


@router.post("/{int:archive_id}/objections/{int:objection_id}/resolve", response=ArchiveOut,
             summary="处理公示异议")
def objection_resolve(request, archive_id: int, objection_id: int, payload: ResolveIn):
    objection = _archive(request, archive_id).objections.filter(pk=objection_id).first()
    if objection is None:
        raise Http404("异议不存在")
    lifecycle.objection_resolve(actor=request.auth, objection=objection, resolution=payload.resolution)
    return detail_for(request.auth, archive_id)


@router.post("/{int:archive_id}/review", response=ArchiveOut, summary="年度复核")
def archive_review(request, archive_id: int, payload: ReviewIn):
    care.review_record(actor=request.auth, archive=_archive(request, archive_id), year=payload.year,
                       result=payload.result, notes=payload.notes)
    return detail_for(request.auth, archive_id)


@router.post("/{int:archive_id}/plan", response=ArchiveOut, summary="一户一策帮扶计划")
def archive_plan(request, archive_id: int, payload: PlanIn):
    care.plan_save(actor=request.auth, archive=_archive(request, archive_id), needs=payload.needs,
                   measures=payload.measures, contact_name=payload.contact_name,
                   next_visit_date=payload.next_visit_date, contact_phone=payload.contact_phone)
    return detail_for(request.auth, archive_id)


@router.post("/{int:archive_id}/transfer", response=ArchiveOut, summary="申请转出")
def transfer_request(request, archive_id: int, payload: TransferIn):
    archive = _archive(request, archive_id)
    to_org = Org.objects.filter(code=payload.to_org, is_active=True).first()
    if to_org is None:
        raise ValidationError({"to_org": f"转入单位“{payload.to_org}”不存在"})
    lifecycle.transfer_request(actor=request.auth, archive=archive, to_org=to_org, reason=payload.reason)
    return detail_for(request.auth, archive_id)
