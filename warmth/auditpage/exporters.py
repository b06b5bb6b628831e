"""Audit log export (CSV) as a background job."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from warmth.audit.services import audit_record
from warmth.auditpage.queries import events_for_actor, filter_events
from warmth.core.exporting import write_csv
from warmth.jobs.registry import register
from warmth.jobs.services import job_finish, job_result_path
from warmth.orgs.access import Actor

HEADER = ["时间", "操作人", "角色", "组织", "操作", "对象类型", "对象编号", "修改前", "修改后", "IP"]


def audit_rows(qs):
    tz = timezone.get_current_timezone()
    for e in qs.select_related("org").iterator(chunk_size=2000):
        yield [e.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"), e.actor_name, e.role_label,
               e.org.name if e.org else "", e.action_label, e.object_label, e.object_id,
               e.before_text, e.after_text, e.ip or ""]


@register("audit.export", rerun=True, reads="replica")  # read-only: the file is written again
def audit_export(job, progress) -> None:
    actor = Actor(job.created_by, job.membership)
    p = job.params
    qs = filter_events(events_for_actor(actor), action=p.get("action", ""), actor_name=p.get("actor_name", ""),
                       object_type=p.get("object_type", ""), object_id=p.get("object_id", ""),
                       date_from=date.fromisoformat(p["date_from"]) if p.get("date_from") else None,
                       date_to=date.fromisoformat(p["date_to"]) if p.get("date_to") else None)
    total = qs.count()
    progress.start(total, f"共{total}条")
    path = job_result_path(job, "audit.csv")
    count = write_csv(path, HEADER, audit_rows(qs), on_row=progress.advance)
    with transaction.atomic():
        audit_record(actor=actor, action="audit.export", object_type="job", object_id=job.pk,
                     after={"rows": count, "filters": p})
        job_finish(job, result={"rows": count}, file=path,
                   download_name=f"审计日志-{timezone.localdate():%Y%m%d}.csv", message=f"已导出{count}条")
