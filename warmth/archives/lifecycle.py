"""The archive lifecycle, every step a service with a timeline row and an audit row.

    草稿 → 提交(初审) → 入户核查 → 公示 (≥ 5 working days, objections recorded) → 审批 → 在档
    在档 → 退档审批 → 退档公示 → 已退档 (kept ≥ 10 years, a follow-up 6 months later)
    在档 → 转出 (a ``Transfer``) → the receiving org 接收 (the archive changes org) or 拒收

The tables ``WORKFLOW`` (the archive) and ``TRANSFER_WORKFLOW`` (a transfer request) are the whole machine, run
by ``warmth.core.workflow``: which statuses an action starts from, where it leads, which permission it needs,
the rules that may refuse it (the filer never approves, the 公示 must be over with every objection handled).
Anything else is refused with a Chinese message naming the current status. The public functions below keep
their names and arguments; each runs one action of the table.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from warmth.archives.access import archive_for_actor
from warmth.archives.choices import ArchiveStatus as S
from warmth.archives.choices import AttachmentKind, ExitReason
from warmth.archives.models import Archive, Attachment, DuplicateFlag, Objection, Transfer
from warmth.archives.services import possible_duplicates, release_persons, step
from warmth.audit.services import audit_record
from warmth.core.files import store_upload
from warmth.core.validation import Errors
from warmth.core.workdays import add_months, nth_working_day
from warmth.core.workflow import Action, Guard, Transition, Workflow
from warmth.orgs.access import Actor
from warmth.orgs.models import Org
from warmth.orgs.permissions import Perm, role_labels

PUBLICITY_WORKING_DAYS = 5
RETENTION_YEARS = 10
FOLLOWUP_MONTHS = 6


def _today(today: date | None) -> date:
    return today or timezone.localdate()


# --- guards: the rules that may refuse an action -------------------------------------------------------------

def _not_own_archive(t: Transition) -> str | None:
    if t.actor is not None and t.obj.created_by_id == t.actor.user.pk:
        return "建档人不能审批自己建立的档案"
    return None


def _publicity_over(phase: str):
    def check(t: Transition) -> str | None:
        archive = t.obj
        if archive.publicity_end is None or _today(t.data.get("today")) <= archive.publicity_end:
            end = f"{archive.publicity_end:%Y年%m月%d日}" if archive.publicity_end else "（未开始）"
            return f"公示期至{end}，期满（不少于{PUBLICITY_WORKING_DAYS}个工作日）后才能进行下一步"
        if n := archive.objections.filter(phase=phase, resolved_at__isnull=True).count():
            return f"公示期间收到的{n}条异议尚未处理完毕"
        return None
    return check


def _temporary(t: Transition) -> str | None:
    return None if t.obj.is_temporary else "该档案不是临时救助档案"


def _no_pending_transfer(t: Transition) -> str | None:
    return "该档案已有一条待接收的转出申请" if t.obj.transfers.filter(status="pending").exists() else None


# --- effects: what an action writes besides the status ------------------------------------------------------

def _submit(t: Transition) -> None:
    archive = t.obj
    for other in possible_duplicates(archive):
        DuplicateFlag.objects.get_or_create(archive=archive, other=other,
                                            defaults={"name": archive.name, "birth_date": archive.birth_date})


def _noted(t: Transition) -> None:
    t.note = str(t.data.get("note") or "")


def _publicity(t: Transition, e: Errors, *, not_before: date | None = None) -> None:
    """Set the 公示 period from ``publicity_start`` (default: today). A start earlier than today needs a reason
    (``publicity_reason``) and the 公示 record: an upload (``publicity_record``, stored as a 公示材料 attachment)
    or a 公示材料 already attached (``publicity_record_id``); the archive keeps both and is flagged for the
    reviewer. Problems go into ``e`` (all shown at once); nothing is set while there is one."""
    archive, d = t.obj, t.data
    today = _today(d.get("today"))
    start = d.get("publicity_start") or today
    if not_before is not None and start < not_before:
        e.add("publicity_start", "公示开始日期不能早于入户核查日期")
    reason, record, upload = "", None, None
    if start < today:
        reason = e.text("publicity_reason", d.get("publicity_reason") or "", label="公示开始日期早于今天的理由",
                        max_length=200)
        if not reason and "publicity_reason" not in e:  # (a reason too long is already named)
            e.add("publicity_reason", f"公示开始日期（{start:%Y-%m-%d}）早于今天，请填写理由")
        upload, record_id = d.get("publicity_record"), d.get("publicity_record_id")
        if upload is None and record_id:
            record = archive.attachments.filter(pk=record_id, kind=AttachmentKind.PUBLICITY,
                                                withdrawn_at__isnull=True).first()
            if record is None:
                e.add("publicity_record", "所选公示记录不是本档案未撤回的“公示材料”附件")
        elif upload is None:
            e.add("publicity_record", f"公示开始日期（{start:%Y-%m-%d}）早于今天，请上传公示记录（公示照片或扫描件）")
    if e:
        return
    if upload is not None:
        with e.field("publicity_record"):
            stored = store_upload(upload, folder=f"archives/{archive.pk}", field="publicity_record")
            record = Attachment.objects.create(
                archive=archive, kind=AttachmentKind.PUBLICITY, original_name=stored.original_name,
                stored_path=stored.rel_path, content_type=stored.content_type, size=stored.size,
                sha256=stored.sha256, uploaded_by=t.actor.user if t.actor else archive.created_by)
        if e:
            return
    archive.publicity_start, archive.publicity_end = start, nth_working_day(start, PUBLICITY_WORKING_DAYS)
    archive.publicity_entered_on, archive.publicity_late_reason, archive.publicity_record = today, reason, record
    t.step_data = {"publicity": f"{start.isoformat()}~{archive.publicity_end.isoformat()}"}
    if reason:
        t.step_data |= {"publicity_entered_on": today.isoformat(), "publicity_late_reason": reason,
                        "publicity_record": record.pk}


def _verify(t: Transition) -> None:
    d = t.data
    visitors, findings, visited_on = d.get("visitors") or "", d.get("findings") or "", d.get("visited_on")
    today = _today(d.get("today"))
    e = Errors()
    if not visitors.strip():
        e.add("visitors", "请填写核查人员")
    if not findings.strip():
        e.add("findings", "请填写核查情况")
    if visited_on is None:
        e.add("visited_on", "请填写核查日期")
    elif visited_on > today:
        e.add("visited_on", "核查日期不能晚于今天")
    _publicity(t, e, not_before=visited_on)
    e.raise_if_any()
    t.note = findings.strip()
    t.step_data = {"visited_on": visited_on.isoformat(), "visitors": visitors.strip(), **t.step_data}


def _approve(t: Transition) -> None:
    _noted(t)
    t.obj.activated_at = timezone.now()


def _reject(t: Transition) -> None:
    release_persons(t.obj)


def _exit_request(t: Transition) -> None:
    reason, note = t.data.get("reason") or "", (t.data.get("note") or "").strip()
    if reason not in ExitReason.values:
        raise ValidationError({"reason": "请选择退档原因：" + "、".join(ExitReason.values)})
    t.obj.exit_reason, t.obj.exit_note = reason, note
    t.note = f"{reason}：{note}".strip("：")


def _exit_cancel(t: Transition) -> None:
    t.obj.exit_reason, t.obj.exit_note = "", ""
    t.note = t.data.get("reason") or ""  # as written (the step kept the reason untrimmed before)


def _exit_approve(t: Transition) -> None:
    e = Errors()
    _publicity(t, e)
    e.raise_if_any()


def _exit_finalize(t: Transition) -> None:
    """退档 takes effect: the people are free to be filed again; the archive stays readable ≥ 10 years."""
    archive = t.obj
    archive.exited_at = timezone.now()
    day = timezone.localdate(archive.exited_at)  # retention and follow-up count from the real exit date
    archive.followup_date = add_months(day, FOLLOWUP_MONTHS)
    archive.retain_until = add_months(day, 12 * RETENTION_YEARS)
    release_persons(archive)
    t.note = archive.exit_reason


def _promote(t: Transition) -> None:
    t.obj.is_temporary = False
    t.note = "临时救助档案转为正式档案"
    t.audit_before, t.audit_after = {"is_temporary": True}, {"is_temporary": False}


def _transfer(t: Transition) -> None:
    archive, to_org = t.obj, t.data["to_org"]
    if to_org.pk == archive.org_id:
        raise ValidationError({"to_org": "转入单位与当前单位相同"})
    reason = t.reason
    t.result = Transfer.objects.create(archive=archive, from_org=archive.org, to_org=to_org, reason=reason,
                                       requested_by=t.actor.user)
    t.step_action, t.note = "transfer_out", f"转往{to_org.name}：{reason}"
    t.audit_action = "archive.transfer_request"
    t.audit_before, t.audit_after = {}, {"to_org": to_org.code, "reason": reason}


def _step(t: Transition) -> None:
    step(t.obj, actor=t.actor, action=t.step_action or t.action.name, from_status=t.before, note=t.note,
         data=t.step_data or None)


def _wrong_state(archive: Archive, a: Action) -> str:
    allowed = "、".join(S(s).label for s in sorted(a.sources))
    return f"档案当前为“{archive.get_status_display()}”，不能{a.label}（{a.label}只能在{allowed}时进行）"


def _archive_access(actor: Actor, archive: Archive) -> None:
    archive_for_actor(actor, archive.pk)  # 404 outside the subtree; the engine checks the permission


def _sees(actor: Actor, archive: Archive) -> bool:
    return actor.sees_org(archive.org)


def _touch(t: Transition) -> list[str]:
    t.obj.updated_at = timezone.now()
    return ["updated_at"]


def _f(*states: str) -> frozenset[str]:
    return frozenset(states)


A, W = Perm.ARCHIVE_APPROVE, Perm.ARCHIVE_WRITE
PUBLICITY_FIELDS = ("publicity_start", "publicity_end", "publicity_entered_on", "publicity_late_reason",
                    "publicity_record")

WORKFLOW = Workflow(
    name="archive", model=Archive, access=_archive_access, sees=_sees, step=_step, audit=audit_record,
    org_of=lambda a: a.org, roles=role_labels, lock_related=("org",), wrong_state=_wrong_state,
    state_label=lambda s: S(s).label,
    touch=_touch,
    audit_after=lambda t: {"status": t.obj.status, "note": t.note, **t.step_data},
    actions=[
        Action("submit", "提交初审", _f(S.DRAFT), S.SUBMITTED, W, apply=_submit, forward=True),
        Action("accept", "初审通过", _f(S.SUBMITTED), S.VERIFYING, A, apply=_noted, forward=True),
        Action("return", "退回修改", _f(S.SUBMITTED, S.VERIFYING, S.APPROVING), S.DRAFT, A,
               reason="原因", reason_missing="退回须填写原因"),
        Action("verify", "入户核查完成并公示", _f(S.VERIFYING), S.PUBLICIZING, W, apply=_verify,
               fields=PUBLICITY_FIELDS, forward=True),
        Action("end_publicity", "公示期满", _f(S.PUBLICIZING), S.APPROVING, W,
               guards=(Guard(_publicity_over("filing"), field=None),), forward=True),
        Action("approve", "审批通过", _f(S.APPROVING), S.ACTIVE, A, guards=(Guard(_not_own_archive, denied=True),),
               apply=_approve, fields=("activated_at",), forward=True),
        Action("reject", "审批不通过", _f(S.APPROVING), S.REJECTED, A, reason="原因",
               reason_missing="不予通过须填写原因", apply=_reject),
        Action("exit_request", "申请退档", _f(S.ACTIVE), S.EXIT_REVIEW, W, apply=_exit_request,
               fields=("exit_reason", "exit_note")),
        Action("exit_cancel", "撤销退档", _f(S.EXIT_REVIEW), S.ACTIVE, A, reason="原因",
               reason_missing="撤销退档须填写原因", apply=_exit_cancel, fields=("exit_reason", "exit_note")),
        Action("exit_approve", "退档审批通过并公示", _f(S.EXIT_REVIEW), S.EXIT_PUBLICIZING, A, apply=_exit_approve,
               fields=PUBLICITY_FIELDS, forward=True),
        Action("exit_finalize", "退档公示期满", _f(S.EXIT_PUBLICIZING), S.EXITED, A,
               guards=(Guard(_publicity_over("exit"), field=None),), apply=_exit_finalize,
               fields=("exited_at", "followup_date", "retain_until"), forward=True),
        Action("promote", "临时救助档案转正", _f(S.ACTIVE), None, A, guards=(Guard(_temporary, field=None),),
               apply=_promote, fields=("is_temporary",), wrong_state="临时救助档案在档后才能转正"),
        Action("transfer", "申请转出", _f(S.ACTIVE), None, W, guards=(Guard(_no_pending_transfer, field=None),),
               reason="转出原因", reason_missing="请填写转出原因", apply=_transfer,
               wrong_state="只有在档的档案可以转出"),
    ],
)

#: the actions that change the status as (from statuses, to status, permission, Chinese name)
TRANSITIONS: dict[str, tuple[frozenset[str], str, Perm, str]] = {
    a.name: (a.sources, a.target, a.perm, a.label) for a in WORKFLOW.actions if isinstance(a.target, str)}


@transaction.atomic
def archive_submit(*, actor: Actor | None, archive: Archive) -> Archive:
    return WORKFLOW.run(actor, archive, "submit").obj


@transaction.atomic
def archive_accept(*, actor: Actor | None, archive: Archive, note: str = "") -> Archive:
    return WORKFLOW.run(actor, archive, "accept", note=note).obj


@transaction.atomic
def archive_return(*, actor: Actor | None, archive: Archive, reason: str) -> Archive:
    return WORKFLOW.run(actor, archive, "return", reason=reason).obj


@transaction.atomic
def archive_verify(*, actor: Actor | None, archive: Archive, visited_on: date, visitors: str, findings: str,
                   publicity_start: date | None = None, publicity_reason: str = "", publicity_record=None,
                   publicity_record_id: int | None = None, today: date | None = None) -> Archive:
    """入户核查 recorded; the 公示 starts (by default today) and lasts 5 working days. A start before today needs
    ``publicity_reason`` and the 公示 record (an upload, or the id of a 公示材料 attachment), and is flagged."""
    return WORKFLOW.run(actor, archive, "verify", visited_on=visited_on, visitors=visitors, findings=findings,
                        publicity_start=publicity_start, publicity_reason=publicity_reason,
                        publicity_record=publicity_record, publicity_record_id=publicity_record_id, today=today).obj


@transaction.atomic
def archive_end_publicity(*, actor: Actor | None, archive: Archive, today: date | None = None) -> Archive:
    return WORKFLOW.run(actor, archive, "end_publicity", today=today).obj


@transaction.atomic
def archive_approve(*, actor: Actor | None, archive: Archive, note: str = "") -> Archive:
    return WORKFLOW.run(actor, archive, "approve", note=note).obj


@transaction.atomic
def archive_reject(*, actor: Actor | None, archive: Archive, reason: str) -> Archive:
    return WORKFLOW.run(actor, archive, "reject", reason=reason).obj


@transaction.atomic
def archive_exit_request(*, actor: Actor | None, archive: Archive, reason: str, note: str = "") -> Archive:
    return WORKFLOW.run(actor, archive, "exit_request", reason=reason, note=note).obj


@transaction.atomic
def archive_exit_cancel(*, actor: Actor | None, archive: Archive, reason: str) -> Archive:
    return WORKFLOW.run(actor, archive, "exit_cancel", reason=reason).obj


@transaction.atomic
def archive_exit_approve(*, actor: Actor | None, archive: Archive, publicity_start: date | None = None,
                         publicity_reason: str = "", publicity_record=None, publicity_record_id: int | None = None,
                         today: date | None = None) -> Archive:
    return WORKFLOW.run(actor, archive, "exit_approve", publicity_start=publicity_start,
                        publicity_reason=publicity_reason, publicity_record=publicity_record,
                        publicity_record_id=publicity_record_id, today=today).obj


@transaction.atomic
def archive_exit_finalize(*, actor: Actor | None, archive: Archive, today: date | None = None) -> Archive:
    """退档 takes effect: the people are free to be filed again; the archive stays readable ≥ 10 years."""
    return WORKFLOW.run(actor, archive, "exit_finalize", today=today).obj


@transaction.atomic
def archive_promote(*, actor: Actor | None, archive: Archive) -> Archive:
    """临时救助档案转正."""
    return WORKFLOW.run(actor, archive, "promote").obj


@transaction.atomic
def transfer_request(*, actor: Actor, archive: Archive, to_org: Org, reason: str) -> Transfer:
    """转出: the archive goes to ``to_org`` (anywhere in the tree) once that org accepts it."""
    return WORKFLOW.run(actor, archive, "transfer", to_org=to_org, reason=reason).result


# --- the transfer request: 接收 or 拒收 by the receiving org ------------------------------------------------------

def _receiver_access(actor: Actor, transfer: Transfer) -> None:
    if not actor.sees_org(transfer.to_org):
        raise PermissionDenied("只有转入单位（或其上级）可以接收")


def _archive_active(t: Transition) -> str | None:
    archive = t.obj.archive
    if archive.status != S.ACTIVE:
        return f"档案现为“{archive.get_status_display()}”，不能接收（只能接收在档的档案）"
    return None


def _decide(t: Transition) -> None:
    transfer = t.obj
    transfer.decided_by, transfer.decided_at = t.actor.user, timezone.now()
    transfer.note = t.note = str(t.data.get("note") or "")
    archive = Archive.objects.select_for_update().get(pk=transfer.archive_id)
    if t.action.name == "accept":
        old_org = archive.org
        archive.org = transfer.to_org
        archive.save(update_fields=["org"])
        t.step_action, t.note = "transfer_in", f"由{old_org.name}转入{transfer.to_org.name}"
    else:
        t.step_action = "transfer_refused"
    t.result = archive
    t.audit_action = "archive.transfer_" + t.action.target_of(transfer)
    t.audit_object, t.audit_before = ("archive", archive.pk), {}
    t.audit_after = {"from_org": transfer.from_org.code, "to_org": transfer.to_org.code}


def _transfer_step(t: Transition) -> None:
    step(t.result, actor=t.actor, action=t.step_action, from_status=t.result.status, note=t.note)


_DECIDED = ("decided_by", "decided_at", "note")

TRANSFER_WORKFLOW = Workflow(
    name="transfer", model=Transfer, access=_receiver_access, sees=lambda actor, t: actor.sees_org(t.to_org),
    step=_transfer_step, audit=audit_record, org_of=lambda t: t.to_org, roles=role_labels,
    lock_related=("archive", "to_org", "from_org"), wrong_state=lambda t, a: "该转出申请已处理",
    actions=[
        Action("accept", "接收", _f("pending"), "accepted", A, guards=(Guard(_archive_active, field=None),),
               apply=_decide, fields=_DECIDED, forward=True),
        Action("refuse", "拒收", _f("pending"), "refused", A, apply=_decide, fields=_DECIDED),
    ],
)


@transaction.atomic
def transfer_decide(*, actor: Actor, transfer: Transfer, accept: bool, note: str = "") -> Transfer:
    """转入: a reviewer of the receiving org accepts (the archive changes org) or refuses."""
    return TRANSFER_WORKFLOW.run(actor, transfer, "accept" if accept else "refuse", note=note).obj


@transaction.atomic
def objection_record(*, actor: Actor, archive: Archive, received_on: date, content: str,
                     raised_by: str = "") -> Objection:
    archive = archive_for_actor(actor, archive.pk, write=True)
    if archive.status not in (S.PUBLICIZING, S.EXIT_PUBLICIZING):
        raise ValidationError("只有公示期间才能登记异议")
    if not content.strip():
        raise ValidationError({"content": "请填写异议内容"})
    phase = "filing" if archive.status == S.PUBLICIZING else "exit"
    obj = Objection.objects.create(archive=archive, phase=phase, received_on=received_on, content=content.strip(),
                                   raised_by=raised_by.strip(), recorded_by=actor.user)
    step(archive, actor=actor, action="objection", from_status=archive.status, note=content.strip())
    audit_record(actor=actor, action="archive.objection", object_type="archive", object_id=archive.pk,
                 org=archive.org, after={"objection": obj.pk, "phase": phase})
    return obj


@transaction.atomic
def objection_resolve(*, actor: Actor, objection: Objection, resolution: str) -> Objection:
    archive_for_actor(actor, objection.archive_id, write=True, perm=Perm.ARCHIVE_APPROVE)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.resolved_at:
        raise ValidationError("该异议已处理")
    if not resolution.strip():
        raise ValidationError({"resolution": "请填写处理结果"})
    objection.resolution, objection.resolved_by, objection.resolved_at = (
        resolution.strip(), actor.user, timezone.now())
    objection.save(update_fields=["resolution", "resolved_by", "resolved_at"])
    step(objection.archive, actor=actor, action="objection_resolved", from_status=objection.archive.status,
         note=resolution.strip())
    audit_record(actor=actor, action="archive.objection_resolve", object_type="archive",
                 object_id=objection.archive_id, org=objection.archive.org,
                 after={"objection": objection.pk, "resolution": resolution.strip()})
    return objection
