"""Reads served by a PostgreSQL streaming replica (``DATABASE_REPLICA_URL``), everything else by the primary.

Django's routers see models, not views, so the choice is made per piece of work, not per model:

- Nothing reads from the replica unless it runs inside a *replica scope*: a view decorated with
  ``replica_reads`` (reports, dashboards, coverage, lists; GET and HEAD only) or a background job whose kind is
  registered ``reads="replica"`` (the exports: ``jobs.services.job_run`` enters ``job_scope``). Everything else,
  every POST, the workflow engine, the services, the jobs queue, the management commands, reads and writes the
  primary, as it did before there was a replica.
- Inside a scope the primary is still used for: every write (``db_for_write`` is always ``default``); every
  read inside a transaction (``transaction.atomic``: the services read, lock and write there) and every
  ``select_for_update``, ``get_or_create`` and ``update_or_create`` (Django routes those as writes); the
  tables of ``PRIMARY_APPS`` (sessions, the jobs and their queue); and the rest of the scope after the first
  write of a domain table (a view that reads, writes, then reads again sees its own write) or after
  ``leave_replica()`` (the report engine calls it after refreshing the tally).
- Read-your-writes for a person: ``ReplicaPinMiddleware`` sets a signed cookie after every request that is not
  GET/HEAD/OPTIONS and after any request that wrote a domain table; for ``WARMTH_REPLICA_PIN_SECONDS`` (default
  5) after it, that browser's requests read from the primary even inside a scope.
- Read-your-writes for a background job: a job that reads from the replica first waits until the replica has
  replayed the primary's WAL position as of the job's start (which is after the commit of the request that
  queued it), at most ``WARMTH_REPLICA_WAIT_SECONDS``; if the replica is further behind, or unreachable, the
  job reads from the primary.
- A replica that cannot be reached sends the scope to the primary (logged), so a standby that is down costs a
  failed connection attempt per scope, not an error page.

With no ``DATABASE_REPLICA_URL`` the router is not installed and every function here is a no-op.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections

log = logging.getLogger(__name__)

DEFAULT = "default"
REPLICA = "replica"
# read (and written) only on the primary, inside a scope too: the session, the jobs and the tasks queue
PRIMARY_APPS = frozenset({"sessions", "jobs", "django_tasks_db", "contenttypes"})
# writes here do not end a scope or pin the user: the bookkeeping of reading (audit of a view, job progress,
# the session's activity stamp) is not a change the user would expect to read back
BOOKKEEPING_APPS = PRIMARY_APPS | {"audit"}
PIN_COOKIE = "warmth_primary"
PIN_SALT = "warmth.core.dbrouter.pin"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass
class State:
    """What the current request (or job) may do: ``replica`` while inside a scope, ``pinned`` when the user
    wrote within the pin window, ``wrote`` once a domain table was written."""

    replica: bool = False
    pinned: bool = False
    wrote: bool = False
    reason: str = ""


_state: contextvars.ContextVar[State | None] = contextvars.ContextVar("warmth_db_state", default=None)


def enabled() -> bool:
    return REPLICA in settings.DATABASES and "warmth.core.dbrouter.ReplicaRouter" in settings.DATABASE_ROUTERS


def reading_from_replica() -> bool:
    """Whether a read outside a transaction would go to the replica now (for tests and the page's footnote)."""
    st = _state.get()
    return bool(st and st.replica and not st.pinned and not st.wrote and enabled()
                and not connections[DEFAULT].in_atomic_block)


def read_alias() -> str:
    """The alias a raw-SQL read of a domain table should use now (``connections[read_alias()]``)."""
    return REPLICA if reading_from_replica() else DEFAULT


def leave_replica(reason: str = "") -> None:
    """The rest of this scope reads from the primary (after a write the replica may not have replayed yet)."""
    st = _state.get()
    if st is not None and st.replica:
        st.replica = False
        st.reason = reason or st.reason


def _note_write(model) -> None:
    st = _state.get()
    if st is None or model is None or model._meta.app_label in BOOKKEEPING_APPS:
        return
    st.wrote = True


class ReplicaRouter:
    """Installed by the settings only when ``DATABASE_REPLICA_URL`` is set."""

    def db_for_read(self, model, **hints):
        if model is not None and model._meta.app_label in PRIMARY_APPS:
            return DEFAULT
        return REPLICA if reading_from_replica() else DEFAULT

    def db_for_write(self, model, **hints):
        _note_write(model)
        return DEFAULT

    def allow_relation(self, obj1, obj2, **hints):
        # both aliases hold the same rows: an object read from the replica may be linked to one of the primary
        if {obj1._state.db, obj2._state.db} <= {DEFAULT, REPLICA, None}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT


def _replica_reachable() -> bool:
    try:
        connections[REPLICA].ensure_connection()
    except DatabaseError:
        log.warning("the read replica cannot be reached: reading from the primary", exc_info=True)
        connections[REPLICA].close()
        return False
    return True


@contextmanager
def replica_scope(*, catch_up: bool = False) -> Iterator[State]:
    """Reads inside may go to the replica (see the module doc for what still goes to the primary). With
    ``catch_up`` (a background job), first wait for the replica to replay the primary's current WAL position."""
    outer = _state.get()
    if outer is not None:  # nested (a decorated view calling another): one state per request
        was = outer.replica
        outer.replica = outer.replica or (not outer.pinned and enabled() and _replica_reachable())
        try:
            yield outer
        finally:
            outer.replica = was
        return
    st = State()
    if enabled():
        if catch_up:
            st.replica = wait_for_replica(settings.WARMTH_REPLICA_WAIT_SECONDS)
        else:
            st.replica = _replica_reachable()
    token = _state.set(st)
    try:
        yield st
    finally:
        _state.reset(token)


def replica_reads(view):
    """View decorator: a GET or HEAD of this view reads from the replica (unless the user is pinned)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or not enabled():
            return view(request, *args, **kwargs)
        with replica_scope():
            return view(request, *args, **kwargs)

    wrapped.reads_replica = True
    return wrapped


def _lsn(alias: str, sql: str) -> str | None:
    with connections[alias].cursor() as cur:
        cur.execute(sql)
        row = cur.fetchone()
    return row[0] if row else None


def wait_for_replica(seconds: float) -> bool:
    """Whether the replica has replayed the primary's current WAL position, waiting up to ``seconds``."""
    if connections[DEFAULT].vendor != "postgresql" or connections[REPLICA].vendor != "postgresql":
        return _replica_reachable()
    try:
        target = _lsn(DEFAULT, "SELECT pg_current_wal_lsn()::text")
        deadline = time.monotonic() + max(0.0, seconds)
        while True:
            with connections[REPLICA].cursor() as cur:
                # NULL on a server that is not a standby (e.g. the replica alias points at the primary): caught up
                cur.execute("SELECT COALESCE(pg_last_wal_replay_lsn() >= %s::pg_lsn, true)", [target])
                if cur.fetchone()[0]:
                    return True
            if time.monotonic() >= deadline:
                log.warning("the read replica is more than %ss behind (WAL %s not replayed): reading from the "
                            "primary", seconds, target)
                return False
            time.sleep(0.05)
    except DatabaseError:
        log.warning("the read replica cannot be reached: reading from the primary", exc_info=True)
        connections[REPLICA].close()
        return False


@contextmanager
def job_scope(reads: str) -> Iterator[State | None]:
    """What ``jobs.services.job_run`` wraps a handler in: a replica scope for a kind registered
    ``reads="replica"`` (after the replica caught up with the primary), nothing for the others."""
    if reads != "replica" or not enabled():
        yield None
        return
    with replica_scope(catch_up=True) as st:
        yield st


class ReplicaPinMiddleware:
    """Keeps read-your-writes: after a request that may have written (any method but GET/HEAD/OPTIONS, or a
    write of a domain table during the request), the browser gets a signed cookie, and for
    ``WARMTH_REPLICA_PIN_SECONDS`` its requests read from the primary even in the replica's views."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = settings.WARMTH_REPLICA_PIN_SECONDS
        pinned = seconds > 0 and request.get_signed_cookie(PIN_COOKIE, default=None, salt=PIN_SALT,
                                                           max_age=seconds) is not None
        st = State(pinned=pinned, reason="pinned" if pinned else "")
        token = _state.set(st)
        try:
            response = self.get_response(request)
        finally:
            _state.reset(token)
        if seconds > 0 and (request.method not in SAFE_METHODS or st.wrote):
            response.set_signed_cookie(PIN_COOKIE, "1", salt=PIN_SALT, max_age=seconds, httponly=True,
                                       samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
        return response
