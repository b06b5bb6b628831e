import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.conftest import PASSWORD, actor_of
from warmth.audit.models import AuditEvent
from warmth.orgs.models import AccountStatus, ApiToken, Role, User
from warmth.orgs.services import (
    token_authenticate,
    token_create,
    token_revoke,
    user_approve,
    user_create,
    user_disable,
)


def new_user(actor, org, **kw):
    data = {"username": "newbie", "full_name": "新人", "password": PASSWORD, "org": org, "role": Role.HANDLER}
    data.update(kw)
    return user_create(actor=actor, **data)


def test_an_account_made_by_an_admin_waits_for_a_second_admin(users, tree):
    user = new_user(actor_of(users.admin), tree.k1)
    assert (user.status, user.is_active) == (AccountStatus.PENDING, False)
    with pytest.raises(PermissionDenied, match="创建人以外"):
        user_approve(actor=actor_of(users.admin), user=user)
    user_approve(actor=actor_of(users.admin2), user=user)
    user.refresh_from_db()
    assert (user.status, user.is_active, user.approved_by) == (AccountStatus.ACTIVE, True, users.admin2)
    assert list(AuditEvent.objects.filter(object_type="user", object_id=str(user.pk))
                .values_list("action", flat=True).order_by("id")) == ["user.create", "user.approve"]


def test_an_admin_creates_accounts_only_in_their_subtree(users, tree):
    with pytest.raises(PermissionDenied):
        new_user(actor_of(users.admin), tree.k3)
    with pytest.raises(PermissionDenied):
        new_user(actor_of(users.owner), tree.k1)
    assert not User.objects.filter(username="newbie").exists()


def test_a_weak_password_or_a_taken_username_writes_nothing(users, tree):
    with pytest.raises(ValidationError):
        new_user(actor_of(users.admin), tree.k1, password="password")
    with pytest.raises(ValidationError, match="已存在"):
        new_user(actor_of(users.admin), tree.k1, username="owner")
    assert not User.objects.filter(username="newbie").exists()
    assert not AuditEvent.objects.filter(action="user.create", actor=users.admin).exists()


def test_disabling_an_account_revokes_its_tokens(users):
    token, raw = token_create(actor=actor_of(users.owner), name="脚本")
    assert token_authenticate(raw) == token
    user_disable(actor=actor_of(users.admin), user=users.owner)
    assert token_authenticate(raw) is None
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_a_token_is_stored_only_as_a_hash_and_can_be_revoked(users):
    token, raw = token_create(actor=actor_of(users.owner), name="对接")
    assert raw.startswith("wt_") and raw not in token.token_hash and len(token.token_hash) == 64
    assert not ApiToken.objects.filter(token_hash__contains=raw[3:]).exists()
    with pytest.raises(PermissionDenied):
        token_revoke(actor=actor_of(users.colleague), token=token)
    token_revoke(actor=actor_of(users.owner), token=token)
    assert token_authenticate(raw) is None
    assert token_authenticate("wt_not-a-token") is None and token_authenticate("") is None


def test_user_services_recheck_the_subtree_themselves(users, tree):
    from tests.conftest import make_user

    hn_admin = actor_of(make_user("hn_admin", tree.p2, Role.ADMIN))
    pending = new_user(actor_of(users.admin), tree.k1)
    for service in (user_approve, user_disable):
        with pytest.raises(PermissionDenied, match="管理范围"):
            service(actor=hn_admin, user=pending)
    assert User.objects.get(pk=pending.pk).status == AccountStatus.PENDING


def test_a_peer_admin_is_managed_only_from_above(users, tree):
    from tests.conftest import make_user

    with pytest.raises(PermissionDenied, match="上级管理员"):
        user_disable(actor=actor_of(users.admin2), user=users.admin)
    root_admin = actor_of(make_user("root_admin", tree.root, Role.ADMIN))
    user_disable(actor=root_admin, user=users.admin)
    assert User.objects.get(pk=users.admin.pk).status == AccountStatus.DISABLED


def test_a_new_admin_account_at_the_same_org_needs_a_higher_admin(users, tree):
    from tests.conftest import make_user

    peer = new_user(actor_of(users.admin), tree.p1, username="admin3", role=Role.ADMIN)
    with pytest.raises(PermissionDenied):
        user_approve(actor=actor_of(users.admin2), user=peer)
    user_approve(actor=actor_of(make_user("root_admin", tree.root, Role.ADMIN)), user=peer)
    assert User.objects.get(pk=peer.pk).status == AccountStatus.ACTIVE


def test_an_admin_chosen_password_must_be_changed_at_first_login(client, users, tree):
    from django.urls import reverse

    user = new_user(actor_of(users.admin), tree.k1)
    user_approve(actor=actor_of(users.admin2), user=user)
    assert User.objects.get(pk=user.pk).must_change_password
    client.post(reverse("login"), {"username": "newbie", "password": PASSWORD})
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("password_change")
    assert client.get("/api/me").status_code == 302
    client.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": "Fresh@2026x",
                                             "new_password2": "Fresh@2026x"})
    assert client.get(reverse("home")).status_code == 200
    assert not User.objects.get(pk=user.pk).must_change_password


@pytest.mark.parametrize("code", ["510104/0200", "510104 0201", "510104?x", "", "-lead", "甲乙"])
def test_org_codes_are_letters_digits_dashes_and_underscores(users, tree, code):
    from warmth.orgs.models import Org, OrgLevel
    from warmth.orgs.services import org_create

    before = Org.objects.count()
    with pytest.raises(ValidationError, match="组织代码只能"):
        org_create(actor=actor_of(users.admin), parent=tree.k2, name="x", code=code, level=OrgLevel.GRASSROOTS)
    assert Org.objects.count() == before


def test_reserved_usernames_are_refused(users, tree):
    with pytest.raises(ValidationError, match="系统保留"):
        new_user(actor_of(users.admin), tree.k1, username="system")
