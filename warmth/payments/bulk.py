"""Bulk work on payments through the same engine: approve or return many with one opinion, register a bank
batch as paid, confirm many. Each payment is one service call in its own transaction (the access check, the
permission, the row lock, every guard), so what the engine refuses for one is listed with its reason and the
rest is done. Runs as a background job with progress; safe to re-run (a payment already moved on is refused
with the state it is in, nothing is done twice)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from warmth.audit.services import audit_record
from warmth.core.feedback import messages_of
from warmth.jobs.registry import register
from warmth.jobs.services import JobInputError, job_finish
from warmth.orgs.access import Actor
from warmth.payments import services
from warmth.payments.access import payment_for_actor

MAX_IDS = 5000

#: the bulk actions: the workflow action, its Chinese name, what it takes
ACTIONS = {
    "approve": "审批通过",
    "return": "退回",
    "pay": "登记已发放",
    "confirm": "确认发放",
}


def bulk_check(*, action: str, ids: Iterable, note: str = "", reason: str = "", paid_on: date | None = None,
               ) -> dict[str, str]:
    """What is wrong with the request itself, every error at once (field → Chinese message)."""
    errors = {}
    if action not in ACTIONS:
        errors["action"] = "请选择要办理的操作"
    if not list(ids):
        errors["ids"] = "请至少勾选一笔发放"
    if action == "return" and not (reason or "").strip():
        errors["reason"] = "退回须填写理由"
    if action == "pay" and paid_on is None:
        errors["paid_on"] = "请填写发放日期"
    if len((note or reason or "").strip()) > 200:
        errors["note"] = "意见不能超过 200 个字"
    return errors


def payments_bulk(*, actor: Actor, action: str, ids: list[int], note: str = "", reason: str = "",
                  paid_on: date | None = None, progress=None) -> dict:
    errors = bulk_check(action=action, ids=ids, note=note, reason=reason, paid_on=paid_on)
    if errors:
        raise ValidationError(errors)
    ids = list(dict.fromkeys(int(i) for i in ids))[:MAX_IDS]
    if progress:
        progress.start(len(ids), f"正在逐笔{ACTIONS[action]}")
    done, refused = [], []
    for n, pk in enumerate(ids, 1):
        try:
            p = payment_for_actor(actor, pk)
        except Http404:
            refused.append({"label": f"发放 #{pk}", "reason": "不存在或不在您的管辖范围内", "url": ""})
            continue
        try:
            if action == "approve":
                services.payment_approve(actor=actor, payment=p, note=note)
            elif action == "return":
                services.payment_return(actor=actor, payment=p, reason=reason)
            elif action == "pay":
                services.payment_mark_paid(actor=actor, payment=p, paid_on=paid_on, note=note)
            else:
                services.payment_confirm(actor=actor, payment=p, note=note)
        except (ValidationError, PermissionDenied) as exc:
            refused.append({"label": f"发放 #{p.pk} {p.name}", "reason": messages_of(exc),
                            "url": reverse("payment_detail", args=[p.pk])})
        else:
            done.append(p.pk)
        if progress:
            progress.advance(n)
    audit_record(actor=actor, action="payments.bulk", object_type="payment", object_id="bulk", org=actor.org,
                 after={"action": action, "done": len(done), "refused": len(refused), "note": note or reason})
    return {"action": action, "done": len(done), "done_ids": done[:MAX_IDS], "refused": refused}


@register("payments.bulk", rerun=True)  # a payment already moved on is refused by its state: nothing twice
def bulk_job(job, progress) -> None:
    actor = Actor(job.created_by, job.membership)
    p = job.params
    try:
        paid_on = date.fromisoformat(p["paid_on"]) if p.get("paid_on") else None
        result = payments_bulk(actor=actor, action=p.get("action", ""), ids=p.get("ids") or [],
                               note=p.get("note", ""), reason=p.get("reason", ""), paid_on=paid_on,
                               progress=progress)
    except (ValidationError, ValueError) as exc:
        raise JobInputError(messages_of(exc) if isinstance(exc, ValidationError) else "日期格式不正确") from None
    label = ACTIONS[result["action"]]
    result["list_url"] = reverse("payment_list")
    result["list_label"] = "返回发放列表"
    job_finish(job, result=result, message=f"{label}：已办理 {result['done']} 笔，未办理 {len(result['refused'])} 笔")
