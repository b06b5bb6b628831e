"""送温暖活动 API: campaigns (their detail with what the visits app adds: coverage, money so far), visit groups with
the 003 rule and their planned households, rights and service records, the weekly wage-arrears report (a unit's
own and the sum of its children with the missing list) and the duty roster.

The visit, coverage and not-visited routes are ``visits.api``, mounted at the same prefix. Every route reaches
its objects through ``warmth.campaigns.access`` (outside the subtree: 404); the services
check roles (403) and the rules (422 with Chinese messages). Money is a string or an integer, never a float."""

from __future__ import annotations

from datetime import date, time

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from warmth.archives.access import archives_for_actor
from warmth.campaigns import extensions, queries, services
from warmth.campaigns.access import (
    activities_for_actor,
    campaign_for_actor,
    campaign_owned,
    campaigns_for_actor,
    group_for_actor,
    group_is_own,
    group_owned,
    shifts_for_actor,
)
from warmth.campaigns.models import Campaign, VisitGroup
from warmth.core import pii
from warmth.core.schemas import Money
from warmth.core.validation import BoundedPagination, InputSchema
from warmth.orgs.access import Actor, org_for_actor
from warmth.orgs.models import Org

router = Router(tags=["送温暖活动"])


# --- schemas ------------------------------------------------------------------------------------------

class CampaignIn(InputSchema):
    org: str
    year: int
    theme: str
    doc_no: str = ""
    recipient_kinds: list[str] | None = None
    hotline: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    focus_from: date | None = None
    focus_to: date | None = None
    report_deadline: date | None = None


class GroupIn(InputSchema):
    name: str
    leaders: str
    liaison: str
    units: list[str]
    departments: list[str] | None = None


class HouseholdIn(InputSchema):
    archive_no: str = ""
    name: str = ""
    unit: str = ""
    klass: str = ""


class ReasonIn(InputSchema):
    reason: str


class ActivityIn(InputSchema):
    org: str = ""
    kind: str
    on_date: date
    count: int
    people: int | None = None
    part: int | None = None
    amount: Money = None
    part_amount: Money = None
    campaign: int | None = None
    note: str = ""


class ArrearsCellIn(InputSchema):
    amount: Money = None
    enterprises: int | None = None
    people: int | None = None


class ArrearsIn(InputSchema):
    org: str = ""
    week_of: date
    lines: dict[str, ArrearsCellIn]
    head: str = ""
    filled_by: str = ""
    phone: str = ""
    reported_on: date | None = None
    cases_note: str = ""
    submit: bool = False


class DutyIn(InputSchema):
    org: str = ""
    on_date: date
    starts: time
    ends: time
    person: str
    phone: str
    leader: str = ""


class CampaignRowOut(Schema):
    id: int
    name: str
    org: str
    year: int
    status: str
    starts_on: date
    ends_on: date

    @staticmethod
    def resolve_name(obj):
        return str(obj)

    @staticmethod
    def resolve_org(obj):
        return obj.org.code


class ActivityOut(Schema):
    id: int
    org: str
    kind: str
    on_date: date
    count: int
    people: int | None
    part: int | None
    amount: str | None
    part_amount: str | None
    campaign: int | None
    note: str
    voided: bool

    @staticmethod
    def resolve_org(obj):
        return obj.org.code

    @staticmethod
    def resolve_campaign(obj):
        return obj.campaign_id

    @staticmethod
    def resolve_amount(obj):
        return None if obj.amount is None else str(obj.amount)

    @staticmethod
    def resolve_part_amount(obj):
        return None if obj.part_amount is None else str(obj.part_amount)


# --- helpers ------------------------------------------------------------------------------------------

def _org(actor: Actor, campaign: Campaign | None, code: str) -> Org:
    """The org a route works on: ``code`` (inside the actor's subtree), else the actor's own org, else (for an
    actor above the campaign) the campaign's organizing org. It must lie inside the campaign's subtree."""
    code = (code or "").strip()
    org = org_for_actor(actor, code) if code else actor.org
    if campaign is not None and not org.path.startswith(campaign.org.path):
        if code:
            raise ValidationError({"org": f"{org.name}不在本次活动范围（{campaign.org.name}及下级）内"})
        org = campaign.org
    return org


def _group(g: VisitGroup, actor: Actor) -> dict:
    """A group as the actor may see it: every planned household in a group of their own campaign; in a
    campaign above, only their subtree's (the rule still counts the whole group)."""
    everyone = list(g.households.all())
    live = [h for h in everyone if not h.dropped]
    rule = services.group_rule(g, live)
    visited = extensions.plan_visits(g)  # from the visits app: each planned household visited so far
    shown = everyone if group_is_own(actor, g) else [
        h for h in everyone if h.archive_id and h.archive.org.path.startswith(actor.org.path)]
    return {"id": g.pk, "name": g.name, "leaders": g.leaders, "liaison": g.liaison,
            "units": [u.code for u in g.units.all()], "departments": g.departments,
            "rule": rule, "rule_ok": all(x["ok"] for x in rule),
            "households": [{"id": h.pk, "archive_no": h.archive.archive_no if h.archive_id else "", "name": h.name,
                            "unit": h.unit, "klass": h.klass, "dropped": h.dropped, "drop_reason": h.drop_reason,
                            "visited": h.pk in visited,
                            "visited_on": visited[h.pk].visited_on if h.pk in visited else None}
                           for h in shown], "own": group_is_own(actor, g), "hidden": len(everyone) - len(shown)}


def _detail(actor: Actor, c: Campaign) -> dict:
    org = _org(actor, c, "")
    groups = c.groups.prefetch_related("units", "households__archive__org").order_by("id")  # every level under it
    out = {"id": c.pk, "name": str(c), "org": c.org.code, "org_name": c.org.name, "year": c.year,
           "theme": c.theme, "doc_no": c.doc_no, "status": c.status, "starts_on": c.starts_on, "ends_on": c.ends_on,
           "focus_from": c.focus_from, "focus_to": c.focus_to, "report_deadline": c.report_deadline,
           "arrears_from": c.arrears_from, "arrears_to": c.arrears_to, "recipient_kinds": c.recipient_kinds,
           "duties": c.duties, "hotline": c.hotline, "viewed_from": org.code}
    for figures in extensions.DETAIL:  # coverage and money so far, from the visits app
        out.update(figures(c, org))
    out["groups"] = [_group(g, actor) for g in groups]
    return out


# --- campaigns ----------------------------------------------------------------------------------------

@router.get("/", response=list[CampaignRowOut], summary="活动列表（本单位及下级组织的、上级覆盖本单位的）")
@paginate(BoundedPagination)
def campaigns_list(request, year: int | None = None):
    qs = campaigns_for_actor(request.auth).select_related("org").order_by("-year", "org__path")
    return qs.filter(year=year) if year else qs


@router.post("/", response={201: dict}, summary="新建活动（时间默认取元旦至春节）")
def campaigns_create(request, payload: CampaignIn):
    actor = request.auth
    dates = {k: v for k in ("starts_on", "ends_on", "focus_from", "focus_to", "report_deadline")
             if (v := getattr(payload, k)) is not None}
    c = services.campaign_create(actor=actor, org=org_for_actor(actor, payload.org.strip()), year=payload.year,
                                 theme=payload.theme, doc_no=payload.doc_no, recipient_kinds=payload.recipient_kinds,
                                 hotline=payload.hotline, **dates)
    return Status(201, _detail(actor, campaign_for_actor(actor, c.pk)))


@router.get("/{int:campaign_id}", response=dict, summary="活动概况：时间、慰问组及其分组规则、覆盖、已发放金额")
def campaigns_detail(request, campaign_id: int):
    return _detail(request.auth, campaign_for_actor(request.auth, campaign_id))


# --- groups ---------------------------------------------------------------------------------------------

@router.post("/{int:campaign_id}/groups", response={201: dict}, summary="新建慰问组")
def campaigns_group_create(request, campaign_id: int, payload: GroupIn):
    actor = request.auth
    c = campaign_owned(actor, campaign_id)
    wanted = [u.strip() for u in payload.units if u.strip()]
    units = list(Org.objects.filter(code__in=wanted, path__startswith=actor.org.path))
    missing = set(wanted) - {u.code for u in units}
    if missing:
        raise ValidationError({"units": f"组织代码不存在或不在您的管辖范围内：{'、'.join(sorted(missing))}"})
    g = services.group_create(actor=actor, campaign=c, name=payload.name, leaders=payload.leaders,
                              liaison=payload.liaison, units=units, departments=payload.departments)
    return Status(201, _group(group_for_actor(actor, g.pk), actor))


@router.get("/groups/{int:group_id}", response=dict, summary="慰问组：走访单位、计划走访户与分组规则")
def campaigns_group_detail(request, group_id: int):
    return _group(group_for_actor(request.auth, group_id), request.auth)


@router.post("/groups/{int:group_id}/households", response={201: dict}, summary="把一户列入慰问组的走访计划")
def campaigns_household_plan(request, group_id: int, payload: HouseholdIn):
    actor = request.auth
    g = group_owned(actor, group_id)
    archive = None
    if payload.archive_no.strip():
        archive = archives_for_actor(actor).filter(archive_no=payload.archive_no.strip()).select_related("org").first()
        if archive is None:
            raise Http404("档案不存在或不在您的管辖范围内")
    services.household_plan(actor=actor, group=g, archive=archive, name=payload.name, unit=payload.unit,
                            klass=payload.klass)
    return Status(201, _group(group_for_actor(actor, group_id), actor))


# --- rights and services --------------------------------------------------------------------------------

@router.get("/activities", response=list[ActivityOut], summary="维权、帮扶、服务与返乡记录")
@paginate(BoundedPagination)
def campaigns_activity_list(request, kind: str = "", campaign: int | None = None):
    qs = activities_for_actor(request.auth).select_related("org")
    if kind:
        qs = qs.filter(kind=kind)
    if campaign is not None:
        qs = qs.filter(campaign_id=campaign)
    return qs.order_by("-on_date", "-id")


@router.post("/activities", response={201: ActivityOut}, summary="登记一条工作记录")
def campaigns_activity_create(request, payload: ActivityIn):
    actor = request.auth
    c = campaign_for_actor(actor, payload.campaign) if payload.campaign is not None else None
    a = services.activity_record(actor=actor, org=_org(actor, c, payload.org), kind=payload.kind,
                                 on_date=payload.on_date, count=payload.count, people=payload.people,
                                 part=payload.part, amount=payload.amount, part_amount=payload.part_amount,
                                 campaign=c, note=payload.note)
    return Status(201, activities_for_actor(actor).select_related("org").get(pk=a.pk))


# --- the weekly wage-arrears report --------------------------------------------------------------------

def _report(r) -> dict | None:
    if r is None:
        return None
    return {"id": r.pk, "org": r.org.code, "week_of": r.week_of, "version": r.version, "status": r.status,
            "head": r.head, "filled_by": r.filled_by, "reported_on": r.reported_on, "cases_note": r.cases_note,
            "lines": {ln.row: {"amount": str(ln.amount), "enterprises": ln.enterprises, "people": ln.people}
                      for ln in r.lines.all()}}


@router.get("/{int:campaign_id}/arrears", response=dict,
            summary="欠薪周报：本单位的报表、各直属下级已报送的合计、未报送的单位")
def campaigns_arrears_week(request, campaign_id: int, week_of: date, org: str = ""):
    c = campaign_for_actor(request.auth, campaign_id)
    o = _org(request.auth, c, org)
    w = queries.arrears_week(c, o, week_of)
    return {"campaign": c.pk, "org": o.code, "week_of": week_of, "own": _report(w["own"]),
            "sums": {row: {"amount": str(v["amount"]), "enterprises": v["enterprises"], "people": v["people"]}
                     for row, v in w["sums"].items()},
            "submitted": [child.code for child, r in w["children"] if r is not None],
            "missing": [{"code": m.code, "name": m.name} for m in w["missing"]]}


@router.post("/{int:campaign_id}/arrears", response=dict, summary="填报（或报送）本单位的欠薪周报")
def campaigns_arrears_save(request, campaign_id: int, payload: ArrearsIn):
    actor = request.auth
    c = campaign_for_actor(actor, campaign_id)
    r = services.arrears_save(actor=actor, campaign=c, org=_org(actor, c, payload.org), week_of=payload.week_of,
                              lines={k: v.dict() for k, v in payload.lines.items()}, head=payload.head,
                              filled_by=payload.filled_by, phone=payload.phone, reported_on=payload.reported_on,
                              cases_note=payload.cases_note, submit=payload.submit)
    return _report(type(r).objects.select_related("org").prefetch_related("lines").get(pk=r.pk))


# --- the duty roster ------------------------------------------------------------------------------------

@router.get("/{int:campaign_id}/duty", response=list[dict], summary="节日值班表（电话脱敏）")
def campaigns_duty_list(request, campaign_id: int):
    c = campaign_for_actor(request.auth, campaign_id)
    return [{"id": s.pk, "org": s.org.code, "on_date": s.on_date, "starts": s.starts, "ends": s.ends,
             "person": s.person, "phone": pii.mask_phone(s.phone), "leader": s.leader, "cancelled": s.cancelled}
            for s in shifts_for_actor(request.auth).filter(campaign=c).select_related("org")]


@router.post("/{int:campaign_id}/duty", response={201: dict}, summary="安排一班节日值班")
def campaigns_duty_add(request, campaign_id: int, payload: DutyIn):
    actor = request.auth
    c = campaign_for_actor(actor, campaign_id)
    s = services.duty_add(actor=actor, campaign=c, org=_org(actor, c, payload.org), on_date=payload.on_date,
                          starts=payload.starts, ends=payload.ends, person=payload.person, phone=payload.phone,
                          leader=payload.leader)
    return Status(201, {"id": s.pk, "org": s.org.code, "on_date": s.on_date, "person": s.person,
                        "phone": pii.mask_phone(s.phone)})
