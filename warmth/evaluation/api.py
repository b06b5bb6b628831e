"""第三方评估 API: samples of the caller's subtree, a draw, the rates (with the children), the findings file."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from warmth.core.tables import refusal_detail, upload_on_disk
from warmth.core.validation import InputSchema, clean_text
from warmth.evaluation import services
from warmth.orgs.access import org_for_actor

router = Router(tags=["第三方评估"])


class SampleOut(Schema):
    id: int
    org: str
    name: str
    sizes: dict[str, int]
    cases: int


class DrawIn(InputSchema):
    org: str
    name: str
    sizes: dict[str, int]


class RatesOut(Schema):
    org: str
    cases: int
    surveyed: int
    wrong_in: int
    missed_in: int
    wrong_out: int
    missed_out: int
    any_error: int
    wrong_in_rate: str | None
    missed_in_rate: str | None
    wrong_out_rate: str | None
    missed_out_rate: str | None
    precision_rate: str | None
    paired_rate: str | None


class FindingsOut(Schema):
    applied: bool
    rows: int
    updated: int
    errors: list[tuple[int, str]]
    detail: str = ""


def _sample(s) -> dict:
    return {"id": s.pk, "org": s.org.code, "name": s.name, "sizes": s.sizes, "cases": s.cases.count()}


def _rates(org, r) -> dict:
    def p(v):
        return None if v is None else str(v)

    return {"org": org.code, "cases": r.cases, "surveyed": r.surveyed, "wrong_in": r.wrong_in,
            "missed_in": r.missed_in, "wrong_out": r.wrong_out, "missed_out": r.missed_out, "any_error": r.any_error,
            "wrong_in_rate": p(r.wrong_in_rate), "missed_in_rate": p(r.missed_in_rate),
            "wrong_out_rate": p(r.wrong_out_rate), "missed_out_rate": p(r.missed_out_rate),
            "precision_rate": p(r.precision_rate), "paired_rate": p(r.paired_rate)}


@router.get("/samples", response=list[SampleOut], summary="本单位及下级的评估样本")
def evaluation_samples(request):
    return [_sample(s) for s in services.samples_for_actor(request.auth).select_related("org").order_by("-id")[:200]]


@router.post("/samples", response={201: SampleOut}, summary="按层抽取评估样本（样本名称即种子）")
def evaluation_draw(request, payload: DrawIn):
    org = org_for_actor(request.auth, payload.org)
    s = services.sample_draw(actor=request.auth, org=org, name=payload.name, sizes=payload.sizes)
    return Status(201, _sample(s))


@router.get("/samples/{int:sample_id}/rates", response=list[RatesOut],
            summary="评估指标：所选单位（默认样本单位）及其各下级单位")
def evaluation_rates(request, sample_id: int, org: str = ""):
    s = services.sample_for_actor(request.auth, sample_id)
    o = org_for_actor(request.auth, clean_text(org, label="组织代码", max_length=40)) if org else s.org
    if not o.path.startswith(s.org.path):
        raise ValidationError({"org": "该单位不在这个样本的范围内"})
    return [_rates(o, services.rates(s, o))] + [_rates(k, r) for k, r in services.rates_by_child(s, o) if k != o]


@router.post("/samples/{int:sample_id}/findings", response={200: FindingsOut, 422: FindingsOut},
             summary="导入评估机构的核查结果（xlsx 或 CSV）")
def evaluation_findings(request, sample_id: int, file: File[UploadedFile]):
    s = services.sample_for_actor(request.auth, sample_id)
    if file.size > services.MAX_BYTES:
        raise ValidationError({"file": f"文件超过 {services.MAX_BYTES // 2**20} MB"})
    with upload_on_disk(file) as path:
        summary = services.findings_import(actor=request.auth, sample=s, path=path, filename=file.name or "")
    return Status(422 if summary["errors"] else 200, {**summary, "detail": refusal_detail(summary["errors"])})
