import itertools
import re
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from warmth.archives import lifecycle, rules
from warmth.archives.choices import NATIONAL_SCHEME, ArchiveStatus, HardshipCategory
from warmth.archives.models import (
    LIVE_STATUSES,
    Archive,
    ArchiveCounter,
    ArchivePerson,
    ArchiveReview,
    ArchiveStep,
    AssistancePlan,
    DibaoStandard,
    FamilyMember,
)
from warmth.core import idcard
from warmth.demo.archives import seed_archives
from warmth.demo.orgs import seed_orgs
from warmth.demo.pipeline import DemoContext
from warmth.orgs.access import actor_for
from warmth.orgs.models import User

S = ArchiveStatus


def seed(seed_value: int = 7) -> DemoContext:
    ctx = DemoContext(scale="small", seed=seed_value, year=2025, out=lambda _line: None)
    seed_orgs(ctx)
    seed_archives(ctx)
    return ctx


@pytest.fixture
def demo(db):
    return seed()


def test_the_same_seed_gives_the_same_archives(db):
    def run():
        with transaction.atomic():
            seed(7)
            rows = list(Archive.objects.order_by("archive_no").values_list("archive_no", "name", "status"))
            members = list(FamilyMember.objects.order_by("archive__archive_no", "position")
                           .values_list("name", "birth_date"))
            ids = sorted(a.id_number for a in Archive.objects.only("id_number"))
            transaction.set_rollback(True)
        return rows, members, ids

    first, second = run(), run()
    assert len(first[0]) >= 250 and first == second


def test_every_status_occurs_and_most_archives_are_active(demo):
    counts = Counter(Archive.objects.values_list("status", flat=True))
    assert set(counts) == set(S.values)
    assert counts[S.ACTIVE] > sum(counts.values()) / 2
    assert 250 <= sum(counts.values()) <= 350


def test_the_demo_covers_the_counties_categories_and_kinds_of_household(demo):
    regions = set(Archive.objects.values_list("hukou_region_code", flat=True))
    assert {"510107", "510104", "460105"} <= regions
    categories = set(Archive.objects.values_list("category", flat=True))
    assert {HardshipCategory.DIBAO, HardshipCategory.DIBAO_EDGE, HardshipCategory.ACCIDENT} <= categories
    assert categories & set(NATIONAL_SCHEME)
    assert Archive.objects.filter(is_temporary=True).exists()
    assert Archive.objects.exclude(model_worker_type="非劳模").exists()
    assert Archive.objects.filter(identity="农民工").exists()
    sizes = set(Archive.objects.annotate(n=Count("members")).values_list("n", flat=True))
    assert sizes == {0, 1, 2, 3, 4}


def test_no_person_is_live_in_two_archives_and_ids_are_unique_across_the_demo(demo):
    live = ArchivePerson.objects.filter(live=True)
    assert live.count() == live.values("id_bidx").distinct().count()
    assert ArchivePerson.objects.count() == ArchivePerson.objects.values("id_bidx").distinct().count()
    assert set(ArchivePerson.objects.filter(live=True).values_list("archive__status", flat=True)) <= set(
        LIVE_STATUSES)
    assert not ArchivePerson.objects.filter(live=False, archive__status__in=LIVE_STATUSES).exists()
    with_id = FamilyMember.objects.exclude(id_number_bidx="").count()
    assert ArchivePerson.objects.count() == Archive.objects.count() + with_id


def test_a_sample_of_archives_and_members_passes_full_clean(demo):
    for archive in Archive.objects.order_by("?")[:50]:
        archive.full_clean()
        card = idcard.parse(archive.id_number)
        assert (card.birth_date, card.sex, card.region_code) == (archive.birth_date, archive.sex,
                                                                 archive.hukou_region_code)
        for m in archive.members.all():
            m.full_clean()
            if m.id_number:
                assert idcard.parse(m.id_number).birth_date == m.birth_date


def test_per_capita_income_is_consistent_with_the_family_and_the_category(demo):
    for archive in Archive.objects.prefetch_related("members"):
        members = list(archive.members.all())
        assert archive.household_size == 1 + len(members)
        monthly = archive.monthly_income + sum(m.monthly_income for m in members)
        assert archive.household_annual_income == 12 * monthly
        expected = (archive.household_annual_income / archive.household_size).quantize(Decimal("0.01"),
                                                                                      ROUND_HALF_UP)
        assert archive.per_capita_income == expected
        standard = rules.dibao_for(archive.hukou_region_code, archive.created_at.year)
        scheme = "seed" if archive.category_scheme == "seed" else "national"
        suggestion = rules.suggest(scheme=scheme, household_annual_income=archive.household_annual_income,
                                   household_size=archive.household_size, rigid_expenses=archive.rigid_expenses,
                                   hardship_costs=archive.hardship_costs, dibao_monthly=standard)
        assert suggestion.category == archive.category, (archive.archive_no, suggestion.reason)


def test_the_lifecycle_fields_match_the_status(demo):
    past_verification = {S.PUBLICIZING, S.APPROVING, S.ACTIVE, S.EXIT_REVIEW, S.EXIT_PUBLICIZING, S.EXITED,
                         S.REJECTED}
    for a in Archive.objects.prefetch_related("steps"):
        assert (a.publicity_start is not None) == (a.status in past_verification), a.archive_no
        assert (a.activated_at is not None) == (a.status in (S.ACTIVE, S.EXIT_REVIEW, S.EXIT_PUBLICIZING,
                                                              S.EXITED)), a.archive_no
        assert bool(a.exit_reason) == (a.status in (S.EXIT_REVIEW, S.EXIT_PUBLICIZING, S.EXITED))
        assert (a.exited_at is not None) == (a.status == S.EXITED) == (a.retain_until is not None)
        steps = list(a.steps.all())
        transitions = [s for s in steps if s.action not in ("plan", "review", "objection")]
        assert transitions[0].action == "file" and transitions[-1].to_status == a.status
        assert all(x.to_status == y.from_status for x, y in itertools.pairwise(transitions))
        assert [s.at for s in steps] == sorted(s.at for s in steps)
        assert a.created_at == steps[0].at and a.created_at <= timezone.now()
        if a.publicity_end:
            assert a.publicity_end > a.publicity_start


def test_archive_numbers_are_unique_and_the_counters_continue_them(demo):
    numbers = list(Archive.objects.values_list("archive_no", "org__code", "created_at"))
    assert len({n for n, _, _ in numbers}) == len(numbers)
    for number, org_code, created in numbers:
        assert re.fullmatch(rf"{re.escape(org_code)}-{timezone.localtime(created).year}-\d{{5}}", number)
    for c in ArchiveCounter.objects.select_related("org"):
        top = Archive.objects.filter(archive_no__startswith=f"{c.org.code}-{c.year}-").aggregate(m=Max("archive_no"))
        assert int(top["m"][-5:]) == c.last


def test_plans_reviews_and_standards(demo):
    today = timezone.localdate()
    plans = AssistancePlan.objects.all()
    active = Archive.objects.filter(status=S.ACTIVE).count()
    assert plans.count() > active / 2 and not plans.exclude(archive__status=S.ACTIVE).exists()
    assert plans.filter(next_visit_date__lt=today).exists() and plans.filter(next_visit_date__gte=today).exists()
    assert ArchiveReview.objects.filter(year=2025).exists()
    assert not ArchiveReview.objects.exclude(archive__status=S.ACTIVE).exists()
    assert DibaoStandard.objects.get(region_code="510100", year=2025).monthly_amount == Decimal("900.00")
    assert DibaoStandard.objects.get(region_code="460100", year=2025).monthly_amount == Decimal("750.00")
    assert ArchiveStep.objects.filter(action="plan").count() == plans.count()


def test_demo_archives_carry_on_through_the_services(demo):
    reviewer = actor_for(User.objects.get(username="cd_reviewer"))
    waiting = Archive.objects.filter(status=S.APPROVING, org__path__startswith=reviewer.org.path).first()
    assert lifecycle.archive_approve(actor=reviewer, archive=waiting).status == S.ACTIVE
    handler = actor_for(User.objects.get(username="wh_handler"))
    active = Archive.objects.filter(status=S.ACTIVE, org__path__startswith=handler.org.path).first()
    assert lifecycle.archive_exit_request(actor=handler, archive=active, reason="脱困").status == S.EXIT_REVIEW


def test_the_demo_follows_only_legal_lifecycle_steps():
    from warmth.archives import lifecycle
    from warmth.demo import archives as demo

    for action, (frm, to) in demo.TRANSITIONS.items():
        if action == "file":
            continue
        starts, target, _perm, _name = lifecycle.TRANSITIONS[action]
        assert frm in starts and to == target, action
