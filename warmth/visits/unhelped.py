"""The never-helped list (从未帮扶): households filed now (在档) that no money and no visit has ever reached, and
the season's variant (本年度未帮扶: none of either in the season). It sits beside the archives' 动态管理 lists, but
here, above payments and the visits, which it reads.

- *Money* is a payment of the archive approved or later (待发放, 已发放, 已确认, 冲正待审批): money granted. A
  draft, a payment under approval, a returned, cancelled or reversed one helped no one. A payment belongs to the
  season of its campaign, or without one to the season of its money (the pot's year).
- *A visit* is a live (not voided) household visit of the archive as a filed household: a visit before filing
  (an applicant's) does not count, as it does not count for coverage. It belongs to its campaign's season.

The export is a background job (``visits.never_helped``): an xlsx file kept for the export keep period like
every job file, with full ID numbers and phones only for a role holding ``pii.full`` (else masked), and a
``pii.export`` audit row."""

from __future__ import annotations

import xlsxwriter
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone

from warmth.archives.choices import ArchiveStatus
from warmth.archives.models import Archive
from warmth.audit.services import audit_record
from warmth.campaigns.choices import VisitKind
from warmth.core import crypto, pii
from warmth.core.exporting import safe_cell
from warmth.jobs.registry import register
from warmth.jobs.services import JobInputError, job_finish, job_result_path
from warmth.orgs.access import Actor, org_for_actor
from warmth.orgs.models import Org
from warmth.orgs.permissions import Perm
from warmth.payments.choices import PaymentStatus
from warmth.payments.models import Payment
from warmth.visits.models import Visit

#: a payment in these states is money granted to the household
HELPED = (PaymentStatus.APPROVED, PaymentStatus.PAID, PaymentStatus.CONFIRMED, PaymentStatus.REVERSING)


def _payments(season: int | None):
    qs = Payment.objects.filter(archive=OuterRef("pk"), status__in=HELPED)
    if season is not None:
        qs = qs.filter(Q(campaign__year=season) | Q(campaign__isnull=True, pot__year=season))
    return qs


def _visits(season: int | None):
    qs = Visit.objects.filter(archive=OuterRef("pk"), kind=VisitKind.HOUSEHOLD, voided=False, applicant=False)
    if season is not None:
        qs = qs.filter(campaign__year=season)
    return qs


def never_helped(org: Org, *, season: int | None = None) -> QuerySet[Archive]:
    """Archives 在档 in the org's subtree with no money granted and no visit: ever (``season`` None), or in the
    season. Two anti-joins (NOT EXISTS), in archive-number order within each org."""
    return (Archive.objects.filter(org__path__startswith=org.path, status=ArchiveStatus.ACTIVE)
            .exclude(Exists(_payments(season))).exclude(Exists(_visits(season)))
            .select_related("org").order_by("org__path", "archive_no"))


def title_of(org: Org, season: int | None) -> str:
    what = f"{season}年度（{season + 1}年两节）未获帮扶" if season is not None else "从未获得帮扶"
    return f"{org.name}：{what}的在档困难职工家庭"


COLUMNS = [("序号", 6), ("档案编号", 22), ("姓名", 10), ("身份证号", 20), ("联系电话", 14), ("困难类别", 10),
           ("致困原因", 24), ("家庭人口", 8), ("建档单位", 30), ("在档时间", 12)]


def rows(archives, *, full: bool, chunk: int = 2000):
    """The list's rows of a ``never_helped`` queryset, streamed: plain tuples from one chunked cursor (no model
    instances), the ID number and phone read as stored and decrypted with one cipher each (``crypto.opener``)."""
    id_shown = (lambda v: v) if full else pii.mask_id_number
    phone_shown = (lambda v: v) if full else (lambda v: pii.mask_phone(v) if v else v)
    open_id = crypto.opener(Archive._meta.get_field("id_number").aad)
    open_phone = crypto.opener(Archive._meta.get_field("phone").aad)
    qs = (archives.annotate(sealed_id=Cast("id_number", output_field=TextField()),
                            sealed_phone=Cast("phone", output_field=TextField()))
          .values_list("archive_no", "name", "sealed_id", "sealed_phone", "category", "cause_1", "cause_2",
                       "cause_3", "household_size", "org__name", "activated_at"))
    for n, (no, name, sid, sphone, category, c1, c2, c3, size, org_name, activated) in enumerate(
            qs.iterator(chunk_size=chunk), 1):
        filed = timezone.localdate(activated).isoformat() if activated else ""
        yield [str(n), no, name, id_shown(open_id(sid)), phone_shown(open_phone(sphone)), category,
               "、".join(c for c in (c1, c2, c3) if c), str(size), org_name, filed]


def write_xlsx(path, title: str, archives, *, full: bool, progress=None) -> int:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet("未获帮扶")
    head = book.add_format({"bold": True, "border": 1, "align": "center"})
    cell = book.add_format({"border": 1})
    ws.merge_range(0, 0, 0, len(COLUMNS) - 1, title, book.add_format({"bold": True, "font_size": 14,
                                                                      "align": "center"}))
    for c, (h, w) in enumerate(COLUMNS):
        ws.write_string(1, c, h, head)
        ws.set_column(c, c, w)
    n = 0
    for n, values in enumerate(rows(archives, full=full), 1):
        for c, v in enumerate(values):
            ws.write_string(n + 1, c, safe_cell(v), cell)
        if progress:
            progress.advance(n)
    ws.write_string(n + 2, 0, f"合计 {n} 户")
    book.close()
    return n


@register("visits.never_helped", rerun=True, reads="replica")  # read-only: the file is written again
def export_job(job, progress) -> None:
    """Params: org (code), season (a year, or None: never helped at all)."""
    actor = Actor(job.created_by, job.membership)
    try:
        actor.require(Perm.EXPORT)
        org = org_for_actor(actor, job.params["org"])
    except Http404:
        raise JobInputError("组织不存在或不在您的管辖范围内") from None
    except PermissionDenied as exc:
        raise JobInputError(str(exc)) from None
    season = job.params.get("season")
    full = actor.can(Perm.PII_FULL)
    qs = never_helped(org, season=season)
    progress.start(qs.count(), "正在导出")
    path = job_result_path(job, "never_helped.xlsx")
    n = write_xlsx(path, title_of(org, season), qs, full=full, progress=progress)
    result = {"rows": n, "season": season, "full_ids": full}
    with transaction.atomic():
        audit_record(actor=actor, action="pii.export", object_type="never_helped", object_id=org.code, org=org,
                     after=result)
        what = f"{season}年度未获帮扶" if season is not None else "从未帮扶"
        name = f"{what}名单-{org.name}-{timezone.localdate():%Y%m%d}.xlsx"
        job_finish(job, result=result, file=path, download_name=name, message=f"已导出{n:,}户")
