"""A real worker process (`warmth db_worker`) killed with SIGKILL in the middle of a job: the job stays 进行中
until the next worker starts, which marks it failed with the reason (a kind not safe to re-run) or queues it
again and runs it to the end (a kind declared safe to re-run)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from tests.conftest import actor_of
from tests.jobs import slow_kinds  # noqa: F401 (registers the slow kinds in this process too)
from warmth.jobs.models import Job, JobHeartbeat, JobStatus

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
WORKER = """
import sys, django
django.setup()
import tests.jobs.slow_kinds
from django.core.management import call_command
from warmth.jobs.tasks import run_job
if sys.argv[1] != "-":
    run_job.enqueue(int(sys.argv[1]))
call_command("db_worker", "--no-startup-delay", "--no-reload", "--interval", "0.2", "--sweep-interval", "0.5",
             *sys.argv[2:])
"""
STALE_SECONDS = 2


def worker(job_id, *args: str) -> subprocess.Popen:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = os.environ | {"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "tests.settings",
                        "WARMTH_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
                        "WARMTH_JOB_STALE_SECONDS": str(STALE_SECONDS)}
    return subprocess.Popen([sys.executable, "-c", WORKER, str(job_id), *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_for(check, what: str, timeout: float = 60):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def kill_mid_job(users, kind, hold: Path) -> Job:
    """Start a worker on a new slow job, let it run a while, SIGKILL it; the job is left 进行中."""
    hold.write_text("hold")
    a = actor_of(users.owner)
    job = Job.objects.create(kind=kind, title="慢任务", params={"hold": str(hold)}, org=a.org,
                             membership=a.membership, created_by=users.owner)
    proc = worker(job.pk)
    try:
        wait_for(lambda: Job.objects.get(pk=job.pk).done >= 5, "the job to make progress")
        first = JobHeartbeat.objects.get(job=job).beat_at
        wait_for(lambda: JobHeartbeat.objects.get(job=job).beat_at > first, "a second heartbeat")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and 5 <= job.done < 100 and job.attempts == 1
    return job


def next_worker(job):
    """A worker started after the heartbeat went stale, in batch mode (sweeps at start, runs what is queued, exits)."""
    time.sleep(STALE_SECONDS + 0.5 - (time.time() - JobHeartbeat.objects.get(job=job).beat_at.timestamp()))
    proc = worker("-", "--batch")
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, out
    job.refresh_from_db()
    return job


def test_a_job_of_a_killed_worker_is_marked_failed_with_the_reason_by_the_next_worker(users, login, tmp_path):
    job = kill_mid_job(users, "test.slow", tmp_path / "hold")
    proc = worker("-")  # started at once: its heartbeat is still fresh, so the periodic sweep finds it later
    try:
        wait_for(lambda: Job.objects.get(pk=job.pk).status != JobStatus.RUNNING, "the periodic sweep")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.finished_at is not None
    assert "后台进程已停止" in job.error and f"已处理{job.done}/100" in job.error
    page = login(users.owner).get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "失败" in page and "后台进程已停止" in page and "hx-trigger" not in page


def test_a_job_safe_to_re_run_is_queued_again_and_finished_by_the_next_worker(users, tmp_path):
    hold = tmp_path / "hold"
    job = kill_mid_job(users, "test.slow_rerun", hold)
    hold.unlink()  # the second run goes straight through
    job = next_worker(job)
    assert job.status == JobStatus.DONE and job.done == 100 and job.attempts == 2
    assert job.result == {"finished_by_attempt": 2}
