"""The national-scale bulk loaders (run here over the small demo): what they write holds together the way the
services' records do — every pot's balance is its entries' sum, every booked payment has its own entry, the
copied personal data decrypts to the archive's, and a re-run adds nothing."""

from collections import Counter
from decimal import Decimal

import pytest
from django.db.models import Sum

from warmth.campaigns.models import Campaign
from warmth.core import pii
from warmth.core.fields import bidx
from warmth.demo import national_payments as national
from warmth.demo import national_visits
from warmth.demo.archives import seed_archives
from warmth.demo.orgs import seed_orgs
from warmth.demo.pipeline import DemoContext
from warmth.funds.models import FundPot, LedgerEntry
from warmth.orgs.models import OrgLevel
from warmth.payments.choices import PaymentStatus
from warmth.payments.models import Payment, PaymentStep
from warmth.visits.models import Visit

pytestmark = pytest.mark.django_db
YEAR = 2025
BOOKED = {PaymentStatus.APPROVED, PaymentStatus.PAID, PaymentStatus.CONFIRMED}


@pytest.fixture(scope="module")
def _loaded(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction rolled back at the end; each test runs in a savepoint."""
    from django.db import connection, transaction

    from warmth.audit import triggers
    from warmth.funds import triggers as ledger_triggers

    with django_db_blocker.unblock(), transaction.atomic():
        triggers.install(connection)
        ledger_triggers.install(connection)
        ctx = DemoContext(scale="small", seed=5, year=YEAR, out=lambda _: None)
        seed_orgs(ctx)
        seed_archives(ctx)
        national_visits.load(ctx)
        national.load(ctx)
        yield ctx
        transaction.set_rollback(True)


@pytest.fixture
def loaded(_loaded, db):
    return _loaded


def test_pots_entries_and_payments_hold_together(loaded):
    payments = list(Payment.objects.select_related("archive", "entry", "pot"))
    assert len(payments) > 100 and {p.pot.year for p in payments} == {YEAR - 2, YEAR - 1, YEAR}
    for pot in FundPot.objects.all():
        assert pot.balance == pot.entries.aggregate(s=Sum("amount"))["s"] > 0
        assert pot.org.level == OrgLevel.COUNTY
    current = Counter(p.status for p in payments if p.pot.year == YEAR)
    assert set(current) == {PaymentStatus.SUBMITTED, *BOOKED}
    assert {p.status for p in payments if p.pot.year < YEAR} <= {PaymentStatus.PAID, PaymentStatus.CONFIRMED}
    for p in payments:
        assert p.archive.org.path.startswith(p.org.path) and p.id_number == p.archive.id_number
        assert p.name == p.archive.name and p.archive_no == p.archive.archive_no and len(p.bank_account) == 19
        assert p.bank_account_bidx == bidx(pii.BANK_ACCOUNT, p.bank_account)  # found by its account
        if p.status in BOOKED:
            assert (p.entry.amount, p.entry.ref_id, p.entry.person_bidx) == (-p.amount, str(p.pk), p.id_number_bidx)
        else:
            assert p.entry_id is None
        assert (p.campaign_id is not None) == (p.pot.year == YEAR)
    assert PaymentStep.objects.count() == len(payments)
    assert LedgerEntry.objects.filter(kind="paid").count() == sum(p.status in BOOKED for p in payments)
    assert sum(-e.amount for e in LedgerEntry.objects.filter(kind="paid")) == sum(
        (p.amount for p in payments if p.status in BOOKED), Decimal(0))


def test_visits_copy_the_household_and_fall_in_the_season(loaded):
    visits = list(Visit.objects.select_related("campaign", "archive"))
    assert Campaign.objects.filter(org__level=OrgLevel.PROVINCE, year=YEAR).count() == 2
    households = [v for v in visits if v.kind == "household"]
    assert households and any(v.kind == "enterprise" for v in visits)
    for v in households:
        assert v.id_number == v.archive.id_number and v.archive.org.path.startswith(v.campaign.org.path)
    assert all(v.campaign.starts_on <= v.visited_on <= v.campaign.ends_on for v in visits)


def test_a_second_run_adds_nothing(loaded):
    counts = (Payment.objects.count(), Visit.objects.count(), FundPot.objects.count())
    national_visits.load(loaded)
    national.load(loaded)
    assert (Payment.objects.count(), Visit.objects.count(), FundPot.objects.count()) == counts
