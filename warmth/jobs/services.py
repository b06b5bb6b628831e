"""Creating, claiming and reporting on background jobs. Handlers stay thin and safe to re-run: a job is
claimed with a conditional update, so a second worker (or a re-delivered task) finds nothing to do.

While a job runs, a thread of the worker refreshes its heartbeat; ``jobs_reclaim`` (run by ``warmth db_worker``
at start and periodically) finds running jobs whose heartbeat stopped and queues them again or marks them
failed, by kind. ``job_files_expire`` deletes the files of jobs finished longer ago than the keep period."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import threading
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from warmth.audit.services import audit_record
from warmth.core.dbrouter import job_scope
from warmth.core.idcard import IdCardError
from warmth.core.money import AmountError
from warmth.jobs.models import Job, JobHeartbeat, JobStatus
from warmth.jobs.registry import HANDLERS, KINDS
from warmth.orgs.access import Actor

log = logging.getLogger(__name__)


@transaction.atomic
def job_create(*, actor: Actor, kind: str, title: str, params: dict | None = None) -> Job:
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job.objects.create(kind=kind, title=title[:200], params=params or {}, org=actor.org,
                             membership=actor.membership, created_by=actor.user)
    audit_record(actor=actor, action="job.create", object_type="job", object_id=job.pk,
                 after={"kind": kind, "params": params or {}})
    transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


def job_claim(job_id: int) -> Job | None:
    """Move a queued job to running (with its first heartbeat); None if someone else has it (or it is finished)."""
    now = timezone.now()
    with transaction.atomic():
        claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING, started_at=now, attempts=F("attempts") + 1)
        if not claimed:
            return None
        JobHeartbeat.objects.update_or_create(job_id=job_id, defaults={"worker": _worker_name(), "beat_at": now})
    return Job.objects.get(pk=job_id)


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


# the jobs this process is running now: its own sweep never takes them for dead (on SQLite a long transaction of
# the handler can hold the heartbeat write back)
_RUNNING: set[int] = set()


def heartbeat_seconds() -> float:
    """How often a running job's heartbeat is refreshed: a sixth of the stale timeout (a beat or two may be late
    under load without the job being taken for dead)."""
    return max(0.2, settings.WARMTH_JOB_STALE_SECONDS / 6)


class _Heartbeat:
    """Refreshes a running job's heartbeat from a thread with its own database connection until the handler
    returns. Not started inside a transaction (a test, a caller's ``atomic``): there the job row is invisible
    to other connections and the run is short."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def __enter__(self):
        _RUNNING.add(self.job_id)
        if not connection.in_atomic_block:
            self.thread = threading.Thread(target=self._beat, name=f"job-{self.job_id}-heartbeat", daemon=True)
            self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        if self.thread is not None:
            self.thread.join(timeout=30)
        _RUNNING.discard(self.job_id)

    def _beat(self) -> None:
        from django.db import connection as own  # this thread's connection

        try:
            while not self.stop.wait(heartbeat_seconds()):
                try:
                    JobHeartbeat.objects.filter(job_id=self.job_id).update(beat_at=timezone.now())
                except DatabaseError:  # the database busy or away for a moment: the next beat tries again
                    log.warning("heartbeat of job %s not written", self.job_id, exc_info=True)
        finally:
            own.close()


class Progress:
    """Reports progress to the job row, at most every ``every`` items (and always at the end)."""

    def __init__(self, job: Job, *, every: int = 200):
        self.job = job
        self.every = max(1, every)

    def start(self, total: int, message: str = "") -> None:
        self.job.total, self.job.done, self.job.message = total, 0, message[:300]
        self.job.save(update_fields=["total", "done", "message"])

    def advance(self, done: int, message: str | None = None, *, force: bool = False) -> None:
        done = min(done, self.job.total) if self.job.total else done
        if not force and done % self.every and done != self.job.total:
            return
        self.job.done = done
        fields = ["done"]
        if message is not None:
            self.job.message = message[:300]
            fields.append("message")
        self.job.save(update_fields=fields)


def job_result_path(job: Job, filename: str) -> Path:
    folder = Path(settings.WARMTH_FILES_DIR) / "jobs" / str(job.pk)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / filename


def job_finish(job: Job, *, result: dict | None = None, file: Path | None = None,
               download_name: str = "", message: str = "完成") -> Job:
    job.status, job.finished_at, job.message = JobStatus.DONE, timezone.now(), message[:300]
    if result is not None:
        job.result = result
    if job.total:
        job.done = job.total
    if file is not None:
        job.result_file = str(file.relative_to(settings.WARMTH_FILES_DIR))
        job.result_name = download_name or file.name
    job.save(update_fields=["status", "finished_at", "message", "result", "done", "result_file",
                            "result_name"])
    return job


def job_fail(job: Job, *, error: str) -> Job:
    job.status, job.finished_at, job.error = JobStatus.FAILED, timezone.now(), error[:2000]
    job.message = "任务失败"
    job.save(update_fields=["status", "finished_at", "error", "message"])
    return job


class JobInputError(ValueError):
    """A problem with what the user asked for; its (Chinese) message is shown on the job page."""


def user_message(exc: Exception) -> str:
    """What a user may read about a failure: input errors verbatim, anything else a generic sentence."""
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    if isinstance(exc, JobInputError | IdCardError | AmountError):
        return str(exc)
    return "处理过程中出现内部错误，已记录日志，请联系系统管理员"


def job_run(job_id: int) -> Job | None:
    """Claim and run one job. Any error marks the job failed with a Chinese message; nothing is re-raised."""
    job = job_claim(job_id)
    if job is None:
        return None
    try:
        with _Heartbeat(job.pk), job_scope(KINDS[job.kind].reads):
            HANDLERS[job.kind](job, Progress(job))
    except Exception as exc:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        job_fail(job, error=user_message(exc))
        return job
    job.refresh_from_db()
    if job.status == JobStatus.RUNNING:
        job_finish(job)
    return job


# --- the worker's sweeps -----------------------------------------------------------------------------------

MAX_ATTEMPTS = 2  # a re-runnable job is started at most twice: a job that kills its worker is not retried for ever


def _stale(cutoff: datetime) -> Q:
    return Q(heartbeat__beat_at__lt=cutoff) | Q(heartbeat__isnull=True, started_at__lt=cutoff)


def jobs_reclaim(*, now: datetime | None = None) -> dict[str, list[int]]:
    """Running jobs whose worker stopped (no heartbeat for ``WARMTH_JOB_STALE_SECONDS``): queued again when
    their kind is safe to re-run (and they have not used their attempts), else marked failed with the reason.
    Each is taken with a conditional update (a second sweeper, or a late heartbeat, wins or loses cleanly) and
    audited. Returns the job ids by outcome."""
    now = now or timezone.now()
    stale_for = settings.WARMTH_JOB_STALE_SECONDS
    stale = _stale(now - timedelta(seconds=stale_for))
    outcome: dict[str, list[int]] = {"requeued": [], "failed": []}
    for job in (Job.objects.filter(stale, status=JobStatus.RUNNING).exclude(pk__in=list(_RUNNING))
                .select_related("org", "heartbeat")):
        kind = KINDS.get(job.kind)
        again = bool(kind and kind.rerun) and job.attempts < MAX_ATTEMPTS
        beat = getattr(job, "heartbeat", None)
        seen = {"worker": beat.worker if beat else "", "last_beat": beat.beat_at if beat else job.started_at,
                "done": job.done, "total": job.total, "attempts": job.attempts}
        minutes = max(1, round(stale_for / 60))
        with transaction.atomic():
            mine = Job.objects.filter(stale, pk=job.pk, status=JobStatus.RUNNING)
            if again:
                taken = mine.update(status=JobStatus.QUEUED, started_at=None, done=0, message=(
                    f"执行该任务的后台进程已停止（超过{minutes}分钟没有心跳）。此类任务可重复运行、不会重复处理，"
                    f"已重新排队，将自动重新执行"))
            else:
                tried = f"，已执行{job.attempts}次" if job.attempts > 1 else ""
                taken = mine.update(status=JobStatus.FAILED, finished_at=now, message="任务失败", error=(
                    f"执行该任务的后台进程已停止（超过{minutes}分钟没有心跳{tried}），任务没有完成"
                    f"（已处理{job.done}/{job.total}）。请检查结果后重新发起。"))
            if not taken:
                continue
            JobHeartbeat.objects.filter(job_id=job.pk).delete()
            partial = []
            folder = job_files_dir(job)
            if not again and folder.is_dir():  # half-written output of a job that will not finish
                partial = sorted(p.name for p in folder.iterdir())
                shutil.rmtree(folder, ignore_errors=True)
            audit_record(actor=None, action="job.requeue" if again else "job.abandon", object_type="job",
                         object_id=job.pk, org=job.org, after={"kind": job.kind, **seen, "files_deleted": partial})
            if again:
                transaction.on_commit(lambda pk=job.pk: run_job.enqueue(pk))
        outcome["requeued" if again else "failed"].append(job.pk)
        log.warning("job %s (%s) of a stopped worker %s", job.pk, job.kind, "queued again" if again else "failed")
        if not again and kind and kind.abandon:
            try:
                kind.abandon(job)
            except Exception:
                log.exception("tidying up after job %s failed", job.pk)
    return outcome


def job_files_dir(job: Job) -> Path:
    return Path(settings.WARMTH_FILES_DIR) / "jobs" / str(job.pk)


def job_files_expire(*, now: datetime | None = None) -> list[int]:
    """Delete the files of jobs finished more than ``WARMTH_EXPORT_KEEP_DAYS`` ago (jobs/<id>/: exports with
    full ID numbers, audit.csv), mark the job and audit each deletion (``job.files_delete``, the file names).
    The mark and the audit row commit only if the folder is gone, so a failed deletion is tried again."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.WARMTH_EXPORT_KEEP_DAYS)
    deleted = []
    for job in (Job.objects.filter(status__in=[JobStatus.DONE, JobStatus.FAILED], finished_at__lt=cutoff,
                                   files_deleted_at__isnull=True).select_related("org").iterator()):
        folder = job_files_dir(job)
        names = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
        try:
            with transaction.atomic():
                if not Job.objects.filter(pk=job.pk, files_deleted_at__isnull=True).update(files_deleted_at=now):
                    continue
                if names or job.result_file:
                    audit_record(actor=None, action="job.files_delete", object_type="job", object_id=job.pk,
                                 org=job.org, after={"files": names, "result": job.result_name,
                                                     "finished_at": job.finished_at})
                if folder.is_dir():
                    shutil.rmtree(folder)
        except OSError:
            log.exception("files of job %s not deleted; tried again at the next sweep", job.pk)
            continue
        deleted.append(job.pk)
    return deleted


def jobs_sweep() -> dict[str, list[int]]:
    """What the worker runs at start and every minute: reclaim the jobs of stopped workers, delete old files."""
    return {**jobs_reclaim(), "files_deleted": job_files_expire()}


@task()
def run_job(job_id: int) -> None:
    """The task the worker runs (enqueued by ``job_create`` on commit)."""
    job_run(job_id)
