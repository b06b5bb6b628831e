from datetime import date, datetime

from ninja import Router, Schema
from ninja.pagination import paginate

from warmth.auditpage.queries import events_for_actor, filter_events
from warmth.core.validation import BoundedPagination

router = Router(tags=["审计"])


class EventOut(Schema):
    id: int
    at: datetime
    actor_name: str
    role: str
    action: str
    action_label: str  # the action's Chinese name (统计表报送)
    object_type: str
    object_label: str
    object_id: str
    before: dict | None
    after: dict | None
    before_text: str  # the change in words (状态：已报送；逾期报送：是)
    after_text: str
    ip: str | None


@router.get("/events", response=list[EventOut], summary="审计日志（经审/纪检、系统管理员）")
@paginate(BoundedPagination)
def events(request, action: str = "", object_type: str = "", object_id: str = "",
           date_from: date | None = None, date_to: date | None = None):
    return filter_events(events_for_actor(request.auth), action=action, object_type=object_type,
                         object_id=object_id, date_from=date_from, date_to=date_to)
