"""What changes the campaign's records. Each function checks the actor's subtree and role, refuses bad input
with Chinese messages (nothing written), and writes an audit row."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from warmth.archives.choices import ArchiveStatus
from warmth.archives.models import Archive
from warmth.audit.services import audit_record
from warmth.campaigns.choices import (
    BY_SOURCE,
    BY_TYPE,
    DEFAULT_DUTIES,
    GROUP_RULE,
    KINDS,
    ArrearsRow,
    ArrearsStatus,
    Department,
    HouseholdClass,
    RecipientKind,
)
from warmth.campaigns.models import (
    Activity,
    ArrearsLine,
    ArrearsReport,
    Campaign,
    DutyShift,
    PlannedHousehold,
    VisitGroup,
)
from warmth.core import festival as festival_dates
from warmth.core.money import AmountError, parse_amount
from warmth.core.validation import text
from warmth.orgs.access import Actor
from warmth.orgs.models import Org
from warmth.orgs.permissions import Perm

# --- the window -------------------------------------------------------------------------------------------


def default_window(year: int) -> dict[str, date]:
    """The defaults of the campaign of season ``year`` (labelled, as everywhere here, by the year its winter
    starts: season 2025 is the 两节 of 2026): 元旦 to 春节, the concentrated visits 腊月初七 to 腊月十七 (003 三.5),
    the report due ten days after 春节, the weekly wage-arrears report from 12-01 to 01-22 (004 四.3)."""
    starts, festival = festival_dates.campaign_window(year)
    focus_from, focus_to = festival_dates.lunar_window(year)
    return {"starts_on": starts, "ends_on": festival, "focus_from": focus_from, "focus_to": focus_to,
            "report_deadline": date.fromordinal(festival.toordinal() + 10),
            "arrears_from": date(year, 12, 1), "arrears_to": date(year + 1, 1, 22)}


def fridays(start: date, end: date) -> list[date]:
    first = start.toordinal() + (4 - start.weekday()) % 7
    return [date.fromordinal(d) for d in range(first, end.toordinal() + 1, 7)]


# --- helpers ----------------------------------------------------------------------------------------------

def _inside(actor: Actor, org: Org, perm: Perm = Perm.CAMPAIGN_WRITE) -> None:
    if not actor.sees_org(org):
        raise PermissionDenied("不在您的管辖范围内。")
    actor.require(perm)


def _covers(campaign: Campaign, org: Org) -> bool:
    return org.path.startswith(campaign.org.path)


def _takes_part(actor: Actor, campaign: Campaign, perm: Perm = Perm.CAMPAIGN_WRITE) -> None:
    """The actor records in ``campaign``: it is organized inside their subtree, or by an org above them that
    covers it (a county records its own visits in the city's campaign)."""
    if not (actor.sees_org(campaign.org) or _covers(campaign, actor.org)):
        raise PermissionDenied("不在您的管辖范围内。")
    actor.require(perm)


def archive_class(a: Archive) -> str:
    """What an archive's household counts as under the group rule."""
    if a.model_worker_type and a.model_worker_type != "非劳模":
        return HouseholdClass.MODEL
    if a.identity == "农民工":
        return HouseholdClass.MIGRANT
    return HouseholdClass.WORKER


# --- the campaign ----------------------------------------------------------------------------------------

EDITABLE = ("theme", "doc_no", "starts_on", "ends_on", "focus_from", "focus_to", "report_deadline", "arrears_from",
            "arrears_to", "recipient_kinds", "duties", "hotline")


def _check_campaign(c: Campaign) -> None:
    errors: dict[str, str] = {}
    c.theme = text(c.theme, "theme", "活动主题", max_length=100, required=True, errors=errors)
    c.doc_no = text(c.doc_no, "doc_no", "通知文号", max_length=60, errors=errors)
    c.hotline = text(c.hotline, "hotline", "值班电话", max_length=40, errors=errors)
    if c.starts_on and c.ends_on and c.ends_on < c.starts_on:
        errors["ends_on"] = "活动结束日期不能早于开始日期"
    if bool(c.focus_from) != bool(c.focus_to):
        errors["focus_to"] = "集中走访时间请同时填写开始和结束"
    elif c.focus_from and c.focus_to:
        if c.focus_to < c.focus_from:
            errors["focus_to"] = "集中走访结束不能早于开始"
        elif c.starts_on and c.ends_on and not (c.starts_on <= c.focus_from and c.focus_to <= c.ends_on):
            errors["focus_from"] = "集中走访时间须在活动时间之内"
    if c.arrears_from and c.arrears_to and c.arrears_to < c.arrears_from:
        errors["arrears_to"] = "欠薪周报结束不能早于开始"
    bad = [k for k in c.recipient_kinds if k not in RecipientKind.values]
    if bad or not c.recipient_kinds:
        errors["recipient_kinds"] = "请选择慰问对象类别"
    if not isinstance(c.duties, dict) or any(d not in Department.values for d in c.duties):
        errors["duties"] = "部门职责只能填写方案中的部门"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def campaign_create(*, actor: Actor, org: Org, year: int, theme: str, doc_no: str = "",
                    recipient_kinds: list[str] | None = None, duties: dict | None = None, hotline: str = "",
                    **dates) -> Campaign:
    """A campaign of ``org`` for season ``year`` (the 两节 of ``year + 1``); dates not given take
    ``default_window(year)``."""
    _inside(actor, org)
    if not isinstance(year, int) or not 2000 <= year <= 2098:
        raise ValidationError({"year": "活动年度须在 2000 至 2098 之间"})
    window = default_window(year)
    unknown = set(dates) - set(window)
    if unknown:
        raise ValidationError({"__all__": f"未知的日期字段：{'、'.join(sorted(unknown))}"})
    window.update({k: v for k, v in dates.items() if v is not None or k in ("focus_from", "focus_to")})
    c = Campaign(org=org, year=year, theme=theme or "", doc_no=doc_no or "",
                 recipient_kinds=list(recipient_kinds or [k for k in RecipientKind.values]),
                 duties=dict(DEFAULT_DUTIES if duties is None else duties), hotline=hotline or "",
                 created_by=actor.user, **window)
    _check_campaign(c)
    if Campaign.objects.filter(org=org, year=year).exists():
        raise ValidationError({"year": f"{org.name}已有 {year} 年度（{year + 1}年两节）的送温暖活动"})
    c.save()
    audit_record(actor=actor, action="campaign.create", object_type="campaign", object_id=c.pk, org=org,
                 after={"year": year, "theme": c.theme, "starts_on": c.starts_on, "ends_on": c.ends_on})
    return c


@transaction.atomic
def campaign_update(*, actor: Actor, campaign: Campaign, **changes) -> Campaign:
    _inside(actor, campaign.org)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({"__all__": f"不能修改：{'、'.join(sorted(unknown))}"})
    c = Campaign.objects.select_for_update().get(pk=campaign.pk)
    before = {k: getattr(c, k) for k in changes}
    for k, v in changes.items():
        setattr(c, k, v)
    _check_campaign(c)
    c.save()
    audit_record(actor=actor, action="campaign.update", object_type="campaign", object_id=c.pk, org=c.org,
                 before=before, after={k: getattr(c, k) for k in changes})
    return c


# --- visit groups ----------------------------------------------------------------------------------------

def _group_fields(campaign: Campaign, name, leaders, liaison, units, departments) -> tuple[dict, list[Org]]:
    errors: dict[str, str] = {}
    fields = {"name": text(name, "name", "组别", max_length=30, required=True, errors=errors),
              "leaders": text(leaders, "leaders", "领导", max_length=100, required=True, errors=errors),
              "liaison": text(liaison, "liaison", "联络员", max_length=30, required=True, errors=errors)}
    units = list(units or [])
    outside = [u.name for u in units if not _covers(campaign, u)]
    if outside:
        errors["units"] = f"走访单位不在本次活动范围（{campaign.org.name}及下级）内：{'、'.join(outside)}"
    if not units:
        errors["units"] = "请选择走访单位"
    bad = [d for d in departments or [] if not (isinstance(d, str) and 0 < len(d.strip()) <= 20)]
    if bad:
        errors["departments"] = "参加部门名称须为 1 至 20 个字"
    if errors:
        raise ValidationError(errors)
    fields["departments"] = [d.strip() for d in departments or []]
    return fields, units


@transaction.atomic
def group_create(*, actor: Actor, campaign: Campaign, name: str, leaders: str, liaison: str, units: list[Org],
                 departments: list[str] | None = None) -> VisitGroup:
    _inside(actor, campaign.org)
    fields, units = _group_fields(campaign, name, leaders, liaison, units, departments)
    if campaign.groups.filter(name=fields["name"]).exists():
        raise ValidationError({"name": f"已有名为“{fields['name']}”的慰问组"})
    g = VisitGroup.objects.create(campaign=campaign, **fields)
    g.units.set(units)
    audit_record(actor=actor, action="campaign.group", object_type="visit_group", object_id=g.pk, org=campaign.org,
                 after={**fields, "units": [u.code for u in units]})
    return g


@transaction.atomic
def group_update(*, actor: Actor, group: VisitGroup, name: str, leaders: str, liaison: str, units: list[Org],
                 departments: list[str] | None = None) -> VisitGroup:
    campaign = group.campaign
    _inside(actor, campaign.org)
    fields, units = _group_fields(campaign, name, leaders, liaison, units, departments)
    if campaign.groups.filter(name=fields["name"]).exclude(pk=group.pk).exists():
        raise ValidationError({"name": f"已有名为“{fields['name']}”的慰问组"})
    before = {"name": group.name, "leaders": group.leaders, "liaison": group.liaison,
              "units": [u.code for u in group.units.all()], "departments": group.departments}
    for k, v in fields.items():
        setattr(group, k, v)
    group.save()
    group.units.set(units)
    audit_record(actor=actor, action="campaign.group", object_type="visit_group", object_id=group.pk,
                 org=campaign.org, before=before, after={**fields, "units": [u.code for u in units]})
    return group


@transaction.atomic
def group_checklist(*, actor: Actor, group: VisitGroup, planned_on: date | None, route: str, money_collected,
                    receipts_done: bool, note: str = "") -> VisitGroup:
    """The 联络员's checklist (003 附件3 四): time, route and way, money collected, receipts."""
    _inside(actor, group.campaign.org)
    errors: dict[str, str] = {}
    route = text(route, "route", "路线与方式", max_length=200, errors=errors)
    note = text(note, "note", "备注", max_length=200, errors=errors)
    try:
        collected = parse_amount(money_collected, allow_zero=True) if money_collected not in (None, "") \
            else Decimal("0.00")
    except AmountError as exc:
        errors["money_collected"] = str(exc)
        collected = None
    if planned_on and not group.campaign.in_window(planned_on):
        errors["planned_on"] = (f"走访日期须在活动时间（{group.campaign.starts_on:%m月%d日}至"
                                f"{group.campaign.ends_on:%m月%d日}）之内")
    if errors:
        raise ValidationError(errors)
    group.planned_on, group.route, group.money_collected = planned_on, route, collected
    group.receipts_done, group.note = bool(receipts_done), note
    group.save()
    audit_record(actor=actor, action="campaign.checklist", object_type="visit_group", object_id=group.pk,
                 org=group.campaign.org, after={"planned_on": planned_on, "route": route,
                                                "money_collected": collected, "receipts_done": bool(receipts_done)})
    return group


@transaction.atomic
def household_plan(*, actor: Actor, group: VisitGroup, archive: Archive | None = None, name: str = "",
                   unit: str = "", klass: str = "") -> PlannedHousehold:
    """Add a household to a group's plan: an archive (active, inside one of the group's units), or a named
    recipient with its class."""
    campaign = group.campaign
    _inside(actor, campaign.org)
    if archive is not None:
        if not actor.sees_org(archive.org):
            raise PermissionDenied("该档案不在您的管辖范围内。")
        if archive.status != ArchiveStatus.ACTIVE:
            raise ValidationError({"archive": f"档案 {archive.archive_no} 状态为“{archive.get_status_display()}”，"
                                              "只能安排在档户"})
        if not any(archive.org.path.startswith(u.path) for u in group.units.all()):
            raise ValidationError({"archive": f"{archive.org.name}不在本组的走访单位之内"})
        if group.households.filter(archive=archive, dropped=False).exists():
            raise ValidationError({"archive": "该户已在本组计划中"})
        h = PlannedHousehold.objects.create(group=group, archive=archive, name=archive.name,
                                            unit=archive.org.name[:100], klass=archive_class(archive))
    else:
        errors: dict[str, str] = {}
        name = text(name, "name", "姓名", max_length=30, required=True, errors=errors)
        unit = text(unit, "unit", "单位", max_length=100, errors=errors)
        if klass not in HouseholdClass.values:
            errors["klass"] = "请选择类别（困难劳模、困难农民工、困难职工或其他）"
        if errors:
            raise ValidationError(errors)
        h = PlannedHousehold.objects.create(group=group, name=name, unit=unit, klass=klass)
    audit_record(actor=actor, action="campaign.plan", object_type="visit_group", object_id=group.pk,
                 org=campaign.org, after={"household": h.pk, "name": h.name, "class": h.klass})
    return h


@transaction.atomic
def household_drop(*, actor: Actor, household: PlannedHousehold, reason: str) -> PlannedHousehold:
    _inside(actor, household.group.campaign.org)
    reason = text(reason, "reason", "取消理由", max_length=200, required=True)
    household.dropped, household.drop_reason = True, reason
    household.save(update_fields=["dropped", "drop_reason"])
    audit_record(actor=actor, action="campaign.plan_drop", object_type="visit_group", object_id=household.group_id,
                 org=household.group.campaign.org, after={"household": household.pk, "reason": reason})
    return household


def group_rule(group: VisitGroup, households=None) -> list[dict]:
    """The 003 附件3 三.2 rule on a group's live plan: each clause with what it needs and what the plan has."""
    rows = households if households is not None else list(group.households.filter(dropped=False))
    counts = {k: 0 for k in HouseholdClass.values}
    for h in rows:
        counts[h.klass] += 1
    clauses = [("total", "慰问不少于 4 户", GROUP_RULE["total"], len(rows))]
    for klass, label in ((HouseholdClass.MODEL, "困难劳模"), (HouseholdClass.MIGRANT, "困难农民工"),
                         (HouseholdClass.WORKER, "困难职工")):
        clauses.append((klass, f"其中{label}不少于 {GROUP_RULE[klass]} 户", GROUP_RULE[klass], counts[klass]))
    return [{"code": code, "label": label, "need": need, "have": have, "ok": have >= need}
            for code, label, need, have in clauses]


def group_rule_ok(group: VisitGroup, households=None) -> bool:
    return all(c["ok"] for c in group_rule(group, households))


# --- rights, services, trips home --------------------------------------------------------------------------

def _count(value, field: str, label: str, errors: dict, *, required: bool) -> int | None:
    if value in (None, ""):
        if required:
            errors[field] = f"请填写{label}"
        return None
    if isinstance(value, bool | float):
        errors[field] = f"{label}须为整数"
        return None
    try:
        n = int(str(value).strip())
    except ValueError:
        errors[field] = f"{label}须为整数"
        return None
    if n < 0:
        errors[field] = f"{label}不能为负数"
        return None
    return n


@transaction.atomic
def activity_record(*, actor: Actor, org: Org, kind: str, on_date: date, count, people=None, part=None,
                    amount=None, part_amount=None, campaign: Campaign | None = None, note: str = "") -> Activity:
    _inside(actor, org)
    k = KINDS.get(kind)
    if k is None:
        raise ValidationError({"kind": "请选择记录类别"})
    if not isinstance(on_date, date):
        raise ValidationError({"on_date": "请填写日期"})
    errors: dict[str, str] = {}
    a = Activity(org=org, kind=kind, on_date=on_date, campaign=campaign, created_by=actor.user,
                 note=text(note, "note", "说明", max_length=200, errors=errors))
    a.count = _count(count, "count", k.count_label or "数量", errors, required=True)
    a.people = _count(people, "people", "运送人次", errors, required=k.people) if k.people else None
    a.part = _count(part, "part", k.part_label or "其中", errors, required=False) if k.part_label else None
    for field, wanted, label in (("amount", bool(k.amount_label), k.amount_label or "金额"),
                                 ("part_amount", k.part_amount, "其中金额")):
        value = amount if field == "amount" else part_amount
        if not wanted or value in (None, ""):
            setattr(a, field, None)
            continue
        try:
            setattr(a, field, parse_amount(value, allow_zero=True))
        except AmountError as exc:
            errors[field] = f"{label}：{exc}"
    if k.amount_label and a.amount is None and "amount" not in errors:
        errors["amount"] = f"请填写{k.amount_label}"
    if a.part is not None and a.count is not None and a.part > a.count:
        errors["part"] = f"{k.part_label}（{a.part}）不能超过总数（{a.count}）"
    if a.part_amount is not None and a.amount is not None and a.part_amount > a.amount:
        errors["part_amount"] = f"其中金额（{a.part_amount}）不能超过总金额（{a.amount}）"
    if campaign is not None and not _covers(campaign, org):
        errors["campaign"] = "该单位不在所选活动的范围内"
    if errors:
        raise ValidationError(errors)
    a.save()
    audit_record(actor=actor, action="campaign.activity", object_type="activity", object_id=a.pk, org=org,
                 after={"kind": kind, "on_date": on_date, "count": a.count, "people": a.people, "part": a.part,
                        "amount": a.amount, "part_amount": a.part_amount})
    return a


@transaction.atomic
def activity_void(*, actor: Actor, activity: Activity, reason: str) -> Activity:
    _inside(actor, activity.org)
    reason = text(reason, "reason", "作废理由", max_length=200, required=True)
    if activity.voided:
        raise ValidationError({"__all__": "该记录已作废"})
    activity.voided, activity.void_reason = True, reason
    activity.save(update_fields=["voided", "void_reason"])
    audit_record(actor=actor, action="campaign.activity_void", object_type="activity", object_id=activity.pk,
                 org=activity.org, after={"reason": reason})
    return activity


# --- the weekly wage-arrears report --------------------------------------------------------------------------

WAN = Decimal("0.0001")


def _arrears_values(lines: dict) -> tuple[dict, dict]:
    """Parse ``{row: {amount, enterprises, people}}``; returns the values and the errors."""
    errors: dict[str, str] = {}
    out: dict[str, dict] = {}
    for row in ArrearsRow.values:
        given = lines.get(row) or {}
        label = ArrearsRow(row).label
        vals = {}
        raw = given.get("amount")
        if raw in (None, ""):
            vals["amount"] = Decimal("0")
        else:
            try:
                if isinstance(raw, float):
                    raise AmountError("请以文本或整数提交金额，不接受浮点数")
                d = Decimal(str(raw).strip())
                if not d.is_finite() or d < 0:
                    raise AmountError("不能为负数")
                if d != d.quantize(WAN):
                    raise AmountError("万元最多保留 4 位小数")
                vals["amount"] = d.quantize(WAN)
            except (AmountError, ArithmeticError, ValueError) as exc:
                msg = str(exc) if isinstance(exc, AmountError) else "须为数字"
                errors[f"{row}.amount"] = f"{label}拖欠数额：{msg}"
                vals["amount"] = Decimal("0")
        for col, col_label in (("enterprises", "涉及企业数"), ("people", "涉及人数")):
            n = _count(given.get(col), f"{row}.{col}", f"{label}{col_label}", errors, required=False)
            vals[col] = n or 0
        out[row] = vals
    if errors:
        return out, errors
    # parts never exceed their totals
    for col, col_label in (("amount", "拖欠数额"), ("enterprises", "涉及企业数"), ("people", "涉及人数")):
        if out[ArrearsRow.CONSTRUCTION][col] > out[ArrearsRow.MIGRANT][col]:
            errors[f"construction.{col}"] = f"其中建筑业农民工的{col_label}不能超过农民工的{col_label}"
    # the two breakdowns describe the same arrears: amounts and people must agree; an enterprise owing both
    # 城镇职工 and 农民工 counts once by type, so each labour source has at most the enterprises by type
    for col, col_label in (("amount", "拖欠数额"), ("people", "涉及人数")):
        by_type = sum(out[r][col] for r in BY_TYPE)
        by_source = sum(out[r][col] for r in BY_SOURCE)
        if by_type != by_source:
            errors[f"urban.{col}"] = (f"按企业类型合计的{col_label}（{by_type}）与按用工来源合计的（{by_source}）"
                                      "不一致")
    enterprises = sum(out[r]["enterprises"] for r in BY_TYPE)
    for r in BY_SOURCE:
        if out[r]["enterprises"] > enterprises:
            errors[f"{r}.enterprises"] = (f"{ArrearsRow(r).label}涉及企业数不能超过按企业类型合计的企业数"
                                          f"（{enterprises}）")
    return out, errors


@transaction.atomic
def arrears_save(*, actor: Actor, campaign: Campaign, org: Org, week_of: date, lines: dict, head: str = "",
                 filled_by: str = "", phone: str = "", reported_on: date | None = None, cases_note: str = "",
                 submit: bool = False) -> ArrearsReport:
    """Fill (and with ``submit`` send up) a unit's report for the week ending ``week_of``. A submitted report
    is not edited: saving again makes a new version and marks the old one superseded."""
    _inside(actor, org, Perm.REPORT_WRITE)
    if not _covers(campaign, org):
        raise ValidationError({"org": "该单位不在本次活动范围内"})
    if week_of not in fridays(campaign.arrears_from, campaign.arrears_to):
        raise ValidationError({"week_of": f"报送周须为 {campaign.arrears_from:%Y-%m-%d} 至 "
                                          f"{campaign.arrears_to:%Y-%m-%d} 之间的周五"})
    errors: dict[str, str] = {}
    head = text(head, "head", "单位负责人", max_length=30, required=submit, errors=errors)
    filled_by = text(filled_by, "filled_by", "填表人", max_length=30, required=submit, errors=errors)
    phone = text(phone, "phone", "联系电话", max_length=30, required=submit, errors=errors)
    cases_note = text(cases_note, "cases_note", "具体案例说明", max_length=4000, multiline=True, errors=errors)
    values, problems = _arrears_values(lines or {})
    errors.update(problems)
    if errors:
        raise ValidationError(errors)
    live = (ArrearsReport.objects.select_for_update()
            .filter(campaign=campaign, org=org, week_of=week_of, superseded=False).first())
    version = 1
    if live is not None:
        if live.status == ArrearsStatus.DRAFT:
            report = live  # a draft is still being filled: its lines are updated below
        else:
            live.superseded = True
            live.save(update_fields=["superseded"])
            version = live.version + 1
            report = None
    else:
        report = None
    if report is None:
        report = ArrearsReport(campaign=campaign, org=org, week_of=week_of, version=version, created_by=actor.user)
    report.head, report.filled_by, report.phone = head, filled_by, phone
    report.reported_on = reported_on or (timezone.localdate() if submit else None)
    report.cases_note = cases_note
    if submit:
        report.status, report.submitted_at = ArrearsStatus.SUBMITTED, timezone.now()
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        raise ValidationError({"__all__": "本周的周报刚被他人修改，请刷新后重试"}) from None
    for r, v in values.items():
        ArrearsLine.objects.update_or_create(report=report, row=r, defaults=v)
    audit_record(actor=actor, action="campaign.arrears_submit" if submit else "campaign.arrears_save",
                 object_type="arrears_report", object_id=report.pk, org=org,
                 after={"week_of": week_of, "version": report.version,
                        "lines": {r: {k: str(x) for k, x in v.items()} for r, v in values.items()}})
    return report


# --- the duty roster ------------------------------------------------------------------------------------------

@transaction.atomic
def duty_add(*, actor: Actor, campaign: Campaign, org: Org, on_date: date, starts: time, ends: time, person: str,
             phone: str, leader: str = "") -> DutyShift:
    _inside(actor, org)
    errors: dict[str, str] = {}
    person = text(person, "person", "值班人员", max_length=30, required=True, errors=errors)
    leader = text(leader, "leader", "带班领导", max_length=30, errors=errors)
    phone = text(phone, "phone", "联系电话", max_length=20, errors=errors)
    if "phone" not in errors and not (7 <= len(phone.replace("-", "")) <= 20 and phone.replace("-", "").isdigit()):
        errors["phone"] = "联系电话须为 7 至 20 位数字（可含“-”）"
    if not _covers(campaign, org):
        errors["org"] = "该单位不在本次活动范围内"
    if not isinstance(on_date, date):
        errors["on_date"] = "请填写日期"
    if isinstance(starts, time) and isinstance(ends, time):
        if ends <= starts:
            errors["ends"] = "结束时间须晚于开始时间"
    else:
        errors["starts"] = "请填写开始和结束时间"
    if errors:
        raise ValidationError(errors)
    shift = DutyShift.objects.create(campaign=campaign, org=org, on_date=on_date, starts=starts, ends=ends,
                                     person=person, phone=phone, leader=leader, created_by=actor.user)
    audit_record(actor=actor, action="campaign.duty", object_type="duty_shift", object_id=shift.pk, org=org,
                 after={"on_date": on_date, "starts": starts, "ends": ends, "person": person})
    return shift


@transaction.atomic
def duty_cancel(*, actor: Actor, shift: DutyShift) -> DutyShift:
    _inside(actor, shift.org)
    shift.cancelled = True
    shift.save(update_fields=["cancelled"])
    audit_record(actor=actor, action="campaign.duty_cancel", object_type="duty_shift", object_id=shift.pk,
                 org=shift.org)
    return shift
