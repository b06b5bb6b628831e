"""Exporting 困难职工档案 to the import layout (so an export re-imports cleanly), as a row generator.

Full 身份证号 and phone numbers only for a role holding ``pii.full`` (else masked); every export writes a
``pii.export`` audit row. Text cells pass through ``safe_cell`` in the renderer; the workbook is written in
xlsxwriter's constant-memory mode, each row flushed as the next one starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from warmth.archives.models import LIVE_STATUSES, Archive
from warmth.archives.template import HEAD_COLUMNS, HEAD_SHEET, MEMBER_COLUMNS, MEMBER_SHEET, write_template
from warmth.audit.services import audit_record
from warmth.core import pii
from warmth.jobs.registry import register
from warmth.jobs.services import JobInputError, job_finish, job_result_path
from warmth.orgs.access import Actor, org_for_actor
from warmth.orgs.models import Org
from warmth.orgs.permissions import Perm


def export_queryset(org: Org):
    """The live archives of the org's subtree with their families, in a stable order."""
    return (Archive.objects.filter(org__path__startswith=org.path, status__in=LIVE_STATUSES)
            .select_related("org").prefetch_related("members").order_by("org__path", "archive_no"))


def archive_rows(org: Org, *, full: bool) -> Iterator[tuple[str, list]]:
    """(sheet, values) rows: each household's head row, then its members' rows."""
    id_shown = (lambda v: v) if full else pii.mask_id_number
    phone_shown = (lambda v: v) if full else pii.mask_phone
    for a in export_queryset(org).iterator(chunk_size=2000):
        row = []
        for col in HEAD_COLUMNS:
            value = getattr(a, col.field)
            if col.field == "id_number":
                value = id_shown(value)
            elif col.field == "phone":
                value = phone_shown(value)
            row.append(value)
        row += [a.per_capita_income, a.archive_no, a.get_status_display(), a.org.name]
        yield HEAD_SHEET, row
        for m in a.members.all():
            yield MEMBER_SHEET, [id_shown(a.id_number) if col.field == "head_id"
                                 else id_shown(m.id_number) if col.field == "id_number"
                                 else getattr(m, col.field) for col in MEMBER_COLUMNS]


def _write(*, actor: Actor | None, org: Org, path: Path, progress=None) -> dict:
    if actor is not None:
        actor.require(Perm.EXPORT)
        if not actor.sees_org(org):
            raise PermissionDenied("只能导出本级及下级组织的档案")
    full = actor is None or actor.can(Perm.PII_FULL)
    if progress:
        progress.start(export_queryset(org).count(), "正在导出")

    def rows():
        households = 0
        for sheet, values in archive_rows(org, full=full):
            if sheet == HEAD_SHEET:
                households += 1
                if progress:
                    progress.advance(households)
            yield sheet, values

    counts = write_template(path, rows(), constant_memory=True, info=True)
    return {"rows": counts[HEAD_SHEET], "members": counts[MEMBER_SHEET], "full_ids": full}


def _audit(actor: Actor | None, org: Org, result: dict) -> None:
    audit_record(actor=actor, action="pii.export", object_type="archive_export", object_id=org.code, org=org,
                 after=result)


def archive_export(*, actor: Actor | None, org: Org, path: Path, progress=None) -> dict:
    """Write the org's subtree archives to ``path`` and audit it; ``actor=None`` is the server operator (full
    IDs). Returns ``{"rows": households, "members": n, "full_ids": bool}``."""
    result = _write(actor=actor, org=org, path=path, progress=progress)
    _audit(actor, org, result)
    return result


@register("archives.export", rerun=True, reads="replica")  # read-only: the file is written again
def export_job(job, progress) -> None:
    """Params: org (code). The file is written first (progress visible to the page), then the audit row and
    the finished job commit together."""

    actor = Actor(job.created_by, job.membership)
    try:
        org = org_for_actor(actor, job.params["org"])
        path = job_result_path(job, "archives.xlsx")
        result = _write(actor=actor, org=org, path=path, progress=progress)
    except Http404:
        raise JobInputError("组织不存在或不在您的管辖范围内") from None
    except PermissionDenied as exc:
        raise JobInputError(str(exc)) from None
    with transaction.atomic():
        _audit(actor, org, result)
        name = f"困难职工档案-{org.name}-{timezone.localdate():%Y%m%d}.xlsx"
        job_finish(job, result=result, file=path, download_name=name, message=f"已导出{result['rows']:,}户")
