"""Forms as data at run time: every form definition and version is a ``ReportForm`` row.

* The four shipped forms are loaded from the package files (``reports/forms/*.json``) on first use, as
  published version 1 with origin ``package``. They follow the files (a deploy that corrects a file corrects
  the form, as before this store existed); the forms page never edits them, it copies them.
* The system admin (an admin of the top org: forms are national) copies a form to a new year or to a new
  version, edits the draft (title, year, and the JSON of its items, sums, rules, lead-ins and notes), sees
  every problem at once with the item named, previews it as it prints, and publishes it. Publishing a new
  version of a form retires the one before it: reports already filled keep the version they were filled with
  (``Report.form_version``), new ones take the new version.
* A published version is frozen once a report uses it; until then it may still be corrected in place.
* ``published()`` is what ``definitions()`` returns: parsed once per process and re-read when the table's
  stamp (row count, latest change) moves, checked at most every ``RECHECK`` seconds, so another process's
  publish is seen within that time and this process's at once.

Every change is an audit row (``report_form.*``)."""

from __future__ import annotations

import json
import re
import time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from warmth.audit.services import audit_record
from warmth.core.validation import clean_text
from warmth.orgs.access import Actor
from warmth.orgs.permissions import Perm
from warmth.reports.definitions import Definition, _parse, package_forms, validate
from warmth.reports.models import FormStatus, Report, ReportForm

F = FormStatus
RECHECK = 2.0  # seconds between two looks at the table's stamp
FORM_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,19}")
ITEM_CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z.\-]{0,11}")  # Cell.code holds 12 characters
KINDS = {"warmth": "送温暖统计表", "center": "帮扶中心统计表"}
EDITABLE_KEYS = ("kind", "seed", "code_scheme", "head", "notes", "lead_ins", "items", "sums", "rules", "extra_units")
FIRST_YEAR, LAST_YEAR = 2000, 2099


class Unavailable(Exception):
    """The forms table cannot be read (before ``migrate``, or where the database is not allowed)."""


_state: dict = {}


def forget() -> None:
    """Drop what this process holds (after a publish; between tests, whose rows are rolled back)."""
    _state.clear()
    _state.update(defs=None, stamp=None, at=0.0, versions={}, synced=False)


forget()


def _definition(row: ReportForm) -> Definition:
    return _parse(row.body, version=row.version)


def _sync_package() -> None:
    """Load the shipped forms: a missing row is created, a row whose file changed follows the file."""
    now = timezone.now()
    files = package_forms()
    rows = {r.form_id: r for r in ReportForm.objects.filter(origin="package", version=1, form_id__in=files)}
    for form_id, data in files.items():
        row = rows.get(form_id)
        if row is not None and row.body == data:
            continue
        if row is None:
            try:
                with transaction.atomic():
                    row = ReportForm.objects.create(
                        form_id=form_id, version=1, title=data["title"], year=data["year"], body=data,
                        status=F.PUBLISHED, origin="package", created_at=now, changed_at=now, published_at=now)
            except IntegrityError:  # another process loaded it first, or a form made on the page holds the id
                continue
            action = "report_form.load"
        else:
            ReportForm.objects.filter(pk=row.pk).update(body=data, title=data["title"], year=data["year"],
                                                         changed_at=now)
            action = "report_form.reload"
        audit_record(actor=None, action=action, object_type="report_form", object_id=row.pk,
                     after={"form_id": form_id, "version": 1, "title": data["title"], "from": "package"})


def published() -> dict[str, Definition]:
    """``{form id: the current published version}``, ordered by form id."""
    now = time.monotonic()
    if _state["defs"] is not None and now - _state["at"] < RECHECK:
        return _state["defs"]
    try:
        with transaction.atomic():
            if not _state["synced"]:
                _sync_package()
                _state["synced"] = True
            agg = ReportForm.objects.aggregate(n=Count("pk"), at=Max("changed_at"))
            stamp = (agg["n"], agg["at"])
            if stamp != _state["stamp"] or _state["defs"] is None:
                rows = ReportForm.objects.filter(status=F.PUBLISHED).order_by("form_id", "-version")
                defs: dict[str, Definition] = {}
                for row in rows:
                    if row.form_id not in defs:
                        defs[row.form_id] = _definition(row)
                _state.update(defs=defs, stamp=stamp, versions={})
    except (DatabaseError, RuntimeError) as exc:  # RuntimeError: the test runner forbids the database here
        raise Unavailable(str(exc)) from exc
    _state["at"] = now
    return _state["defs"]


def version_of(form_id: str, version: int | None) -> Definition | None:
    """A version that is no longer current (a report filled with it), or the last one of a retired form."""
    key = (form_id, version)
    if key in _state["versions"]:
        return _state["versions"][key]
    try:
        qs = ReportForm.objects.filter(form_id=form_id, status__in=(F.PUBLISHED, F.RETIRED))
        row = (qs.filter(version=version) if version else qs.order_by("-version")).first()
    except (DatabaseError, RuntimeError) as exc:
        raise Unavailable(str(exc)) from exc
    found = None if row is None else _definition(row)
    _state["versions"][key] = found
    return found


# --- who may manage forms, and what may be changed ------------------------------------------------------------

def is_form_admin(actor: Actor | None) -> bool:
    """Forms are national: only a system admin of the top org (no parent) manages them."""
    return bool(actor and actor.can(Perm.ORG_MANAGE) and actor.org.parent_id is None)


def require_form_admin(actor: Actor) -> None:
    if not is_form_admin(actor):
        raise PermissionDenied("只有最上级工会的系统管理员可以管理报表格式。")


def uses(row: ReportForm) -> int:
    """How many reports are filled with this version (a report from before versions counts for the version
    current then: the form's only one)."""
    q = Q(form_version=row.version)
    if row.status == F.PUBLISHED:
        q |= Q(form_version__isnull=True)
    return Report.objects.filter(form=row.form_id).filter(q).count()


def frozen_because(row: ReportForm) -> str | None:
    """Why this version cannot be edited, or None."""
    if row.origin == "package":
        return "系统内置的报表格式不能直接修改，请复制为新年度或新版本后修改"
    if row.status == F.RETIRED:
        return "已停用的版本不能修改，请复制后修改"
    if row.status == F.PUBLISHED and (n := uses(row)):
        return f"该版本已有 {n} 份统计表使用，不能修改（请建立新版本或复制）"
    return None


# --- reading what the admin typed --------------------------------------------------------------------------

def editable_text(row_body: dict) -> str:
    """The editable part of a body as the textarea shows it: one item, sum, rule or lead-in per line."""
    lines = ["{"]
    keys = [k for k in EDITABLE_KEYS if k in row_body]
    for n, key in enumerate(keys):
        value = row_body[key]
        end = "," if n < len(keys) - 1 else ""
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            lines.append(f'  "{key}": [')
            lines += [f"    {json.dumps(v, ensure_ascii=False)}{',' if i < len(value) - 1 else ''}"
                      for i, v in enumerate(value)]
            lines.append(f"  ]{end}")
        else:
            lines.append(f'  "{key}": {json.dumps(value, ensure_ascii=False)}{end}')
    lines.append("}")
    return "\n".join(lines)


def offset(body: dict) -> int:
    """The form's year less the season it is printed for."""
    return int(body["year"]) - int(body.get("season", int(body["year"]) - 1))


def _shape(body) -> list[str]:
    """What makes the typed JSON unreadable as a form (types and codes), before ``validate`` checks meaning."""
    if not isinstance(body, dict):
        return ["定义须为一个 JSON 对象（以 { 开头）"]
    problems = []
    unknown = sorted(set(body) - set(EDITABLE_KEYS))
    if unknown:
        problems.append(f"不认识的键：{'、'.join(unknown)}（可用：{'、'.join(EDITABLE_KEYS)}）")
    if body.get("kind") not in KINDS:
        problems.append(f"kind（报表类别）须为 {'、'.join(f'{k}（{v}）' for k, v in KINDS.items())} 之一")
    for key in ("items", "sums", "rules", "lead_ins"):
        value = body.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            problems.append(f"{key} 须为对象的列表")
            body[key] = []
    notes = body.get("notes", [])
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        problems.append("notes（说明）须为文字的列表")
    if not isinstance(body.get("head", {}), dict):
        problems.append("head（表头）须为对象，如 {\"unit\": \"填报单位\", \"person\": \"填报人\"}")
    for n, it in enumerate(body.get("items", []), 1):
        code = it.get("code")
        name = f"栏目 {code}" if isinstance(code, str) and code else f"第 {n} 个栏目"
        if not isinstance(code, str) or not ITEM_CODE.fullmatch(code):
            problems.append(f"{name} 的编号须为 1–12 个字母、数字、点或横线（如 5.A）")
        for key, label, limit in (("label", "名称", 200), ("text", "印刷文字", 200), ("printed", "原表文字", 300),
                                  ("unit", "单位", 10), ("source", "数据来源", 60)):
            value = it.get(key)
            if value is None and key not in ("label", "unit"):
                continue
            try:
                clean_text(value, label=f"{name} 的{label}", max_length=limit, required=key in ("label", "unit"))
            except ValidationError as exc:
                problems.append(exc.messages[0])
        if it.get("parent") is not None and not isinstance(it.get("parent"), str):
            problems.append(f"{name} 的上级栏目须为栏目编号或 null")
    for s in body.get("sums", []):
        if not isinstance(s.get("total"), str) or not isinstance(s.get("parts"), list):
            problems.append(f"合计 {s.get('total')} 须写成 {{\"total\": \"5.A\", \"parts\": [\"5.B\", …]}}")
    for x in body.get("lead_ins", []):
        try:
            clean_text(x.get("text"), label=f"栏目 {x.get('before')} 前的引导语", max_length=200, required=True)
        except ValidationError as exc:
            problems.append(exc.messages[0])
    for note in notes if isinstance(notes, list) else []:
        try:
            clean_text(note, label="说明", max_length=500, multiline=True)
        except ValidationError as exc:
            problems.append(exc.messages[0])
    return problems


def read_body(*, form_id: str, title, year, text_in, offset: int = 1) -> tuple[dict, dict[str, list[str]]]:
    """The full definition from the editor's fields, and every problem found (all at once, by field).
    ``offset``: the form's year less the season it is printed for (1 for the 统计表, 0 for the 帮扶中心表)."""
    errors: dict[str, list[str]] = {}
    try:
        title = clean_text(title, label="标题", max_length=100, required=True)
    except ValidationError as exc:
        errors["title"] = exc.messages
    try:
        year = int(str(year).strip())
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = [f"报表年份须为 {FIRST_YEAR}–{LAST_YEAR} 之间的年份"]
        year = 0
    try:
        raw = clean_text(text_in, label="栏目定义", max_length=200_000, required=True, multiline=True)
        body = json.loads(raw)
    except ValidationError as exc:
        errors["body"] = exc.messages
        return {}, errors
    except json.JSONDecodeError as exc:
        errors["body"] = [f"栏目定义的 JSON 格式有误：第 {exc.lineno} 行第 {exc.colno} 列（{exc.msg}）"]
        return {}, errors
    problems = _shape(body)
    if not problems:
        full = {"id": form_id, "title": title if isinstance(title, str) else "", "year": year or 2000,
                "season": (year or 2000) - offset, **body}
        problems = validate(full) or _unit_problems(full)
        if YEAR_MARK_UNKNOWN.search(full["title"]):
            problems.append("标题中有无法识别的年份标记（可用 {year}、{year-1}）")
        body = full
    if problems:
        errors["body"] = problems
    return body, errors


def _unit_problems(body: dict) -> list[str]:
    """An item whose unit does not fit its source (万元 from a count, a count from money)."""
    from warmth.reports import sources  # the registry imports the apps that feed it

    out = []
    for it in body["items"]:
        name = it.get("source", "manual")
        src = sources.source(name) if name not in ("manual", "sum") else None
        if src is not None and (src.unit == "wan") != (it["unit"] == "万元"):
            want = "万元" if src.unit == "wan" else "计数单位（人、户、家……）"
            out.append(f"栏目 {it['code']} 的单位 {it['unit']} 与数据来源 {it['source']} 不符（应为{want}）")
    return out


YEAR_MARK_UNKNOWN = re.compile(r"\{(?!year(?:[+-]\d+)?\})")


# --- the changes -------------------------------------------------------------------------------------------

def _audit(actor: Actor, action: str, row: ReportForm, **after) -> None:
    audit_record(actor=actor, action=f"report_form.{action}", object_type="report_form", object_id=row.pk,
                 after={"form_id": row.form_id, "version": row.version, "title": row.title,
                        "status": row.status, **after})


@transaction.atomic
def form_copy(*, actor: Actor, source: ReportForm, form_id: str = "", year=None, title: str = "") -> ReportForm:
    """A draft copy of ``source``: to a new form (``form_id`` and ``year`` given) or, with ``form_id`` the
    source's own, as the form's next version."""
    require_form_admin(actor)
    errors: dict[str, list[str]] = {}
    form_id = (form_id or "").strip()
    new_version = form_id == source.form_id
    if not FORM_ID.fullmatch(form_id) or form_id == "forms":  # "forms" is the forms page's address
        errors["form_id"] = ["报表编号须为 1–20 个小写字母、数字或横线，如 warmth-2020"]
    elif not new_version and ReportForm.objects.filter(form_id=form_id).exists():
        errors["form_id"] = [f"报表编号 {form_id} 已被使用"]
    try:
        year = int(str(year if year not in (None, "") else source.year).strip())
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = [f"报表年份须为 {FIRST_YEAR}–{LAST_YEAR} 之间的年份"]
    try:
        title = clean_text(title or source.body.get("title", source.title), label="标题", max_length=100,
                           required=True)
    except ValidationError as exc:
        errors["title"] = exc.messages
    if new_version and ReportForm.objects.filter(form_id=form_id, status=F.DRAFT).exists():
        errors["form_id"] = [f"{form_id} 已有一个未发布的草稿版本，请先修改或发布它"]
    if errors:
        raise ValidationError(errors)
    version = 1
    if new_version:
        version = (ReportForm.objects.filter(form_id=form_id).aggregate(v=Max("version"))["v"] or 0) + 1
    body = {**source.body, "id": form_id, "title": title, "year": year, "season": year - offset(source.body)}
    row = ReportForm.objects.create(form_id=form_id, version=version, title=title, year=year, body=body,
                                    status=F.DRAFT, origin="custom", based_on=source, created_by=actor.user)
    _audit(actor, "copy", row, based_on={"form_id": source.form_id, "version": source.version})
    return row


def _changes(before: dict, after: dict) -> dict:
    """What an edit changed, item by item (for the audit row)."""
    old = {i.get("code"): i for i in before.get("items", [])}
    new = {i.get("code"): i for i in after.get("items", [])}
    out = {"added": [c for c in new if c not in old], "removed": [c for c in old if c not in new],
           "changed": {c: {"before": old[c], "after": new[c]} for c in new if c in old and old[c] != new[c]}}
    for key in ("title", "year", "sums", "rules", "lead_ins", "notes", "head", "kind"):
        if before.get(key) != after.get(key):
            out[key] = {"before": before.get(key), "after": after.get(key)}
    return out


@transaction.atomic
def form_save(*, actor: Actor, row: ReportForm, title, year, body_text) -> ReportForm:
    """Save an edit: refused with every problem listed (nothing written) when the form could not be used."""
    require_form_admin(actor)
    row = ReportForm.objects.select_for_update().get(pk=row.pk)
    if (why := frozen_because(row)):
        raise ValidationError({"__all__": why})
    body, errors = read_body(form_id=row.form_id, title=title, year=year, text_in=body_text,
                             offset=offset(row.body))
    if errors:
        raise ValidationError(errors)
    changes = _changes(row.body, body)
    row.body, row.title, row.year, row.changed_at = body, body["title"], body["year"], timezone.now()
    row.save(update_fields=["body", "title", "year", "changed_at"])
    _audit(actor, "edit", row, changes=changes)
    if row.status == F.PUBLISHED:
        forget()  # this process reads the change at once, the others within RECHECK
    return row


@transaction.atomic
def form_publish(*, actor: Actor, row: ReportForm) -> ReportForm:
    """Publish a draft: checked once more; the form's earlier published version is retired (its reports keep
    it)."""
    require_form_admin(actor)
    row = ReportForm.objects.select_for_update().get(pk=row.pk)
    if row.status != F.DRAFT:
        raise ValidationError({"__all__": f"该版本当前为“{row.get_status_display()}”，只有草稿可以发布"})
    problems = validate(row.body)
    if problems:
        raise ValidationError({"body": problems})
    now = timezone.now()
    retired = list(ReportForm.objects.filter(form_id=row.form_id, status=F.PUBLISHED).exclude(pk=row.pk)
                   .values_list("version", flat=True))
    ReportForm.objects.filter(form_id=row.form_id, status=F.PUBLISHED).update(status=F.RETIRED, changed_at=now)
    row.status, row.published_at, row.published_by, row.changed_at = F.PUBLISHED, now, actor.user, now
    row.save(update_fields=["status", "published_at", "published_by", "changed_at"])
    _audit(actor, "publish", row, retired_versions=retired)
    forget()
    return row


@transaction.atomic
def form_retire(*, actor: Actor, row: ReportForm, reason: str = "") -> ReportForm:
    """停用: the form is no longer offered for new reports; reports filled with it still open."""
    require_form_admin(actor)
    row = ReportForm.objects.select_for_update().get(pk=row.pk)
    try:
        reason = clean_text(reason, label="停用理由", max_length=200, required=True)
    except ValidationError as exc:
        raise ValidationError({"reason": exc.messages}) from None
    if row.status != F.PUBLISHED:
        raise ValidationError({"__all__": f"该版本当前为“{row.get_status_display()}”，只有已发布的版本可以停用"})
    row.status, row.changed_at = F.RETIRED, timezone.now()
    row.save(update_fields=["status", "changed_at"])
    _audit(actor, "retire", row, reason=reason)
    forget()
    return row
