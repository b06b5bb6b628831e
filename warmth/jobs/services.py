"""Creating, claiming and reporting on background jobs. Handlers stay thin and safe to re-run: a job is
claimed with a conditional update, so a second worker (or a re-delivered task) finds nothing to do."""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from warmth.audit.services import audit_record
from warmth.jobs.models import Job, JobStatus
from warmth.orgs.access import Actor

log = logging.getLogger(__name__)


@transaction.atomic
def job_create(*, actor: Actor, kind: str, title: str, params: dict | None = None) -> Job:
    from warmth.jobs.registry import HANDLERS
    from warmth.jobs.tasks import run_job

    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job.objects.create(kind=kind, title=title[:200], params=params or {}, org=actor.org,
                             membership=actor.membership, created_by=actor.user)
    audit_record(actor=actor, action="job.create", object_type="job", object_id=job.pk,
                 after={"kind": kind, "params": params or {}})
    transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


def job_claim(job_id: int) -> Job | None:
    """Move a queued job to running; None if someone else has it (or it is finished)."""
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now())
    return Job.objects.get(pk=job_id) if claimed else None


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
    from django.core.exceptions import ValidationError

    from warmth.core.idcard import IdCardError
    from warmth.core.money import AmountError

    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    if isinstance(exc, JobInputError | IdCardError | AmountError):
        return str(exc)
    return "处理过程中出现内部错误，已记录日志，请联系系统管理员"


def job_run(job_id: int) -> Job | None:
    """Claim and run one job. Any error marks the job failed with a Chinese message; nothing is re-raised."""
    from warmth.jobs.registry import HANDLERS

    job = job_claim(job_id)
    if job is None:
        return None
    try:
        HANDLERS[job.kind](job, Progress(job))
    except Exception as exc:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        job_fail(job, error=user_message(exc))
        return job
    job.refresh_from_db()
    if job.status == JobStatus.RUNNING:
        job_finish(job)
    return job
