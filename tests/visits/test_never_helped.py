"""The never-helped list (issue 19 item 10): 在档 households with no money granted and no visit, ever or in one
season, beside the 动态管理 lists, with an export (a job, masked IDs unless pii.full, a pii.export audit row)."""

from datetime import date, datetime, time

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from tests.campaigns.conftest import camp  # noqa: F401 (re-exported fixture)
from tests.funds.factories import decided, raised
from tests.payments.conftest import pay  # noqa: F401 (re-exported fixture)
from warmth.archives.models import Archive
from warmth.audit.models import AuditEvent
from warmth.core.season import default_season
from warmth.funds.choices import PayMethod
from warmth.jobs.models import Job
from warmth.payments.services import payment_approve, payment_create, payment_submit
from warmth.visits import services as visits
from warmth.visits import unhelped

pytestmark = pytest.mark.django_db


def paid(pay, archive, pot=None):  # noqa: F811
    p = payment_create(actor=pay.handler, pot=pot or pay.pot, aid_type="送温暖慰问", amount="500",
                       method=PayMethod.BANK, bank_account="6222020200112233445", archive=archive)
    payment_submit(actor=pay.handler, payment=p)
    payment_approve(actor=pay.first, payment=p, note="同意")
    return payment_approve(actor=pay.second, payment=p, note="同意")


@pytest.fixture
def helped(camp, pay, fin, tree):  # noqa: F811
    """camp's five 在档 households: model paid only in season 2024, migrant paid (2025), worker1 visited (2025),
    worker2 with a draft payment and a visit before it was filed only, k2_worker nothing at all."""
    a = camp.arch
    old = raised(fin.k1_finance, tree.k1, "5000.00", year=2024)
    decided(fin.k1_leader, old)
    paid(pay, a.model, pot=old)
    paid(pay, a.migrant)
    visits.visit_record(actor=camp.planner, campaign=camp.campaign, kind="household", visited_on=camp.day,
                        visitors="张三", archive=a.worker1)
    payment_create(actor=pay.handler, pot=pay.pot, aid_type="送温暖慰问", amount="300", method=PayMethod.BANK,
                   bank_account="6222020200112233445", archive=a.worker2)
    Archive.objects.filter(pk=a.worker2.pk).update(
        activated_at=timezone.make_aware(datetime.combine(date(2026, 1, 25), time(9))))
    a.worker2.refresh_from_db()
    assert visits.visit_record(actor=camp.planner, campaign=camp.campaign, kind="household",
                               visited_on=date(2026, 1, 20), visitors="张三", archive=a.worker2).visit.applicant
    return a


def test_never_helped_ever_and_in_a_season(helped, tree):
    a = helped
    assert set(unhelped.never_helped(tree.c1)) == {a.worker2, a.k2_worker}
    assert set(unhelped.never_helped(tree.c1, season=2025)) == {a.model, a.worker2, a.k2_worker}
    assert set(unhelped.never_helped(tree.c1, season=2024)) == {a.migrant, a.worker1, a.worker2, a.k2_worker}
    assert set(unhelped.never_helped(tree.k1)) == {a.worker2}  # the subtree only
    # an archive that is not 在档 is not on the list
    Archive.objects.filter(pk=a.k2_worker.pk).update(status="exited")
    assert set(unhelped.never_helped(tree.c1)) == {a.worker2}


def test_the_page_lists_them_beside_the_care_lists_and_the_outsider_sees_none(client, helped, users, tree):
    a = helped
    client.force_login(users.owner)
    page = client.get(reverse("never_helped")).content.decode()
    assert 'id="never-helped-count">2<' in page
    assert a.worker2.archive_no in page and a.k2_worker.archive_no in page and a.model.archive_no not in page
    assert a.worker2.id_number not in page  # masked on the page
    assert 'id="care-never-helped"' in page and reverse("archive_care", args=["due"]) in page
    season = client.get(reverse("never_helped"), {"season": "2025", "org": "510107"}).content.decode()
    assert 'id="never-helped-count">2<' in season and a.model.archive_no in season
    # the link beside the 动态管理 lists opens the season of today
    current = client.get(reverse("never_helped"), {"season": "current"}).content.decode()
    assert f"{default_season(tree.c1)}年度未帮扶" in current  # the one default season of every page
    care = client.get(reverse("archive_care", args=["due"])).content.decode()
    assert 'id="care-never-helped"' in care and 'id="care-not-this-season"' in care
    assert client.get(reverse("never_helped"), {"season": "abc"}).status_code == 404
    # the outsider: another subtree is a 404, its own has none of these
    client.force_login(users.outsider)
    assert client.get(reverse("never_helped"), {"org": "510107"}).status_code == 404
    own = client.get(reverse("never_helped")).content.decode()
    assert 'id="never-helped-count">0<' in own and a.worker2.archive_no not in own
    assert client.post(reverse("never_helped"), {"org": "510107"}).status_code == 404
    assert not Job.objects.exists()


def test_the_export_is_a_job_with_full_ids_only_for_pii_full_and_an_audit_row(
        client, helped, users, django_capture_on_commit_callbacks):
    a = helped
    client.force_login(users.colleague)  # 成都 reviewer: may export, sees full IDs
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("never_helped"), {"org": "510100", "season": ""})
    job = Job.objects.get(kind="visits.never_helped")
    assert r.status_code == 302 and job.status == "done", job.error
    assert job.result == {"rows": 2, "season": None, "full_ids": True} and job.result_name.startswith("从未帮扶名单-")
    rows = CalamineWorkbook.from_path(str(settings.WARMTH_FILES_DIR / job.result_file)).get_sheet_by_index(
        0).to_python()
    assert rows[1][:4] == ["序号", "档案编号", "姓名", "身份证号"]
    assert {r[1] for r in rows[2:4]} == {a.worker2.archive_no, a.k2_worker.archive_no}
    assert a.worker2.id_number in {r[3] for r in rows[2:4]} and rows[4][0] == "合计 2 户"
    event = AuditEvent.objects.get(action="pii.export", object_type="never_helped")
    assert event.object_id == "510100"
    # the season's list, exported by 武侯's handler for its own subtree
    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(users.county)
        client.post(reverse("never_helped"), {"org": "510107", "season": "2025"})
    job2 = Job.objects.filter(kind="visits.never_helped").latest("pk")
    assert job2.status == "done" and job2.result["rows"] == 2 and job2.result_name.startswith("2025年度未获帮扶名单-")
    # a role without the export permission cannot start one
    client.force_login(users.leader)
    assert client.post(reverse("never_helped"), {"org": "510100"}).status_code == 403


@pytest.mark.parametrize("full", [True, False])
@pytest.mark.parametrize("chunk", [1, 2, 100])
def test_the_streamed_rows_are_the_records_across_chunk_boundaries(helped, tree, full, chunk):
    """The export reads plain rows (no model instances) and decrypts in bulk: every cell is what the records
    say, read one model instance at a time."""
    from warmth.core import pii

    qs = unhelped.never_helped(tree.c1, season=2024)
    expected = []
    for n, x in enumerate(qs, 1):
        filed = timezone.localdate(x.activated_at).isoformat() if x.activated_at else ""
        expected.append([str(n), x.archive_no, x.name, x.id_number if full else pii.mask_id_number(x.id_number),
                         x.phone if full else pii.mask_phone(x.phone), x.category, "、".join(x.causes),
                         str(x.household_size), x.org.name, filed])
    assert len(expected) == 4
    assert list(unhelped.rows(qs, full=full, chunk=chunk)) == expected
