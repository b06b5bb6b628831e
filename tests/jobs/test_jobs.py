import pytest
from django.urls import reverse

from tests.conftest import actor_of
from warmth.jobs.models import Job, JobStatus
from warmth.jobs.registry import register
from warmth.jobs.services import JobInputError, Progress, job_claim, job_run


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
