"""收入核对: the authorisation per archive, a batch for the 民政 核对 centre, its answers, the reviewer's decision on
a 不一致 answer, and the rates by org. Who does what: a handler (archive.write) records the authorisation; a reviewer
(archive.approve) builds a batch, imports the answers and decides; the export needs pii.full (the centre matches
full ID numbers). The definitions (also in docs/guide.md):

- 比对率 = 在档 households with an answer (一致, 不一致 or 无法核对) received in the last 12 months / 在档 households;
- 一致率 = of those, the ones whose latest answer is 一致 / the ones checked.

A rate whose denominator is 0 is None ("—"); percentages are rounded half up to one decimal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from warmth.archives.choices import ArchiveStatus
from warmth.archives.models import Archive
from warmth.audit.services import audit_record
from warmth.core import tables
from warmth.core.files import store_upload
from warmth.core.money import AmountError, parse_amount
from warmth.core.tables import TableRefused
from warmth.core.validation import Errors, text_problem
from warmth.incomecheck.models import Authorization, Check, CheckBatch, Decision, Result
from warmth.orgs.access import Actor
from warmth.orgs.models import Org
from warmth.orgs.permissions import Perm

MAX_ROWS, MAX_BYTES, MAX_BATCH = 20_000, 10 * 1024 * 1024, 5000
FRESH = timedelta(days=365)  # an answer younger than this counts as checked; the household is not sent again
COLUMNS = {"check": ("核对编号",), "result": ("结果", "核对结果"),
           "income": ("核对家庭年收入", "核对家庭年收入（元）", "核对家庭年收入(元)"), "note": ("说明", "备注")}
RESULTS = {r.label: r.value for r in Result}


# --- access -----------------------------------------------------------------------------------------------------

def archive_for_actor(actor: Actor, pk: int) -> Archive:
    a = Archive.objects.select_related("org").filter(pk=pk, org__path__startswith=actor.org.path).first()
    if a is None:
        raise Http404("档案不存在或不在您的管辖范围内")
    return a


def batches_for_actor(actor: Actor) -> QuerySet[CheckBatch]:
    return CheckBatch.objects.filter(org__path__startswith=actor.org.path)


def batch_for_actor(actor: Actor, pk: int) -> CheckBatch:
    b = batches_for_actor(actor).select_related("org", "created_by").filter(pk=pk).first()
    if b is None:
        raise Http404("批次不存在或不在您的管辖范围内")
    return b


def check_for_actor(actor: Actor, pk: int) -> Check:
    c = (Check.objects.select_related("archive__org", "batch__org").filter(pk=pk, org__path__startswith=actor.org.path)
         .first())
    if c is None:
        raise Http404("核对记录不存在或不在您的管辖范围内")
    return c


# --- the authorisation ------------------------------------------------------------------------------------------

def current_authorization(archive: Archive) -> Authorization | None:
    return Authorization.objects.filter(archive=archive, superseded_at__isnull=True).order_by("-id").first()


def authorization_record(*, actor: Actor, archive: Archive, signed_on: str | date, signer: str, upload=None,
                         declared: bool = False) -> Authorization:
    """Record the signed form (a scan, or 本人已签署 with the name); the previous one is superseded, not deleted."""
    actor.require(Perm.ARCHIVE_WRITE)
    if not actor.sees_org(archive.org):
        raise PermissionDenied("不在您的管辖范围内")
    e = Errors()
    signer = e.text("signer", signer, label="签署人", max_length=50, required=True)
    day = signed_on
    if not isinstance(day, date):
        try:
            day = date.fromisoformat(str(signed_on or "").strip()[:10])
        except ValueError:
            day = None
            e.add("signed_on", "签署日期格式应为 YYYY-MM-DD")
    if day is not None and not (date(2000, 1, 1) <= day <= timezone.localdate()):
        e.add("signed_on", "签署日期不能晚于今天")
    if upload is None and not declared:
        e.add("file", "请上传签署的授权书扫描件，或勾选“本人已签署”")
    e.raise_if_any()
    stored = store_upload(upload, folder="incomecheck") if upload is not None else None
    with transaction.atomic():
        now = timezone.now()
        Authorization.objects.filter(archive=archive, superseded_at__isnull=True).update(superseded_at=now)
        auth = Authorization.objects.create(
            archive=archive, signed_on=day, signer=signer, declared=stored is None, recorded_by=actor.user,
            **({"file": stored.rel_path, "content_type": stored.content_type, "sha256": stored.sha256,
                "original_name": stored.original_name} if stored else {}))
        audit_record(actor=actor, action="incomecheck.authorize", object_type="incomecheck_authorization",
                     object_id=auth.pk, org=archive.org, after={"archive": archive.archive_no, "signed_on": str(day),
                                                                "scan": stored is not None})
    return auth


# --- the batch --------------------------------------------------------------------------------------------------

def due(org: Org) -> QuerySet[Archive]:
    """在档 households of the subtree with an authorisation and no answer or open check within 12 months."""
    recent = Check.objects.filter(batch__created_at__gte=timezone.now() - FRESH)
    return (Archive.objects.filter(org__path__startswith=org.path, status=ArchiveStatus.ACTIVE)
            .filter(pk__in=Authorization.objects.filter(superseded_at__isnull=True).values("archive_id"))
            .exclude(pk__in=recent.values("archive_id")))


def batch_create(*, actor: Actor, org: Org, archive_ids: list[int] | None = None) -> CheckBatch:
    """A batch of the due households of ``org``'s subtree (all of them, or those of ``archive_ids``)."""
    actor.require(Perm.ARCHIVE_APPROVE)
    if not actor.sees_org(org):
        raise PermissionDenied("只能在本单位及下级建立核对批次")
    qs = due(org)
    if archive_ids is not None:
        qs = qs.filter(pk__in=archive_ids)
    rows = list(qs.order_by("org__path", "id").values_list("id", "org_id", "household_annual_income")[:MAX_BATCH + 1])
    if not rows:
        raise ValidationError("没有可送核对的户（须在档、已签授权书、12 个月内未核对）")
    if len(rows) > MAX_BATCH:
        raise ValidationError(f"一批最多 {MAX_BATCH} 户，请按下级单位分批")
    auths = dict(Authorization.objects.filter(superseded_at__isnull=True, archive_id__in=[r[0] for r in rows])
                 .values_list("archive_id", "id"))
    with transaction.atomic():
        batch = CheckBatch.objects.create(org=org, created_by=actor.user)
        Check.objects.bulk_create([Check(batch=batch, archive_id=a, org_id=o, authorization_id=auths[a],
                                         declared_income=inc) for a, o, inc in rows], batch_size=1000)
        audit_record(actor=actor, action="incomecheck.batch", object_type="incomecheck_batch", object_id=batch.pk,
                     org=org, after={"households": len(rows)})
    return batch


# --- the centre's answers -----------------------------------------------------------------------------------------

def answers_import(*, actor: Actor, batch: CheckBatch, path: Path, filename: str) -> dict:
    """Apply the centre's file (核对编号, 结果, 核对家庭年收入, 说明): every problem by line at once, nothing
    written while there is any. Returns {"rows", "updated", "inconsistent", "errors": [(line, message)], "applied"}."""
    actor.require(Perm.ARCHIVE_APPROVE)
    if not actor.sees_org(batch.org):
        raise PermissionDenied("不在您的管辖范围内")
    from warmth.archives.importing import check_file

    empty = {"rows": 0, "updated": 0, "inconsistent": 0, "applied": False}
    try:
        table = tables.read_table(path, filename, max_rows=MAX_ROWS, max_bytes=MAX_BYTES, check_xlsx=check_file)
        start = next((i for i, r in enumerate(table) if any(r)), None)
        if start is None:
            raise TableRefused("文件是空的")
        where = tables.header_index(table[start], COLUMNS)
        if "check" not in where or "result" not in where:
            raise TableRefused("表头须含“核对编号”和“结果”列（请使用导出的核对表填写）")
    except ValidationError as exc:
        return {**empty, "errors": [(0, m) for m in exc.messages]}
    body = [(n, r) for n, r in enumerate(table[start + 1:], start=start + 2) if any(r)]
    if len(body) > MAX_ROWS:
        return {**empty, "rows": len(body), "errors": [(0, f"一次最多导入 {MAX_ROWS} 行")]}
    wanted = {int(v) for _, r in body if (v := _get(r, where, "check")).isascii() and v.isdigit() and len(v) < 12}
    known = {c.pk: c for c in Check.objects.filter(pk__in=wanted).select_related("org")}
    errors, changes, seen = [], [], {}
    for n, r in body:
        raw = _get(r, where, "check")
        c = known.get(int(raw)) if raw.isascii() and raw.isdigit() and len(raw) < 12 else None
        if c is None:
            errors.append((n, f"核对编号“{raw[:20]}”不存在"))
            continue
        if not c.org.path.startswith(actor.org.path) or not c.org.path.startswith(batch.org.path):
            errors.append((n, f"核对编号 {c.pk} 的家庭不在本单位（{batch.org.name}）管辖范围内"))
            continue
        if c.batch_id != batch.pk:
            errors.append((n, f"核对编号 {c.pk} 属于另一批次"))
            continue
        if c.pk in seen:
            errors.append((n, f"与第 {seen[c.pk]} 行是同一户（核对编号 {c.pk}）"))
            continue
        seen[c.pk] = n
        bad = False
        result = RESULTS.get(_get(r, where, "result"))
        if result is None:
            errors.append((n, "结果应为“一致”“不一致”或“无法核对”"))
            bad = True
        income, raw_income = None, _get(r, where, "income")
        if raw_income:
            try:
                income = parse_amount(raw_income, allow_zero=True)
            except AmountError as exc:
                errors.append((n, f"核对家庭年收入{exc}"))
                bad = True
        elif result == Result.INCONSISTENT:
            errors.append((n, "结果为“不一致”时须填核对家庭年收入"))
            bad = True
        note = _get(r, where, "note")
        if (p := text_problem(note)) is not None or len(note) > 200:
            errors.append((n, f"说明{p or '不能超过 200 个字'}"))
            bad = True
        if not bad:
            changes.append((c, result, income, note))
    summary = {"rows": len(body), "updated": len(changes), "errors": errors, "applied": False,
               "inconsistent": sum(1 for _, res, _, _ in changes if res == Result.INCONSISTENT)}
    if errors:
        summary["updated"] = summary["inconsistent"] = 0
        return summary
    now = timezone.now()
    with transaction.atomic():
        for c, result, income, note in changes:
            c.result, c.checked_income, c.note, c.answered_at = result, income, note, now
            c.save(update_fields=["result", "checked_income", "note", "answered_at"])
        audit_record(actor=actor, action="incomecheck.answers", object_type="incomecheck_batch", object_id=batch.pk,
                     org=batch.org, after={"file": filename[:100], "answered": len(changes)})
    summary["applied"] = True
    return summary


def _get(r: list[str], where: dict[str, int], key: str) -> str:
    i = where.get(key)
    return r[i].strip() if i is not None and i < len(r) else ""


# --- the review of a mismatch -------------------------------------------------------------------------------------

def check_decide(*, actor: Actor, check: Check, decision: str, note: str) -> Check:
    """The reviewer's decision on a 不一致 answer (维持 / 调整类别 / 建议退档, with a note): closes the review."""
    actor.require(Perm.ARCHIVE_APPROVE)
    if not actor.sees_org(check.org):
        raise PermissionDenied("不在您的管辖范围内")
    e = Errors()
    if check.result != Result.INCONSISTENT:
        e.add("__all__", "只有核对结果为“不一致”的户需要复核")
    elif check.decided_at is not None:
        e.add("__all__", "这户已复核")
    if decision not in Decision.values:
        e.add("decision", "请选择维持、调整类别或建议退档")
    note = e.text("note", note, label="复核说明", max_length=200, required=True)
    e.raise_if_any()
    with transaction.atomic():
        check.decision, check.decision_note = decision, note
        check.decided_by, check.decided_at = actor.user, timezone.now()
        check.save(update_fields=["decision", "decision_note", "decided_by", "decided_at"])
        audit_record(actor=actor, action="incomecheck.decide", object_type="incomecheck_check", object_id=check.pk,
                     org=check.org, after={"decision": decision, "note": note})
    return check


# --- the rates ----------------------------------------------------------------------------------------------------

def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Rates:
    active: int = 0          # 在档
    authorized: int = 0      # with a current authorisation
    checked: int = 0         # an answer within 12 months
    consistent: int = 0
    inconsistent: int = 0

    @property
    def check_rate(self):    # 比对率
        return percent(self.checked, self.active)

    @property
    def consistent_rate(self):  # 一致率
        return percent(self.consistent, self.checked)


def _facts(org: Org) -> list[tuple[str, bool, str | None, int]]:
    """(org path, authorised, latest answer within 12 months or None, households) for the 在档 households of
    ``org``'s subtree, grouped in the database (a province's overview reads counts, not a million rows)."""
    latest = (Check.objects.filter(archive=OuterRef("pk"), answered_at__gte=timezone.now() - FRESH)
              .order_by("-answered_at", "-id").values("result")[:1])
    authed = Authorization.objects.filter(archive=OuterRef("pk"), superseded_at__isnull=True)
    rows = (Archive.objects.filter(org__path__startswith=org.path, status=ArchiveStatus.ACTIVE)
            .annotate(authed=Exists(authed), last=Subquery(latest)).values("org_id", "authed", "last")
            .annotate(n=Count("id")).order_by())
    rows = list(rows)
    paths = dict(Org.objects.filter(pk__in={r["org_id"] for r in rows}).values_list("pk", "path"))
    return [(paths[r["org_id"]], r["authed"], r["last"] or None, r["n"]) for r in rows]


def _add(r: Rates, authed: bool, result: str | None, n: int) -> None:
    r.active += n
    r.authorized += n if authed else 0
    if result:
        r.checked += n
        r.consistent += n if result == Result.CONSISTENT else 0
        r.inconsistent += n if result == Result.INCONSISTENT else 0


def rates(org: Org) -> Rates:
    out = Rates()
    for _, authed, result, n in _facts(org):
        _add(out, authed, result, n)
    return out


def rates_by_child(org: Org) -> list[tuple[Org, Rates]]:
    """Each child of ``org`` with 在档 households (drill-down), and the org's own households as itself."""
    children = list(Org.objects.filter(parent=org).order_by("path"))
    rows = {c.pk: Rates() for c in children}
    own = Rates()
    for path, authed, result, n in _facts(org):
        child = next((k for k in children if path.startswith(k.path)), None)
        _add(rows[child.pk] if child else own, authed, result, n)
    out = [(k, rows[k.pk]) for k in children if rows[k.pk].active]
    if own.active:
        out.insert(0, (org, own))
    return out
