"""Reads from a real PostgreSQL streaming replica (hot standby), through the router of ``core.dbrouter``.

Runs only where ``DATABASE_REPLICA_URL`` names a standby of the ``DATABASE_URL`` server: .ci/run starts one with
``scripts/pg_replica.sh start`` (pg_basebackup -R, primary_conninfo, hot_standby) and runs
``pytest -m replica``. The settings then install the router and the pin middleware; the ``replica`` alias is a
test mirror, so it reads the primary's test database as replayed by the standby. Replay is paused
(``pg_wal_replay_pause``) to make the lag visible and deterministic: what others see on the replica, what the
user who wrote sees, what a job started right after a write reads."""

from __future__ import annotations

import os
from datetime import date, timedelta

import pytest
from django.db import connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.archives.factories import archive_input
from tests.conftest import actor_of
from warmth.archives import lifecycle
from warmth.archives.services import archive_file
from warmth.core.dbrouter import PIN_COOKIE, read_alias, replica_scope, wait_for_replica
from warmth.jobs.services import job_create
from warmth.reports import tally

pytestmark = [
    pytest.mark.replica,
    pytest.mark.skipif(not os.environ.get("DATABASE_REPLICA_URL"),
                       reason="needs a streaming replica: DATABASE_REPLICA_URL (see scripts/pg_replica.sh)"),
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]

YEAR = 2025


def _one(alias: str, sql: str, params=()):
    with connections[alias].cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


def _active(users, org):
    handler, reviewer = actor_of(users.county), actor_of(users.colleague)
    a = archive_file(actor=handler, org=org, data=archive_input())
    lifecycle.archive_submit(actor=handler, archive=a)
    lifecycle.archive_accept(actor=reviewer, archive=a)
    start = date(2025, 12, 1)
    lifecycle.archive_verify(actor=handler, archive=a, visited_on=start, visitors="张三、李四", findings="情况属实",
                             publicity_start=start, today=start)
    lifecycle.archive_end_publicity(actor=handler, archive=a, today=start + timedelta(days=10))
    return lifecycle.archive_approve(actor=reviewer, archive=a)


@pytest.fixture(autouse=True)
def standby():
    """Waits for the standby to have replayed the test database (created on the primary by this run), and
    resumes its replay however the test ends (the tests pause it to make the lag visible)."""
    import time

    from django.db import DatabaseError

    deadline = time.monotonic() + 60
    while True:
        try:
            connections["replica"].ensure_connection()
            break
        except DatabaseError:
            connections["replica"].close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    _one("replica", "SELECT pg_wal_replay_resume()::text")
    assert wait_for_replica(30)
    yield
    _one("replica", "SELECT pg_wal_replay_resume()::text")


def pause() -> None:
    _one("replica", "SELECT pg_wal_replay_pause()::text")


def resume() -> None:
    _one("replica", "SELECT pg_wal_replay_resume()::text")


def _households(org) -> tuple[int, list[dict]]:
    """The 在档 households of the report source, read in a replica scope; and the queries the replica ran."""
    with replica_scope(), CaptureQueriesContext(connections["replica"]) as on_replica:
        figure = tally.totals(org, YEAR)["archives.households"]
        assert _one(read_alias(), "SELECT pg_is_in_recovery()") is True
    return figure, on_replica.captured_queries


def test_the_replica_alias_is_a_hot_standby_of_the_primary():
    assert _one("default", "SELECT pg_is_in_recovery()") is False
    assert _one("replica", "SELECT pg_is_in_recovery()") is True
    assert _one("replica", "SELECT current_database()") == _one("default", "SELECT current_database()")


def test_figures_come_from_the_replica_and_a_writer_reads_its_own_writes(users, tree, client):
    _active(users, tree.k1)
    _active(users, tree.k1)
    tally.refresh()
    assert wait_for_replica(30)

    # the report's figure, summed from the tally on the standby
    figure, queries = _households(tree.c1)
    assert figure == 2
    assert any("reports_tally" in q["sql"] for q in queries)

    # the archive list of a county user, through the web: its rows come from the standby
    client.force_login(users.colleague)
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        page = client.get(reverse("archive_list"))
    assert page.status_code == 200 and page.context["total"] == 2
    assert any("archives_archive" in q["sql"] for q in on_replica.captured_queries)

    # the standby stops replaying: a third archive is written on the primary only
    pause()
    _active(users, tree.k1)
    tally.refresh()
    assert _households(tree.c1)[0] == 2          # others read the replica's (older) figure
    assert client.get(reverse("archive_list")).context["total"] == 2

    # the user who just wrote (any POST) is pinned to the primary and sees the third archive at once
    writer = client.__class__()
    writer.force_login(users.owner)
    assert PIN_COOKIE in writer.post(reverse("archive_list"), {"q": ""}).cookies
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        page = writer.get(reverse("archive_list"))
    assert page.context["total"] == 3
    assert not on_replica.captured_queries

    # replay resumed: everyone reads the new figure from the replica
    resume()
    assert wait_for_replica(30)
    assert _households(tree.c1)[0] == 3
    assert client.get(reverse("archive_list")).context["total"] == 3


@override_settings(WARMTH_REPLICA_WAIT_SECONDS=1)
def test_an_export_started_right_after_a_write_sees_it(users, tree):
    pause()
    _active(users, tree.k1)
    # replay paused: the job cannot read its request's writes on the standby, so it reads the primary
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        job = job_create(actor=actor_of(users.owner), kind="archives.export", title="导出", params={"org": "510100"})
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert job.result["rows"] == 1
    assert not any("archives_archive" in q["sql"] for q in on_replica.captured_queries)

    # replay running: the job waits for the standby to pass the primary's position at its start, then reads there
    resume()
    _active(users, tree.k1)
    with override_settings(WARMTH_REPLICA_WAIT_SECONDS=30), \
            CaptureQueriesContext(connections["replica"]) as on_replica:
        job = job_create(actor=actor_of(users.owner), kind="archives.export", title="导出", params={"org": "510100"})
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert job.result["rows"] == 2
    assert any("archives_archive" in q["sql"] for q in on_replica.captured_queries)
