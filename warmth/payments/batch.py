"""Batch payment: "pay every active archive of my subtree (optionally of some categories) N yuan from pot P".

Each household gets a payment in 审批中 (submitted), checked against every funds rule exactly as a single
submission is, with the figures a rule needs computed once for the whole batch (the usage decision, what is
still available before its deadline, what each person was already paid this year) and the pot's balance taken
down by the batch as it goes, so the batch never promises more than the pot holds. Households that fail are
listed with the reasons; nothing is written for them.

Safe to re-run: a batch has a name, and the database allows one payment per pot × batch × archive, so a second
run (after a crash, or to pick up households filed since) pays only those not yet in the batch.

Bank transfers need the household's account: the batch takes the account of the household's latest payment
that has one, and skips (with the reason) a household without any."""

from __future__ import annotations

import copy
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from warmth.archives.choices import ArchiveStatus
from warmth.archives.models import Archive
from warmth.audit.services import audit_record
from warmth.core.money import AmountError, parse_amount
from warmth.funds import rules
from warmth.funds.choices import PayMethod
from warmth.funds.models import FundPot, LedgerEntry
from warmth.jobs.registry import register
from warmth.orgs.access import Actor
from warmth.orgs.permissions import Perm
from warmth.payments.choices import AidType, PaymentStatus, RecipientKind
from warmth.payments.models import Payment, PaymentStep
from warmth.payments.services import _snapshot_archive, steps_for

CHUNK = 2000
S = PaymentStatus


def _person_totals(year: int) -> dict[str, Decimal]:
    rows = (LedgerEntry.objects.filter(on_date__year=year, kind__in=rules.PERSON_SPEND_KINDS)
            .exclude(person_bidx="").values("person_bidx").annotate(s=Sum("amount")).order_by())
    return {r["person_bidx"]: -Decimal(r["s"] or 0).quantize(Decimal("0.01")) for r in rows}


def _accounts(bidxs) -> dict[str, tuple[str, str]]:
    """The latest bank account (and bank) each person was paid to."""
    out: dict[str, tuple[str, str]] = {}
    rows = (Payment.objects.filter(method=PayMethod.BANK).exclude(bank_account_bidx="")
            .order_by("id").values_list("id_number_bidx", "id"))
    latest = {b: pk for b, pk in rows if b in bidxs}
    for p in Payment.objects.filter(pk__in=latest.values()).only("id_number_bidx", "bank_account", "bank_name"):
        out[p.id_number_bidx] = (p.bank_account, p.bank_name)
    return out


def batch_pay(*, actor: Actor, pot: FundPot, amount, aid_type: str, batch: str, categories: list[str] | None = None,
              method: str = PayMethod.BANK, progress=None) -> dict:
    if not actor.sees_org(pot.org):
        raise PermissionDenied("该资金不在您的管辖范围内。")
    actor.require(Perm.PAYMENT_WRITE)
    try:
        value = parse_amount(amount)
    except AmountError as exc:
        raise ValidationError({"amount": str(exc)}) from None
    batch = (batch or "").strip()
    if not batch or len(batch) > 60:
        raise ValidationError({"batch": "请填写批次名称（不超过 60 个字），重复运行同一批次不会重复发放"})
    if aid_type not in AidType.values:
        raise ValidationError({"aid_type": "请选择帮扶项目"})
    if method not in (PayMethod.BANK, PayMethod.GOODS):
        raise ValidationError({"method": "批量发放只能银行卡转账（现金只能由慰问团入户当面发放）"})
    today = timezone.localdate()
    archives = (Archive.objects.filter(org__path__startswith=pot.org.path, status=ArchiveStatus.ACTIVE)
                .select_related("org").order_by("id"))
    if categories:
        archives = archives.filter(category__in=categories)
    total = archives.count()
    if progress:
        progress.start(total, "正在逐户检查并生成发放")
    done_before = set(Payment.objects.filter(pot=pot, batch=batch).values_list("archive_id", flat=True))
    live = (Payment.objects.filter(aid_type=aid_type, pot__year=pot.year)
            .exclude(status__in=[S.DRAFT, S.RETURNED, S.REVERSED]).values_list("id_number_bidx", flat=True))
    repeats = set(live)
    settings = rules.effective_settings(pot.org)
    fresh = FundPot.objects.select_related("org").get(pk=pot.pk)
    base_known = {"decision": rules.has_usage_decision(fresh), "available": rules.available_on(fresh, today)}
    totals = _person_totals(today.year)
    # committed by this batch's earlier runs and by other submitted payments: promised, not yet taken out
    promised = Payment.objects.filter(pot=pot, status=S.SUBMITTED).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    running = Decimal(promised)
    chain = steps_for(pot.org, value)
    made, skipped, already = 0, [], 0
    batch_rows: list[Payment] = []
    seen = 0
    archive_list = list(archives)
    accounts = _accounts({a.id_number_bidx for a in archive_list}) if method == PayMethod.BANK else {}
    per_person = defaultdict(Decimal)
    for a in archive_list:
        seen += 1
        if a.pk in done_before:
            already += 1
            continue
        if a.id_number_bidx in repeats:
            skipped.append((a.archive_no, a.name, f"本年度已有{aid_type}发放"))
            continue
        account = accounts.get(a.id_number_bidx)
        if method == PayMethod.BANK and not account:
            skipped.append((a.archive_no, a.name, "没有银行账号（请先单独发放一次或补录账号）"))
            continue
        remaining = copy.copy(fresh)
        remaining.balance = fresh.balance - running
        known = {**base_known, "available": base_known["available"] - running,
                 f"person:{a.id_number_bidx}:{today.year}": totals.get(a.id_number_bidx, Decimal(0))
                 + per_person[a.id_number_bidx]}
        ev = rules.evaluate(rules.Proposal(pot=remaining, amount=value, method=method, archive_status=a.status,
                                           person_bidx=a.id_number_bidx, paid_on=today), settings=settings,
                            known=known)
        if ev.blocked:
            skipped.append((a.archive_no, a.name, "；".join(ev.messages())))
            continue
        p = Payment(org=pot.org, pot=pot, archive=a, recipient_kind=RecipientKind.ARCHIVE, aid_type=aid_type,
                    amount=value, method=method, batch=batch, status=S.SUBMITTED, chain=chain, step=0,
                    submitted_at=timezone.now(), created_by=actor.user,
                    bank_account=account[0] if account else "", bank_name=account[1] if account else "")
        _snapshot_archive(p, a, today)
        batch_rows.append(p)
        running += value
        per_person[a.id_number_bidx] += value
        if len(batch_rows) >= CHUNK:
            made += _write(batch_rows, actor)
            batch_rows = []
        if progress and seen % 500 == 0:
            progress.advance(seen)
    made += _write(batch_rows, actor)
    if progress:
        progress.advance(total)
    result = {"batch": batch, "households": total, "made": made, "already": already, "skipped": len(skipped),
              "amount": str(value * made), "skipped_list": skipped[:1000]}
    audit_record(actor=actor, action="payments.batch", object_type="fund_pot", object_id=pot.pk, org=pot.org,
                 after={k: v for k, v in result.items() if k != "skipped_list"})
    return result


def _write(rows: list[Payment], actor: Actor) -> int:
    if not rows:
        return 0
    with transaction.atomic():
        created = Payment.objects.bulk_create(rows, batch_size=CHUNK)
        PaymentStep.objects.bulk_create(
            [PaymentStep(payment=p, action=action, actor=actor.user, note="批量发放" if action == "submit" else "")
             for p in created for action in ("create", "submit")], batch_size=CHUNK * 2)
    return len(created)


@register("payments.batch")
def batch_job(job, progress) -> None:
    """Params: pot, amount, aid_type, batch, categories. Each chunk commits on its own, so a crash keeps what
    was written and a re-run of the same batch continues where it stopped."""
    from django.http import Http404

    from warmth.funds.access import pot_for_actor
    from warmth.jobs.services import JobInputError, job_finish

    actor = Actor(job.created_by, job.membership)
    params = job.params
    try:
        pot = pot_for_actor(actor, int(params["pot"]))
        result = batch_pay(actor=actor, pot=pot, amount=params["amount"], aid_type=params["aid_type"],
                           batch=params["batch"], categories=params.get("categories") or None, progress=progress)
    except Http404:
        raise JobInputError("资金不存在或不在您的管辖范围内") from None
    except (PermissionDenied, ValidationError) as exc:
        raise JobInputError("；".join(getattr(exc, "messages", [str(exc)]))) from None
    job_finish(job, result=result, message=f"生成 {result['made']:,} 笔，跳过 {result['skipped']:,} 户，"
                                           f"此前已发 {result['already']:,} 户")
