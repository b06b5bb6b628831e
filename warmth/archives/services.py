"""Filing and editing archives. One household, one archive; one person, one live archive system-wide."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

from warmth.archives.access import archive_for_actor
from warmth.archives.choices import HardshipCause
from warmth.archives.models import (
    LIVE_STATUSES,
    Archive,
    ArchiveCounter,
    ArchivePerson,
    ArchiveStatus,
    ArchiveStep,
    FamilyMember,
)
from warmth.audit.services import audit_record
from warmth.core import idcard, pii, regions, validation
from warmth.core.fields import EncryptedTextField, bidx
from warmth.core.money import AmountError, parse_amount
from warmth.core.validation import LONG_TEXT, Errors
from warmth.orgs.access import Actor
from warmth.orgs.models import Org
from warmth.orgs.permissions import Perm

HEAD_FIELDS = (
    "category", "name", "ethnicity", "political_status", "id_number", "health", "disability_type", "identity",
    "model_worker_type", "housing_type", "housing_area", "postcode", "phone", "work_start_date", "industry",
    "marital_status", "hukou_type", "address", "employer", "employer_type", "enterprise_status", "single_parent",
    "monthly_income", "household_annual_income", "household_size", "hukou_region_code", "in_medical_insurance",
    "self_help_capable", "zero_employment", "causes", "remarks", "rigid_expenses", "hardship_costs",
    "dibao_monthly", "dibao_from", "dibao_to",
)
MONEY_FIELDS = ("monthly_income", "household_annual_income", "rigid_expenses", "hardship_costs", "dibao_monthly")
MEMBER_FIELDS = ("name", "relation", "sex", "political_status", "birth_date", "id_number", "health",
                 "monthly_income", "identity", "school_or_employer")
EDITABLE_STATUSES = (ArchiveStatus.DRAFT, ArchiveStatus.ACTIVE)
CAUSES = frozenset(HardshipCause.values)


@dataclass
class ArchiveInput:
    """What a form, the API or the importer hands in: head fields and the family members."""

    fields: dict[str, Any]
    members: list[dict[str, Any]]


def _label(name: str) -> str:
    try:
        return str(Archive._meta.get_field(name).verbose_name)
    except Exception:
        return {"causes": "致困主要原因"}.get(name, name)


def _clean_id(value: str, field: str, *, required: bool) -> idcard.IdCard | None:
    if not (value or "").strip():
        if required:
            raise ValidationError({field: "身份证号不能为空"})
        return None
    try:
        return idcard.parse(value)
    except idcard.IdCardError as exc:
        raise ValidationError({field: str(exc)}) from None


# Dates within sense (the export writes them to Excel and the importer reads 1900–2099 back): not before
# 1900, a birth date not after today, a start not more than a year ahead, an end within ten years.
DATE_AHEAD = {"work_start_date": 366, "dibao_from": 366, "dibao_to": 3653, "birth_date": 0}


def _texts(model, values: dict, errors: Errors, *, prefix: str = "", field: str | None = None) -> None:
    """The input policy on every text and closed-list field of ``model`` in ``values`` (cleaned in place); a
    field left out that has a default keeps it. Problems go under the field, or under ``field`` with
    ``prefix`` (a family member's row)."""
    for f in model._meta.concrete_fields:
        if f.name not in values and (f.has_default() or f.name not in HEAD_FIELDS + MEMBER_FIELDS):
            continue
        if not isinstance(f, models.CharField | models.TextField | EncryptedTextField):
            continue
        label = str(f.verbose_name)
        encrypted = isinstance(f, EncryptedTextField)
        max_length = f.max_length or (LONG_TEXT if f.name == "remarks" else 24 if encrypted else 200)
        key = field or f.name
        try:  # an ID number and a sex are checked (or derived) below
            value = validation.clean_text(values.get(f.name), label=label, max_length=max_length,
                                          required=not f.blank and f.name not in ("id_number", "sex"),
                                          multiline=isinstance(f, models.TextField) and not encrypted)
        except ValidationError as exc:
            errors.add(key, prefix + exc.messages[0])
            continue
        if value and f.choices and value not in {c[0] for c in f.choices}:
            errors.add(key, f"{prefix}{label}“{value}”不是可选的值")
        values[f.name] = value


def _dates(values: dict, errors: Errors, *, prefix: str = "", field: str | None = None) -> None:
    for name, ahead in DATE_AHEAD.items():
        day = values.get(name)
        if isinstance(day, date):
            label = "出生日期" if name == "birth_date" else _label(name)
            try:
                validation.check_date(day, label=label, future_days=ahead)
            except ValidationError as exc:
                errors.add(field or name, prefix + exc.messages[0])


def _normalize(data: ArchiveInput) -> tuple[dict, list[dict], list[idcard.IdCard | None]]:
    """Typed, derived and checked values; raises one ValidationError listing every problem."""
    f = dict(data.fields)
    unknown = set(f) - set(HEAD_FIELDS)
    if unknown:
        raise ValidationError({"__all__": f"未知字段：{', '.join(sorted(unknown))}"})
    errors = Errors()
    _texts(Archive, f, errors)
    _dates(f, errors)
    with errors.field("household_size"):
        f["household_size"] = validation.integer(f.get("household_size"), label="家庭人口", min_value=1,
                                                 max_value=99)
    head = None
    with errors.field("id_number"):
        head = _clean_id(f.get("id_number", ""), "id_number", required=True)
    if head:
        f["id_number"], f["birth_date"], f["sex"] = head.number, head.birth_date, head.sex
    for name in MONEY_FIELDS:
        raw = f.get(name)
        if raw in (None, "") and name in ("dibao_monthly",):
            f[name] = None
            continue
        if raw in (None, "") and name in ("rigid_expenses", "hardship_costs"):
            f[name] = Decimal("0")
            continue
        try:
            f[name] = parse_amount(raw if raw is not None else "", allow_zero=True)
        except AmountError as exc:
            errors.add(name, f"{_label(name)}：{exc}")
    causes = [c for c in (f.pop("causes", None) or []) if c]
    if not 1 <= len(causes) <= 3:
        errors.add("causes", "致困主要原因最少填写1项，最多3项")
    elif len(set(causes)) != len(causes):
        errors.add("causes", "致困主要原因不能重复")
    elif bad := [c for c in causes if c not in CAUSES]:
        errors.add("causes", f"致困主要原因“{bad[0] if isinstance(bad[0], str) else ''}”不在填表说明的8项之内")
    for i, c in enumerate([*causes, "", "", ""][:3], start=1):
        f[f"cause_{i}"] = c
    code = f.get("hukou_region_code") or ""
    if "hukou_region_code" in errors:
        pass
    elif code and not regions.is_known(code):
        errors.add("hukou_region_code", f"户口所在地行政区划代码{code}不在区划代码表中")
    elif code and code.endswith("00"):
        errors.add("hukou_region_code", "户口所在地须填写到县（区）一级（省、市、县（区））")
    if f.get("phone") and "phone" not in errors:
        digits = pii.normalize(pii.PHONE, f["phone"])
        if not digits.isdigit() or not 7 <= len(digits) <= 12:
            errors.add("phone", "联系电话应为7至12位数字")
    if f.get("postcode") and not (len(f["postcode"]) == 6 and f["postcode"].isdigit()):
        errors.add("postcode", "邮政编码应为6位数字")
    members, cards = [], []
    for n, m in enumerate(data.members, start=1):
        m = {k: v for k, v in m.items() if k in MEMBER_FIELDS}
        row = f"第{n}位家庭成员："
        _texts(FamilyMember, m, errors, prefix=row, field="members")
        _dates(m, errors, prefix=row, field="members")
        try:
            card = _clean_id(m.get("id_number", ""), "id_number", required=False)
        except ValidationError as exc:
            errors.add("members", f"{row}{exc.messages[0]}")
            card = None
        if card:
            m["id_number"], m["birth_date"], m["sex"] = card.number, card.birth_date, card.sex
        elif not m.get("birth_date") or not m.get("sex"):
            errors.add("members", f"{row}没有身份证号时须填写出生日期和性别")
        try:
            m["monthly_income"] = parse_amount(m.get("monthly_income") or "0", allow_zero=True)
        except AmountError as exc:
            errors.add("members", f"{row}月收入{exc}")
        members.append(m)
        cards.append(card)
    size = f.get("household_size")
    if isinstance(size, int) and "household_size" not in errors and size < 1 + len(members):
        errors.add("household_size", f"家庭人口（{size}）不能少于户主加登记的家庭成员数（{1 + len(members)}）")
    ids = [c.number for c in [head, *cards] if c]
    if len(ids) != len(set(ids)):
        errors.add("members", "同一身份证号在本户中出现了两次")
    errors.raise_if_any()
    return f, members, cards


def _next_archive_no(org: Org) -> str:
    year = timezone.localdate().year
    for _ in range(3):
        try:
            with transaction.atomic():
                counter, _ = ArchiveCounter.objects.select_for_update().get_or_create(org=org, year=year)
                break
        except IntegrityError:  # two first filings of the year at once: the other one created the row
            continue
    counter = ArchiveCounter.objects.select_for_update().get(org=org, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{org.code}-{year}-{counter.last:05d}"


def conflict_message(actor: Actor | None, other: Archive, *, is_head: bool) -> str:
    """Where the person is already filed, if the actor may see that org; otherwise only that it is."""
    if actor is None or actor.sees_org(other.org):
        role = "户主" if is_head else "家庭成员"
        return f"该身份证号已在{other.org.name}的档案{other.archive_no}中（{role}），一人只能在一份在档档案中"
    return "已在其他单位建档，请联系上级工会"


def _claim_persons(actor: Actor | None, archive: Archive, members: list[FamilyMember]) -> None:
    """(Re)write the archive's person index; the partial unique index refuses a person live elsewhere."""
    wanted = [(archive.id_number_bidx, True, None)] + [
        (m.id_number_bidx, False, m) for m in members if m.id_number_bidx]
    clash = (ArchivePerson.objects.filter(live=True, id_bidx__in=[w[0] for w in wanted])
             .exclude(archive=archive).select_related("archive__org").first())
    if clash:
        field = "id_number" if clash.id_bidx == archive.id_number_bidx else "members"
        raise ValidationError({field: conflict_message(actor, clash.archive, is_head=clash.is_head)})
    ArchivePerson.objects.filter(archive=archive).delete()
    try:
        with transaction.atomic():
            ArchivePerson.objects.bulk_create([
                ArchivePerson(archive=archive, id_bidx=b, is_head=h, member=m, live=True) for b, h, m in wanted])
    except IntegrityError:  # a concurrent filing won the race between our check and our insert
        clash = (ArchivePerson.objects.filter(live=True, id_bidx__in=[w[0] for w in wanted])
                 .exclude(archive=archive).select_related("archive__org").first())
        other = clash.archive if clash else None
        raise ValidationError({"id_number": conflict_message(actor, other, is_head=clash.is_head)
                               if other else "已在其他单位建档，请联系上级工会"}) from None


def release_persons(archive: Archive) -> None:
    ArchivePerson.objects.filter(archive=archive, live=True).update(live=False)


def _write_members(archive: Archive, members: list[dict]) -> list[FamilyMember]:
    FamilyMember.objects.filter(archive=archive).delete()
    rows, errors = [], []
    for pos, m in enumerate(members, start=1):
        fm = FamilyMember(archive=archive, position=pos, **m)
        try:
            fm.full_clean(exclude=["archive", "id_number_bidx"])
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                label = FamilyMember._meta.get_field(field).verbose_name if field != "__all__" else ""
                errors.extend(f"第{pos}位家庭成员：{label}{m_}" for m_ in msgs)
        rows.append(fm)
    if errors:
        raise ValidationError({"members": errors})
    for fm in rows:
        fm.save()
    return rows


def _snapshot(archive: Archive) -> dict:
    data = {}
    for name in HEAD_FIELDS:
        if name == "causes":
            data[name] = archive.causes
        elif name in ("id_number", "phone"):
            data[name] = pii.mask(pii.ID_NUMBER if name == "id_number" else pii.PHONE, getattr(archive, name))
        else:
            data[name] = getattr(archive, name)
    data["members"] = [f"{m.name}/{m.relation}/{pii.mask_id_number(m.id_number)}" for m in archive.members.all()]
    return data


def step(archive: Archive, *, actor: Actor | None, action: str, from_status: str = "", note: str = "",
         data: dict | None = None) -> ArchiveStep:
    return ArchiveStep.objects.create(archive=archive, action=action, from_status=from_status,
                                      to_status=archive.status, actor=actor.user if actor else None,
                                      note=note, data=data or {})


@transaction.atomic
def archive_file(*, actor: Actor | None, org: Org, data: ArchiveInput, temporary: bool = False,
                 created_by=None) -> Archive:
    """建档: a new draft archive with its archive number. ``actor=None`` is the importer acting for the
    operator (``created_by`` then names the user)."""
    if actor is not None:
        actor.require(Perm.ARCHIVE_WRITE)
        if not actor.sees_org(org):
            raise PermissionDenied("只能为本级及下级组织建档")
    fields, members, _ = _normalize(data)
    archive = Archive(org=org, archive_no="pending", is_temporary=temporary,
                      created_by=actor.user if actor else created_by, **fields)
    archive.full_clean(exclude=["archive_no", "id_number_bidx", "phone_bidx", "created_by"])
    archive.archive_no = _next_archive_no(org)
    archive.save()
    rows = _write_members(archive, members)
    _claim_persons(actor, archive, rows)
    step(archive, actor=actor, action="file", note="临时救助档案" if temporary else "")
    audit_record(actor=actor, action="archive.file", object_type="archive", object_id=archive.pk, org=org,
                 after=_snapshot(archive))
    return archive


@transaction.atomic
def archive_update(*, actor: Actor | None, archive: Archive, data: ArchiveInput) -> Archive:
    """Edit a draft, or update a live archive (动态管理: income, family, address …); the diff is audited."""
    if actor is not None:
        archive_for_actor(actor, archive.pk, write=True)  # the subtree first, then the role
    archive = Archive.objects.select_for_update().get(pk=archive.pk)
    if archive.status not in EDITABLE_STATUSES:
        raise ValidationError(f"档案处于“{archive.get_status_display()}”状态，不能修改（草稿或在档时可修改）")
    before = _snapshot(archive)
    fields, members, _ = _normalize(data)
    for k, v in fields.items():
        setattr(archive, k, v)
    archive.updated_at = timezone.now()
    archive.full_clean(exclude=["id_number_bidx", "phone_bidx"])
    archive.save()
    rows = _write_members(archive, members)
    _claim_persons(actor, archive, rows)
    after = _snapshot(archive)
    changed = [k for k in after if before.get(k) != after.get(k)]
    if changed:
        step(archive, actor=actor, action="update", from_status=archive.status,
             note="修改：" + "、".join(_label(k) if k != "members" else "家庭成员" for k in changed))
        audit_record(actor=actor, action="archive.update", object_type="archive", object_id=archive.pk,
                     org=archive.org, before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    return archive


def find_live_by_id(id_number: str) -> ArchivePerson | None:
    """The live archive entry of a person by ID number (exact lookup through the blind index)."""
    card = idcard.parse(id_number)
    return (ArchivePerson.objects.filter(live=True, id_bidx=bidx(pii.ID_NUMBER, card.number))
            .select_related("archive__org").first())


def possible_duplicates(archive: Archive) -> list[Archive]:
    """Other live archives whose head or a member has the same name and birth date as this archive's head
    but a different (or no) ID number: for a person to decide, never blocked."""
    same_head = Q(name=archive.name, birth_date=archive.birth_date) & ~Q(id_number_bidx=archive.id_number_bidx)
    same_member = Q(members__name=archive.name, members__birth_date=archive.birth_date) & ~Q(
        members__id_number_bidx=archive.id_number_bidx)
    return list(Archive.objects.filter(status__in=LIVE_STATUSES).filter(same_head | same_member)
                .exclude(pk=archive.pk).distinct())


def today() -> date:
    return timezone.localdate()
