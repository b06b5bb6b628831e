"""结对帮扶: assigning a union cadre to a 在档 household, the cadre's visits, when a visit is due, and the coverage.
The definitions (also in docs/guide.md):

- a pairing's *base* is its last visit's date, or its start when it has none; the next visit is *due* on
  ``add_months(base, 6)`` and the pairing is due when today ≥ that day; it is *overdue* when today ≥
  ``add_months(base, 7)`` (a month past the due day);
- a household was *visited within the last six months* when one of its pairing visits (under any cadre) has a date
  ``d`` with ``add_months(d, 6) > today`` — exactly the complement of "due" for the pairing that made the visit;
- 结对率 = 在档 households with a current pairing / 在档 households of the org's subtree;
- 走访率 = paired 在档 households visited within the last six months / paired 在档 households.

A rate whose denominator is 0 is None ("—"); rates are percentages rounded half up to one decimal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from warmth.archives.choices import ArchiveStatus
from warmth.archives.models import Archive
from warmth.audit.services import audit_record
from warmth.core.files import store_upload
from warmth.core.validation import Errors, check_date
from warmth.core.workdays import add_months
from warmth.orgs.access import Actor
from warmth.orgs.models import Membership, Org, User
from warmth.orgs.permissions import Perm
from warmth.pairing.models import Pairing, PairingVisit

EVERY_MONTHS, OVERDUE_MONTHS = 6, 7
MAX_PHOTOS, FINDINGS_MAX, NEEDS_MAX = 3, 500, 500


# --- access -----------------------------------------------------------------------------------------------------

def pairings_for_actor(actor: Actor) -> QuerySet[Pairing]:
    """Pairings of households in the actor's subtree (a cadre acts through a membership at the household's org or
    above, so the cadre's own are among them)."""
    return Pairing.objects.filter(archive__org__path__startswith=actor.org.path)


def pairing_for_actor(actor: Actor, pk: int):
    p = pairings_for_actor(actor).select_related("archive", "archive__org", "cadre").filter(pk=pk).first()
    if p is None:
        raise Http404("结对记录不存在或不在您的管辖范围内")
    return p


def visit_for_actor(actor: Actor, pk: int) -> PairingVisit:
    v = PairingVisit.objects.filter(pk=pk, archive__org__path__startswith=actor.org.path).first()
    if v is None:
        raise Http404("走访记录不存在或不在您的管辖范围内")
    return v


def photo_path(rel: str) -> Path | None:
    """A stored photo's file, or None when the stored path points outside the files folder."""
    root = Path(settings.WARMTH_FILES_DIR).resolve()
    path = (root / rel).resolve()
    return path if rel and path.is_relative_to(root) else None


def cadres_for(actor: Actor, archive: Archive) -> QuerySet[User]:
    """Active users with an active membership at the archive's org or above it, inside the actor's subtree."""
    mems = Membership.objects.filter(is_active=True, org__path__startswith=actor.org.path).select_related("org")
    ids = {m.user_id for m in mems if archive.org.path.startswith(m.org.path)}
    return User.objects.filter(pk__in=ids, is_active=True).order_by("username")


# --- assigning --------------------------------------------------------------------------------------------------

def pairing_assign(*, actor: Actor, archive: Archive, cadre: User | None, started_on: date | None,
                   reason: str = "", today: date | None = None):
    """Make ``cadre`` the household's 结对帮扶 contact from ``started_on``; the current pairing (if any) ends that day
    and is kept."""
    actor.require(Perm.ARCHIVE_WRITE)
    if not actor.sees_org(archive.org):
        raise PermissionDenied("只能为本单位及下级的档案指定结对干部")
    today = today or timezone.localdate()
    e = Errors()
    reason = e.text("reason", reason, label="改派原因", max_length=200)
    if archive.status != ArchiveStatus.ACTIVE:
        e.add("__all__", "只有在档的困难职工家庭才能结对帮扶")
    if cadre is None:
        e.add("cadre", "请选择结对干部")
    elif not cadres_for(actor, archive).filter(pk=cadre.pk).exists():
        e.add("cadre", "结对干部须是本单位或上级工会（在您的管辖范围内）的在职用户")
    current = with_last_visit(Pairing.objects.filter(archive=archive, ended_on__isnull=True)).first()
    if started_on is None:
        e.add("started_on", "请填写结对开始日期")
    else:
        with e.field("started_on"):
            check_date(started_on, label="结对开始日期", latest=today,
                       earliest=(max(current.started_on, current.last_visit or current.started_on) if current
                                 else date(2000, 1, 1)))
    if current and cadre is not None and current.cadre_id == cadre.pk:
        e.add("cadre", "该干部已是这户的结对干部")
    if current and not reason:
        e.add("reason", "改派须填写原因")
    e.raise_if_any()
    with transaction.atomic():
        if current:
            n = Pairing.objects.filter(pk=current.pk, ended_on__isnull=True).update(
                ended_on=started_on, end_reason=f"改派：{reason}")
            if n != 1:
                raise ValidationError({"__all__": "这户的结对刚被别人改过，请刷新后再试"})
        try:
            with transaction.atomic():
                p = Pairing.objects.create(archive=archive, org=archive.org, cadre=cadre, started_on=started_on,
                                           assigned_by=actor.user)
        except IntegrityError:
            raise ValidationError({"__all__": "这户的结对刚被别人改过，请刷新后再试"}) from None
        audit_record(actor=actor, action="pairing.assign", object_type="pairing", object_id=p.pk, org=archive.org,
                     before={"cadre": current.cadre_id} if current else None,
                     after={"cadre": cadre.pk, "started_on": str(started_on), "end_reason": reason})
    return p


# --- visits -----------------------------------------------------------------------------------------------------

def may_record(actor: Actor, pairing) -> bool:
    if pairing.ended_on is not None or not actor.sees_org(pairing.archive.org):
        return False
    return pairing.cadre_id == actor.user.pk or actor.can(Perm.ARCHIVE_WRITE)


def visit_record(*, actor: Actor, pairing, visited_on: date | None, findings: str, needs: str = "",
                 photos=(), corrects=None, today: date | None = None):
    """Record a visit (kept; a correction is a new record naming the one it corrects). Every problem at once."""
    if not may_record(actor, pairing):
        raise PermissionDenied("只有结对干部本人或本单位经办人可以记录当前结对的走访")
    today = today or timezone.localdate()
    e = Errors()
    findings = e.text("findings", findings, label="走访情况", max_length=FINDINGS_MAX, required=True, multiline=True)
    needs = e.text("needs", needs, label="家庭需求", max_length=NEEDS_MAX, multiline=True)
    if visited_on is None:
        e.add("visited_on", "请填写走访日期")
    else:
        with e.field("visited_on"):
            check_date(visited_on, label="走访日期", earliest=pairing.started_on, latest=today)
    photos = [p for p in photos if p is not None]
    if len(photos) > MAX_PHOTOS:
        e.add("photos", f"照片最多 {MAX_PHOTOS} 张")
        photos = []
    if corrects is not None and corrects.pairing_id != pairing.pk:
        e.add("corrects", "只能更正这次结对的走访记录")
    if e:  # check the files' size and kind without storing them, so every error shows at once
        for p in photos:
            with e.field("photos"):
                _check_photo(p)
        e.raise_if_any()
    stored = []
    for p in photos:
        with e.field("photos"):
            stored.append(store_upload(p, folder=f"pairing/{pairing.pk}", field="photos"))
    e.raise_if_any()
    v = PairingVisit.objects.create(
        pairing=pairing, archive_id=pairing.archive_id, visited_on=visited_on, findings=findings, needs=needs,
        photos=[s.__dict__ for s in stored], corrects=corrects, recorded_by=actor.user)
    audit_record(actor=actor, action="pairing.visit", object_type="pairing_visit", object_id=v.pk,
                 org=pairing.archive.org, after={"visited_on": str(visited_on), "photos": len(stored),
                                                 "corrects": corrects.pk if corrects else None})
    return v


def _check_photo(upload) -> None:
    from warmth.core.files import MAX_UPLOAD_BYTES, sniff

    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(f"附件不能超过{MAX_UPLOAD_BYTES // 1024 // 1024}MB")
    head = upload.read(16)
    upload.seek(0)
    if sniff(head) is None:
        raise ValidationError("只接受PDF、JPG、PNG格式的附件")


# --- due --------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Due:
    base: date       # the last visit, or the start
    due_on: date     # add_months(base, 6)
    due: bool        # today ≥ due_on
    overdue: bool    # today ≥ add_months(base, 7)


def due_of(started_on: date, last_visit: date | None, today: date) -> Due:
    base = max(started_on, last_visit) if last_visit else started_on
    due_on = add_months(base, EVERY_MONTHS)
    return Due(base, due_on, today >= due_on, today >= add_months(base, OVERDUE_MONTHS))


def visited_since(today: date) -> date:
    """The earliest visit date that still counts as "within the last six months" on ``today``: the smallest d with
    add_months(d, 6) > today (add_months is monotone, so the set of such d is a ray)."""
    d = add_months(today, -EVERY_MONTHS) - timedelta(days=4)
    while add_months(d, EVERY_MONTHS) <= today:
        d += timedelta(days=1)
    return d


def with_last_visit(qs: QuerySet) -> QuerySet:
    return qs.annotate(last_visit=Max("visits__visited_on"))


def due_for_cadre(user: User, org: Org, today: date | None = None) -> list[tuple]:
    """The user's current pairings of households in ``org``'s subtree that are due: (pairing, Due), oldest first."""
    today = today or timezone.localdate()
    since = visited_since(today)
    qs = with_last_visit(Pairing.objects.filter(cadre=user, ended_on__isnull=True,
                                                archive__status=ArchiveStatus.ACTIVE,
                                                archive__org__path__startswith=org.path)
                         .select_related("archive", "archive__org"))
    # due ⇔ base < since (base = last visit or start); filtered in SQL, confirmed in Python
    qs = qs.filter(Q(last_visit__isnull=True, started_on__lt=since) | Q(last_visit__lt=since))
    out = [(p, due_of(p.started_on, p.last_visit, today)) for p in qs.order_by("started_on", "id")[:500]]
    return sorted([(p, d) for p, d in out if d.due], key=lambda x: (x[1].due_on, x[0].pk))


# --- coverage ---------------------------------------------------------------------------------------------------

def _pct(n: int, d: int) -> Decimal | None:
    if not d:
        return None
    return (Decimal(100) * n / d).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Coverage:
    active: int
    paired: int
    visited: int

    @property
    def paired_rate(self):
        return _pct(self.paired, self.active)

    @property
    def visited_rate(self):
        return _pct(self.visited, self.paired)


def households(org: Org, today: date | None = None) -> QuerySet[Archive]:
    """在档 archives of ``org``'s subtree annotated with ``paired`` and ``visited`` (within the last six months)."""
    since = visited_since(today or timezone.localdate())
    return (Archive.objects.filter(org__path__startswith=org.path, status=ArchiveStatus.ACTIVE)
            .annotate(paired=Exists(Pairing.objects.filter(archive=OuterRef("pk"), ended_on__isnull=True)),
                      visited=Exists(PairingVisit.objects.filter(archive=OuterRef("pk"), visited_on__gte=since))))


def coverage(org: Org, today: date | None = None) -> Coverage:
    qs = households(org, today)
    return Coverage(qs.count(), qs.filter(paired=True).count(), qs.filter(paired=True, visited=True).count())


def coverage_by_child(org: Org, today: date | None = None) -> list[tuple[Org, Coverage]]:
    """The org's own archives (if any) and each child's subtree."""
    rows = []
    own = households(org, today).filter(org=org)
    if own.exists():
        rows.append((org, Coverage(own.count(), own.filter(paired=True).count(),
                                   own.filter(paired=True, visited=True).count())))
    for child in Org.objects.filter(parent=org).order_by("code"):
        rows.append((child, coverage(child, today)))
    return rows
