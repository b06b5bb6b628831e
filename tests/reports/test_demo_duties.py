"""The issue's case on the demo season, through the pages as the README's users: 武侯区 (wh_handler) fills and
submits the 2015 统计表, and 成都市's reviewer (cd_reviewer) approves it, while none of 武侯's five 基层工会 has
reported or been exempted (by default 基层工会 need not report). Then 武侯's board lists them as not required, 成都's
board counts 武侯 as approved, and the reminder has no one to remind at 武侯."""

import pytest
from django.test import Client
from django.urls import reverse

from warmth.demo.archives import seed_archives
from warmth.demo.campaigns import seed_campaigns
from warmth.demo.funds import seed_funds
from warmth.demo.orgs import seed_orgs
from warmth.demo.payments import seed_payments
from warmth.demo.pipeline import DemoContext
from warmth.orgs.models import Org, OrgLevel, User
from warmth.reports import services
from warmth.reports.models import Report, ReportStatus, ReportStep

pytestmark = pytest.mark.django_db
S = ReportStatus
FORM, YEAR = "warmth-2015", 2025


@pytest.fixture(scope="module")
def _seeded(django_db_setup, django_db_blocker):
    from django.db import connection, transaction

    from warmth.audit import triggers
    from warmth.funds import triggers as ledger_triggers

    with django_db_blocker.unblock(), transaction.atomic():
        triggers.install(connection)
        ledger_triggers.install(connection)
        ctx = DemoContext(scale="small", seed=11, year=YEAR, out=lambda _: None)
        for fn in (seed_orgs, seed_archives, seed_funds, seed_campaigns, seed_payments):
            fn(ctx)
        User.objects.update(must_change_password=False)
        yield ctx
        transaction.set_rollback(True)


@pytest.fixture
def demo(_seeded, db):
    return _seeded


def login(username: str) -> Client:
    c = Client()
    c.force_login(User.objects.get(username=username))
    return c


def test_the_demo_county_report_is_approved_by_the_city_without_exempting_its_grassroots_units(demo):
    wuhou = Org.objects.get(code="510107")
    grassroots = list(Org.objects.filter(parent=wuhou, level=OrgLevel.GRASSROOTS))
    assert len(grassroots) == 5
    url = reverse("report_detail", args=[FORM, YEAR]) + f"?org={wuhou.code}"

    r = login("wh_handler").post(url, {"org": wuhou.code, "action": "submit", "filled_by": "吴经办",
                                       "phone": "028-85550001", "value-1.A": "12", "value-1.B": "3",
                                       "note": "已核对"})
    assert r.status_code == 302, r.content.decode()[:2000]
    report = Report.objects.get(form=FORM, year=YEAR, org=wuhou)
    assert report.status == S.SUBMITTED

    city = login("cd_reviewer")
    page = city.get(url).content.decode()
    assert 'id="approve-held"' not in page and 'id="approve-submit"' in page  # 通过 offered, nothing held
    r = city.post(url, {"org": wuhou.code, "action": "approve", "note": "同意"})
    assert r.status_code == 302
    report.refresh_from_db()
    assert report.status == S.APPROVED and report.decided_by.username == "cd_reviewer"
    # nobody was exempted, no grassroots report was made
    assert not Report.objects.filter(org__in=grassroots).exists()
    assert not ReportStep.objects.filter(action="exempt").exists()

    board = services.completeness(FORM, YEAR, wuhou)
    assert (board["expected"], board["not_required"], board["missing"]) == (0, 5, [])
    page = login("wh_handler").get(reverse("report_board", args=[FORM, YEAR]) + f"?org={wuhou.code}").content.decode()
    assert "基层工会 5 个（不须报送）" in page and 'id="remind-form"' not in page
    chengdu = services.completeness(FORM, YEAR, Org.objects.get(code="510100"))
    assert chengdu["approved"] == 1 and wuhou not in chengdu["missing"]
