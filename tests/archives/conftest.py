import pytest

from tests.archives.factories import archive_input
from tests.conftest import actor_of
from warmth.archives import lifecycle
from warmth.archives.services import archive_file


@pytest.fixture
def filed(users, tree):
    """A draft archive filed by the county handler (武侯区)."""
    return archive_file(actor=actor_of(users.county), org=tree.k1, data=archive_input())


@pytest.fixture
def make_active(users, tree):
    """Run an archive through every step to 在档; returns a function taking optional input overrides."""
    from datetime import date, timedelta

    def _make(data=None, org=None):
        handler, reviewer = actor_of(users.county), actor_of(users.colleague)
        a = archive_file(actor=handler, org=org or tree.k1, data=data or archive_input())
        lifecycle.archive_submit(actor=handler, archive=a)
        lifecycle.archive_accept(actor=reviewer, archive=a)
        start = date(2025, 12, 1)
        lifecycle.archive_verify(actor=handler, archive=a, visited_on=start, visitors="张三、李四",
                                 findings="情况属实", publicity_start=start, today=start)
        lifecycle.archive_end_publicity(actor=handler, archive=a, today=start + timedelta(days=10))
        return lifecycle.archive_approve(actor=reviewer, archive=a)

    return _make
