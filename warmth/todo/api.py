"""待办 in the API: the same list as the page, for the token's or session's membership."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema

from warmth.todo.queries import todo_for

router = Router(tags=["待办"])


class ItemOut(Schema):
    kind: str
    kind_label: str
    what: str
    whose: str
    org: str
    since: datetime | None
    url: str
    id: int


class MoreOut(Schema):
    kind_label: str
    not_checked: int
    url: str


class TodoOut(Schema):
    count: int
    items: list[ItemOut]
    more: list[MoreOut]


@router.get("/", response=TodoOut, summary="待办：等待我办理的全部事项（最早的在前）")
def todo_list(request):
    todo = todo_for(request.auth)
    return {"count": todo.count,
            "items": [{**i.__dict__, "id": i.pk} for i in todo.items],
            "more": [{"kind_label": k, "not_checked": n, "url": url} for k, (n, url) in todo.more.items()]}
