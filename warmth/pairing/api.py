"""结对帮扶 API: the coverage of an org of the caller's subtree with its children, the caller's due visits."""

from __future__ import annotations

from ninja import Router, Schema

from warmth.core.validation import clean_text
from warmth.orgs.access import org_for_actor
from warmth.pairing import services

router = Router(tags=["结对帮扶"])


class CoverageOut(Schema):
    org: str
    active: int
    paired: int
    visited: int
    paired_rate: str | None
    visited_rate: str | None


class DueOut(Schema):
    pairing: int
    archive_no: str
    org: str
    due_on: str
    overdue: bool


def _cov(org, c) -> dict:
    def p(v):
        return None if v is None else str(v)

    return {"org": org.code, "active": c.active, "paired": c.paired, "visited": c.visited,
            "paired_rate": p(c.paired_rate), "visited_rate": p(c.visited_rate)}


@router.get("/coverage", response=list[CoverageOut], summary="结对帮扶覆盖率：所选单位（默认本单位）及其各下级单位")
def pairing_coverage(request, org: str = ""):
    actor = request.auth
    o = org_for_actor(actor, clean_text(org, label="组织代码", max_length=40)) if org else actor.org
    return [_cov(o, services.coverage(o))] + [_cov(k, c) for k, c in services.coverage_by_child(o) if k != o]


@router.get("/due", response=list[DueOut], summary="我结对的、到期应走访的家庭")
def pairing_due(request):
    actor = request.auth
    return [{"pairing": p.pk, "archive_no": p.archive.archive_no, "org": p.archive.org.code,
             "due_on": d.due_on.isoformat(), "overdue": d.overdue}
            for p, d in services.due_for_cadre(actor.user, actor.org)]
