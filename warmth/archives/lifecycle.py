"""The archive lifecycle, every step a service with a timeline row and an audit row.

    草稿 → 提交(初审) → 入户核查 → 公示 (≥ 5 working days, objections recorded) → 审批 → 在档
    在档 → 退档审批 → 退档公示 → 已退档 (kept ≥ 10 years, a follow-up 6 months later)

The table ``TRANSITIONS`` is the whole machine: which statuses an action starts from, where it leads and
which permission it needs. Anything else is refused with a Chinese message naming the current status.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from warmth.archives.access import archive_for_actor
from warmth.archives.choices import ArchiveStatus as S
from warmth.archives.choices import ExitReason
from warmth.archives.models import Archive, DuplicateFlag, Objection, Transfer
from warmth.archives.services import possible_duplicates, release_persons, step
from warmth.audit.services import audit_record
from warmth.core.workdays import add_months, nth_working_day
from warmth.orgs.access import Actor
from warmth.orgs.models import Org
from warmth.orgs.permissions import Perm

PUBLICITY_WORKING_DAYS = 5
RETENTION_YEARS = 10
FOLLOWUP_MONTHS = 6

TRANSITIONS: dict[str, tuple[frozenset[str], str, Perm, str]] = {
    # action: (from statuses, to status, permission, Chinese name)
    "submit": (frozenset({S.DRAFT}), S.SUBMITTED, Perm.ARCHIVE_WRITE, "提交初审"),
    "accept": (frozenset({S.SUBMITTED}), S.VERIFYING, Perm.ARCHIVE_APPROVE, "初审通过"),
    "return": (frozenset({S.SUBMITTED, S.VERIFYING, S.APPROVING}), S.DRAFT, Perm.ARCHIVE_APPROVE, "退回修改"),
    "verify": (frozenset({S.VERIFYING}), S.PUBLICIZING, Perm.ARCHIVE_WRITE, "入户核查完成并公示"),
    "end_publicity": (frozenset({S.PUBLICIZING}), S.APPROVING, Perm.ARCHIVE_WRITE, "公示期满"),
    "approve": (frozenset({S.APPROVING}), S.ACTIVE, Perm.ARCHIVE_APPROVE, "审批通过"),
    "reject": (frozenset({S.APPROVING}), S.REJECTED, Perm.ARCHIVE_APPROVE, "审批不通过"),
    "exit_request": (frozenset({S.ACTIVE}), S.EXIT_REVIEW, Perm.ARCHIVE_WRITE, "申请退档"),
    "exit_cancel": (frozenset({S.EXIT_REVIEW}), S.ACTIVE, Perm.ARCHIVE_APPROVE, "撤销退档"),
    "exit_approve": (frozenset({S.EXIT_REVIEW}), S.EXIT_PUBLICIZING, Perm.ARCHIVE_APPROVE, "退档审批通过并公示"),
    "exit_finalize": (frozenset({S.EXIT_PUBLICIZING}), S.EXITED, Perm.ARCHIVE_APPROVE, "退档公示期满"),
}


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _begin(actor: Actor | None, archive: Archive, action: str) -> tuple[Archive, str]:
    starts, _to, perm, name = TRANSITIONS[action]
    if actor is not None:
        archive = archive_for_actor(actor, archive.pk, write=True, perm=perm)
    archive = Archive.objects.select_for_update().select_related("org").get(pk=archive.pk)
    if archive.status not in starts:
        allowed = "、".join(S(s).label for s in sorted(starts))
        raise ValidationError(f"档案当前为“{archive.get_status_display()}”，不能{name}（{name}只能在{allowed}时进行）")
    return archive, archive.status


def _finish(actor: Actor | None, archive: Archive, action: str, before: str, *, note: str = "",
            data: dict | None = None, fields: tuple[str, ...] = ()) -> Archive:
    archive.status = TRANSITIONS[action][1]
    archive.updated_at = timezone.now()
    archive.save(update_fields=["status", "updated_at", *fields])
    step(archive, actor=actor, action=action, from_status=before, note=note, data=data)
    audit_record(actor=actor, action=f"archive.{action}", object_type="archive", object_id=archive.pk,
                 org=archive.org, before={"status": before}, after={"status": archive.status, "note": note,
                                                                    **(data or {})})
    return archive


def _open_objections(archive: Archive, phase: str) -> int:
    return archive.objections.filter(phase=phase, resolved_at__isnull=True).count()


@transaction.atomic
def archive_submit(*, actor: Actor | None, archive: Archive) -> Archive:
    archive, before = _begin(actor, archive, "submit")
    for other in possible_duplicates(archive):
        DuplicateFlag.objects.get_or_create(archive=archive, other=other,
                                            defaults={"name": archive.name, "birth_date": archive.birth_date})
    return _finish(actor, archive, "submit", before)


@transaction.atomic
def archive_accept(*, actor: Actor | None, archive: Archive, note: str = "") -> Archive:
    archive, before = _begin(actor, archive, "accept")
    return _finish(actor, archive, "accept", before, note=note)


@transaction.atomic
def archive_return(*, actor: Actor | None, archive: Archive, reason: str) -> Archive:
    archive, before = _begin(actor, archive, "return")
    if not (reason or "").strip():
        raise ValidationError({"reason": "退回须填写原因"})
    return _finish(actor, archive, "return", before, note=reason.strip())


@transaction.atomic
def archive_verify(*, actor: Actor | None, archive: Archive, visited_on: date, visitors: str, findings: str,
                   publicity_start: date | None = None, today: date | None = None) -> Archive:
    """入户核查 recorded; the 公示 starts (by default today) and lasts 5 working days."""
    archive, before = _begin(actor, archive, "verify")
    if not visitors.strip() or not findings.strip():
        raise ValidationError({"findings": "请填写核查人员和核查情况"})
    if visited_on > _today(today):
        raise ValidationError({"visited_on": "核查日期不能晚于今天"})
    start = publicity_start or _today(today)
    if start < visited_on:
        raise ValidationError({"publicity_start": "公示开始日期不能早于入户核查日期"})
    archive.publicity_start, archive.publicity_end = start, nth_working_day(start, PUBLICITY_WORKING_DAYS)
    return _finish(actor, archive, "verify", before, note=findings.strip(),
                   data={"visited_on": visited_on.isoformat(), "visitors": visitors.strip(),
                         "publicity": f"{start.isoformat()}~{archive.publicity_end.isoformat()}"},
                   fields=("publicity_start", "publicity_end"))


def _require_publicity_over(archive: Archive, phase: str, today: date | None) -> None:
    if archive.publicity_end is None or _today(today) <= archive.publicity_end:
        raise ValidationError(f"公示期至{archive.publicity_end:%Y年%m月%d日}，期满（不少于{PUBLICITY_WORKING_DAYS}个"
                              f"工作日）后才能进行下一步")
    if n := _open_objections(archive, phase):
        raise ValidationError(f"公示期间收到的{n}条异议尚未处理完毕")


@transaction.atomic
def archive_end_publicity(*, actor: Actor | None, archive: Archive, today: date | None = None) -> Archive:
    archive, before = _begin(actor, archive, "end_publicity")
    _require_publicity_over(archive, "filing", today)
    return _finish(actor, archive, "end_publicity", before)


@transaction.atomic
def archive_approve(*, actor: Actor | None, archive: Archive, note: str = "") -> Archive:
    archive, before = _begin(actor, archive, "approve")
    if actor is not None and archive.created_by_id == actor.user.pk:
        raise PermissionDenied("建档人不能审批自己建立的档案")
    archive.activated_at = timezone.now()
    return _finish(actor, archive, "approve", before, note=note, fields=("activated_at",))


@transaction.atomic
def archive_reject(*, actor: Actor | None, archive: Archive, reason: str) -> Archive:
    archive, before = _begin(actor, archive, "reject")
    if not (reason or "").strip():
        raise ValidationError({"reason": "不予通过须填写原因"})
    release_persons(archive)
    return _finish(actor, archive, "reject", before, note=reason.strip())


@transaction.atomic
def archive_exit_request(*, actor: Actor | None, archive: Archive, reason: str, note: str = "") -> Archive:
    archive, before = _begin(actor, archive, "exit_request")
    if reason not in ExitReason.values:
        raise ValidationError({"reason": "请选择退档原因：" + "、".join(ExitReason.values)})
    archive.exit_reason, archive.exit_note = reason, note.strip()
    return _finish(actor, archive, "exit_request", before, note=f"{reason}：{note}".strip("："),
                   fields=("exit_reason", "exit_note"))


@transaction.atomic
def archive_exit_cancel(*, actor: Actor | None, archive: Archive, reason: str) -> Archive:
    archive, before = _begin(actor, archive, "exit_cancel")
    if not (reason or "").strip():
        raise ValidationError({"reason": "撤销退档须填写原因"})
    archive.exit_reason, archive.exit_note = "", ""
    return _finish(actor, archive, "exit_cancel", before, note=reason, fields=("exit_reason", "exit_note"))


@transaction.atomic
def archive_exit_approve(*, actor: Actor | None, archive: Archive, publicity_start: date | None = None,
                         today: date | None = None) -> Archive:
    archive, before = _begin(actor, archive, "exit_approve")
    start = publicity_start or _today(today)
    archive.publicity_start, archive.publicity_end = start, nth_working_day(start, PUBLICITY_WORKING_DAYS)
    return _finish(actor, archive, "exit_approve", before,
                   data={"publicity": f"{start.isoformat()}~{archive.publicity_end.isoformat()}"},
                   fields=("publicity_start", "publicity_end"))


@transaction.atomic
def archive_exit_finalize(*, actor: Actor | None, archive: Archive, today: date | None = None) -> Archive:
    """退档 takes effect: the people are free to be filed again; the archive stays readable ≥ 10 years."""
    archive, before = _begin(actor, archive, "exit_finalize")
    _require_publicity_over(archive, "exit", today)
    archive.exited_at = timezone.now()
    day = timezone.localdate(archive.exited_at)  # retention and follow-up count from the real exit date
    archive.followup_date = add_months(day, FOLLOWUP_MONTHS)
    archive.retain_until = add_months(day, 12 * RETENTION_YEARS)
    release_persons(archive)
    return _finish(actor, archive, "exit_finalize", before, note=archive.exit_reason,
                   fields=("exited_at", "followup_date", "retain_until"))


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


@transaction.atomic
def archive_promote(*, actor: Actor | None, archive: Archive) -> Archive:
    """临时救助档案转正."""
    if actor is not None:
        archive = archive_for_actor(actor, archive.pk, write=True, perm=Perm.ARCHIVE_APPROVE)
    archive = Archive.objects.select_for_update().get(pk=archive.pk)
    if not archive.is_temporary:
        raise ValidationError("该档案不是临时救助档案")
    if archive.status != S.ACTIVE:
        raise ValidationError("临时救助档案在档后才能转正")
    archive.is_temporary = False
    archive.save(update_fields=["is_temporary"])
    step(archive, actor=actor, action="promote", from_status=archive.status, note="临时救助档案转为正式档案")
    audit_record(actor=actor, action="archive.promote", object_type="archive", object_id=archive.pk,
                 org=archive.org, before={"is_temporary": True}, after={"is_temporary": False})
    return archive


@transaction.atomic
def transfer_request(*, actor: Actor, archive: Archive, to_org: Org, reason: str) -> Transfer:
    """转出: the archive goes to ``to_org`` (anywhere in the tree) once that org accepts it."""
    archive = archive_for_actor(actor, archive.pk, write=True)
    if archive.status != S.ACTIVE:
        raise ValidationError("只有在档的档案可以转出")
    if to_org.pk == archive.org_id:
        raise ValidationError({"to_org": "转入单位与当前单位相同"})
    if not reason.strip():
        raise ValidationError({"reason": "请填写转出原因"})
    if archive.transfers.filter(status="pending").exists():
        raise ValidationError("该档案已有一条待接收的转出申请")
    t = Transfer.objects.create(archive=archive, from_org=archive.org, to_org=to_org, reason=reason.strip(),
                                requested_by=actor.user)
    step(archive, actor=actor, action="transfer_out", from_status=archive.status,
         note=f"转往{to_org.name}：{reason.strip()}")
    audit_record(actor=actor, action="archive.transfer_request", object_type="archive", object_id=archive.pk,
                 org=archive.org, after={"to_org": to_org.code, "reason": reason.strip()})
    return t


@transaction.atomic
def transfer_decide(*, actor: Actor, transfer: Transfer, accept: bool, note: str = "") -> Transfer:
    """转入: a reviewer of the receiving org accepts (the archive changes org) or refuses."""
    actor.require(Perm.ARCHIVE_APPROVE)
    transfer = Transfer.objects.select_for_update().select_related("archive", "to_org").get(pk=transfer.pk)
    if not actor.sees_org(transfer.to_org):
        raise PermissionDenied("只有转入单位（或其上级）可以接收")
    if transfer.status != "pending":
        raise ValidationError("该转出申请已处理")
    if accept and transfer.archive.status != S.ACTIVE:
        raise ValidationError(f"档案现为“{transfer.archive.get_status_display()}”，不能接收（只能接收在档的档案）")
    transfer.status = "accepted" if accept else "refused"
    transfer.decided_by, transfer.decided_at, transfer.note = actor.user, timezone.now(), note
    transfer.save(update_fields=["status", "decided_by", "decided_at", "note"])
    archive = Archive.objects.select_for_update().get(pk=transfer.archive_id)
    if accept:
        old_org = archive.org
        archive.org = transfer.to_org
        archive.save(update_fields=["org"])
        step(archive, actor=actor, action="transfer_in", from_status=archive.status,
             note=f"由{old_org.name}转入{transfer.to_org.name}")
    else:
        step(archive, actor=actor, action="transfer_refused", from_status=archive.status, note=note)
    audit_record(actor=actor, action="archive.transfer_" + transfer.status, object_type="archive",
                 object_id=archive.pk, org=transfer.to_org,
                 after={"from_org": transfer.from_org.code, "to_org": transfer.to_org.code})
    return transfer
