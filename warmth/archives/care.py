"""动态管理 and 一户一策: yearly reviews, assistance plans, attachments, duplicates, 低保 standards."""

from __future__ import annotations

import hashlib
import math
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from warmth.archives.access import archive_for_actor, archives_for_actor
from warmth.archives.choices import ArchiveStatus, AttachmentKind, ReviewResult
from warmth.archives.models import Archive, ArchiveReview, AssistancePlan, Attachment, DibaoStandard, DuplicateFlag
from warmth.archives.services import step
from warmth.audit.services import audit_record
from warmth.core import regions
from warmth.core.files import MAX_UPLOAD_BYTES, store_upload
from warmth.core.money import AmountError, parse_amount
from warmth.core.validation import integer
from warmth.core.workdays import add_months
from warmth.orgs.access import Actor
from warmth.orgs.permissions import Perm

MAX_ATTACHMENT_BYTES = MAX_UPLOAD_BYTES


@transaction.atomic
def review_record(*, actor: Actor, archive: Archive, year: int, result: str, notes: str = "") -> ArchiveReview:
    archive = archive_for_actor(actor, archive.pk, write=True, perm=Perm.ARCHIVE_WRITE)
    if archive.status != ArchiveStatus.ACTIVE:
        raise ValidationError("只有在档的档案需要年度复核")
    if result not in ReviewResult.values:
        raise ValidationError({"result": "复核结果须为：" + "、".join(ReviewResult.values)})
    try:
        year = integer(year, label="年度", min_value=2000, max_value=2100)
    except ValidationError as exc:
        raise ValidationError({"year": exc.messages}) from None
    if ArchiveReview.objects.filter(archive=archive, year=year).exists():
        raise ValidationError(f"{year}年度已复核")
    review = ArchiveReview.objects.create(archive=archive, year=year, result=result, notes=notes.strip(),
                                          reviewer=actor.user)
    step(archive, actor=actor, action="review", from_status=archive.status, note=f"{year}年度复核：{result}")
    audit_record(actor=actor, action="archive.review", object_type="archive", object_id=archive.pk,
                 org=archive.org, after={"year": year, "result": result})
    return review


@transaction.atomic
def plan_save(*, actor: Actor, archive: Archive, needs: str, measures: str, contact_name: str,
              next_visit_date: date, contact_phone: str = "", today: date | None = None) -> AssistancePlan:
    """一户一策: the next home visit is at most 6 months ahead."""
    archive = archive_for_actor(actor, archive.pk, write=True)
    day = today or timezone.localdate()
    errors = {}
    if not needs.strip():
        errors["needs"] = "请填写主要需求"
    if not measures.strip():
        errors["measures"] = "请填写帮扶措施"
    if not contact_name.strip():
        errors["contact_name"] = "请填写帮扶联系人"
    if next_visit_date < day or next_visit_date > add_months(day, 6):
        errors["next_visit_date"] = "下次入户走访须在今天起6个月之内"
    if errors:
        raise ValidationError(errors)
    plan = AssistancePlan.objects.filter(archive=archive).first() or AssistancePlan(archive=archive)
    before = {"needs": plan.needs, "measures": plan.measures, "contact_name": plan.contact_name,
              "next_visit_date": plan.next_visit_date} if plan.pk else None
    plan.needs, plan.measures, plan.contact_name = needs.strip(), measures.strip(), contact_name.strip()
    plan.contact_phone, plan.next_visit_date = contact_phone.strip(), next_visit_date
    plan.updated_by, plan.updated_at = actor.user, timezone.now()
    plan.save()
    step(archive, actor=actor, action="plan", from_status=archive.status,
         note=f"帮扶联系人{plan.contact_name}，下次走访{next_visit_date:%Y-%m-%d}")
    audit_record(actor=actor, action="archive.plan", object_type="archive", object_id=archive.pk, org=archive.org,
                 before=before, after={"needs": plan.needs, "measures": plan.measures,
                                       "contact_name": plan.contact_name, "next_visit_date": next_visit_date})
    return plan


@transaction.atomic
def attachment_add(*, actor: Actor, archive: Archive, kind: str, upload) -> Attachment:
    """Store an uploaded file (PDF, JPEG or PNG, ≤ 10 MB) under the files folder, outside any web root."""
    archive = archive_for_actor(actor, archive.pk, write=True)
    if kind not in AttachmentKind.values:
        raise ValidationError({"kind": "请选择附件类型"})
    stored = store_upload(upload, folder=f"archives/{archive.pk}")
    name = stored.original_name
    att = Attachment.objects.create(archive=archive, kind=kind, original_name=name, stored_path=stored.rel_path,
                                    content_type=stored.content_type, size=stored.size, sha256=stored.sha256,
                                    uploaded_by=actor.user)
    step(archive, actor=actor, action="attachment", from_status=archive.status, note=f"{kind}：{name}")
    audit_record(actor=actor, action="archive.attachment_add", object_type="archive", object_id=archive.pk,
                 org=archive.org, after={"attachment": att.pk, "kind": kind, "name": name, "size": upload.size})
    return att


@transaction.atomic
def attachment_withdraw(*, actor: Actor, attachment: Attachment) -> Attachment:
    archive_for_actor(actor, attachment.archive_id, write=True)
    if attachment.withdrawn_at is None:
        attachment.withdrawn_at = timezone.now()
        attachment.save(update_fields=["withdrawn_at"])
        step(attachment.archive, actor=actor, action="attachment_withdraw", from_status=attachment.archive.status,
             note=f"撤回{attachment.kind}：{attachment.original_name}")
        audit_record(actor=actor, action="archive.attachment_withdraw", object_type="archive",
                     object_id=attachment.archive_id, org=attachment.archive.org,
                     after={"attachment": attachment.pk})
    return attachment


def attachment_path(attachment: Attachment) -> Path:
    root = Path(settings.WARMTH_FILES_DIR).resolve()
    path = (root / attachment.stored_path).resolve()
    if not path.is_relative_to(root):
        raise ValidationError("附件路径无效")
    return path


@transaction.atomic
def duplicate_resolve(*, actor: Actor, flag: DuplicateFlag, resolution: str, note: str = "") -> DuplicateFlag:
    archive_for_actor(actor, flag.archive_id, write=True, perm=Perm.ARCHIVE_APPROVE)
    if resolution not in ("not_duplicate", "duplicate"):
        raise ValidationError({"resolution": "请选择处理结论"})
    flag.resolution, flag.note, flag.resolved_by, flag.resolved_at = resolution, note, actor.user, timezone.now()
    flag.save(update_fields=["resolution", "note", "resolved_by", "resolved_at"])
    label = dict(DuplicateFlag._meta.get_field("resolution").choices)[resolution]
    other = f"档案{flag.other.archive_no}" if actor.sees_org(flag.other.org) else "其他单位的档案"
    step(flag.archive, actor=actor, action="duplicate_resolve", from_status=flag.archive.status,
         note=f"疑似重复（{other}）：{label}。{note}".rstrip("。") + "。")
    audit_record(actor=actor, action="archive.duplicate_resolve", object_type="archive", object_id=flag.archive_id,
                 org=flag.archive.org, after={"other": flag.other_id, "resolution": resolution, "note": note})
    return flag


@transaction.atomic
def dibao_standard_set(*, actor: Actor | None, region_code: str, year: int, monthly_amount) -> DibaoStandard:
    if actor is not None:
        actor.require(Perm.RULES_MANAGE)
    if not regions.is_known(region_code):
        raise ValidationError({"region_code": f"行政区划代码{region_code}不在区划代码表中"})
    try:
        amount = parse_amount(monthly_amount)
    except AmountError as exc:
        raise ValidationError({"monthly_amount": str(exc)}) from None
    row, created = DibaoStandard.objects.update_or_create(region_code=region_code, year=year,
                                                          defaults={"monthly_amount": amount})
    audit_record(actor=actor, action="dibao.set", object_type="dibao", object_id=f"{region_code}/{year}",
                 after={"monthly_amount": amount, "created": created})
    return row


# --- lists for 动态管理 -----------------------------------------------------------------------------

def due_for_review(actor: Actor, year: int) -> QuerySet[Archive]:
    """Active archives without a review for ``year``."""
    return (archives_for_actor(actor).filter(status=ArchiveStatus.ACTIVE)
            .exclude(reviews__year=year))


def unchanged_for_a_year(actor: Actor, *, today: date | None = None) -> QuerySet[Archive]:
    day = today or timezone.localdate()
    cutoff = timezone.make_aware(timezone.datetime.combine(day - timedelta(days=365), timezone.datetime.min.time()))
    return archives_for_actor(actor).filter(status=ArchiveStatus.ACTIVE, updated_at__lt=cutoff)


def plans_overdue(actor: Actor, *, today: date | None = None) -> QuerySet[Archive]:
    """Active archives whose plan's next visit has passed, or that have no plan at all."""
    day = today or timezone.localdate()
    live = archives_for_actor(actor).filter(status=ArchiveStatus.ACTIVE)
    return live.filter(plan__next_visit_date__lt=day) | live.filter(plan__isnull=True)


def spot_check_sample(actor: Actor, *, seed: str, share: Decimal = Decimal("0.3")) -> list[Archive]:
    """A reproducible random sample of at least ``share`` of the active archives: the same seed gives the same
    sample (each archive ranked by SHA-256 of seed and archive number), so an inspector can redraw it."""
    archives = list(archives_for_actor(actor).filter(status=ArchiveStatus.ACTIVE).only("id", "archive_no", "name",
                                                                                       "org"))
    if not archives:
        return []
    n = max(1, math.ceil(len(archives) * share))
    ranked = sorted(archives, key=lambda a: hashlib.sha256(f"{seed}|{a.archive_no}".encode()).hexdigest())
    return sorted(ranked[:n], key=lambda a: a.archive_no)
