"""送温暖活动 API of the visits, mounted at /api/campaigns/ beside the season's routes: coverage of a campaign (the
org and each direct child), the not-visited list, the visits (list, record, void), and the coverage and money
so far that the campaign's detail shows (registered into ``campaigns.extensions``).

Every route reaches its objects through the access helpers (outside the subtree: 404); the services check roles
(403) and the rules (422 with Chinese messages). Money is a string or an integer, never a float."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from warmth.archives.access import archives_for_actor
from warmth.campaigns.access import campaign_for_actor
from warmth.campaigns.api import ReasonIn, _org
from warmth.campaigns.models import Campaign, VisitGroup
from warmth.campaigns.queries import as_of_day, campaigns_around
from warmth.core import pii
from warmth.core.schemas import Money
from warmth.core.season import default_season
from warmth.core.validation import BoundedPagination, InputSchema
from warmth.funds.access import pot_for_actor
from warmth.orgs.access import org_for_actor
from warmth.orgs.models import Org
from warmth.payments.access import payment_for_actor
from warmth.visits import queries, services
from warmth.visits.access import visit_for_actor, visits_for_actor

router = Router(tags=["送温暖活动"])


class VisitIn(InputSchema):
    kind: str
    visited_on: date
    visitors: str
    org: str = ""
    group: int | None = None
    archive_no: str = ""
    recipient_kind: str = ""
    name: str = ""
    id_number: str = ""
    handed_over: str = ""
    payment: int | None = None
    cash_amount: Money = None
    cash_pot: int | None = None
    enterprise: str = ""
    enterprise_in_difficulty: bool = False
    findings: str = ""
    frontline_greeted: int = 0
    note: str = ""


class VisitOut(Schema):
    id: int
    org: str
    kind: str
    visited_on: date
    visitors: str
    group: int | None
    archive_no: str
    name: str
    id_number: str
    enterprise: str
    cash_amount: str | None
    outside_window: bool
    voided: bool

    @staticmethod
    def resolve_org(obj):
        return obj.org.code

    @staticmethod
    def resolve_group(obj):
        return obj.group_id

    @staticmethod
    def resolve_archive_no(obj):
        return obj.archive.archive_no if obj.archive_id else ""

    @staticmethod
    def resolve_id_number(obj):
        return pii.mask_id_number(obj.id_number) if obj.id_number else ""

    @staticmethod
    def resolve_cash_amount(obj):
        return None if obj.cash_amount is None else str(obj.cash_amount)


def _coverage_row(org: Org | None, cov: queries.Coverage) -> dict:
    head = {"code": org.code, "name": org.name} if org else {"code": None, "name": "本级直属"}
    return {**head, **cov.as_dict()}


def detail_figures(campaign: Campaign, org: Org) -> dict:
    """What the campaign's API detail adds from the visits: coverage and money so far (strings for money)."""
    money = queries.money_so_far(campaign, org)
    day = as_of_day(org, campaign.year)
    return {"coverage": {**queries.coverage(org, campaign.year, day).as_dict(), "as_of": day},
            "money": {k: str(v) if not isinstance(v, int) else v for k, v in money.items()}}


@router.get("/coverage", response=dict, summary="走访覆盖（按组织和年度，任何一级）：本单位及每个直属下级")
def campaigns_season_coverage(request, org: str = "", year: int | None = None):
    """The season's visits of every level's campaign; households 在档 at the end of ``as_of`` (the day printed
    beside the figure on every page). ``year`` omitted: the default season."""
    actor = request.auth
    o = org_for_actor(actor, org.strip()) if org.strip() else actor.org
    if year is None:
        year = default_season(o)
    elif not 2000 <= year <= 2098:
        raise ValidationError({"year": "年度须在 2000 至 2098 之间"})
    day = as_of_day(o, year)
    rows = queries.coverage_by_child(o, year, day)
    around = campaigns_around(o).filter(year=year).select_related("org").order_by("org__path")
    return {"year": year, "as_of": day, "campaigns": [{"id": c.pk, "org": c.org.code, "name": str(c)} for c in around],
            **_coverage_row(o, queries.summed(rows)), "children": [_coverage_row(child, cov) for child, cov in rows]}


@router.get("/{int:campaign_id}/coverage", response=dict, summary="走访覆盖：本单位及每个直属下级")
def campaigns_coverage(request, campaign_id: int, org: str = ""):
    c = campaign_for_actor(request.auth, campaign_id)
    o = _org(request.auth, c, org)
    day = as_of_day(o, c.year)
    rows = queries.coverage_by_child(o, c.year, day)
    return {"campaign": c.pk, "year": c.year, "as_of": day, **_coverage_row(o, queries.summed(rows)),
            "children": [_coverage_row(child, cov) for child, cov in rows]}


@router.get("/{int:campaign_id}/not-visited", response=list[dict], summary="尚未走访的在档户")
@paginate(BoundedPagination)
def campaigns_not_visited(request, campaign_id: int, org: str = "", models_only: bool = False):
    c = campaign_for_actor(request.auth, campaign_id)
    o = _org(request.auth, c, org)
    return [{"archive_no": a.archive_no, "name": a.name, "org": a.org.code, "org_name": a.org.name,
             "category": a.category, "model_worker_type": a.model_worker_type}
            for a in queries.not_visited(o, c.year, as_of_day(o, c.year), models_only=models_only).only(
                "archive_no", "name", "category", "model_worker_type", "org__code", "org__name", "org__path")]


@router.get("/{int:campaign_id}/visits", response=list[VisitOut], summary="走访记录（身份证号脱敏）")
@paginate(BoundedPagination)
def campaigns_visit_list(request, campaign_id: int, org: str = ""):
    c = campaign_for_actor(request.auth, campaign_id)
    qs = visits_for_actor(request.auth).filter(campaign=c).select_related("org", "archive")
    if org.strip():
        qs = qs.filter(org__path__startswith=_org(request.auth, c, org).path)
    return qs.order_by("-visited_on", "-id")


@router.post("/{int:campaign_id}/visits", response={201: dict}, summary="登记一次走访（入户或企业）")
def campaigns_visit_create(request, campaign_id: int, payload: VisitIn):
    actor = request.auth
    c = campaign_for_actor(actor, campaign_id)
    archive = None
    if payload.archive_no.strip():
        archive = archives_for_actor(actor).filter(archive_no=payload.archive_no.strip()).select_related("org").first()
        if archive is None:
            raise Http404("档案不存在或不在您的管辖范围内")
    group = None
    if payload.group is not None:
        group = VisitGroup.objects.filter(pk=payload.group, campaign=c).first()
        if group is None:
            raise ValidationError({"group": "慰问组不属于本次活动"})
    payment = None
    if payload.payment is not None:
        payment = payment_for_actor(actor, payload.payment)
    pot = pot_for_actor(actor, payload.cash_pot) if payload.cash_pot is not None else None
    r = services.visit_record(
        actor=actor, campaign=c, kind=payload.kind, visited_on=payload.visited_on, visitors=payload.visitors,
        org=org_for_actor(actor, payload.org.strip()) if payload.org.strip() else None, group=group,
        archive=archive, recipient_kind=payload.recipient_kind, name=payload.name, id_number=payload.id_number,
        handed_over=payload.handed_over, payment=payment, cash_amount=payload.cash_amount, cash_pot=pot,
        enterprise=payload.enterprise, enterprise_in_difficulty=payload.enterprise_in_difficulty,
        findings=payload.findings, frontline_greeted=payload.frontline_greeted, note=payload.note)
    v = visit_for_actor(actor, r.visit.pk)
    return Status(201, {"visit": VisitOut.from_orm(v).dict(), "warnings": r.warnings})


@router.post("/visits/{int:visit_id}/void", response=VisitOut, summary="作废走访记录（保留原记录）")
def campaigns_visit_void(request, visit_id: int, payload: ReasonIn):
    v = visit_for_actor(request.auth, visit_id)
    services.visit_void(actor=request.auth, visit=v, reason=payload.reason)
    return visit_for_actor(request.auth, visit_id)
