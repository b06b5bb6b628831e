"""Bulk work on payments through the same engine: approve or return many with one opinion, register a bank batch
paid; each refusal listed with its reason (on the job page), the rest done; the list offers only the actions
the engine allows; the outsider and the auditor reach nothing."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.payments.test_services import create, through
from warmth.jobs.models import Job
from warmth.jobs.services import job_run
from warmth.payments.bulk import payments_bulk
from warmth.payments.choices import PaymentStatus
from warmth.payments.models import Payment, PaymentStep
from warmth.payments.services import payment_submit

pytestmark = pytest.mark.django_db
S = PaymentStatus


@pytest.fixture
def submitted(pay, make_active):
    made = []
    for _ in range(3):
        p = create(pay, make_active(), amount="300")
        payment_submit(actor=pay.handler, payment=p)
        made.append(p)
    return made


def test_many_are_approved_with_one_opinion_and_the_refused_are_listed(pay, submitted, make_active):
    draft = create(pay, make_active(), amount="300")  # not in approval: refused by its state
    r = payments_bulk(actor=pay.first, action="approve", ids=[p.pk for p in submitted] + [draft.pk, 999999],
                      note="经集体研究，同意")
    assert r["done"] == 3 and len(r["refused"]) == 2
    assert {s.note for s in PaymentStep.objects.filter(action="approve")} == {"经集体研究，同意"}
    assert all(p.step == 1 for p in Payment.objects.filter(pk__in=[p.pk for p in submitted]))
    reasons = [x["reason"] for x in r["refused"]]
    assert "不能审批" in reasons[0] and reasons[1] == "不存在或不在您的管辖范围内"
    # the same person may not take the second step: each refused with the engine's reason
    again = payments_bulk(actor=pay.first, action="approve", ids=[p.pk for p in submitted], note="同意")
    assert again["done"] == 0 and all("两个环节" in x["reason"] for x in again["refused"])


def test_a_return_needs_its_reason_and_the_handler_cannot_approve(pay, submitted):
    with pytest.raises(ValidationError) as exc:
        payments_bulk(actor=pay.first, action="return", ids=[], reason="")
    assert set(exc.value.message_dict) == {"ids", "reason"}  # every error at once
    r = payments_bulk(actor=pay.handler, action="approve", ids=[p.pk for p in submitted])
    assert r["done"] == 0 and len(r["refused"]) == 3
    r = payments_bulk(actor=pay.first, action="return", ids=[p.pk for p in submitted], reason="请补充材料")
    assert r["done"] == 3 and set(Payment.objects.values_list("status", flat=True)) == {S.RETURNED}


def test_the_list_offers_the_allowed_bulk_actions_and_the_job_page_lists_refusals(client, pay, submitted, users):
    client.force_login(pay.first.user)
    page = client.get(reverse("payment_list")).content.decode()
    assert 'id="bulk-approve"' in page and 'id="bulk-return"' in page and 'id="bulk-pay"' not in page
    assert page.count('form="bulk-form"') == 3
    client.force_login(users.county)  # the handler: nothing in approval is theirs to decide
    page = client.get(reverse("payment_list")).content.decode()
    assert 'id="bulk-form"' not in page
    client.force_login(pay.first.user)
    r = client.post(reverse("payment_bulk"), {"action": "approve", "note": "同意",
                                              "ids": [str(p.pk) for p in submitted]})
    job = Job.objects.get(kind="payments.bulk")
    assert r.status_code == 302 and r["Location"] == reverse("job_detail", args=[job.pk])
    job_run(job.pk)
    job.refresh_from_db()
    assert job.status == "done" and job.result["done"] == 3
    r = client.post(reverse("payment_bulk"), {"action": "approve", "note": "同意",
                                              "ids": [str(p.pk) for p in submitted]})
    job2 = Job.objects.exclude(pk=job.pk).get()
    job_run(job2.pk)
    page = client.get(reverse("job_detail", args=[job2.pk])).content.decode()
    assert 'id="job-refused"' in page and "同一人不能审批同一笔发放的两个环节" in page
    r = client.post(reverse("payment_bulk"), {"action": "return", "note": "", "ids": []}, follow=True)
    assert "请至少勾选一笔发放" in r.content.decode() and "退回须填写理由" in r.content.decode()


def test_a_bank_batch_is_registered_paid(client, pay, make_active, users, tree):
    made = [through(pay, create(pay, make_active(), amount="200")) for _ in range(2)]
    client.force_login(users.county)
    r = client.post(reverse("payment_bulk"), {"bank_org": tree.k1.code, "bank_year": str(pay.pot.year),
                                              "paid_on": "2026-01-12", "note": "农行代发 2026-01"})
    job = Job.objects.get(kind="payments.bulk")
    assert r.status_code == 302 and job.params["ids"] == [p.pk for p in made]
    job_run(job.pk)
    assert {(p.status, p.paid_on) for p in Payment.objects.filter(pk__in=[p.pk for p in made])} == {
        (S.PAID, date(2026, 1, 12))}


def test_the_outsider_and_the_auditor_get_nothing(client, pay, submitted, users, fin):
    ids = [str(p.pk) for p in submitted]
    client.force_login(fin.users.hn_finance)
    assert client.post(reverse("payment_bulk"), {"action": "approve", "ids": ids}).status_code in (403, 404)
    client.force_login(users.outsider)  # a handler of 海南: may write payments, but none of these is theirs
    assert client.post(reverse("payment_bulk"), {"action": "approve", "ids": ids}).status_code == 404
    assert client.post(reverse("payment_bulk"), {"bank_org": "510107", "bank_year": "2025",
                                                 "paid_on": "2026-01-12"}).status_code == 404
    client.force_login(users.auditor)
    assert client.post(reverse("payment_bulk"), {"action": "approve", "ids": ids}).status_code == 403
    assert not Job.objects.exists()
    assert set(Payment.objects.values_list("status", flat=True)) == {S.SUBMITTED}
