"""Batch payment: a rule check per household, the skipped ones with reasons, a re-run pays no one twice."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.archives.factories import archive_input, new_id
from tests.payments.test_services import create, through
from warmth.payments.batch import batch_pay
from warmth.payments.choices import PaymentStatus
from warmth.payments.models import Payment, PaymentStep

pytestmark = pytest.mark.django_db


@pytest.fixture
def households(pay, make_active):
    """Three households paid once before (so their accounts are known), one never paid."""
    from datetime import date

    made = []
    for i in range(4):
        a = make_active(data=archive_input(id_number=new_id(born=date(1970, 3, 1 + i)), member_count=0))
        if i < 3:
            through(pay, create(pay, a, amount="100", aid_type="医疗救助"))
        made.append(a)
    return made


def test_a_batch_pays_each_household_once_and_lists_the_skipped(pay, households):
    r = batch_pay(actor=pay.handler, pot=pay.pot, amount="500", aid_type="送温暖慰问", batch="2026春节慰问")
    assert (r["households"], r["made"], r["already"], r["skipped"]) == (4, 3, 0, 1)
    assert r["skipped_list"][0][0] == households[3].archive_no and "没有银行账号" in r["skipped_list"][0][2]
    batch = Payment.objects.filter(batch="2026春节慰问")
    assert batch.count() == 3 and {p.status for p in batch} == {PaymentStatus.SUBMITTED}
    assert all(p.bank_account and p.name and p.archive_no and p.chain for p in batch)
    steps = PaymentStep.objects.filter(payment__in=batch)
    assert [(s.action, s.note) for s in steps] == [("submit", "批量发放（批次“2026春节慰问”）")] * 3
    # the account is the household's earlier one: its ciphertext copied as stored, and it decrypts in the new row
    for p in batch:
        earlier = Payment.objects.filter(archive=p.archive).exclude(batch="2026春节慰问").latest("id")
        assert p.bank_account == earlier.bank_account and p.bank_account_bidx == earlier.bank_account_bidx
    again = batch_pay(actor=pay.handler, pot=pay.pot, amount="500", aid_type="送温暖慰问", batch="2026春节慰问")
    assert (again["made"], again["already"]) == (0, 3)
    assert Payment.objects.filter(batch="2026春节慰问").count() == 3


def test_the_batch_never_promises_more_than_the_pot_holds(pay, households, fin, tree):
    from tests.funds.factories import decided, raised

    small = raised(fin.k1_finance, tree.k1, "1100", source="donation")
    decided(fin.k1_leader, small)
    r = batch_pay(actor=pay.handler, pot=small, amount="500", aid_type="送温暖慰问", batch="小额")
    assert r["made"] == 2
    assert any("余额不足" in reason for _, _, reason in r["skipped_list"])


def test_rules_and_bad_input(pay, households, fin, tree):
    with pytest.raises(ValidationError, match="大于零"):
        batch_pay(actor=pay.handler, pot=pay.pot, amount="0", aid_type="送温暖慰问", batch="x")
    with pytest.raises(ValidationError, match="批次名称"):
        batch_pay(actor=pay.handler, pot=pay.pot, amount="1", aid_type="送温暖慰问", batch=" ")
    with pytest.raises(ValidationError, match="现金"):
        batch_pay(actor=pay.handler, pot=pay.pot, amount="1", aid_type="送温暖慰问", batch="x", method="cash")
    r = batch_pay(actor=pay.handler, pot=pay.pot, amount="3500", aid_type="送温暖慰问", batch="超额")
    assert r["made"] == 0 and all("单笔限额" in reason for _, _, reason in r["skipped_list"][:3])
    assert not Payment.objects.filter(batch="超额").exists()


def test_the_per_person_year_limit_counts_what_was_already_paid(pay, households, fin, tree):
    from warmth.funds.services import rule_setting_set

    rule_setting_set(actor=fin.k1_leader, org=tree.k1, code="per_person_year_limit", mode="block",
                     params={"max": "550"}, reason="测试")
    r = batch_pay(actor=pay.handler, pot=pay.pot, amount="500", aid_type="送温暖慰问", batch="限额")
    # each of the three was paid 100 this year: 100 + 500 > 550
    assert r["made"] == 0 and sum("每人每年" in reason for _, _, reason in r["skipped_list"]) == 3


def test_categories_narrow_the_batch(pay, households):
    cat = households[0].category
    r = batch_pay(actor=pay.handler, pot=pay.pot, amount="10", aid_type="送温暖慰问", batch="类别",
                  categories=[cat])
    assert r["households"] == sum(1 for a in households if a.category == cat)
    assert Decimal(r["amount"]) == Decimal("10") * r["made"]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_on_postgresql_the_chunks_are_written_beside_the_checks(pay, households,
                                                                                   monkeypatch):
    """The worker's case: chunks go to a background thread on its own connection. A failure there stops the
    batch with that error, the chunks committed before it stay, and a re-run finishes the rest once."""
    import threading

    from django.db import connection

    import warmth.payments.batch as batch_module

    if connection.vendor != "postgresql":
        pytest.skip("the background writer runs on PostgreSQL only")
    assert not connection.in_atomic_block
    monkeypatch.setattr(batch_module, "CHUNK", 1)
    real_write, calls = batch_module._Writer._write, []

    def failing_second(self, rows, archive_ids):
        calls.append(threading.current_thread().name)
        if len(calls) == 2:
            raise RuntimeError("写入中断（测试）")
        return real_write(self, rows, archive_ids)

    monkeypatch.setattr(batch_module._Writer, "_write", failing_second)
    with pytest.raises(RuntimeError, match="写入中断"):
        batch_pay(actor=pay.handler, pot=pay.pot, amount="500", aid_type="送温暖慰问", batch="后台")
    assert calls[0].startswith("warmth-batch")  # written beside the checks, not in the caller's thread
    first = list(Payment.objects.filter(batch="后台"))
    assert len(first) == 1 and PaymentStep.objects.filter(payment__in=first).count() == 1
    monkeypatch.setattr(batch_module._Writer, "_write", real_write)
    r = batch_pay(actor=pay.handler, pot=pay.pot, amount="500", aid_type="送温暖慰问", batch="后台")
    assert (r["made"], r["already"], r["skipped"]) == (2, 1, 1)
    done = Payment.objects.filter(batch="后台")
    assert done.count() == 3 and len({p.archive_id for p in done}) == 3
    assert [s.payment_id for s in PaymentStep.objects.filter(payment__in=done).order_by("payment_id")] == sorted(
        p.pk for p in done)
    assert [t.name for t in threading.enumerate() if t.name.startswith("warmth-batch")] == []


def test_a_preview_says_who_how_many_the_total_and_who_is_skipped_and_writes_nothing(pay, households):
    from warmth.audit.models import AuditEvent

    payments, audits = Payment.objects.count(), AuditEvent.objects.count()
    r = batch_pay(actor=pay.handler, pot=pay.pot, amount="500", aid_type="送温暖慰问", batch="预览", dry_run=True)
    assert (r["made"], r["skipped"], r["amount"]) == (3, 1, "1500.00")
    assert {no for no, _ in r["paid_list"]} == {a.archive_no for a in households[:3]}
    assert r["skipped_list"][0][:2] == (households[3].archive_no, households[3].name)
    assert r["reasons"] == [("没有银行账号（请先单独发放一次或补录账号）", 1)]
    assert Payment.objects.count() == payments and AuditEvent.objects.count() == audits
    # the run does what the preview said
    done = batch_pay(actor=pay.handler, pot=pay.pot, amount="500", aid_type="送温暖慰问", batch="预览")
    assert (done["made"], done["skipped"], done["skipped_list"]) == (3, 1, r["skipped_list"])


def test_the_batch_page_previews_then_runs_a_job_whose_page_lists_the_skipped(client, pay, households, users, fin):
    from django.urls import reverse

    from warmth.jobs.models import Job
    from warmth.jobs.services import job_run

    client.force_login(users.county)
    form = {"pot": str(pay.pot.pk), "amount": "500", "aid_type": "送温暖慰问", "batch": "页面批次"}
    r = client.post(reverse("payment_batch"), {**form, "action": "preview"})
    page = r.content.decode()
    assert r.status_code == 200 and 'id="preview-made">3<' in page and households[3].archive_no in page
    assert "没有银行账号" in page and Payment.objects.filter(batch="页面批次").count() == 0
    r = client.post(reverse("payment_batch"), {**form, "amount": "", "batch": "", "action": "preview"})
    page = r.content.decode()
    assert r.status_code == 422 and "请填写批次名称" in page and "请填写每户金额" in page  # all errors at once
    r = client.post(reverse("payment_batch"), {**form, "action": "run"})
    job = Job.objects.get(kind="payments.batch")
    assert r.status_code == 302 and r["Location"] == reverse("job_detail", args=[job.pk])
    job_run(job.pk)
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert 'id="job-skipped"' in page and households[3].archive_no in page and "没有银行账号" in page
    assert "?batch=" in page
    listed = client.get(reverse("payment_list") + "?batch=页面批次").content.decode()
    made = Payment.objects.filter(batch="页面批次")
    assert made.count() == 3 and all(f'href="{reverse("payment_detail", args=[p.pk])}"' in listed for p in made)
    assert f'href="{reverse("payment_detail", args=[Payment.objects.exclude(batch="页面批次").first().pk])}"' \
        not in listed
    client.force_login(fin.users.hn_finance)  # the outsider: no preview of 武侯's money
    r = client.post(reverse("payment_batch"), {**form, "action": "preview"})
    assert r.status_code in (403, 422) and households[3].archive_no not in r.content.decode()
