"""收入核对 API: the batches of the caller's subtree, the rates by org (with the children), the centre's answers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from warmth.core.tables import refusal_detail, upload_on_disk
from warmth.core.validation import clean_text
from warmth.incomecheck import services
from warmth.orgs.access import org_for_actor

router = Router(tags=["收入核对"])


class BatchOut(Schema):
    id: int
    number: str
    org: str
    households: int
    answered: int


class RatesOut(Schema):
    org: str
    active: int
    authorized: int
    checked: int
    consistent: int
    inconsistent: int
    check_rate: str | None
    consistent_rate: str | None


class AnswersOut(Schema):
    applied: bool
    rows: int
    updated: int
    inconsistent: int
    errors: list[tuple[int, str]]
    detail: str = ""


def _rates(org, r) -> dict:
    def p(v):
        return None if v is None else str(v)

    return {"org": org.code, "active": r.active, "authorized": r.authorized, "checked": r.checked,
            "consistent": r.consistent, "inconsistent": r.inconsistent, "check_rate": p(r.check_rate),
            "consistent_rate": p(r.consistent_rate)}


@router.get("/batches", response=list[BatchOut], summary="本单位及下级的核对批次")
def incomecheck_batches(request):
    qs = services.batches_for_actor(request.auth).select_related("org").order_by("-id")[:200]
    return [{"id": b.pk, "number": b.number, "org": b.org.code, "households": b.checks.count(),
             "answered": b.checks.filter(answered_at__isnull=False).count()} for b in qs]


@router.get("/rates", response=list[RatesOut], summary="比对率、一致率：所选单位（默认本单位）及其各下级单位")
def incomecheck_rates(request, org: str = ""):
    o = org_for_actor(request.auth, clean_text(org, label="组织代码", max_length=40)) if org else request.auth.org
    return [_rates(o, services.rates(o))] + [_rates(k, r) for k, r in services.rates_by_child(o) if k != o]


@router.post("/batches/{int:batch_id}/answers", response={200: AnswersOut, 422: AnswersOut},
             summary="导入核对中心的结果（xlsx 或 CSV）")
def incomecheck_answers(request, batch_id: int, file: File[UploadedFile]):
    b = services.batch_for_actor(request.auth, batch_id)
    if file.size > services.MAX_BYTES:
        raise ValidationError({"file": f"文件超过 {services.MAX_BYTES // 2**20} MB"})
    with upload_on_disk(file) as path:
        summary = services.answers_import(actor=request.auth, batch=b, path=path, filename=file.name or "")
    return Status(422 if summary["errors"] else 200, {**summary, "detail": refusal_detail(summary["errors"])})
