"""Every write of the 帮扶中心 registry. Each function checks that the record lies in the actor's subtree and that
the role may fill the statistics (``Perm.REPORT_WRITE``: the registry is what the 帮扶中心工作统计表 is filled
from), refuses bad input with Chinese messages (a ``ValidationError`` keyed by field, nothing written), runs in
one transaction and writes its audit row in it. ``actor=None`` is the server operator (the CLI, the demo).

Nothing is deleted: stations and partners are closed with a date and a reason; a funding row is corrected by a
new row that replaces it (the old one stays, marked superseded)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from warmth.audit.services import audit_record, diff
from warmth.centers.choices import LEVEL_OF_ORG, CenterFundSource, PartnerKind, StationKind
from warmth.centers.models import Center, CenterFunding, Partner, Station
from warmth.core.money import AmountError, parse_amount
from warmth.core.validation import text
from warmth.orgs.access import Actor
from warmth.orgs.models import Org
from warmth.orgs.permissions import Perm

FIRST_YEAR = 2000
MAX_COUNT = 1_000_000       # people on a centre's staff, volunteers: anything above is a typing slip
MAX_AREA = 1_000_000        # 平方米


# --- checks -------------------------------------------------------------------------------------------------

def _guard(actor: Actor | None, org: Org) -> None:
    if actor is None:
        return
    if not actor.sees_org(org):
        raise PermissionDenied("不在您的管辖范围内。")
    actor.require(Perm.REPORT_WRITE)


def _user(actor: Actor | None):
    return actor.user if actor is not None else None


def _count(value, field: str, label: str, errors: dict, *, limit: int = MAX_COUNT,
           blank_is_none: bool = False) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None if blank_is_none else 0
    if isinstance(value, bool | float):
        errors[field] = f"{label}须为整数"
        return 0
    try:
        n = int(value.strip().replace(",", "")) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        errors[field] = f"{label}须为不小于 0 的整数"
        return 0
    if n < 0:
        errors[field] = f"{label}不能为负数"
    elif n > limit:
        errors[field] = f"{label}不能超过 {limit}"
    return n


def _day(value, field: str, label: str, errors: dict) -> date | None:
    if isinstance(value, str) and value.strip():
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            errors[field] = f"{label}格式不正确（年-月-日）"
            return None
    if not isinstance(value, date):
        errors[field] = f"请填写{label}（年-月-日）"
        return None
    if value > timezone.localdate():
        errors[field] = f"{label}不能晚于今天"
    elif value.year < FIRST_YEAR - 50:
        errors[field] = f"{label}不正确"
    return value


def _flag(value, field: str, label: str, errors: dict) -> bool:
    if not isinstance(value, bool):
        errors[field] = f"{label}须为“是”或“否”"
        return False
    return value


def _choice(value, choices, field: str, label: str, errors: dict) -> str:
    if value not in choices.values:
        errors[field] = f"请选择{label}（{'、'.join(choices.labels)}）"
        return ""
    return value


def _year(value, field: str, errors: dict) -> int:
    try:
        year = int(value) if not isinstance(value, bool | float) else None
    except (TypeError, ValueError):
        year = None
    last = timezone.localdate().year
    if year is None or not FIRST_YEAR <= year <= last:
        errors[field] = f"年度须为 {FIRST_YEAR} 至 {last} 之间的年份"
        return 0
    return year


def _amount(value, field: str, errors: dict, *, allow_zero: bool = False) -> Decimal:
    try:
        return parse_amount(value, allow_zero=allow_zero)
    except AmountError as exc:
        errors[field] = f"金额（元）：{exc}"
        return Decimal("0.00")


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


# --- centres ------------------------------------------------------------------------------------------------

CENTER_FIELDS = ("name", "founded_on", "address", "own_premises", "area", "staff_fulltime", "staff_parttime",
                 "volunteers", "in_budget", "matched_proportional", "matched_equal", "hours", "hotline")


def _center_values(raw: dict, errors: dict) -> dict:
    out = {}
    for field, value in raw.items():
        if field == "name":
            out[field] = text(value, field, "名称", errors, max_length=100, required=True)
        elif field == "founded_on":
            out[field] = _day(value, field, "成立日期", errors)
        elif field in ("address",):
            out[field] = text(value, field, "地址", errors, max_length=200)
        elif field == "hours":
            out[field] = text(value, field, "开放时间", errors, max_length=100)
        elif field == "hotline":
            out[field] = text(value, field, "服务热线", errors, max_length=40)
        elif field == "area":
            out[field] = _count(value, field, "服务场所面积（平方米）", errors, limit=MAX_AREA, blank_is_none=True)
        elif field in ("staff_fulltime", "staff_parttime", "volunteers"):
            out[field] = _count(value, field, str(Center._meta.get_field(field).verbose_name), errors)
        elif field in ("own_premises", "in_budget", "matched_proportional", "matched_equal"):
            out[field] = _flag(value, field, str(Center._meta.get_field(field).verbose_name), errors)
        else:
            raise TypeError(f"center has no editable field {field}")
    return out


def _center_snapshot(c: Center) -> dict:
    return {f: getattr(c, f) for f in CENTER_FIELDS} | {"level": c.level}


@transaction.atomic
def center_create(*, actor: Actor | None, org: Org, name: str, founded_on: date | str | None, address: str = "",
                  own_premises: bool = False, area: int | str | None = None, staff_fulltime: int | str = 0,
                  staff_parttime: int | str = 0, volunteers: int | str = 0, in_budget: bool = False,
                  matched_proportional: bool = False, matched_equal: bool = False, hours: str = "",
                  hotline: str = "") -> Center:
    """Register the 帮扶中心 of ``org`` (a 省、市(州) or 县(区) union; one per union). Its level is the org's."""
    _guard(actor, org)
    errors: dict[str, str] = {}
    level = LEVEL_OF_ORG.get(org.level)
    if level is None:
        errors["org"] = f"{org.name}是{org.level_label}：帮扶中心只设在省、市(州)、县(区)总工会"
    elif Center.objects.filter(org=org).exists():
        errors["org"] = f"{org.name}已登记帮扶中心，请修改已有的记录"
    values = _center_values({
        "name": name, "founded_on": founded_on, "address": address, "own_premises": own_premises, "area": area,
        "staff_fulltime": staff_fulltime, "staff_parttime": staff_parttime, "volunteers": volunteers,
        "in_budget": in_budget, "matched_proportional": matched_proportional, "matched_equal": matched_equal,
        "hours": hours, "hotline": hotline}, errors)
    _raise(errors)
    center = Center(org=org, level=level, created_by=_user(actor), **values)
    try:
        with transaction.atomic():
            center.save()
    except IntegrityError:
        raise ValidationError({"org": f"{org.name}已登记帮扶中心，请修改已有的记录"}) from None
    audit_record(actor=actor, action="center.create", object_type="center", object_id=center.pk, org=org,
                 after=_center_snapshot(center))
    return center


@transaction.atomic
def center_update(*, actor: Actor | None, center: Center, **changes) -> Center:
    """Change any of ``CENTER_FIELDS`` (the level follows the org and is not edited here)."""
    _guard(actor, center.org)
    unknown = set(changes) - set(CENTER_FIELDS)
    if unknown:
        raise TypeError(f"center has no editable field {', '.join(sorted(unknown))}")
    center = Center.objects.select_for_update().select_related("org").get(pk=center.pk)
    errors: dict[str, str] = {}
    values = _center_values(changes, errors)
    _raise(errors)
    before = _center_snapshot(center)
    for field, value in values.items():
        setattr(center, field, value)
    old, new = diff(before, _center_snapshot(center))
    if not new:
        return center
    center.updated_at = timezone.now()
    center.save(update_fields=[*new, "updated_at"])
    audit_record(actor=actor, action="center.update", object_type="center", object_id=center.pk, org=center.org,
                 before=old, after=new)
    return center


# --- stations -----------------------------------------------------------------------------------------------

@transaction.atomic
def station_add(*, actor: Actor | None, center: Center, kind: str, name: str, set_up_on: date | str | None,
                org: Org | None = None, above_scale: bool = False, non_public: bool = False,
                address: str = "") -> Station:
    """A 帮扶站点 of ``center``, sitting in ``org`` (the centre's union by default, else one below it)."""
    _guard(actor, center.org)
    org = org or center.org
    errors: dict[str, str] = {}
    if not org.is_within(center.org):
        errors["org"] = f"站点所在工会须是{center.org.name}或其下级工会"
    elif actor is not None and not actor.sees_org(org):
        raise PermissionDenied("不在您的管辖范围内。")
    kind = _choice(kind, StationKind, "kind", "站点类型", errors)
    name = text(name, "name", "站点名称", errors, max_length=100, required=True)
    address = text(address, "address", "地址", errors, max_length=200)
    set_up_on = _day(set_up_on, "set_up_on", "设立日期", errors)
    above_scale = _flag(above_scale, "above_scale", "规模以上企业", errors)
    non_public = _flag(non_public, "non_public", "非公企业", errors)
    if kind and kind != StationKind.ENTERPRISE and (above_scale or non_public):
        errors["kind"] = "只有企业帮扶站点才区分规模以上企业和非公企业"
    _raise(errors)
    station = Station.objects.create(center=center, org=org, kind=kind, name=name, set_up_on=set_up_on,
                                     above_scale=above_scale, non_public=non_public, address=address,
                                     created_by=_user(actor))
    audit_record(actor=actor, action="center.station_add", object_type="center_station", object_id=station.pk,
                 org=org, after={"center": center.pk, "kind": kind, "name": name, "set_up_on": set_up_on,
                                 "above_scale": above_scale, "non_public": non_public, "org": org.code})
    return station


def _close(actor: Actor | None, model, obj, closed_on, reason: str, what: str, started_label: str):
    _guard(actor, obj.center.org)  # the registry is kept by the centre's union (or one above it)
    obj = model.objects.select_for_update().select_related("org", "center__org").get(pk=obj.pk)
    errors: dict[str, str] = {}
    if obj.closed_on is not None:
        raise ValidationError({"__all__": f"{obj.name}已于{obj.closed_on:%Y-%m-%d}关闭（{obj.close_reason}）"})
    closed_on = _day(closed_on, "closed_on", "关闭日期", errors)
    reason = text(reason, "reason", "关闭原因", errors, max_length=200, required=True)
    if closed_on and closed_on < obj.started_on:
        errors["closed_on"] = f"关闭日期不能早于{started_label}（{obj.started_on:%Y-%m-%d}）"
    _raise(errors)
    obj.closed_on, obj.close_reason, obj.closed_by = closed_on, reason, _user(actor)
    obj.save(update_fields=["closed_on", "close_reason", "closed_by"])
    audit_record(actor=actor, action=f"center.{what}_close", object_type=f"center_{what}", object_id=obj.pk,
                 org=obj.org, before={"closed_on": None}, after={"closed_on": closed_on, "reason": reason})
    return obj


@transaction.atomic
def station_close(*, actor: Actor | None, station: Station, closed_on: date | str | None, reason: str) -> Station:
    """Close a station from ``closed_on`` (the forms count it up to the day before); it stays on record."""
    return _close(actor, Station, station, closed_on, reason, "station", "设立日期")


# --- partners -----------------------------------------------------------------------------------------------

@transaction.atomic
def partner_add(*, actor: Actor | None, center: Center, kind: str, name: str, agreed_on: date | str | None,
                address: str = "") -> Partner:
    """A 定点帮扶机构 of ``center`` (爱心医院, 爱心药店 …)."""
    _guard(actor, center.org)
    errors: dict[str, str] = {}
    kind = _choice(kind, PartnerKind, "kind", "机构类型", errors)
    name = text(name, "name", "机构名称", errors, max_length=100, required=True)
    address = text(address, "address", "地址", errors, max_length=200)
    agreed_on = _day(agreed_on, "agreed_on", "建立（签约）日期", errors)
    _raise(errors)
    partner = Partner.objects.create(center=center, org=center.org, kind=kind, name=name, agreed_on=agreed_on,
                                     address=address, created_by=_user(actor))
    audit_record(actor=actor, action="center.partner_add", object_type="center_partner", object_id=partner.pk,
                 org=center.org, after={"center": center.pk, "kind": kind, "name": name, "agreed_on": agreed_on})
    return partner


@transaction.atomic
def partner_close(*, actor: Actor | None, partner: Partner, closed_on: date | str | None, reason: str) -> Partner:
    return _close(actor, Partner, partner, closed_on, reason, "partner", "建立（签约）日期")


# --- funding ------------------------------------------------------------------------------------------------

def _funding_snapshot(f: CenterFunding) -> dict:
    return {"year": f.year, "source": f.source, "special": f.special, "amount": f.amount, "note": f.note}


def _check_special(source: str, special: bool, errors: dict) -> None:
    if special and source and source != CenterFundSource.LOCAL:
        errors["special"] = "只有地方财政拨款可以标为同级财政专项帮扶资金"


@transaction.atomic
def funding_add(*, actor: Actor | None, center: Center, year: int | str, source: str, amount,
                special: bool = False, note: str = "") -> CenterFunding:
    """Money that came into ``center`` in ``year`` from ``source``, in 元 (Decimal, int or text; no floats)."""
    _guard(actor, center.org)
    errors: dict[str, str] = {}
    year = _year(year, "year", errors)
    if year and year < center.founded_on.year:
        errors["year"] = f"帮扶中心成立于{center.founded_on:%Y年%m月%d日}，不能登记{year}年的资金"
    source = _choice(source, CenterFundSource, "source", "资金来源", errors)
    amount = _amount(amount, "amount", errors)
    special = _flag(special, "special", "同级财政专项帮扶资金", errors)
    _check_special(source, special, errors)
    note = text(note, "note", "文号或说明", errors, max_length=200)
    _raise(errors)
    row = CenterFunding.objects.create(center=center, org=center.org, year=year, source=source, amount=amount,
                                       special=special, note=note, created_by=_user(actor))
    audit_record(actor=actor, action="center.funding_add", object_type="center_funding", object_id=row.pk,
                 org=center.org, after={"center": center.pk, **_funding_snapshot(row)})
    return row


_KEEP = object()


@transaction.atomic
def funding_correct(*, actor: Actor | None, funding: CenterFunding, amount, reason: str, source=_KEEP,
                    special=_KEEP, note=_KEEP) -> CenterFunding:
    """Correct a funding row: a new row (same centre and year) replaces it and the old one is marked superseded.
    ``amount`` 0 withdraws a row entered in error. Only the latest row of a chain can be corrected."""
    _guard(actor, funding.org)
    old = CenterFunding.objects.select_for_update().select_related("org").get(pk=funding.pk)
    if old.superseded:
        raise ValidationError({"__all__": "该记录已被更正，请更正最新的记录"})
    errors: dict[str, str] = {}
    source = old.source if source is _KEEP else _choice(source, CenterFundSource, "source", "资金来源", errors)
    special = old.special if special is _KEEP else _flag(special, "special", "同级财政专项帮扶资金", errors)
    note = old.note if note is _KEEP else text(note, "note", "文号或说明", errors, max_length=200)
    amount = _amount(amount, "amount", errors, allow_zero=True)
    reason = text(reason, "reason", "更正理由", errors, max_length=200, required=True)
    _check_special(source, special, errors)
    if not errors and (source, special, note, amount) == (old.source, old.special, old.note, old.amount):
        errors["amount"] = "更正后的内容与原记录相同"
    _raise(errors)
    old.superseded = True
    old.save(update_fields=["superseded"])
    new = CenterFunding(center_id=old.center_id, org=old.org, year=old.year, source=source, special=special,
                        amount=amount, note=note, replaces=old, reason=reason, created_by=_user(actor))
    try:
        with transaction.atomic():
            new.save()
    except IntegrityError:
        raise ValidationError({"__all__": "该记录刚被他人更正，请刷新后重试"}) from None
    audit_record(actor=actor, action="center.funding_correct", object_type="center_funding", object_id=new.pk,
                 org=old.org, before={"id": old.pk, **_funding_snapshot(old)},
                 after={"id": new.pk, **_funding_snapshot(new), "reason": reason})
    return new
