import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import actor_of
from tests.jobs import slow_kinds  # noqa: F401 (the slow kinds: one safe to re-run, one not)
from warmth.audit.models import AuditEvent
from warmth.jobs.models import Job, JobHeartbeat, JobStatus
from warmth.jobs.registry import register
from warmth.jobs.services import _RUNNING, JobInputError, Progress, job_claim, job_files_expire, job_run, jobs_reclaim


@register("test.count")
def _count(job, progress):
    progress.start(10, "计数")
    for i in range(1, 11):
        progress.advance(i)
    job.result = {"counted": 10}
    job.save(update_fields=["result"])


@register("test.fail")
def _fail(job, progress):
    raise RuntimeError("boom")


@register("test.bad_input")
def _bad(job, progress):
    raise JobInputError("第3行身份证号校验位错误")


@register("test.plain_value_error")
def _plain(job, progress):
    raise ValueError("invalid literal for int() with base 10: 'x'")


def make_job(user, kind):
    a = actor_of(user)
    return Job.objects.create(kind=kind, title="t", org=a.org, membership=a.membership, created_by=user)


def test_a_job_runs_once_and_a_rerun_finds_nothing_to_do(users):
    job = make_job(users.owner, "test.count")
    assert job_run(job.pk).status == JobStatus.DONE
    job.refresh_from_db()
    assert (job.done, job.total, job.percent, job.result) == (10, 10, 100, {"counted": 10})
    assert job_run(job.pk) is None and job_claim(job.pk) is None


def test_a_crash_marks_the_job_failed_with_a_chinese_message(users):
    job = job_run(make_job(users.owner, "test.fail").pk)
    assert job.status == JobStatus.FAILED and "内部错误" in job.error and "boom" not in job.error


def test_a_bad_input_error_is_shown_as_it_is(users):
    job = job_run(make_job(users.owner, "test.bad_input").pk)
    assert job.error == "第3行身份证号校验位错误"


def test_an_internal_value_error_is_not_shown_to_the_user(users):
    job = job_run(make_job(users.owner, "test.plain_value_error").pk)
    assert "int()" not in job.error and "内部错误" in job.error


def test_progress_is_written_every_n_items_and_at_the_end(users):
    job = make_job(users.owner, "test.count")
    p = Progress(job, every=4)
    p.start(10)
    p.advance(3)
    assert Job.objects.get(pk=job.pk).done == 0
    p.advance(4)
    assert Job.objects.get(pk=job.pk).done == 4
    p.advance(10)
    assert Job.objects.get(pk=job.pk).done == 10


def test_the_progress_fragment_polls_until_done(login, users):
    job = make_job(users.owner, "test.count")
    fragment = login(users.owner).get(reverse("job_progress", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "<progress" in fragment
    job_run(job.pk)
    fragment = login(users.owner).get(reverse("job_progress", args=[job.pk])).content.decode()
    assert "hx-trigger" not in fragment and "已完成" in fragment


def with_result_file(job, settings, text="结果"):
    from pathlib import Path

    folder = Path(settings.WARMTH_FILES_DIR) / "jobs" / str(job.pk)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "r.csv").write_text(text, encoding="utf-8")
    Job.objects.filter(pk=job.pk).update(result_file=f"jobs/{job.pk}/r.csv", result_name="r.csv",
                                         status=JobStatus.DONE)
    return job


@pytest.mark.parametrize("name", ["job_detail", "job_progress", "job_download"])
def test_jobs_are_private_to_their_creator(login, users, name, settings):
    job = with_result_file(make_job(users.owner, "test.count"), settings)
    assert login(users.owner).get(reverse(name, args=[job.pk])).status_code == 200  # the file is really there
    assert login(users.outsider).get(reverse(name, args=[job.pk])).status_code == 404
    assert login(users.colleague).get(reverse(name, args=[job.pk])).status_code == 404


def test_the_api_reports_progress_to_the_creator_only(client, users):
    from warmth.orgs.services import token_create

    job = make_job(users.owner, "test.count")
    job_run(job.pk)
    raw = token_create(actor=actor_of(users.owner), name="t")[1]
    assert client.get(f"/api/jobs/{job.pk}", HTTP_AUTHORIZATION=f"Bearer {raw}").json()["percent"] == 100
    raw = token_create(actor=actor_of(users.outsider), name="t")[1]
    assert client.get(f"/api/jobs/{job.pk}", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 404


@pytest.mark.parametrize("path", ["/etc/passwd", "../../../../../../etc/passwd"])
def test_a_download_path_outside_the_files_folder_is_refused(login, users, path):
    from pathlib import Path

    assert Path("/etc/passwd").is_file()
    job = make_job(users.owner, "test.count")
    Job.objects.filter(pk=job.pk).update(result_file=path, status=JobStatus.DONE)
    assert login(users.owner).get(reverse("job_download", args=[job.pk])).status_code == 404


# --- stopped workers and expired files ---------------------------------------------------------------------

def running(user, kind, *, beat_ago, attempts=1, params=None):
    job = make_job(user, kind)
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=now - beat_ago, attempts=attempts,
                                         total=100, done=40, params=params or {})
    JobHeartbeat.objects.create(job=job, worker="host:123", beat_at=now - beat_ago)
    return Job.objects.get(pk=job.pk)


def test_a_job_with_a_live_heartbeat_or_run_by_this_process_is_left_alone(users, settings):
    settings.WARMTH_JOB_STALE_SECONDS = 300
    live = running(users.owner, "test.slow", beat_ago=timedelta(seconds=290))
    mine = running(users.owner, "test.slow", beat_ago=timedelta(hours=1))
    _RUNNING.add(mine.pk)
    try:
        assert jobs_reclaim() == {"requeued": [], "failed": []}
    finally:
        _RUNNING.discard(mine.pk)
    assert set(Job.objects.filter(pk__in=[live.pk, mine.pk]).values_list("status", flat=True)) == {"running"}
    assert jobs_reclaim()["failed"] == [mine.pk]  # once the process no longer runs it


def test_a_stale_job_not_safe_to_re_run_fails_with_the_reason_on_its_page_and_is_audited(users, login, settings):
    settings.WARMTH_JOB_STALE_SECONDS = 300
    job = running(users.owner, "test.slow", beat_ago=timedelta(minutes=6))
    folder = Path(settings.WARMTH_FILES_DIR) / "jobs" / str(job.pk)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "half.xlsx").write_bytes(b"partial")
    assert jobs_reclaim() == {"requeued": [], "failed": [job.pk]}
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error.startswith("执行该任务的后台进程已停止（超过5分钟没有心跳）")
    assert "已处理40/100" in job.error and not folder.exists()  # the half-written file is gone
    assert not JobHeartbeat.objects.filter(job=job).exists()
    event = AuditEvent.objects.get(action="job.abandon", object_id=str(job.pk))
    assert event.after["worker"] == "host:123" and event.after["files_deleted"] == ["half.xlsx"]
    page = login(users.owner).get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "执行该任务的后台进程已停止" in page and "失败" in page
    assert jobs_reclaim() == {"requeued": [], "failed": []}  # taken once


def test_a_stale_job_safe_to_re_run_is_queued_again_and_runs(users, settings, django_capture_on_commit_callbacks,
                                                               tmp_path):
    settings.WARMTH_JOB_STALE_SECONDS = 300
    job = running(users.owner, "test.slow_rerun", beat_ago=timedelta(minutes=6),
                  params={"hold": str(tmp_path / "gone")})
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert jobs_reclaim() == {"requeued": [job.pk], "failed": []}
    assert len(callbacks) == 1  # enqueued again (the immediate backend of the tests runs it at once)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempts == 2 and job.result == {"finished_by_attempt": 2}
    assert AuditEvent.objects.filter(action="job.requeue", object_id=str(job.pk)).exists()


def test_a_job_safe_to_re_run_that_stopped_its_worker_twice_is_failed(users, settings):
    settings.WARMTH_JOB_STALE_SECONDS = 300
    job = running(users.owner, "test.slow_rerun", beat_ago=timedelta(minutes=6), attempts=2)
    assert jobs_reclaim()["failed"] == [job.pk]
    assert "已执行2次" in Job.objects.get(pk=job.pk).error


def test_a_given_up_import_deletes_its_stored_upload(users, settings):
    settings.WARMTH_JOB_STALE_SECONDS = 300
    upload = Path(settings.WARMTH_FILES_DIR) / "imports" / "abc.xlsx"
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_bytes(b"personal data")
    job = running(users.owner, "archives.import", beat_ago=timedelta(minutes=6), attempts=2,
                  params={"path": "imports/abc.xlsx", "org": "510100"})
    assert jobs_reclaim()["failed"] == [job.pk]
    assert not upload.exists()


def test_the_kinds_say_which_jobs_are_safe_to_re_run():
    from warmth.jobs.registry import KINDS

    assert {k for k, v in KINDS.items() if v.rerun and not k.startswith("test.")} == {
        "payments.batch", "archives.import", "archives.export", "payments.roster", "audit.export",
        "payments.bulk",  # each payment refused by its state or the one-step rule the second time
        "visits.never_helped"}


def finished(job, settings, *, days_ago):
    with_result_file(job, settings, text="身份证号")
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(days=days_ago))
    return Job.objects.get(pk=job.pk)


def test_export_files_are_deleted_after_the_keep_period_audited_and_the_page_says_so(login, users, settings):
    settings.WARMTH_EXPORT_KEEP_DAYS = 7
    old = finished(make_job(users.owner, "test.count"), settings, days_ago=8)
    young = finished(make_job(users.owner, "test.count"), settings, days_ago=6)
    client = login(users.owner)
    page = client.get(reverse("job_detail", args=[young.pk])).content.decode()
    expires = timezone.localtime(young.finished_at + timedelta(days=7)).strftime("%Y-%m-%d %H:%M")
    assert f"有效期至 {expires}" in page and 'id="job-download"' in page
    page = client.get(reverse("job_detail", args=[old.pk])).content.decode()  # past the date, not yet swept
    assert "过期删除" in page and 'id="job-download"' not in page
    assert client.get(reverse("job_download", args=[old.pk])).status_code == 404

    assert job_files_expire() == [old.pk]
    assert not (Path(settings.WARMTH_FILES_DIR) / "jobs" / str(old.pk)).exists()
    assert (Path(settings.WARMTH_FILES_DIR) / "jobs" / str(young.pk) / "r.csv").exists()
    old.refresh_from_db()
    assert old.files_deleted_at is not None
    event = AuditEvent.objects.get(action="job.files_delete")
    assert event.object_id == str(old.pk) and event.after["files"] == ["r.csv"] and event.org == old.org
    page = client.get(reverse("job_detail", args=[old.pk])).content.decode()
    assert f"已于 {timezone.localtime(old.files_deleted_at):%Y-%m-%d %H:%M} 过期删除" in page
    assert job_files_expire() == []  # once

    settings.WARMTH_EXPORT_KEEP_DAYS = 5  # a shorter period reaches the younger one too
    assert job_files_expire() == [young.pk]


def test_the_api_says_until_when_the_file_is_kept(client, users, settings):
    from warmth.orgs.services import token_create

    job = finished(make_job(users.owner, "test.count"), settings, days_ago=1)
    raw = token_create(actor=actor_of(users.owner), name="t")[1]
    data = client.get(f"/api/jobs/{job.pk}", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert data["files_expired"] is False and data["files_expire_at"].startswith(
        (job.finished_at + timedelta(days=settings.WARMTH_EXPORT_KEEP_DAYS)).strftime("%Y-%m-%d"))


def test_the_worker_command_is_the_one_with_the_sweeps():
    from django.core.management import get_commands

    assert get_commands()["db_worker"] == "warmth.jobs"
