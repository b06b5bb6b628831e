"""实名制发放 API: list, detail (masked unless pii.full, which is audited), create, the rule check, and one POST
route per step. Payments are reached through ``payment_for_actor`` (404 outside the subtree); the services
check roles (403) and rules (422). Money is a string or an integer; a float is refused."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from warmth.archives.access import archives_for_actor
from warmth.audit.services import audit_record
from warmth.campaigns.access import campaign_for_actor
from warmth.core import pii
from warmth.core.schemas import Money
from warmth.core.tables import refusal_detail, upload_on_disk
from warmth.core.validation import BoundedPagination, InputSchema
from warmth.funds.access import pot_for_actor
from warmth.orgs.access import org_for_actor
from warmth.orgs.permissions import Perm
from warmth.payments import services
from warmth.payments.access import payment_for_actor, payments_for_actor

router = Router(tags=["发放"])


class PaymentIn(InputSchema):
    pot: int
    aid_type: str
    amount: Money
    method: str
    archive_no: str = ""
    recipient_kind: str = "other"
    name: str = ""
    id_number: str = ""
    unit_or_address: str = ""
    phone: str = ""
    bank_account: str = ""
    bank_name: str = ""
    on_visit: bool = False
    goods_items: str = ""
    repeat_reason: str = ""
    note: str = ""
    campaign: int | None = None


class NoteIn(InputSchema):
    note: str = ""


class ReasonIn(InputSchema):
    reason: str


class RepayIn(InputSchema):
    bank_account: str
    bank_name: str = ""


class ReturnOut(Schema):
    applied: bool
    rows: int
    succeeded: int
    failed: int
    unchanged: int
    amount: str
    payments: list[int] = []
    errors: list[tuple[int, str]]
    detail: str = ""


class PaidIn(InputSchema):
    paid_on: date | None = None
    note: str = ""


class StepOut(Schema):
    action: str
    step_name: str
    note: str
    actor: str
    at: str


class PaymentOut(Schema):
    id: int
    org: str
    pot: int
    status: str
    aid_type: str
    amount: str
    method: str
    recipient_kind: str
    name: str
    sex: str
    age: int | None
    id_number: str
    phone: str
    unit_or_address: str
    archive_no: str
    chain: list[str]
    step: int
    steps: list[StepOut]
    actions: list[str]          # what this caller may do now (the workflow's allowed actions), nothing else
    waiting_on: str | None      # who acts next ("待 … 审批"), None when the payment rests


class RowOut(Schema):
    id: int
    org: str
    status: str
    aid_type: str
    amount: str
    name: str
    id_number: str

    @staticmethod
    def resolve_org(obj):
        return obj.org.code

    @staticmethod
    def resolve_amount(obj):
        return str(obj.amount)

    @staticmethod
    def resolve_id_number(obj):
        return pii.mask_id_number(obj.id_number)


def _out(actor, p) -> dict:
    full = actor.can(Perm.PII_FULL)
    if full:
        audit_record(actor=actor, action="pii.view", object_type="payment", object_id=p.pk, org=p.org,
                     after={"fields": ["id_number", "phone"]})
    return {"id": p.pk, "org": p.org.code, "pot": p.pot_id, "status": p.status, "aid_type": p.aid_type,
            "amount": str(p.amount), "method": p.method, "recipient_kind": p.recipient_kind, "name": p.name,
            "sex": p.sex, "age": p.age, "id_number": p.id_number if full else pii.mask_id_number(p.id_number),
            "phone": p.phone if full or not p.phone else pii.mask_phone(p.phone), "unit_or_address": p.unit_or_address,
            "archive_no": p.archive_no, "chain": p.chain, "step": p.step,
            "actions": services.WORKFLOW.allowed(actor, p),
            "waiting_on": str(w) if (w := services.WORKFLOW.waiting_on(p)) else None,
            "steps": [{"action": s.action, "step_name": s.step_name, "note": s.note, "actor": s.actor.display_name,
                       "at": s.at.isoformat()} for s in p.steps.select_related("actor")]}


@router.get("/", response=list[RowOut], summary="发放列表（身份证号脱敏）")
@paginate(BoundedPagination)
def payments_list(request, status: str = ""):
    qs = payments_for_actor(request.auth).select_related("org").order_by("-id")
    return qs.filter(status=status) if status else qs


@router.get("/{int:payment_id}", response=PaymentOut, summary="发放详情")
def payments_detail(request, payment_id: int):
    return _out(request.auth, payment_for_actor(request.auth, payment_id))


@router.post("/", response={201: PaymentOut}, summary="新建发放（草稿）")
def payments_create(request, payload: PaymentIn):
    actor = request.auth
    pot = pot_for_actor(actor, payload.pot)
    archive = None
    if payload.archive_no.strip():
        archive = archives_for_actor(actor).filter(archive_no=payload.archive_no.strip()).select_related("org").first()
        if archive is None:
            raise Http404("档案不存在或不在您的管辖范围内")
    recipient = None if archive else services.Recipient(name=payload.name, id_number=payload.id_number,
                                                        unit_or_address=payload.unit_or_address, phone=payload.phone)
    campaign = None
    if payload.campaign is not None:
        campaign = campaign_for_actor(actor, payload.campaign)
    p = services.payment_create(actor=actor, pot=pot, aid_type=payload.aid_type, amount=payload.amount,
                                method=payload.method, archive=archive, recipient=recipient,
                                recipient_kind=payload.recipient_kind, on_visit=payload.on_visit,
                                goods_items=payload.goods_items, bank_account=payload.bank_account,
                                bank_name=payload.bank_name, repeat_reason=payload.repeat_reason, note=payload.note,
                                campaign=campaign)
    return Status(201, _out(actor, payment_for_actor(actor, p.pk)))


@router.get("/{int:payment_id}/evaluate", summary="按全部资金规则检查该笔发放（不记账）")
def payments_evaluate(request, payment_id: int):
    ev = services.evaluate(payment_for_actor(request.auth, payment_id))
    return {"blocked": ev.blocked, "verdicts": [v.__dict__ for v in ev.verdicts]}


def _step(request, payment_id, fn, **kw):
    p = payment_for_actor(request.auth, payment_id)
    fn(actor=request.auth, payment=p, **kw)
    return _out(request.auth, payment_for_actor(request.auth, payment_id))


@router.post("/{int:payment_id}/submit", response=PaymentOut, summary="提交审批")
def payments_submit(request, payment_id: int):
    return _step(request, payment_id, services.payment_submit)


@router.post("/{int:payment_id}/approve", response=PaymentOut, summary="审批通过当前环节")
def payments_approve(request, payment_id: int, payload: NoteIn):
    return _step(request, payment_id, services.payment_approve, note=payload.note)


@router.post("/{int:payment_id}/return", response=PaymentOut, summary="退回")
def payments_return(request, payment_id: int, payload: ReasonIn):
    return _step(request, payment_id, services.payment_return, reason=payload.reason)


@router.post("/{int:payment_id}/pay", response=PaymentOut, summary="登记已发放")
def payments_pay(request, payment_id: int, payload: PaidIn):
    return _step(request, payment_id, services.payment_mark_paid, paid_on=payload.paid_on, note=payload.note)


@router.post("/{int:payment_id}/confirm", response=PaymentOut, summary="确认发放")
def payments_confirm(request, payment_id: int):
    return _step(request, payment_id, services.payment_confirm)


@router.post("/{int:payment_id}/reverse", response=PaymentOut, summary="冲正")
def payments_reverse(request, payment_id: int, payload: ReasonIn):
    return _step(request, payment_id, services.payment_reverse, reason=payload.reason)


@router.post("/{int:payment_id}/cancel", response=PaymentOut, summary="作废（草稿或已退回；记录保留）")
def payments_cancel(request, payment_id: int, payload: ReasonIn):
    return _step(request, payment_id, services.payment_cancel, reason=payload.reason)


@router.post("/{int:payment_id}/bank_fail", response=PaymentOut, summary="登记银行退回（发放失败，资金退回资金池）")
def payments_bank_fail(request, payment_id: int, payload: ReasonIn):
    return _step(request, payment_id, services.payment_bank_fail, reason=payload.reason)


@router.post("/{int:payment_id}/repay", response=PaymentOut, summary="更正账号重新发放（发放失败 → 待发放）")
def payments_repay(request, payment_id: int, payload: RepayIn):
    return _step(request, payment_id, services.payment_repay, bank_account=payload.bank_account,
                 bank_name=payload.bank_name)


@router.post("/bank-returns", response={200: ReturnOut, 422: ReturnOut}, summary="导入银行回盘（xlsx 或 CSV）")
def payments_bank_returns(request, org: Form[str], file: File[UploadedFile], batch: Form[str] = "",
                          dry_run: Form[bool] = False):
    """``multipart/form-data``. Every line's problem at once (``errors``: [line, message], 422) and nothing written;
    otherwise the failures are applied (or only counted with ``dry_run``)."""

    from warmth.core.validation import clean_text
    from warmth.payments.returns import MAX_BYTES, bank_return_import

    o = org_for_actor(request.auth, clean_text(org, label="组织代码", max_length=40))
    batch = clean_text(batch, label="批量发放批次", max_length=60)
    if file.size > MAX_BYTES:
        raise ValidationError({"file": f"文件超过 {MAX_BYTES // 2**20} MB"})
    with upload_on_disk(file) as path:
        summary = bank_return_import(actor=request.auth, org=o, path=path, filename=file.name or "", batch=batch,
                                     dry_run=dry_run)
    return Status(422 if summary["errors"] else 200, {**summary, "amount": str(summary["amount"]),
                                                      "detail": refusal_detail(summary["errors"])})


@router.post("/{int:payment_id}/reverse_request", response=PaymentOut, summary="申请冲正（已发放或已确认）")
def payments_reverse_request(request, payment_id: int, payload: ReasonIn):
    return _step(request, payment_id, services.payment_reverse_request, reason=payload.reason)


@router.post("/{int:payment_id}/reverse_approve", response=PaymentOut, summary="冲正审批通过（须另一人）")
def payments_reverse_approve(request, payment_id: int, payload: NoteIn):
    return _step(request, payment_id, services.payment_reverse_approve, note=payload.note)


@router.post("/{int:payment_id}/reverse_reject", response=PaymentOut, summary="驳回冲正")
def payments_reverse_reject(request, payment_id: int, payload: ReasonIn):
    return _step(request, payment_id, services.payment_reverse_reject, reason=payload.reason)


class ChainIn(InputSchema):
    org: str = ""
    steps: list[str]
    threshold: Money
    extra_step: str


def _chain(org) -> dict:
    c = services.chain_of(org)
    return {"org": org.code, "steps": list(c.steps), "threshold": str(c.threshold), "extra_step": c.extra_step,
            "set_at": c.set_at.code if c.set_at else None}


@router.get("/chain", summary="审批流程（本单位设置的，或最近一级上级的，或默认）")
def payments_chain(request, org: str = ""):
    return _chain(org_for_actor(request.auth, org.strip()) if org.strip() else request.auth.org)


@router.post("/chain", summary="设置本单位（及下级）的审批流程")
def payments_chain_set(request, payload: ChainIn):
    o = org_for_actor(request.auth, payload.org.strip()) if payload.org.strip() else request.auth.org
    services.chain_set(actor=request.auth, org=o, steps=payload.steps, threshold=payload.threshold,
                       extra_step=payload.extra_step)
    return _chain(o)
