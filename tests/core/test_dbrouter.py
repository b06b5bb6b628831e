"""The read-replica router (``core.dbrouter``) against a second alias on the same test database (``replica``,
a test mirror of ``default``): which reads go where, read-your-writes after a write, transactions and locks on the
primary, and nothing changed while no replica is configured. The real streaming replica is exercised by
``test_replica_live.py`` (run by .ci/run)."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.db import connections, router, transaction
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.archives.factories import archive_input
from tests.conftest import actor_of
from warmth.archives.models import Archive
from warmth.archives.services import archive_file
from warmth.audit.services import audit_record
from warmth.core import dbrouter
from warmth.core.dbrouter import (
    PIN_COOKIE,
    ReplicaPinMiddleware,
    ReplicaRouter,
    leave_replica,
    reading_from_replica,
    replica_scope,
)
from warmth.jobs.models import Job
from warmth.jobs.registry import KINDS
from warmth.orgs.models import Org

ROUTED = override_settings(DATABASE_ROUTERS=["warmth.core.dbrouter.ReplicaRouter"])
MIDDLEWARE = [*settings.MIDDLEWARE, "warmth.core.dbrouter.ReplicaPinMiddleware"]
both = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def test_without_a_replica_nothing_is_routed():
    """The settings install neither the router nor the pin middleware unless DATABASE_REPLICA_URL is set."""
    assert settings.DATABASE_ROUTERS == []
    assert "warmth.core.dbrouter.ReplicaPinMiddleware" not in settings.MIDDLEWARE
    assert not dbrouter.enabled()
    with replica_scope() as st:
        assert not st.replica and not reading_from_replica()
        assert router.db_for_read(Archive) == "default"


@both
def test_a_list_page_without_a_replica_reads_only_the_primary(login, users, tree):
    archive_file(actor=actor_of(users.county), org=tree.k1, data=archive_input())
    client = login(users.county)
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        assert client.get(reverse("archive_list")).status_code == 200
    assert len(on_replica) == 0


def test_migrations_only_on_the_primary():
    r = ReplicaRouter()
    assert r.allow_migrate("default", "archives") is True
    assert r.allow_migrate("replica", "archives") is False


@both
@ROUTED
def test_reads_in_a_scope_go_to_the_replica_and_see_committed_rows(tree):
    assert router.db_for_read(Org) == "default"  # outside a scope: the primary, as always
    with replica_scope() as st:
        assert st.replica and reading_from_replica()
        assert router.db_for_read(Org) == "replica"
        org = Org.objects.get(code="510107")
        assert org._state.db == "replica"
        # an object read from the replica may be linked to one written on the primary
        assert router.allow_relation(org, Org(code="x"))
        # the session, the jobs and their queue stay on the primary
        assert router.db_for_read(Job) == "default"
        # every write goes to the primary, and the rest of the scope reads there (a write may follow a read)
        assert router.db_for_write(Org) == "default"
        assert router.db_for_read(Org) == "default"
    assert router.db_for_read(Org) == "default"


@both
@ROUTED
def test_transactions_locks_and_get_or_create_stay_on_the_primary(tree):
    with replica_scope():
        assert Org.objects.all().db == "replica"
        with transaction.atomic():
            assert router.db_for_read(Org) == "default"
            assert Org.objects.all().db == "default"
            with CaptureQueriesContext(connections["replica"]) as on_replica:
                Org.objects.get(code="510107")
            assert len(on_replica) == 0
        with CaptureQueriesContext(connections["replica"]) as on_replica:
            Org.objects.get_or_create(code="510107", defaults={"name": "x"})
        assert len(on_replica) == 0
        assert Org.objects.all().db == "default"  # get_or_create may have written: the primary from here on
    with replica_scope():
        assert Org.objects.select_for_update().db == "default"


@both
@ROUTED
def test_after_a_domain_write_the_rest_of_the_scope_reads_the_primary(users, tree):
    with replica_scope() as st:
        audit_record(actor=None, action="test.read", object_type="org", object_id=1)  # bookkeeping: no switch
        assert reading_from_replica() and not st.wrote
        archive_file(actor=actor_of(users.county), org=tree.k1, data=archive_input())
        assert st.wrote and not reading_from_replica()
        assert router.db_for_read(Archive) == "default"
    with replica_scope():
        assert reading_from_replica()
        leave_replica("test")
        assert router.db_for_read(Archive) == "default"


@both
@ROUTED
def test_a_replica_that_cannot_be_reached_sends_the_scope_to_the_primary(monkeypatch, tree):
    from django.db import OperationalError

    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connections["replica"], "ensure_connection", refuse)
    with replica_scope() as st:
        assert not st.replica
        assert router.db_for_read(Org) == "default"


@both
@ROUTED
@override_settings(MIDDLEWARE=MIDDLEWARE)
def test_the_pages_read_from_the_replica_until_the_user_writes(login, users, tree):
    archive_file(actor=actor_of(users.county), org=tree.k1, data=archive_input())
    client = login(users.county)
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        page = client.get(reverse("archive_list"))
    assert page.status_code == 200 and PIN_COOKIE not in page.cookies
    assert any("archives_archive" in q["sql"] for q in on_replica.captured_queries)

    # a write (any POST) pins this browser to the primary for the pin window
    posted = client.post(reverse("archive_suggest"), {})
    assert PIN_COOKIE in posted.cookies
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        assert client.get(reverse("archive_list")).status_code == 200
    assert len(on_replica) == 0


@both
@ROUTED
@override_settings(MIDDLEWARE=MIDDLEWARE, WARMTH_REPLICA_PIN_SECONDS=1)
def test_the_pin_ends_after_its_window(login, users, tree):
    client = login(users.county)
    assert PIN_COOKIE in client.post(reverse("archive_suggest"), {}).cookies
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        client.get(reverse("archive_list"))
    assert len(on_replica) == 0
    time.sleep(2.1)  # the signature's timestamp has whole seconds: past 1 s for sure
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        client.get(reverse("archive_list"))
    assert len(on_replica) > 0


@both
@ROUTED
def test_the_middleware_pins_after_a_write_in_a_get_but_not_after_bookkeeping(users, tree):
    rf = RequestFactory()

    def writes(request):
        with replica_scope():
            archive_file(actor=actor_of(users.county), org=tree.k1, data=archive_input())
        return HttpResponse("ok")

    def audits(request):
        with replica_scope():
            audit_record(actor=None, action="test.read", object_type="org", object_id=1)
            Org.objects.count()
        return HttpResponse("ok")

    assert PIN_COOKIE in ReplicaPinMiddleware(writes)(rf.get("/")).cookies
    assert PIN_COOKIE not in ReplicaPinMiddleware(audits)(rf.get("/")).cookies
    assert PIN_COOKIE in ReplicaPinMiddleware(audits)(rf.post("/")).cookies

    # a pinned request reads the primary inside a scope
    pinned = rf.get("/")
    pinned.COOKIES[PIN_COOKIE] = ReplicaPinMiddleware(audits)(rf.post("/")).cookies[PIN_COOKIE].value
    seen = {}

    def looks(request):
        with replica_scope():
            seen["db"] = router.db_for_read(Org)
        return HttpResponse("ok")

    ReplicaPinMiddleware(looks)(pinned)
    assert seen["db"] == "default"
    ReplicaPinMiddleware(looks)(rf.get("/"))
    assert seen["db"] == "replica"


def test_the_exports_are_the_jobs_that_read_from_the_replica():
    replica = {k for k, kind in KINDS.items() if kind.reads == "replica"}
    assert replica == {"archives.export", "audit.export", "payments.roster", "visits.never_helped"}
    assert KINDS["payments.batch"].reads == "primary" and KINDS["archives.import"].reads == "primary"


@both
@ROUTED
def test_an_export_job_reads_from_the_replica(users, tree):
    from warmth.jobs.services import job_create

    archive_file(actor=actor_of(users.owner), org=tree.c1, data=archive_input())
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        job = job_create(actor=actor_of(users.owner), kind="archives.export", title="导出", params={"org": "510100"})
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert any("archives_archive" in q["sql"] for q in on_replica.captured_queries)
    assert not any("jobs_job" in q["sql"] for q in on_replica.captured_queries)


def _replica_views():
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and getattr(p.callback, "reads_replica", False):
                yield prefix + str(p.pattern), p.name

    return list(walk(get_resolver().url_patterns))


def test_the_replica_views_are_the_read_only_pages():
    names = {name for _, name in _replica_views()}
    assert {"dashboard", "report_detail", "report_cell", "archive_list", "payment_list", "season_coverage",
            "audit_list"} <= names
    assert not names & {"archive_create", "payment_create", "payment_batch", "job_list", "login", "home"}


@both
@ROUTED
@override_settings(MIDDLEWARE=MIDDLEWARE)
def test_every_replica_page_answers_and_reads_the_replica(client, users, tree):
    from warmth.reports import tally
    from warmth.reports.definitions import definitions

    archive_file(actor=actor_of(users.county), org=tree.k1, data=archive_input())
    definitions()  # the packaged forms are stored on first use (a write, which would pin the page that did it)
    tally.refresh()
    client.force_login(users.leader)
    year = 2025
    pages = [("/" + path.replace("<str:form>", "warmth").replace("<int:year>", str(year))
              .replace("<str:code>", "1").replace("<str:fmt>", "csv"), name)
             for path, name in _replica_views() if "<int:" not in path.replace("<int:year>", "")]
    assert len(pages) >= 15
    for url, name in pages:
        with CaptureQueriesContext(connections["replica"]) as on_replica:
            response = client.get(url)
        assert response.status_code < 500, (name, url)
        if response.status_code == 200:
            assert on_replica.captured_queries, (name, url)
        assert PIN_COOKIE not in response.cookies, (name, url)
