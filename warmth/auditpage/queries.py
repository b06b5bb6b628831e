from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from warmth.audit.models import AuditEvent
from warmth.orgs.access import Actor
from warmth.orgs.permissions import Perm


def events_for_actor(actor: Actor) -> QuerySet[AuditEvent]:
    """The audit events of the actor's subtree (needs ``AUDIT_READ``), by the org's current path (an event
    follows its org when the org moves). Root-level auditors also see events filed under no org."""
    actor.require(Perm.AUDIT_READ)
    scope = Q(org__path__startswith=actor.org.path)
    if actor.org.depth == 1:
        scope |= Q(org__isnull=True)
    return AuditEvent.objects.filter(scope)


def filter_events(qs: QuerySet[AuditEvent], *, action: str = "", actor_name: str = "", object_type: str = "",
                  object_id: str = "", date_from: date | None = None, date_to: date | None = None,
                  ) -> QuerySet[AuditEvent]:
    tz = timezone.get_current_timezone()
    if action:
        qs = qs.filter(action=action)
    if actor_name:
        qs = qs.filter(actor_name__contains=actor_name)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if date_from:
        qs = qs.filter(at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(at__lt=datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz))
    return qs
