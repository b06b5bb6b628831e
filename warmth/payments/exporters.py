"""Exports of 实名制发放 with personal data: the roster (汇总表). Audited as ``pii.export``; full ID numbers only
for roles with ``pii.full`` (``actor=None`` is the server operator, as for the archive export)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied

from warmth.audit.services import audit_record
from warmth.orgs.access import Actor
from warmth.orgs.models import Org
from warmth.orgs.permissions import Perm
from warmth.payments.choices import PaymentStatus
from warmth.payments.documents import roster_xlsx
from warmth.payments.models import Payment

PAID_STATUSES = (PaymentStatus.APPROVED, PaymentStatus.PAID, PaymentStatus.CONFIRMED)


def roster_queryset(org: Org, year: int, aid_type: str | None = None):
    qs = (Payment.objects.filter(org__path__startswith=org.path, pot__year=year, status__in=PAID_STATUSES)
          .select_related("pot").order_by("aid_type", "org__path", "id"))
    return qs.filter(aid_type=aid_type) if aid_type else qs


def roster_export(*, actor: Actor | None, org: Org, year: int, path: Path, aid_type: str | None = None,
                  signature: bool = False, progress=None) -> dict:
    if actor is not None:
        actor.require(Perm.EXPORT)
        if not actor.sees_org(org):
            raise PermissionDenied("只能导出本级及下级组织的发放记录")
    full = actor is None or actor.can(Perm.PII_FULL)
    result = roster_xlsx(roster_queryset(org, year, aid_type).iterator(chunk_size=2000), path, org_name=org.name,
                         year=year, full=full, signature=signature, progress=progress)
    result["full_ids"] = full
    audit_record(actor=actor, action="pii.export", object_type="payment_roster", object_id=org.code, org=org,
                 after={"year": year, "aid_type": aid_type or "", "rows": result["rows"], "full_ids": full})
    return result
