import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tests.conftest import actor_of, make_user
from warmth.orgs.access import (
    actor_for,
    manageable_users,
    membership_for_actor,
    org_for_actor,
    user_for_actor,
    visible_orgs,
    visible_users,
)
from warmth.orgs.models import Role
from warmth.orgs.permissions import MATRIX, Perm, role_has
from warmth.orgs.services import membership_create


def test_a_user_sees_exactly_their_org_subtree(users, tree):
    owner = actor_of(users.owner)
    assert set(visible_orgs(owner)) == {tree.c1, tree.k1, tree.k2, tree.g1}
    assert org_for_actor(owner, "510107-0001") == tree.g1
    assert org_for_actor(owner, tree.k1.pk) == tree.k1


@pytest.mark.parametrize("code", ["460000", "460105", "510000", "ACFTU", "no-such-org"])
def test_an_org_outside_the_subtree_does_not_exist_for_the_user(users, code):
    with pytest.raises(Http404):
        org_for_actor(actor_of(users.owner), code)


def test_writing_to_an_org_needs_the_org_permission(users, tree):
    with pytest.raises(PermissionDenied):
        org_for_actor(actor_of(users.owner), "510107", write=True)
    assert org_for_actor(actor_of(users.admin), "510107", write=True) == tree.k1


def test_users_are_visible_through_a_membership_in_the_subtree(users):
    owner = actor_of(users.owner)
    assert set(visible_users(owner)) == {users.owner, users.colleague, users.finance, users.county}
    with pytest.raises(Http404):
        user_for_actor(owner, users.outsider.pk)
    with pytest.raises(Http404):
        user_for_actor(owner, users.admin.pk)


def test_an_admin_never_manages_a_user_who_also_serves_above_them(users, tree):
    county_admin = make_user("kadmin", tree.k1, Role.ADMIN)
    membership_create(actor=None, user=users.county, org=tree.c1, role=Role.REVIEWER)
    kadmin = actor_of(county_admin)
    assert users.county in visible_users(kadmin)
    assert users.county not in manageable_users(kadmin)
    with pytest.raises(Http404):
        user_for_actor(kadmin, users.county.pk, write=True)


def test_a_user_can_switch_only_to_their_own_memberships(users, tree):
    m2 = membership_create(actor=None, user=users.owner, org=tree.k1, role=Role.REVIEWER)
    owner = actor_of(users.owner)
    assert membership_for_actor(owner, m2.pk) == m2
    with pytest.raises(Http404):
        membership_for_actor(owner, users.outsider.memberships.get().pk)
    switched = actor_for(users.owner, m2.pk)
    assert switched.org == tree.k1 and switched.role == Role.REVIEWER


def test_a_disabled_or_pending_user_has_no_actor(users):
    users.owner.is_active = False
    assert actor_for(users.owner) is None


def test_the_auditor_reads_everything_and_writes_nothing():
    from warmth.orgs.permissions import is_write

    assert role_has(Role.AUDITOR, Perm.AUDIT_READ) and role_has(Role.AUDITOR, Perm.VIEW)
    assert not [p for p in MATRIX[Role.AUDITOR] if is_write(p)]


def test_every_role_can_view_and_only_admins_manage_users():
    assert all(Perm.VIEW in perms for perms in MATRIX.values())
    assert [r for r, perms in MATRIX.items() if Perm.USER_MANAGE in perms] == [Role.ADMIN]
    assert not role_has(Role.ADMIN, Perm.PII_FULL)  # separation of duties: admins see masked data
