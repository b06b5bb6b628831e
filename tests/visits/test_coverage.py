"""Coverage (全覆盖, 不重复) against a brute-force count, over random visits of two campaigns."""

from datetime import date

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.campaigns.conftest import quick_active
from warmth.archives.choices import ArchiveStatus
from warmth.archives.models import Archive
from warmth.campaigns import services
from warmth.campaigns.choices import VisitKind
from warmth.orgs.models import Org
from warmth.visits import queries
from warmth.visits import services as visit_services
from warmth.visits.models import Visit

visits = st.lists(st.tuples(st.integers(0, 11), st.booleans(), st.booleans(), st.integers(0, 9)), max_size=30)


def _brute(campaign, org, archives):
    """Count by walking every archive and every visit, no SQL grouping."""
    live = [v for v in Visit.objects.all() if v.campaign_id == campaign.pk and not v.voided
            and v.kind == VisitKind.HOUSEHOLD and v.archive_id]
    filed = [a for a in archives if a.org.path.startswith(org.path) and
             Archive.objects.get(pk=a.pk).status == ArchiveStatus.ACTIVE]
    n = {a.pk: sum(1 for v in live if v.archive_id == a.pk) for a in filed}
    is_model = {a.pk: a.model_worker_type not in ("", "非劳模") for a in filed}
    return {"filed": len(filed), "visited": sum(1 for a in filed if n[a.pk] >= 1),
            "visited_twice": sum(1 for a in filed if n[a.pk] >= 2),
            "models_filed": sum(1 for a in filed if is_model[a.pk]),
            "models_visited": sum(1 for a in filed if is_model[a.pk] and n[a.pk] >= 1)}


@pytest.fixture
def world(camp, tree, users):
    other = services.campaign_create(actor=camp.planner, org=tree.c1, year=2026, theme="下一年")
    places = [tree.k1, tree.g1, tree.k2, tree.c1]
    archives = [camp.arch.model, camp.arch.migrant, camp.arch.worker1, camp.arch.worker2, camp.arch.k2_worker]
    for i in range(7):
        archives.append(quick_active(camp.planner, places[i % 4],
                                     model_worker_type="全国劳模" if i % 3 == 0 else "非劳模"))
    return camp, other, archives


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(plan=visits, exits=st.sets(st.integers(0, 11), max_size=3))
@pytest.mark.django_db
def test_coverage_equals_a_brute_force_count(world, tree, plan, exits):
    camp, other, archives = world
    with transaction.atomic():
        for i in exits:  # some households left the archive since
            Archive.objects.filter(pk=archives[i].pk).update(status=ArchiveStatus.EXITED)
        places = [tree.k1, tree.g1, tree.k2, tree.c1]
        # visits that never count: another recipient kind (no archive), and an enterprise
        Visit.objects.create(campaign=camp.campaign, org=tree.k1, archive=None, kind=VisitKind.HOUSEHOLD,
                             visited_on=date(2026, 1, 5), visitors="x", name="农民工甲", created_by=camp.planner.user)
        Visit.objects.create(campaign=camp.campaign, org=tree.k2, archive=None, kind=VisitKind.ENTERPRISE,
                             visited_on=date(2026, 1, 5), visitors="x", enterprise="某企业",
                             created_by=camp.planner.user)
        for idx, in_other, voided, day in plan:
            a = archives[idx]
            # a visit may be recorded at another unit than the household's (it counts where the archive is filed)
            Visit.objects.create(campaign=other if in_other else camp.campaign, org=places[day % 4], archive=a,
                                 kind=VisitKind.HOUSEHOLD, visited_on=date(2026, 1, 5 + day), visitors="x",
                                 name=a.name, voided=voided, created_by=camp.planner.user)
        for org in (tree.root, tree.p1, tree.c1, tree.k1, tree.k2, tree.g1):
            org = Org.objects.get(pk=org.pk)
            got = queries.coverage(camp.campaign, org).as_dict()
            want = _brute(camp.campaign, org, archives)
            assert {k: got[k] for k in want} == want, org.name
            assert got["not_visited"] == want["filed"] - want["visited"]
            rows = queries.coverage_by_child(camp.campaign, org)
            for child, cov in rows:  # each child's row is that child's own coverage; the rows add up
                if child is not None:
                    assert cov == queries.coverage(camp.campaign, child)
            for key in want:
                assert sum(getattr(c, key) for _, c in rows) == want[key], key
            listed = set(queries.not_visited(camp.campaign, org).values_list("pk", flat=True))
            assert len(listed) == want["filed"] - want["visited"]
            assert len(list(queries.visited_twice(camp.campaign, org))) == want["visited_twice"]
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
    assert data["campaign"]["id"] == camp.campaign.pk
    assert {k: data[k] for k in ("filed", "visited", "not_visited", "visited_twice")} == {
        "filed": 5, "visited": 2, "not_visited": 3, "visited_twice": 1}
    by = {r["code"]: r for r in data["children"]}
    assert {k: by[tree.k1.code][k] for k in ("filed", "visited", "not_visited", "visited_twice")} == {
        "filed": 4, "visited": 2, "not_visited": 2, "visited_twice": 1}  # 武侯 holds 光华's household too
    assert by[tree.k2.code]["visited"] == 0 and by[tree.k2.code]["not_visited"] == 1
    assert sum(r["filed"] for r in data["children"]) == data["filed"]
    # a county reads the city's campaign it takes part in; its own child is 光华
    county = json.loads(_cli("coverage", "--org", tree.k1.code, "--year", "2025", "--format", "json"))
    assert county["campaign"]["id"] == camp.campaign.pk and county["visited"] == 2
    assert [r["code"] for r in county["children"]] == [tree.g1.code, None]
    assert "武侯" in _cli("coverage", "--org", tree.c1.code, "--year", "2025")


def test_cli_coverage_refuses_unknown_org_and_a_year_without_campaign(camp, tree):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="不存在"):
        _cli("coverage", "--org", "NOPE", "--year", "2025")
    with pytest.raises(CommandError, match="没有覆盖"):
        _cli("coverage", "--org", tree.c1.code, "--year", "2019")
    with pytest.raises(CommandError, match="没有覆盖"):  # 海南 is not under 成都's campaign
        _cli("coverage", "--org", tree.p2.code, "--year", "2025")
