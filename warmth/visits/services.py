"""What changes the visits: recording one (with the cash handed over, deducted from the visited unit's money)
and voiding one. Each checks the actor's subtree and role, refuses bad input with Chinese messages (nothing
written), and writes an audit row. The campaign's own rules (who takes part, what it covers) are the season's
(``campaigns.services``)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from warmth.archives.choices import ArchiveStatus
from warmth.archives.models import Archive
from warmth.audit.services import audit_record
from warmth.campaigns.choices import RecipientKind, VisitKind
from warmth.campaigns.models import Campaign, VisitGroup
from warmth.campaigns.services import _covers, _inside, _takes_part
from warmth.core import idcard
from warmth.core.money import AmountError, parse_amount
from warmth.core.validation import text
from warmth.funds.models import FundPot
from warmth.funds.services import visit_deduct
from warmth.orgs.access import Actor
from warmth.orgs.models import Org
from warmth.orgs.permissions import Perm
from warmth.visits.models import Visit

#: an archive in these states is an applicant's: a visit to it is a visit before filing
FILING = (ArchiveStatus.SUBMITTED, ArchiveStatus.VERIFYING, ArchiveStatus.PUBLICIZING, ArchiveStatus.APPROVING)


def filed_day(archive: Archive) -> date | None:
    """The day the household was filed (在档): its approval; None for an archive 在档 without one (filed before
    the system, as the dashboard counts it), which no visit date precedes."""
    return timezone.localdate(archive.activated_at) if archive.activated_at else None


class VisitResult:
    def __init__(self, visit: Visit, warnings: list[str]):
        self.visit, self.warnings = visit, warnings


@transaction.atomic
def visit_record(*, actor: Actor, campaign: Campaign, kind: str, visited_on: date, visitors: str,
                 org: Org | None = None,
                 group: VisitGroup | None = None, archive: Archive | None = None, recipient_kind: str = "",
                 name: str = "", id_number: str = "", handed_over: str = "", payment=None,
                 cash_amount=None, cash_pot: FundPot | None = None, enterprise: str = "",
                 enterprise_in_difficulty: bool = False, findings: str = "", frontline_greeted=0,
                 note: str = "") -> VisitResult:
    """Record a visit. Refused (nothing written, every mistake at once): a date outside the campaign window, an
    archive neither filed (在档) nor being filed, a unit outside the campaign's subtree or outside the group's
    units, a negative count, a payment of another household or campaign. A visit to an archive dated before
    the household was filed (in the filing process, or 在档 since a later day) is recorded as a visit to an
    applicant (``applicant``): kept and shown, but not counted as a filed household's visit (coverage, the
    not-visited list, the never-helped list). Cash handed over on the visit is deducted from ``cash_pot``,
    money already allocated to the visited unit (003 三.4)."""
    _takes_part(actor, campaign)
    errors: dict[str, str] = {}
    warnings: list[str] = []
    if kind not in VisitKind.values:
        raise ValidationError({"kind": "请选择走访类型"})
    if not isinstance(visited_on, date):
        raise ValidationError({"visited_on": "请填写走访日期"})
    if not campaign.in_window(visited_on):
        errors["visited_on"] = (f"走访日期须在活动时间（{campaign.starts_on:%Y-%m-%d} 至 {campaign.ends_on:%Y-%m-%d}）"
                                f"之内，{visited_on:%Y-%m-%d} 不在其中")
    visitors = text(visitors, "visitors", "走访人员", max_length=200, required=True, errors=errors)
    if archive is not None:
        if not actor.sees_org(archive.org):
            raise PermissionDenied("该档案不在您的管辖范围内。")
        org = archive.org
    if org is None:
        raise ValidationError({"org": "请选择走访的单位"})
    if not actor.sees_org(org):
        raise PermissionDenied("该单位不在您的管辖范围内。")
    if not _covers(campaign, org):
        errors["org"] = f"{org.name}不在本次活动范围（{campaign.org.name}及下级）内"
    if group is not None:
        if group.campaign_id != campaign.pk:
            errors["group"] = "慰问组不属于本次活动"
        elif not any(org.path.startswith(u.path) for u in group.units.all()):
            errors["group"] = f"{org.name}不在{group.name}的走访单位之内"
    try:
        greeted = int(frontline_greeted or 0)
    except (TypeError, ValueError):
        greeted = -1
    if greeted < 0:
        errors["frontline_greeted"] = "慰问一线职工人数须为不小于 0 的整数"
    v = Visit(campaign=campaign, org=org, group=group, kind=kind, visited_on=visited_on, visitors=visitors,
              created_by=actor.user, note=text(note, "note", "备注", max_length=200, errors=errors),
              frontline_greeted=max(greeted, 0))
    if kind == VisitKind.HOUSEHOLD:
        v.handed_over = text(handed_over, "handed_over", "送去的慰问金物", max_length=200, errors=errors)
        if archive is not None:
            if archive.status not in (ArchiveStatus.ACTIVE, *FILING):
                errors["archive"] = (f"档案 {archive.archive_no} 状态为“{archive.get_status_display()}”，"
                                     "只能走访在档户或正在建档的申请人（未建档的请先建档）")
            filed_on = filed_day(archive)
            if archive.status in FILING or (filed_on is not None and visited_on < filed_on):
                v.applicant = True
                since = f"于 {filed_on:%Y-%m-%d} 建档" if archive.status == ArchiveStatus.ACTIVE else "尚在建档中"
                warnings.append(f"该户{since}，走访日期 {visited_on:%Y-%m-%d} 在建档之前：记为对申请人的走访，"
                                "不计入在档户的走访")
            v.archive, v.recipient_kind, v.name = archive, RecipientKind.ARCHIVE, archive.name
            v.id_number = archive.id_number
        else:
            v.name = text(name, "name", "姓名", max_length=30, required=True, errors=errors)
            if recipient_kind not in RecipientKind.values or recipient_kind == RecipientKind.ARCHIVE:
                errors["recipient_kind"] = "在档困难职工请选择档案；其他对象请选择对象类别"
            v.recipient_kind = recipient_kind
            if id_number:
                try:
                    v.id_number = idcard.parse(id_number).number
                except idcard.IdCardError as exc:
                    errors["id_number"] = f"身份证号无效：{exc}"
        if payment is not None:
            if not actor.sees_org(payment.org):
                raise PermissionDenied("该发放记录不在您的管辖范围内。")
            if payment.campaign_id not in (None, campaign.pk):
                errors["payment"] = "该发放属于另一次活动"
            if archive is not None and payment.archive_id != archive.pk:
                errors["payment"] = "该发放不是发给本户的"
            v.payment = payment
        if cash_amount not in (None, ""):
            try:
                v.cash_amount = parse_amount(cash_amount)
            except AmountError as exc:
                errors["cash_amount"] = str(exc)
            if cash_pot is None:
                errors["cash_pot"] = "现场发放慰问金须选择从哪笔已拨资金中扣减"
            elif not org.path.startswith(cash_pot.org.path) or not actor.sees_org(cash_pot.org):
                errors["cash_pot"] = "只能从走访单位（或其上级在您管辖范围内的单位）已拨付的资金中扣减"
            if group is None:
                errors["cash_amount"] = "现金只能由慰问团入户当面发放：请选择慰问组"
            v.cash_pot = cash_pot
    else:
        v.enterprise = text(enterprise, "enterprise", "企业名称", max_length=100, required=True, errors=errors)
        v.enterprise_in_difficulty = bool(enterprise_in_difficulty)
        v.findings = text(findings, "findings", "了解到的情况", max_length=4000, multiline=True, errors=errors)
    if errors:
        raise ValidationError(errors)
    if v.archive_id and not v.applicant and Visit.objects.filter(campaign=campaign, archive=v.archive, voided=False,
                                                                 applicant=False).exists():
        warnings.append("本次活动中已走访过该户（不重复走访）：本条已记录，计入“重复走访”")
    v.save()
    if v.cash_amount:
        spent = visit_deduct(actor=actor, pot=v.cash_pot, amount=v.cash_amount,
                             group_name=f"{campaign.year}年{group.name}", visited_on=visited_on,
                             # before filing the household had no archive: central money may not pay it
                             archive_status=archive.status if archive and not v.applicant else None,
                             person_bidx=v.id_number_bidx if v.id_number else "", perm=Perm.PAYMENT_WRITE)
        v.entry = spent.entry
        v.save(update_fields=["entry"])
    audit_record(actor=actor, action="campaign.visit", object_type="visit", object_id=v.pk, org=org,
                 after={"kind": kind, "visited_on": visited_on, "archive": archive.archive_no if archive else "",
                        "applicant": v.applicant,
                        "name": v.name or v.enterprise, "cash": v.cash_amount, "warnings": warnings})
    return VisitResult(v, warnings)


@transaction.atomic
def visit_void(*, actor: Actor, visit: Visit, reason: str) -> Visit:
    """A visit recorded in error is voided (kept, left out of coverage). Cash it deducted is not touched here:
    reverse that ledger entry on the funds side, with its own reason."""
    _inside(actor, visit.org)
    reason = text(reason, "reason", "作废理由", max_length=200, required=True)
    if visit.voided:
        raise ValidationError({"__all__": "该走访记录已作废"})
    visit.voided, visit.void_reason = True, reason
    visit.save(update_fields=["voided", "void_reason"])
    audit_record(actor=actor, action="campaign.visit_void", object_type="visit", object_id=visit.pk, org=visit.org,
                 after={"reason": reason})
    return visit
