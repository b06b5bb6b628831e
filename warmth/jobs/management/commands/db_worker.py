"""``warmth db_worker``: django-tasks-db's worker plus the jobs' sweeps.

At start, and then every ``--sweep-interval`` seconds from a thread of its own, the worker reclaims the jobs of
workers that stopped (no heartbeat for ``WARMTH_JOB_STALE_SECONDS``: queued again when their kind is safe to
re-run, else marked failed with the reason) and deletes job files older than ``WARMTH_EXPORT_KEEP_DAYS``
(audited). Everything else (queues, --batch, --max-tasks, signals) is the library's worker unchanged."""

from __future__ import annotations

import logging
import os
import threading

from django.db import connection
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as LibraryWorker

from warmth.jobs.services import jobs_sweep

log = logging.getLogger("warmth.jobs")


def _sweep_once(out) -> None:
    try:
        done = jobs_sweep()
    except Exception:  # the worker keeps working; the next sweep tries again
        log.exception("job sweep failed")
        return
    if any(done.values()):
        out.write(f"job sweep: queued again {done['requeued']}, failed {done['failed']}, "
                  f"files deleted {done['files_deleted']}")


def _sweep_forever(every: float, stop: threading.Event, out) -> None:
    try:
        while not stop.wait(every):
            _sweep_once(out)
    finally:
        connection.close()


class Command(LibraryWorker):
    help = "Run the background worker (database queue); reclaims the jobs of stopped workers, deletes expired files"

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--sweep-interval", type=float, default=60.0,
                            help="seconds between sweeps for stopped jobs and expired files (default: 60)")

    def handle(self, *args, sweep_interval: float = 60.0, **options) -> None:
        reloader_parent = options.get("reload") and not options.get("batch") \
            and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        if not reloader_parent:  # the process that runs tasks (not the autoreloader watching it)
            _sweep_once(self.stdout)
            if sweep_interval > 0 and not options.get("batch"):
                stop = threading.Event()
                threading.Thread(target=_sweep_forever, args=(sweep_interval, stop, self.stdout),
                                 name="job-sweep", daemon=True).start()
        super().handle(*args, **options)
