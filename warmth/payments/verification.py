"""回访核实: draw a reproducible random sample of paid recipients, record each answer, report the discrepancy
rate per org. The sample is a pure function of the seed and the paid payments (sorted by id), so the same seed
draws the same people again, for a second checker to verify the first."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from warmth.audit.services import audit_record
from warmth.core.money import AmountError, parse_amount
from warmth.core.validation import text
from warmth.orgs.access import Actor
from warmth.orgs.models import Org
from warmth.orgs.permissions import Perm
from warmth.payments.choices import PaymentStatus
from warmth.payments.models import Payment, Verification, VerificationAnswer

PAID = (PaymentStatus.PAID, PaymentStatus.CONFIRMED)


def draw(ids: list[int], size: int, seed: str) -> list[int]:
    rng = random.Random(f"warmth-verification:{seed}")  # noqa: S311 (a reproducible sample, not a secret)
    return sorted(rng.sample(sorted(ids), min(size, len(ids))))


@transaction.atomic
def verification_sample(*, actor: Actor, org: Org, year: int, size: int, seed: str) -> list[Verification]:
    if not actor.sees_org(org):
        raise PermissionDenied("该组织不在您的管辖范围内。")
    actor.require(Perm.PAYMENT_APPROVE)
    seed = (seed or "").strip()
    if not seed or len(seed) > 60:
        raise ValidationError({"seed": "请填写抽样批次名称（不超过 60 个字；同一名称总是抽出同一批对象）"})
    if not isinstance(size, int) or size < 1:
        raise ValidationError({"size": "抽样人数须为正整数"})
    ids = list(Payment.objects.filter(org__path__startswith=org.path, pot__year=year, status__in=PAID)
               .values_list("pk", flat=True))
    if not ids:
        raise ValidationError({"__all__": "没有已发放的记录可供抽样。"})
    chosen = draw(ids, size, f"{org.code}:{year}:{seed}")
    existing = set(Verification.objects.filter(sample=seed, payment_id__in=chosen).values_list("payment_id", flat=True))
    Verification.objects.bulk_create([Verification(payment_id=pk, sample=seed, drawn_by=actor.user)
                                      for pk in chosen if pk not in existing])
    audit_record(actor=actor, action="payments.verify_sample", object_type="org", object_id=org.pk, org=org,
                 after={"year": year, "seed": seed, "size": len(chosen), "of": len(ids)})
    return list(Verification.objects.filter(sample=seed, payment_id__in=chosen).select_related("payment"))


@transaction.atomic
def verification_record(*, actor: Actor, verification: Verification, answer: str, amount_reported=None,
                        note: str = "") -> Verification:
    v = Verification.objects.select_for_update().select_related("payment__org").get(pk=verification.pk)
    if not actor.sees_org(v.payment.org):
        raise PermissionDenied("该记录不在您的管辖范围内。")
    actor.require(Perm.PAYMENT_APPROVE)
    if answer not in VerificationAnswer.values:
        raise ValidationError({"answer": "请选择核实结果"})
    amount = None
    if answer == VerificationAnswer.DIFFERENT:
        try:
            amount = parse_amount(amount_reported, allow_zero=True)
        except AmountError as exc:
            raise ValidationError({"amount_reported": f"请填写对象所述金额：{exc}"}) from None
    before = v.answer
    v.answer, v.amount_reported, v.note = answer, amount, text(note, "note", "说明", max_length=200, multiline=True)
    v.answered_by, v.answered_at = actor.user, timezone.now()
    v.save()
    audit_record(actor=actor, action="payments.verify", object_type="payment", object_id=v.payment_id,
                 org=v.payment.org, before={"answer": before}, after={"answer": answer, "amount": amount})
    return v


@dataclass(frozen=True)
class OrgRate:
    org: Org
    sampled: int
    answered: int
    discrepancies: int

    @property
    def rate(self) -> Decimal | None:
        if not self.answered:
            return None
        return (Decimal(self.discrepancies) * 100 / self.answered).quantize(Decimal("0.1"))


def discrepancy_report(org: Org, seed: str) -> list[OrgRate]:
    """Per paying org of the subtree: sampled, answered, answers other than 已收到, and the rate (percent)."""
    rows = (Verification.objects.filter(sample=seed, payment__org__path__startswith=org.path)
            .values("payment__org").annotate(n=Count("id"), answered=Count("id", filter=~Q(answer="")),
                                             bad=Count("id", filter=Q(answer__in=[VerificationAnswer.NOT_RECEIVED,
                                                                                 VerificationAnswer.DIFFERENT])))
            .order_by())
    orgs = Org.objects.in_bulk([r["payment__org"] for r in rows])
    out = [OrgRate(orgs[r["payment__org"]], r["n"], r["answered"], r["bad"]) for r in rows]
    return sorted(out, key=lambda x: x.org.path)
