"""第三方评估: draw a sample by stratum (reproducible), hand it to the evaluators, take their findings back, compute
the rates. The definitions (also in docs/guide.md):

- 错评率 = filed households found not eligible when filed / surveyed filed households (已脱困, 注销, 在档);
- 漏评率 = applicants found eligible / surveyed applicants (申请未建档);
- 错退率 = exited households found still in hardship / surveyed exited households (已脱困, 注销);
- 漏退率 = filed households found out of hardship / surveyed filed households still 在档;
- 综合精准率 = 1 − households with any of the four errors / surveyed households;
- 结对帮扶覆盖率 = 在档 households whose contact person visited in the last six months / those asked.

A rate whose denominator is 0 is None ("—"). Rates are percentages rounded half up to one decimal.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from warmth.archives.choices import ArchiveStatus, ExitReason
from warmth.archives.models import Archive
from warmth.audit.services import audit_record
from warmth.core import tables
from warmth.core.tables import TableRefused
from warmth.core.validation import Errors, text_problem
from warmth.evaluation.models import Case, Sample, Stratum
from warmth.orgs.access import Actor
from warmth.orgs.models import Org
from warmth.orgs.permissions import Perm

MAX_PER_STRATUM = 5000
FRAMES = {
    Stratum.LIFTED: Q(status=ArchiveStatus.EXITED, exit_reason=ExitReason.RECOVERED),
    Stratum.CLOSED: Q(status=ArchiveStatus.EXITED, exit_reason__in=[ExitReason.NO_LONGER_ELIGIBLE,
                                                                      ExitReason.CORRECTION]),
    Stratum.ACTIVE: Q(status=ArchiveStatus.ACTIVE),
    Stratum.APPLICANT: Q(status=ArchiveStatus.REJECTED),
}
#: what the evaluators answer for each stratum
QUESTIONS = {
    Stratum.LIFTED: ("eligible", "still_hard"),
    Stratum.CLOSED: ("eligible", "still_hard"),
    Stratum.ACTIVE: ("eligible", "still_hard", "paired"),
    Stratum.APPLICANT: ("eligible",),
}
FINDING_LABELS = {"eligible": "符合建档条件", "still_hard": "仍然困难", "paired": "帮扶联系人半年内走访"}
COLUMNS = {"case": ("样本编号",), "eligible": ("符合建档条件",), "still_hard": ("仍然困难",),
           "paired": ("帮扶联系人半年内走访",), "note": ("评估说明",)}
YES, NO = {"是", "yes", "y", "1", "√"}, {"否", "no", "n", "0", "×"}
MAX_ROWS, MAX_BYTES = 20_000, 10 * 1024 * 1024
FILED = (Stratum.LIFTED, Stratum.CLOSED, Stratum.ACTIVE)
EXITED = (Stratum.LIFTED, Stratum.CLOSED)


# --- access -----------------------------------------------------------------------------------------------------

def samples_for_actor(actor: Actor) -> QuerySet[Sample]:
    return Sample.objects.filter(org__path__startswith=actor.org.path)


def sample_for_actor(actor: Actor, pk: int) -> Sample:
    s = samples_for_actor(actor).select_related("org", "drawn_by").filter(pk=pk).first()
    if s is None:
        raise Http404("样本不存在或不在您的管辖范围内")
    return s


# --- drawing ----------------------------------------------------------------------------------------------------

def frame_counts(org: Org) -> dict[str, int]:
    base = Archive.objects.filter(org__path__startswith=org.path)
    return {s: base.filter(q).count() for s, q in FRAMES.items()}


def _draw(org: Org, name: str, stratum: str, size: int) -> list[tuple[int, int]]:
    """The same org, name and stratum always draw the same households (as long as the frame is the same)."""
    frame = list(Archive.objects.filter(org__path__startswith=org.path).filter(FRAMES[stratum])
                 .order_by("id").values_list("id", "org_id"))
    rng = random.Random(f"{org.code}|{name}|{stratum}")  # noqa: S311 (a reproducible draw, not a secret)
    return sorted(rng.sample(frame, min(size, len(frame))))


def sample_draw(*, actor: Actor, org: Org, name: str, sizes: dict[str, object]) -> Sample:
    """Draw ``sizes[stratum]`` households of each stratum from ``org``'s subtree (fewer when the frame is smaller)."""
    actor.require(Perm.ARCHIVE_APPROVE)
    if not actor.sees_org(org):
        raise PermissionDenied("只能在本单位及下级抽样")
    e = Errors()
    name = e.text("name", name, label="样本名称", max_length=60, required=True)
    clean = {}
    for s in Stratum:
        raw = sizes.get(s.value, 0)
        raw = str(raw).strip() if raw is not None else "0"
        if not raw:
            raw = "0"
        if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_PER_STRATUM:
            e.add(f"size_{s.value}", f"{s.label}的样本量须为 0 至 {MAX_PER_STRATUM} 的整数")
            continue
        clean[s.value] = int(raw)
    if not e and not any(clean.values()):
        e.add("__all__", "请至少填写一层的样本量")
    if name and Sample.objects.filter(org=org, name=name).exists():
        e.add("name", "本单位已有同名样本（同名即同一抽样，请换一个名称）")
    e.raise_if_any()
    with transaction.atomic():
        try:
            with transaction.atomic():
                sample = Sample.objects.create(org=org, name=name, sizes=clean, drawn_by=actor.user)
        except IntegrityError:
            raise ValidationError({"name": "本单位已有同名样本"}) from None
        cases = [Case(sample=sample, archive_id=aid, org_id=oid, stratum=s)
                 for s, n in clean.items() if n for aid, oid in _draw(org, name, s, n)]
        Case.objects.bulk_create(cases, batch_size=1000)
        audit_record(actor=actor, action="evaluation.draw", object_type="evaluation_sample", object_id=sample.pk,
                     org=org, after={"name": name, "sizes": clean, "drawn": len(cases)})
    return sample


# --- the evaluators' findings -------------------------------------------------------------------------------------

def _answer(value: str) -> bool | str | None:
    v = value.strip().lower()
    if not v:
        return None
    if v in YES:
        return True
    if v in NO:
        return False
    return "bad"


def findings_import(*, actor: Actor, sample: Sample, path: Path, filename: str) -> dict:
    """Apply the evaluators' file (样本编号 and the answers 是/否); every problem by line at once, nothing written
    while there is any. Returns {"rows", "updated", "errors": [(line, message)], "applied"}."""
    actor.require(Perm.ARCHIVE_APPROVE)
    if not actor.sees_org(sample.org):
        raise PermissionDenied("不在您的管辖范围内")
    from warmth.archives.importing import check_file

    try:
        table = tables.read_table(path, filename, max_rows=MAX_ROWS, max_bytes=MAX_BYTES, check_xlsx=check_file)
        start = next((i for i, r in enumerate(table) if any(r)), None)
        if start is None:
            raise TableRefused("文件是空的")
        where = tables.header_index(table[start], COLUMNS)
        if "case" not in where:
            raise TableRefused("表头缺少“样本编号”列（请使用导出的样本表填写）")
    except ValidationError as exc:
        return {"rows": 0, "updated": 0, "errors": [(0, m) for m in exc.messages], "applied": False}
    cases = {c.pk: c for c in sample.cases.all()}
    errors, changes, seen = [], [], {}
    body = [(n, r) for n, r in enumerate(table[start + 1:], start=start + 2) if any(r)]
    if len(body) > MAX_ROWS:
        return {"rows": len(body), "updated": 0, "errors": [(0, f"一次最多导入 {MAX_ROWS} 行")], "applied": False}
    for n, r in body:
        def get(key, r=r):
            i = where.get(key)
            return r[i] if i is not None and i < len(r) else ""

        raw = get("case")
        case = cases.get(int(raw)) if raw.isascii() and raw.isdigit() and len(raw) < 12 else None
        if case is None:
            errors.append((n, f"样本编号“{raw[:20]}”不在这个样本中"))
            continue
        if case.pk in seen:
            errors.append((n, f"与第 {seen[case.pk]} 行是同一户（样本编号 {case.pk}）"))
            continue
        seen[case.pk] = n
        answers, bad = {}, False
        for key, label in FINDING_LABELS.items():
            a = _answer(get(key))
            if a == "bad":
                errors.append((n, f"{label}应填“是”或“否”"))
                bad = True
            elif a is not None and key not in QUESTIONS[case.stratum]:
                errors.append((n, f"{Stratum(case.stratum).label}不评估“{label}”，请留空"))
                bad = True
            elif a is not None:
                answers[key] = a
        note = get("note")
        if (p := text_problem(note)) is not None or len(note) > 200:
            errors.append((n, f"评估说明{p or '不能超过 200 个字'}"))
            bad = True
        if not bad and answers:
            changes.append((case, answers, note))
    summary = {"rows": len(body), "updated": len(changes), "errors": errors, "applied": False}
    if errors:
        return summary
    now = timezone.now()
    with transaction.atomic():
        for case, answers, note in changes:
            for key, value in answers.items():
                setattr(case, key, value)
            case.note, case.checked_at = note, now
            case.save(update_fields=[*answers, "note", "checked_at"])
        audit_record(actor=actor, action="evaluation.findings", object_type="evaluation_sample", object_id=sample.pk,
                     org=sample.org, after={"file": filename[:100], "cases": len(changes)})
    summary["applied"] = True
    return summary


# --- the rates --------------------------------------------------------------------------------------------------

def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Rates:
    cases: int = 0
    surveyed: int = 0
    filed: int = 0
    wrong_in: int = 0        # 错评
    applicants: int = 0
    missed_in: int = 0       # 漏评
    exited: int = 0
    wrong_out: int = 0       # 错退
    active: int = 0
    missed_out: int = 0      # 漏退
    any_error: int = 0
    paired_asked: int = 0
    paired: int = 0
    by_stratum: dict = field(default_factory=dict)

    def add(self, c) -> None:
        """``c``: a dict of a case's stratum and answers (and checked_at)."""
        self.cases += 1
        self.by_stratum[c["stratum"]] = self.by_stratum.get(c["stratum"], 0) + 1
        if c["checked_at"] is None:
            return
        self.surveyed += 1
        s, error = c["stratum"], False
        if s in FILED and c["eligible"] is not None:
            self.filed += 1
            if c["eligible"] is False:
                self.wrong_in += 1
                error = True
        if s == Stratum.APPLICANT and c["eligible"] is not None:
            self.applicants += 1
            if c["eligible"] is True:
                self.missed_in += 1
                error = True
        if s in EXITED and c["still_hard"] is not None:
            self.exited += 1
            if c["still_hard"] is True:
                self.wrong_out += 1
                error = True
        if s == Stratum.ACTIVE and c["still_hard"] is not None:
            self.active += 1
            if c["still_hard"] is False:
                self.missed_out += 1
                error = True
        if s == Stratum.ACTIVE and c["paired"] is not None:
            self.paired_asked += 1
            self.paired += c["paired"] is True
        self.any_error += error

    @property
    def wrong_in_rate(self):
        return percent(self.wrong_in, self.filed)

    @property
    def missed_in_rate(self):
        return percent(self.missed_in, self.applicants)

    @property
    def wrong_out_rate(self):
        return percent(self.wrong_out, self.exited)

    @property
    def missed_out_rate(self):
        return percent(self.missed_out, self.active)

    @property
    def precision_rate(self):
        return percent(self.surveyed - self.any_error, self.surveyed)

    @property
    def paired_rate(self):
        return percent(self.paired, self.paired_asked)


FIELDS = ("stratum", "eligible", "still_hard", "paired", "checked_at", "org__path")


def rates(sample: Sample, org: Org | None = None) -> Rates:
    out = Rates()
    qs = sample.cases.values(*FIELDS)
    if org is not None:
        qs = qs.filter(org__path__startswith=org.path)
    for c in qs:
        out.add(c)
    return out


def rates_by_child(sample: Sample, org: Org) -> list[tuple[Org, Rates]]:
    """The rates of each child of ``org`` that has cases (drill-down), plus the org's own households as itself."""
    children = list(Org.objects.filter(parent=org).order_by("path"))
    rows = {c.pk: Rates() for c in children}
    own = Rates()
    for c in sample.cases.filter(org__path__startswith=org.path).values(*FIELDS):
        child = next((k for k in children if c["org__path"].startswith(k.path)), None)
        (rows[child.pk] if child else own).add(c)
    out = [(k, rows[k.pk]) for k in children if rows[k.pk].cases]
    if own.cases:
        out.insert(0, (org, own))
    return out
