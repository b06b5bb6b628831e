"""Exports of 实名制发放 with personal data: the roster (汇总表). Audited as ``pii.export``; full ID numbers only
for roles with ``pii.full`` (``actor=None`` is the server operator, as for the archive export)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db.models import TextField
from django.db.models.functions import Cast

from warmth.audit.services import audit_record
from warmth.core import crypto
from warmth.jobs.registry import register
from warmth.jobs.services import JobInputError, job_finish, job_result_path
from warmth.orgs.access import Actor, org_for_actor
from warmth.orgs.models import Org
from warmth.orgs.permissions import Perm
from warmth.payments.choices import PaymentStatus
from warmth.payments.documents import BankRow, RosterRow, roster_xlsx
from warmth.payments.models import Payment

PAID_STATUSES = (PaymentStatus.APPROVED, PaymentStatus.PAID, PaymentStatus.CONFIRMED)


def roster_queryset(org: Org, year: int, aid_type: str | None = None):
    qs = (Payment.objects.filter(org__path__startswith=org.path, pot__year=year, status__in=PAID_STATUSES)
          .select_related("pot").order_by("aid_type", "pot__source", "org__path", "id"))  # a sheet per 项目 × 来源
    return qs.filter(aid_type=aid_type) if aid_type else qs


CHUNK = 2000  # rows fetched per round trip of the streaming cursor (and decrypted together)


def roster_rows(payments, *, chunk: int | None = None) -> Iterator[RosterRow]:
    """The roster's rows of a payment queryset (``roster_queryset``'s order kept), streamed: plain tuples from
    one chunked cursor (no model instances), the ID number and the phone read as stored and decrypted a chunk at
    a time with one cipher per column (``crypto.opener``), nothing else read. Only what the 汇总表 prints."""
    qs = (payments.annotate(sealed_id=Cast("id_number", output_field=TextField()),  # no per-value converter
                            sealed_phone=Cast("phone", output_field=TextField()))
          .values_list("aid_type", "pot__source", "name", "sex", "age", "sealed_id", "unit_or_address", "amount",
                       "sealed_phone", "note"))
    id_aad = Payment._meta.get_field("id_number").aad
    phone_aad = Payment._meta.get_field("phone").aad
    open_id, open_phone = crypto.opener(id_aad), crypto.opener(phone_aad)
    chunk = chunk or CHUNK
    page: list[tuple] = []
    for row in qs.iterator(chunk_size=chunk):
        page.append(row)
        if len(page) == chunk:
            yield from _opened(page, open_id, open_phone)
            page = []
    if page:
        yield from _opened(page, open_id, open_phone)


def bank_records(payments, *, chunk: int | None = None) -> Iterator[BankRow]:
    """The bank batch's transfers of a payment queryset, streamed as plain tuples in its order: only the account
    is read as stored and decrypted (one cipher), a chunk at a time; no model instances."""
    chunk = chunk or CHUNK
    qs = (payments.annotate(sealed_account=Cast("bank_account", output_field=TextField()))
          .values_list("pk", "name", "sealed_account", "bank_name", "amount", "aid_type"))
    open_account = crypto.opener(Payment._meta.get_field("bank_account").aad)
    for pk, name, sealed, bank, amount, aid in qs.iterator(chunk_size=chunk):
        yield BankRow(pk, name, open_account(sealed), bank, amount, aid)


def _opened(page: list[tuple], open_id, open_phone) -> list[RosterRow]:
    ids = [open_id(r[5]) for r in page]
    phones = [open_phone(r[8]) for r in page]
    return [RosterRow(aid, source, name, sex, age, id_number, unit, amount, phone, note)
            for (aid, source, name, sex, age, _, unit, amount, _, note), id_number, phone
            in zip(page, ids, phones, strict=True)]


def roster_export(*, actor: Actor | None, org: Org, year: int, path: Path, aid_type: str | None = None,
                  signature: bool = False, variant: str = "004", progress=None) -> dict:
    if actor is not None:
        actor.require(Perm.EXPORT)
        if not actor.sees_org(org):
            raise PermissionDenied("只能导出本级及下级组织的发放记录")
    full = actor is None or actor.can(Perm.PII_FULL)
    if progress:
        progress.start(roster_queryset(org, year, aid_type).count(), "正在导出")
    result = roster_xlsx(roster_rows(roster_queryset(org, year, aid_type)), path, org_name=org.name,
                         year=year, full=full, signature=signature, variant=variant, progress=progress)
    result["full_ids"] = full
    _audit(actor, org, year, aid_type, result)
    return result


def _audit(actor, org, year, aid_type, result) -> None:
    audit_record(actor=actor, action="pii.export", object_type="payment_roster", object_id=org.code, org=org,
                 after={"year": year, "aid_type": aid_type or "", "rows": result["rows"],
                        "full_ids": result["full_ids"]})


@register("payments.roster", rerun=True, reads="replica")  # read-only: the file is written again
def roster_job(job, progress) -> None:
    """Params: org (code), year, aid_type. The file is written, then the audit row and the finished job commit
    together."""
    from django.db import transaction
    from django.http import Http404
    from django.utils import timezone


    actor = Actor(job.created_by, job.membership)
    try:
        org = org_for_actor(actor, job.params["org"])
        path = job_result_path(job, "roster.xlsx")
        with transaction.atomic():
            result = roster_export(actor=actor, org=org, year=int(job.params["year"]), path=path,
                                   aid_type=job.params.get("aid_type") or None,
                                   signature=bool(job.params.get("signature")),
                                   variant=job.params.get("variant") if job.params.get("variant") in ("004", "001")
                                   else "004", progress=progress)
            name = f"实名制发放凭证汇总表-{org.name}-{job.params['year']}-{timezone.localdate():%Y%m%d}.xlsx"
            job_finish(job, result=result, file=path, download_name=name, message=f"已导出{result['rows']:,}人次")
    except Http404:
        raise JobInputError("组织不存在或不在您的管辖范围内") from None
    except PermissionDenied as exc:
        raise JobInputError(str(exc)) from None
