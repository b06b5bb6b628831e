"""Exporting 困难职工档案 to the import layout (so an export re-imports cleanly), as a row generator.

Full 身份证号 and phone numbers only for a role holding ``pii.full`` (else masked); every export writes a
``pii.export`` audit row. Text cells pass through ``safe_cell`` in the renderer; the workbook is written in
xlsxwriter's constant-memory mode, each row flushed as the next one starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone

from warmth.archives.choices import ArchiveStatus
from warmth.archives.models import LIVE_STATUSES, Archive, FamilyMember
from warmth.archives.template import HEAD_COLUMNS, HEAD_SHEET, MEMBER_COLUMNS, MEMBER_SHEET, write_template
from warmth.audit.services import audit_record
from warmth.core import crypto, pii
from warmth.jobs.registry import register
from warmth.jobs.services import JobInputError, job_finish, job_result_path
from warmth.orgs.access import Actor, org_for_actor
from warmth.orgs.models import Org
from warmth.orgs.permissions import Perm


def export_queryset(org: Org):
    """The live archives of the org's subtree with their families, in a stable order."""
    return (Archive.objects.filter(org__path__startswith=org.path, status__in=LIVE_STATUSES)
            .select_related("org").prefetch_related("members").order_by("org__path", "archive_no"))


CHUNK = 2000  # households per round trip of the streaming cursor (their members read in one query per chunk)


def archive_rows(org: Org, *, full: bool, chunk: int | None = None) -> Iterator[tuple[str, list]]:
    """(sheet, values) rows: each household's head row, then its members' rows. Streamed as plain tuples (no
    model instances): the households from one chunked cursor in ``export_queryset``'s order, each chunk's family
    members by one query, the ID numbers and phones read as stored and decrypted with one cipher per column
    (``crypto.opener``)."""
    chunk = chunk or CHUNK
    id_shown = (lambda v: v) if full else pii.mask_id_number
    phone_shown = (lambda v: v) if full else (lambda v: pii.mask_phone(v) if v else v)
    fields = [c.field for c in HEAD_COLUMNS]
    sealed = {"id_number": "sealed_id", "phone": "sealed_phone"}
    heads = (export_queryset(org).prefetch_related(None)
             .annotate(sealed_id=Cast("id_number", output_field=TextField()),
                       sealed_phone=Cast("phone", output_field=TextField()))
             .values_list("pk", *[sealed.get(f, f) for f in fields], "archive_no", "status", "org__name"))
    member_fields = [c.field for c in MEMBER_COLUMNS if c.field != "head_id"]
    members = (FamilyMember.objects.order_by("archive", "position", "id")
               .annotate(sealed_id=Cast("id_number", output_field=TextField()))
               .values_list("archive_id", *["sealed_id" if f == "id_number" else f for f in member_fields]))
    open_id = crypto.opener(Archive._meta.get_field("id_number").aad)
    open_phone = crypto.opener(Archive._meta.get_field("phone").aad)
    open_member_id = crypto.opener(FamilyMember._meta.get_field("id_number").aad)
    id_at, phone_at = 1 + fields.index("id_number"), 1 + fields.index("phone")
    income_at, size_at = 1 + fields.index("household_annual_income"), 1 + fields.index("household_size")
    member_id_at = 1 + member_fields.index("id_number")
    head_at = [i for i, c in enumerate(MEMBER_COLUMNS) if c.field == "head_id"]
    status_label = dict(ArchiveStatus.choices)
    cent = Decimal("0.01")
    n = len(fields)
    page: list[tuple] = []

    def flush():
        by_archive: dict[int, list[tuple]] = {}
        for m in members.filter(archive_id__in=[row[0] for row in page]):
            by_archive.setdefault(m[0], []).append(m)
        for row in page:
            values = list(row[1:n + 1])
            head_id = open_id(values[id_at - 1])
            values[id_at - 1] = id_shown(head_id)
            values[phone_at - 1] = phone_shown(open_phone(values[phone_at - 1]))
            archive_no, status, org_name = row[n + 1:]
            per_capita = (row[income_at] / row[size_at]).quantize(cent, ROUND_HALF_UP)
            values += [per_capita, archive_no, status_label.get(status, status), org_name]
            yield HEAD_SHEET, values
            for m in by_archive.get(row[0], ()):
                out = list(m[1:])
                out[member_id_at - 1] = id_shown(open_member_id(out[member_id_at - 1]))
                for i in head_at:
                    out.insert(i, id_shown(head_id))
                yield MEMBER_SHEET, out

    for row in heads.iterator(chunk_size=chunk):
        page.append(row)
        if len(page) == chunk:
            yield from flush()
            page = []
    if page:
        yield from flush()


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
