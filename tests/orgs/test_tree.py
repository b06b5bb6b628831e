import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from tests.conftest import actor_of, make_org
from warmth.audit.models import AuditEvent
from warmth.orgs.bulk import OrgSpec, bulk_create_tree
from warmth.orgs.models import Org, OrgLevel, OrgMove
from warmth.orgs.services import org_create, org_move


def codes(qs):
    return sorted(qs.values_list("code", flat=True))


def test_a_subtree_is_the_org_and_everything_below_it(tree):
    assert codes(tree.c1.subtree()) == ["510100", "510104", "510107", "510107-0001"]
    assert codes(tree.p2.subtree()) == ["460000", "460105"]
    assert tree.g1.is_within(tree.p1) and not tree.g1.is_within(tree.p2)


def test_the_parent_link_and_the_path_agree(tree):
    for org in Org.objects.exclude(parent=None):
        assert org.path[: -Org.steplen] == org.parent.path
    assert Org.objects.find_problems() == ([], [], [], [], [])


def test_moving_an_org_moves_its_subtree_and_keeps_the_history(users, tree):
    admin = actor_of(users.admin)
    org_move(actor=admin, org=tree.k1, new_parent=tree.p1, reason="区划调整")
    k1 = Org.objects.get(pk=tree.k1.pk)
    g1 = Org.objects.get(pk=tree.g1.pk)
    assert k1.parent_id == tree.p1.pk and g1.path.startswith(k1.path)
    assert codes(Org.objects.get(pk=tree.c1.pk).subtree()) == ["510100", "510104"]
    move = OrgMove.objects.get(org=k1)
    assert (move.from_parent, move.to_parent, move.moved_by, move.reason) == (
        tree.c1, tree.p1, users.admin, "区划调整")
    event = AuditEvent.objects.get(action="org.move")
    assert event.before == {"parent": "510100"} and event.after["parent"] == "510000"
    assert Org.objects.find_problems() == ([], [], [], [], [])


def test_an_org_cannot_move_under_itself_or_its_descendants(users, tree):
    with pytest.raises(ValidationError, match="下级之下"):
        org_move(actor=None, org=tree.c1, new_parent=tree.g1)


def test_an_admin_cannot_move_orgs_outside_the_subtree_or_their_own_org(users, tree):
    admin = actor_of(users.admin)
    with pytest.raises(PermissionDenied):
        org_move(actor=admin, org=tree.k3, new_parent=tree.p1)
    with pytest.raises(PermissionDenied):
        org_move(actor=admin, org=tree.k1, new_parent=tree.k3)
    with pytest.raises(PermissionDenied):
        org_move(actor=admin, org=tree.p1, new_parent=tree.p2)
    assert not OrgMove.objects.exists()


def test_a_handler_cannot_create_orgs(users, tree):
    with pytest.raises(PermissionDenied):
        org_create(actor=actor_of(users.owner), parent=tree.c1, name="X", code="X1", level=OrgLevel.GRASSROOTS)
    assert not Org.objects.filter(code="X1").exists()


def test_creating_an_org_checks_the_code_the_level_and_the_region(users, tree):
    admin = actor_of(users.admin)
    with pytest.raises(ValidationError, match="已被使用"):
        org_create(actor=admin, parent=tree.c1, name="重复", code="510107", level=OrgLevel.COUNTY)
    with pytest.raises(ValidationError, match="未知的组织层级"):
        org_create(actor=admin, parent=tree.c1, name="X", code="X2", level="planet")
    with pytest.raises(ValidationError, match="区划代码表"):
        org_create(actor=admin, parent=tree.c1, name="X", code="X3", level=OrgLevel.COUNTY, region_code="519999")
    org = org_create(actor=admin, parent=tree.k2, name="锦江区某公司工会", code="510104-0001",
                     level=OrgLevel.GRASSROOTS, region_code="510104")
    assert org.parent == tree.k2 and org.is_within(tree.c1)
    assert AuditEvent.objects.filter(action="org.create", object_id=str(org.pk)).exists()


def test_bulk_creation_builds_a_valid_tree_under_an_existing_org(tree):
    spec = OrgSpec("新区总工会", "N1", OrgLevel.COUNTY)
    for i in range(40):
        spec.add(f"企业{i}工会", f"N1-{i}", OrgLevel.GRASSROOTS)
    assert bulk_create_tree(spec, parent=tree.c1) == 41
    n1 = Org.objects.get(code="N1")
    assert n1.parent == tree.c1 and n1.numchild == 40
    assert Org.objects.get(code="N1-39").parent == n1
    assert Org.objects.find_problems() == ([], [], [], [], [])
    make_org(Org.objects.get(pk=tree.c1.pk), "N2", "再新区", OrgLevel.COUNTY)  # treebeard continues after it
    assert Org.objects.find_problems() == ([], [], [], [], [])


def test_the_subtree_query_uses_a_prefix_index_on_postgresql(tree):
    if connection.vendor != "postgresql":
        pytest.skip("opclass indexes are PostgreSQL-only")
    with connection.cursor() as cur:
        cur.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'orgs_org' "
                    "AND indexdef LIKE '%%(path varchar_pattern_ops)%%'")
        index = cur.fetchone()[0]
        cur.execute("SET enable_seqscan = off")
        cur.execute("EXPLAIN SELECT id FROM orgs_org WHERE path LIKE %s", [tree.c1.path + "%"])
        plan = "\n".join(r[0] for r in cur.fetchall())
        cur.execute("SET enable_seqscan = on")
    # a range scan of the prefix index (a plain or a bitmap index scan, as the planner prefers), not a filter
    assert (f"Index Scan using {index}" in plan or f"Bitmap Index Scan on {index}" in plan) and "~>=~" in plan


@pytest.mark.parametrize("parent_attr, level", [
    ("k1", OrgLevel.NATIONAL), ("k1", OrgLevel.PROVINCE), ("k1", OrgLevel.CITY), ("g1", OrgLevel.GRASSROOTS),
    ("c1", OrgLevel.PROVINCE),
])
def test_a_level_may_not_stand_under_a_level_that_does_not_hold_it(users, tree, parent_attr, level):
    with pytest.raises(ValidationError, match="之下不能设"):
        org_create(actor=None, parent=getattr(tree, parent_attr), name="x", code="X9", level=level)


def test_industry_and_grassroots_unions_hang_under_any_level(tree):
    for parent in (tree.root, tree.p1, tree.c1, tree.k1):
        org_create(actor=None, parent=parent, name="产业", code=f"IND-{parent.code}", level=OrgLevel.INDUSTRY)
        org_create(actor=None, parent=parent, name="基层", code=f"GR-{parent.code}", level=OrgLevel.GRASSROOTS)


def test_a_move_respects_the_level_rule(tree):
    with pytest.raises(ValidationError, match="之下不能设"):
        org_move(actor=None, org=tree.k2, new_parent=tree.g1)
