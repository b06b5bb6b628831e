"""Whether each household of a group's plan (计划慰问户) has been visited: the group's page shows 已走访 (with the
day and who) or 尚未走访 on each row, the API's households the same (registered into ``campaigns.extensions.PLAN``).

A planned archive counts as visited by any live visit to it in the campaign (whichever group made it, a visit
before filing included: the household was seen); a planned recipient without an archive by a live visit of the
group to a recipient of that name without an archive. Two queries, whatever the number of rows."""

from __future__ import annotations

from warmth.campaigns.choices import VisitKind
from warmth.campaigns.models import VisitGroup
from warmth.visits.models import Visit


def plan_visits(group: VisitGroup) -> dict:
    """``{planned household id: its earliest live visit}`` for the rows visited so far."""
    rows = list(group.households.filter(dropped=False).only("pk", "archive_id", "name"))
    live = Visit.objects.filter(campaign_id=group.campaign_id, kind=VisitKind.HOUSEHOLD, voided=False).order_by(
        "visited_on", "pk").only("pk", "archive_id", "name", "visited_on", "visitors", "group_id", "applicant")
    archives = {h.archive_id for h in rows if h.archive_id}
    first: dict = {}
    for v in live.filter(archive_id__in=archives):
        first.setdefault(("archive", v.archive_id), v)
    names = {h.name for h in rows if not h.archive_id}
    for v in live.filter(group=group, archive__isnull=True, name__in=names):
        first.setdefault(("name", v.name), v)
    found = {}
    for h in rows:
        v = first.get(("archive", h.archive_id) if h.archive_id else ("name", h.name))
        if v is not None:
            found[h.pk] = v
    return found
