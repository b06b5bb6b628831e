from ninja import Router, Schema, Status
from ninja.pagination import paginate

from warmth.core.validation import BoundedPagination, InputSchema
from warmth.orgs import services
from warmth.orgs.access import org_for_actor, visible_orgs
from warmth.orgs.models import Org
from warmth.orgs.permissions import MATRIX

router = Router(tags=["组织"])


class OrgOut(Schema):
    code: str
    name: str
    level: str
    level_label: str
    region_code: str
    parent_code: str | None
    depth: int

    @staticmethod
    def resolve_parent_code(obj: Org) -> str | None:
        return obj.parent.code if obj.parent_id else None


class MeOut(Schema):
    username: str
    full_name: str
    org: OrgOut
    role: str
    role_label: str
    permissions: list[str]


class OrgIn(InputSchema):
    name: str
    code: str
    level: str
    region_code: str = ""


class MoveIn(InputSchema):
    new_parent: str
    reason: str = ""


@router.get("/me", response=MeOut, summary="当前身份")
def me(request):
    a = request.auth
    return {"username": a.user.username, "full_name": a.user.full_name, "org": a.org, "role": a.role,
            "role_label": a.membership.get_role_display(), "permissions": sorted(MATRIX[a.role])}


@router.get("/orgs", response=list[OrgOut], summary="可见的组织")
@paginate(BoundedPagination)
def org_list(request, parent: str | None = None, q: str | None = None):
    qs = visible_orgs(request.auth).select_related("parent").order_by("path")
    if parent:
        qs = qs.filter(parent=org_for_actor(request.auth, parent))
    if q:
        qs = qs.filter(name__contains=q)
    return qs


@router.get("/orgs/{code}", response=OrgOut, summary="组织详情")
def org_detail(request, code: str):
    return org_for_actor(request.auth, code)


@router.post("/orgs/{code}/children", response={201: OrgOut}, summary="新增下级组织")
def org_create(request, code: str, payload: OrgIn):
    parent = org_for_actor(request.auth, code, write=True)
    return Status(201, services.org_create(actor=request.auth, parent=parent, **payload.dict()))


@router.post("/orgs/{code}/move", response=OrgOut, summary="调整组织隶属")
def org_move(request, code: str, payload: MoveIn):
    org = org_for_actor(request.auth, code, write=True)
    target = org_for_actor(request.auth, payload.new_parent)
    return services.org_move(actor=request.auth, org=org, new_parent=target, reason=payload.reason)
