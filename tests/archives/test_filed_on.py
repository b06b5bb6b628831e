"""在档 as of a day (``archives.queries.filed_on``): approved by the end of the day, the exit not yet approved by
then; an exit still being decided keeps the archive 在档; older data without times is read sensibly."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from tests.archives.factories import filed_on_day
from tests.campaigns.conftest import quick_active
from tests.conftest import actor_of
from warmth.archives.choices import ArchiveStatus
from warmth.archives.models import Archive
from warmth.archives.queries import _filed_by_times, filed_in, filed_on

pytestmark = pytest.mark.django_db
DAY = date(2026, 1, 31)


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def kinds(users, tree):
    actor = actor_of(users.owner)

    def make(status, activated=None, exited=None):
        a = quick_active(actor, tree.k1)
        Archive.objects.filter(pk=a.pk).update(status=status, activated_at=activated, exited_at=exited)
        return a.pk

    return {
        "approved before": make(ArchiveStatus.ACTIVE, at(DAY - timedelta(days=30))),
        "approved that evening": make(ArchiveStatus.ACTIVE, at(DAY, 23)),
        "approved the next morning": make(ArchiveStatus.ACTIVE, at(DAY + timedelta(days=1), 0)),
        "exit being reviewed": make(ArchiveStatus.EXIT_REVIEW, at(DAY - timedelta(days=30))),
        "exit in publicity": make(ArchiveStatus.EXIT_PUBLICIZING, at(DAY - timedelta(days=30))),
        "exited that day": make(ArchiveStatus.EXITED, at(DAY - timedelta(days=30)), at(DAY, 9)),
        "exited after": make(ArchiveStatus.EXITED, at(DAY - timedelta(days=30)), at(DAY + timedelta(days=2))),
        "no approval time": make(ArchiveStatus.ACTIVE),
        "left without an exit time": make(ArchiveStatus.EXITED, at(DAY - timedelta(days=30))),
        "exited after, no approval time": make(ArchiveStatus.EXITED, None, at(DAY + timedelta(days=2))),
        "draft": make(ArchiveStatus.DRAFT),
        "rejected": make(ArchiveStatus.REJECTED),
    }


def test_filed_on_a_past_day(kinds, tree):
    got = set(Archive.objects.filter(filed_on(DAY)).values_list("pk", flat=True))
    want = {"approved before", "approved that evening", "exit being reviewed", "exit in publicity", "exited after",
            "no approval time", "exited after, no approval time"}
    assert {name for name, pk in kinds.items() if pk in got} == want
    # the spelled-out brute force of the other tests says the same
    assert {name for name, pk in kinds.items() if filed_on_day(Archive.objects.get(pk=pk), DAY)} == want
    assert filed_in(tree.k1, DAY).count() == len(want) and filed_in(tree.k2, DAY).count() == 0


def test_filed_now_is_the_state_and_agrees_with_the_times(kinds):
    now = {name for name, pk in kinds.items() if Archive.objects.filter(filed_on(), pk=pk).exists()}
    assert now == {"approved before", "approved that evening", "approved the next morning", "exit being reviewed",
                   "exit in publicity", "no approval time"}
    today = timezone.localdate()
    assert set(Archive.objects.filter(filed_on(today)).values_list("pk", flat=True)) == set(
        Archive.objects.filter(_filed_by_times(today)).values_list("pk", flat=True))
    # a future day is counted as now (nothing is known about it yet)
    assert Archive.objects.filter(filed_on(today + timedelta(days=400))).count() == len(now)


@pytest.mark.parametrize("day", [DAY - timedelta(days=40), DAY - timedelta(days=1), DAY, DAY + timedelta(days=1),
                                 DAY + timedelta(days=3)])
def test_filed_then_is_filed_now_corrected_by_what_changed_since(kinds, day):
    """``changed_since`` (the past forms' shortcut from the tally) gives exactly ``filed_on(day)``, and its parts
    are disjoint."""
    from warmth.archives.queries import changed_since

    ids = set(kinds.values())
    now = set(Archive.objects.filter(filed_on(), pk__in=ids).values_list("pk", flat=True))
    not_then, not_now = changed_since(day)
    parts = [set(Archive.objects.filter(q, pk__in=ids).values_list("pk", flat=True)) for q in not_then + not_now]
    assert sum(len(p) for p in parts) == len(set().union(*parts))
    minus, plus = set().union(*parts[:len(not_then)]), set().union(*parts[len(not_then):])
    assert minus <= now and not plus & now
    then = set(Archive.objects.filter(_filed_by_times(day), pk__in=ids).values_list("pk", flat=True))
    assert (now - minus) | plus == then
