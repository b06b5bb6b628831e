"""免报 many units at once with one reason: a job through the same engine, each refusal listed with its reason,
the rest done; all errors of the request at once; the outsider and the auditor reach nothing."""

import pytest
from django.urls import reverse

from tests.reports.test_views import FORM, YEAR, board_url, fill_and_submit, people  # noqa: F401 (fixture)
from warmth.jobs.models import Job
from warmth.jobs.services import job_run
from warmth.reports.models import Report, ReportStatus

pytestmark = pytest.mark.django_db
S = ReportStatus


def test_the_board_exempts_many_children_and_lists_the_one_refused(client, users, tree, people):  # noqa: F811
    # 武侯 reports and 成都 approves it: an approved report cannot be turned exempt (the engine refuses)
    fill_and_submit(client, users.county, tree.k1, **{"1_A": "10"})
    client.force_login(users.colleague)  # 成都's reviewer
    page = client.get(board_url(tree.c1)).content.decode()
    assert 'id="bulk-exempt-form"' in page and f'value="{tree.k2.code}" form="bulk-exempt-form"' in page
    r = client.post(board_url(tree.c1), {"org": tree.c1.code, "action": "bulk_exempt", "reason": ""})
    body = r.content.decode()
    assert r.status_code == 422 and "免报须填写理由" in body and "请至少勾选一个单位" in body  # both at once
    from tests.conftest import actor_of
    from warmth.reports import services

    services.report_exempt(actor=actor_of(people["k1_rev"]), form=FORM, org=tree.g1, year=YEAR, reason="已合并")
    services.report_approve(actor=actor_of(users.colleague), report=Report.objects.get(org=tree.k1))
    r = client.post(board_url(tree.c1), {"org": tree.c1.code, "action": "bulk_exempt", "reason": "不承担本表",
                                         "children": [tree.k1.code, tree.k2.code, tree.k3.code]})
    job = Job.objects.get(kind="reports.exempt")
    assert r.status_code == 302 and r["Location"] == reverse("job_detail", args=[job.pk])
    job_run(job.pk)
    job.refresh_from_db()
    assert job.status == "done" and job.result["done"] == 1
    assert Report.objects.get(org=tree.k2).status == S.EXEMPT
    assert Report.objects.get(org=tree.k1).status == S.APPROVED
    reasons = {r["label"]: r["reason"] for r in job.result["refused"]}
    assert any("武侯区总工会" in k and "已通过的统计表不能改为免报" in v for k, v in reasons.items())
    assert reasons[f"单位 {tree.k3.code}"] == "不存在或不在您的管辖范围内"  # 海南's county: not named
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert 'id="job-refused"' in page and "已通过的统计表不能改为免报" in page


def test_the_outsider_and_the_auditor_cannot_exempt_in_bulk(client, users, tree):
    data = {"org": tree.c1.code, "action": "bulk_exempt", "reason": "x", "children": [tree.k2.code]}
    client.force_login(users.outsider)
    assert client.post(board_url(tree.c1), data).status_code == 404
    client.force_login(users.auditor)
    assert client.post(board_url(tree.c1), data).status_code == 403
    assert not Job.objects.exists() and not Report.objects.exists()
