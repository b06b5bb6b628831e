"""Reads of archives beyond a plain filter: search (ID number through the blind index, name, archive number)
and the list filters shared by the HTML list, the API and the exports.

Every function starts from ``archives_for_actor`` (or from a queryset that did), so nothing here can reach
outside the actor's subtree.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from warmth.archives.access import archives_for_actor
from warmth.archives.choices import ArchiveStatus, Identity, ModelWorkerType
from warmth.archives.models import Archive, ArchiveReview, ArchiveStep, FamilyMember, Transfer
from warmth.core import idcard, pii
from warmth.core.fields import bidx
from warmth.orgs.access import Actor
from warmth.orgs.models import Org

#: the states of an archive that is 在档: approved, and its exit (if one was asked for) not yet approved
FILED_STATUSES = (ArchiveStatus.ACTIVE, ArchiveStatus.EXIT_REVIEW, ArchiveStatus.EXIT_PUBLICIZING)


def filed_on(day: date | None = None) -> Q:
    """在档 at the end of ``day`` (None: now), the one definition of the figure that the dashboard, coverage and
    the statistics forms count: approved by then (``activated_at``) and not exited by then (``exited_at``, set
    when the exit is finally approved: an archive in 退档审批 or 退档公示 is still 在档). Older data without
    those times: an archive made 在档 without an approval time counts as approved from the start, one that
    left without an exit time counts as gone.

    For today or a later day this is the archive's state (``FILED_STATUSES``): the approval and the final exit
    are what move an archive into and out of those states, so the two agree without comparing timestamps
    (``tests/archives/test_filed_on.py`` holds them equal on the demo)."""
    if day is None or day >= timezone.localdate():
        return Q(status__in=FILED_STATUSES)
    return _filed_by_times(day)


def _filed_by_times(day: date) -> Q:
    """``filed_on`` for any day from the approval and exit times (for a past day; a test compares it with the
    states for today)."""
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone())
    filed_now = Q(status__in=FILED_STATUSES, exited_at__isnull=True)
    exited_later = Q(exited_at__gte=end)
    # approved by then; without an approval time, an archive still 在档 or exited after the day was approved
    approved = Q(activated_at__lt=end) | (Q(activated_at__isnull=True) & (filed_now | exited_later))
    # not exited by then: still 在档 now, or its exit approved after the day (an archive that left without an
    # exit time, older data, counts as gone)
    return approved & (filed_now | exited_later)


def changed_since(day: date) -> tuple[list[Q], list[Q]]:
    """How the archives 在档 at the end of ``day`` differ from those 在档 now: (filed now but not then, filed then
    but not now), each a list of disjoint conditions that the indexes on (status, activated_at) and (status,
    exited_at) answer without a scan. ``filed_on(day)`` = filed now − the first + the second (a test holds the
    two equal), so a form of a past day is the tally's figures now corrected by the few archives approved or
    exited since, instead of a count over every archive of the subtree."""
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone())
    filed = Q(status__in=FILED_STATUSES)
    approved_then = Q(activated_at__lt=end) | Q(activated_at__isnull=True)
    not_then = [filed & Q(activated_at__gte=end), filed & Q(exited_at__lt=end) & approved_then]
    not_now = [~filed & Q(exited_at__gte=end) & approved_then]
    return not_then, not_now


def filed_in(org: Org, day: date | None = None) -> QuerySet[Archive]:
    """The archives 在档 at the end of ``day`` (None: now) filed under ``org``'s whole subtree (by the org they
    belong to now). No access check: callers narrow it to the actor's subtree or pass an org reached through
    an access helper."""
    return Archive.objects.filter(filed_on(day), org__path__startswith=org.path)


def search_archives(actor: Actor, q: str = "") -> QuerySet[Archive]:
    """The actor's archives matching ``q``; all of them when ``q`` is blank.

    - ``q`` a valid 身份证号 (18 or 15 digits, full-width and spaces tolerated): exactly the households in which
      that person is the 户主 or a family member (blind-index lookup; exited archives included);
    - otherwise: 户主姓名 contains ``q``, or 档案编号 equals ``q``.
    """
    qs = archives_for_actor(actor)
    q = (q or "").strip()
    if not q:
        return qs
    try:
        card = idcard.parse(q)
    except idcard.IdCardError:
        card = None
    if card is not None:
        index = bidx(pii.ID_NUMBER, card.number)
        # two index lookups first, then the actor's scope over those few ids: an OR with a correlated EXISTS
        # would make the database test every archive of the scope (2 s at the national root)
        ids = set(Archive.objects.filter(id_number_bidx=index).values_list("pk", flat=True))
        ids.update(FamilyMember.objects.filter(id_number_bidx=index).values_list("archive_id", flat=True))
        return qs.filter(pk__in=sorted(ids))
    return qs.filter(Q(name__contains=q) | Q(archive_no=q))


def filter_archives(qs: QuerySet[Archive], *, status: str | None = None, category: str | None = None,
                    cause: str | None = None, org_code: str | None = None, model_worker: bool | None = None,
                    migrant: bool | None = None, review_due_year: int | None = None) -> QuerySet[Archive]:
    """Narrow an actor's archive queryset. Every argument is optional; ``None`` or ``""`` means "any".

    - ``status``: an ``ArchiveStatus`` value (``active`` …); ``category``: a ``HardshipCategory`` value;
    - ``cause``: a ``HardshipCause`` value found in any of 致困原因1–3;
    - ``org_code``: only archives of that org and its subtree (an org outside the queryset's own scope
      simply matches nothing, so no existence is revealed);
    - ``model_worker``: True for 劳模 (any type but 非劳模), False for the others;
    - ``migrant``: True for 农民工 (the head's 身份), False for the others;
    - ``review_due_year``: 在档 archives without a 复核 for that year.
    """
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if cause:
        qs = qs.filter(Q(cause_1=cause) | Q(cause_2=cause) | Q(cause_3=cause))
    if org_code:
        org = Org.objects.filter(code=org_code).only("path").first()
        qs = qs.filter(org__path__startswith=org.path) if org else qs.none()
    if model_worker is not None:
        worker = Q(model_worker_type=ModelWorkerType.NONE)
        qs = qs.exclude(worker) if model_worker else qs.filter(worker)
    if migrant is not None:
        mig = Q(identity=Identity.MIGRANT)
        qs = qs.filter(mig) if migrant else qs.exclude(mig)
    if review_due_year:
        reviewed = ArchiveReview.objects.filter(archive=OuterRef("pk"), year=review_due_year)
        qs = qs.filter(status=ArchiveStatus.ACTIVE).filter(~Exists(reviewed))
    return qs


def archive_with_details(actor: Actor, archive_id: int) -> Archive:
    """One archive of the actor's subtree with what its detail page shows, fetched in a fixed number of
    queries (members, plan, steps with their actors, objections, reviews, pending transfers)."""
    archive = (archives_for_actor(actor).filter(pk=archive_id).select_related("org", "plan", "created_by")
               .prefetch_related("members", "objections", "reviews",
                                 Prefetch("steps", queryset=ArchiveStep.objects.select_related("actor")),
                                 Prefetch("transfers", queryset=Transfer.objects.filter(status="pending")
                                          .select_related("to_org"), to_attr="pending_transfers"))
               .first())
    if archive is None:
        raise Http404("档案不存在或不在您的管辖范围内")
    return archive
