"""Coverage (全覆盖, 不重复) of an org and a season against a brute-force count, over random visits of three
campaigns (成都's and 武侯's of season 2025, 成都's of 2026), households filed now and on a past day."""

from datetime import date, datetime, time, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.archives.factories import filed_on_day
from tests.campaigns.conftest import quick_active
from warmth.archives.choices import ArchiveStatus
from warmth.archives.models import Archive
from warmth.campaigns import services
from warmth.campaigns.choices import VisitKind
from warmth.orgs.models import Org
from warmth.visits import queries
from warmth.visits import services as visit_services
from warmth.visits.models import Visit

visits = st.lists(st.tuples(st.integers(0, 11), st.integers(0, 2), st.booleans(), st.integers(0, 9)), max_size=30)
PAST = date(2026, 1, 31)  # a day inside season 2025's window, before its end (2026-02-17)


def _end_of(day):
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone())


def _brute(year, org, archives, day):
    """Count by walking every archive and every visit, no SQL grouping: the season's live household visits in
    any campaign of that year, filed households as of ``day``."""
    live = [v for v in Visit.objects.select_related("campaign") if v.campaign.year == year and not v.voided
            and not v.applicant and v.kind == VisitKind.HOUSEHOLD and v.archive_id]
    filed = [a for a in (Archive.objects.get(pk=x.pk) for x in archives)
             if a.org.path.startswith(org.path) and filed_on_day(a, day)]
    n = {a.pk: sum(1 for v in live if v.archive_id == a.pk) for a in filed}
    is_model = {a.pk: a.model_worker_type not in ("", "非劳模") for a in filed}
    return {"filed": len(filed), "visited": sum(1 for a in filed if n[a.pk] >= 1),
            "visited_twice": sum(1 for a in filed if n[a.pk] >= 2),
            "models_filed": sum(1 for a in filed if is_model[a.pk]),
            "models_visited": sum(1 for a in filed if is_model[a.pk] and n[a.pk] >= 1)}


@pytest.fixture
def world(camp, tree, users):
    other = services.campaign_create(actor=camp.planner, org=tree.c1, year=2026, theme="下一年")
    # 武侯's own campaign of the same season: its visits count in 成都's coverage too
    county = services.campaign_create(actor=camp.k1, org=tree.k1, year=2025, theme="武侯区两节送温暖")
    places = [tree.k1, tree.g1, tree.k2, tree.c1]
    archives = [camp.arch.model, camp.arch.migrant, camp.arch.worker1, camp.arch.worker2, camp.arch.k2_worker]
    for i in range(7):
        archives.append(quick_active(camp.planner, places[i % 4],
                                     model_worker_type="全国劳模" if i % 3 == 0 else "非劳模"))
    return camp, (camp.campaign, county, other), archives


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(plan=visits, exits=st.sets(st.integers(0, 11), max_size=3), dated=st.sets(st.integers(0, 11), max_size=4))
@pytest.mark.django_db
def test_coverage_equals_a_brute_force_count(world, tree, plan, exits, dated):
    camp, campaigns, archives = world
    with transaction.atomic():
        for i in exits:  # some households left the archive since (half of them after the past day)
            left = _end_of(PAST) + timedelta(days=3) if i % 2 else _end_of(PAST) - timedelta(days=3)
            Archive.objects.filter(pk=archives[i].pk).update(status=ArchiveStatus.EXITED, exited_at=left)
        for i in dated - exits:  # some were approved at a known time: before the past day, or after it
            on = _end_of(PAST) + timedelta(hours=1) if i % 2 else _end_of(PAST) - timedelta(days=20)
            Archive.objects.filter(pk=archives[i].pk).update(activated_at=on)
        if 5 in dated - exits:  # one asked to leave: still 在档 until the exit is approved
            Archive.objects.filter(pk=archives[5].pk).update(status=ArchiveStatus.EXIT_REVIEW)
        places = [tree.k1, tree.g1, tree.k2, tree.c1]
        # visits that never count: another recipient kind (no archive), and an enterprise
        Visit.objects.create(campaign=camp.campaign, org=tree.k1, archive=None, kind=VisitKind.HOUSEHOLD,
                             visited_on=date(2026, 1, 5), visitors="x", name="农民工甲", created_by=camp.planner.user)
        Visit.objects.create(campaign=camp.campaign, org=tree.k2, archive=None, kind=VisitKind.ENTERPRISE,
                             visited_on=date(2026, 1, 5), visitors="x", enterprise="某企业",
                             created_by=camp.planner.user)
        for idx, which, voided, day in plan:
            a = archives[idx]
            c = campaigns[which]
            org = tree.k1 if c.org_id == tree.k1.pk else places[day % 4]
            # a visit may be recorded at another unit than the household's (it counts where the archive is filed)
            Visit.objects.create(campaign=c, org=org, archive=a, kind=VisitKind.HOUSEHOLD,
                                 visited_on=date(2026, 1, 5 + day), visitors="x", name=a.name, voided=voided,
                                 created_by=camp.planner.user)
        for org in (tree.root, tree.p1, tree.c1, tree.k1, tree.k2, tree.g1):
            org = Org.objects.get(pk=org.pk)
            for day in (None, PAST):
                got = queries.coverage(org, 2025, day).as_dict()
                want = _brute(2025, org, archives, day)
                assert {k: got[k] for k in want} == want, (org.name, day)
                assert got["not_visited"] == want["filed"] - want["visited"]
                rows = queries.coverage_by_child(org, 2025, day)
                for child, cov in rows:  # each child's row is that child's own coverage; the rows add up
                    if child is not None:
                        assert cov == queries.coverage(child, 2025, day)
                for key in want:
                    assert sum(getattr(c, key) for _, c in rows) == want[key], key
                listed = set(queries.not_visited(org, 2025, day).values_list("pk", flat=True))
                assert len(listed) == want["filed"] - want["visited"]
                assert len(list(queries.visited_twice(org, 2025, day))) == want["visited_twice"]
            # the next season's visits are its own
            assert queries.coverage(org, 2026).visited == _brute(2026, org, archives, None)["visited"]
        transaction.set_rollback(True)


def test_money_so_far_counts_cash_on_visits(camp, tree, fin):
    from tests.funds.factories import decided, raised

    pot = raised(fin.k1_finance, tree.k1, "5000.00")
    decided(fin.k1_leader, pot)
    g = services.group_create(actor=camp.planner, campaign=camp.campaign, name="第一组", leaders="a", liaison="b",
                              units=[tree.k1])
    visit_services.visit_record(actor=camp.k1, campaign=camp.campaign, kind=VisitKind.HOUSEHOLD, visited_on=camp.day,
                          visitors="x", archive=camp.arch.worker1, group=g, cash_amount="300", cash_pot=pot)
    m = queries.money_so_far(camp.campaign, tree.c1)
    assert (m["cash_visits"], str(m["cash"]), str(m["total"])) == (1, "300.00", "300.00")
    assert queries.money_so_far(camp.campaign, tree.k2)["total"] == 0


def _cli(*args) -> str:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("campaigns", *args, stdout=out)
    return out.getvalue()


def test_cli_coverage_json_prints_the_org_and_each_child(camp, tree):
    import json

    visit_services.visit_record(actor=camp.k1, campaign=camp.campaign, kind=VisitKind.HOUSEHOLD, visited_on=camp.day,
                          visitors="x", archive=camp.arch.worker1)
    visit_services.visit_record(actor=camp.k1, campaign=camp.campaign, kind=VisitKind.HOUSEHOLD, visited_on=camp.day,
                          visitors="y", archive=camp.arch.worker1)
    visit_services.visit_record(actor=camp.k1, campaign=camp.campaign, kind=VisitKind.HOUSEHOLD, visited_on=camp.day,
                          visitors="x", archive=camp.arch.model)
    data = json.loads(_cli("coverage", "--org", tree.c1.code, "--year", "2025", "--format", "json"))
    assert [c["id"] for c in data["campaigns"]] == [camp.campaign.pk] and data["year"] == 2025
    assert data["as_of"] == min(camp.campaign.ends_on, timezone.localdate()).isoformat()
    assert {k: data[k] for k in ("filed", "visited", "not_visited", "visited_twice")} == {
        "filed": 5, "visited": 2, "not_visited": 3, "visited_twice": 1}
    by = {r["code"]: r for r in data["children"]}
    assert {k: by[tree.k1.code][k] for k in ("filed", "visited", "not_visited", "visited_twice")} == {
        "filed": 4, "visited": 2, "not_visited": 2, "visited_twice": 1}  # 武侯 holds 光华's household too
    assert by[tree.k2.code]["visited"] == 0 and by[tree.k2.code]["not_visited"] == 1
    assert sum(r["filed"] for r in data["children"]) == data["filed"]
    # a county reads the city's campaign it takes part in; its own child is 光华
    county = json.loads(_cli("coverage", "--org", tree.k1.code, "--year", "2025", "--format", "json"))
    assert [c["id"] for c in county["campaigns"]] == [camp.campaign.pk] and county["visited"] == 2
    assert [r["code"] for r in county["children"]] == [tree.g1.code, None]
    assert "武侯" in _cli("coverage", "--org", tree.c1.code, "--year", "2025")
    # the province and the root, which no campaign covers, see the same visits (全覆盖 is judged at every level)
    for org in (tree.p1, tree.root):
        top = json.loads(_cli("coverage", "--org", org.code, "--year", "2025", "--format", "json"))
        assert (top["filed"], top["visited"], top["visited_twice"]) == (5, 2, 1), org.name
        assert top["filed"] == top["visited"] + top["not_visited"]
        for r in top["children"]:
            assert r["filed"] == r["visited"] + r["not_visited"]
    # --campaign picks that campaign's season; --as-of a stated day (before 成都's households were filed)
    assert json.loads(_cli("coverage", "--org", tree.p1.code, "--campaign", str(camp.campaign.pk),
                           "--format", "json"))["year"] == 2025
    early = json.loads(_cli("coverage", "--org", tree.c1.code, "--year", "2025", "--as-of", "2026-01-31",
                            "--format", "json"))
    assert early["as_of"] == "2026-01-31" and early["filed"] == 5  # filed without a time: counted from the start
    Archive.objects.filter(pk=camp.arch.worker1.pk).update(activated_at=_end_of(date(2026, 2, 1)))
    early = json.loads(_cli("coverage", "--org", tree.c1.code, "--year", "2025", "--as-of", "2026-01-31",
                            "--format", "json"))
    assert (early["filed"], early["visited"]) == (4, 1)  # approved after that day: not yet 在档, nor its visit


def test_cli_coverage_refuses_unknown_org_a_foreign_campaign_and_a_bad_day(camp, tree):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="不存在"):
        _cli("coverage", "--org", "NOPE", "--year", "2025")
    with pytest.raises(CommandError, match="无关"):  # 海南 is neither under 成都's campaign nor above it
        _cli("coverage", "--org", tree.p2.code, "--campaign", str(camp.campaign.pk))
    with pytest.raises(CommandError, match="不符"):
        _cli("coverage", "--org", tree.c1.code, "--campaign", str(camp.campaign.pk), "--year", "2024")
    with pytest.raises(CommandError, match="年-月-日"):
        _cli("coverage", "--org", tree.c1.code, "--year", "2025", "--as-of", "31/01/2026")
    # a season without any campaign is not an error: every filed household is simply not visited yet
    import json

    data = json.loads(_cli("coverage", "--org", tree.p2.code, "--year", "2019", "--format", "json"))
    assert data["campaigns"] == [] and data["visited"] == 0 and data["filed"] == data["not_visited"]
