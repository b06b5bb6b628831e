"""Writing the audit log. Every service calls ``audit_record`` inside its own transaction, so the event is
committed with the change it describes or not at all."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from warmth.audit import context
from warmth.audit.models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def audit_record(
    *,
    actor,
    action: str,
    object_type: str = "",
    object_id: Any = "",
    org=None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    """Append one event. ``actor`` is an ``Actor``, a ``User`` or None (system / anonymous).

    The event is filed under ``org`` (pass the org of the record or person acted on), else the actor's
    org, else the user's first org; events with no org at all (the operator's) are shown to root-level
    auditors. Visibility always follows the org's current place in the tree."""
    user = getattr(actor, "user", actor)
    role = getattr(actor, "role", "")
    if org is None:
        org = getattr(actor, "org", None)
    if org is None and getattr(user, "pk", None):
        org = user.primary_org()
    info = context.current()
    return AuditEvent.objects.create(
        actor=user if getattr(user, "pk", None) else None,
        actor_name=(getattr(user, "display_name", "") or "")[:150],
        role=role or "",
        org=org,
        action=action,
        object_type=object_type,
        object_id=str(object_id if object_id is not None else ""),
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        ip=info.ip,
        request_id=info.request_id,
    )


def diff(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the keys that changed, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
