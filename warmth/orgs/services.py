"""Every write to orgs, users, memberships and tokens. Each runs in a transaction and leaves an audit row."""

from __future__ import annotations

import hashlib
import re
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from warmth.audit.services import audit_record
from warmth.core import regions
from warmth.core.validation import text
from warmth.orgs.access import Actor, manageable_users
from warmth.orgs.models import (
    ALLOWED_CHILDREN,
    AccountStatus,
    ApiToken,
    Membership,
    Org,
    OrgLevel,
    OrgMove,
    Role,
    User,
)
from warmth.orgs.permissions import Perm

ORG_CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")
RESERVED_USERNAMES = frozenset({"system", "operator", "admin@system"})
_TREE_LOCK = 0x57A12  # any constant: one advisory lock serializes every write to the union tree


def lock_tree() -> None:
    """Serialize writes to the tree (create, move, bulk load) on PostgreSQL. A move rewrites the paths of a
    whole subtree; a concurrent insert under that subtree must not slip in between. SQLite already
    serializes writers (IMMEDIATE transactions)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_TREE_LOCK])


def _check_code(code: str) -> None:
    if not ORG_CODE_RE.fullmatch(code or ""):
        raise ValidationError({"code": "组织代码只能由字母、数字、- 和 _ 组成（最多32位），且以字母或数字开头"})


def _check_child_level(parent: Org, level: str, *, field: str = "level") -> None:
    if level not in ALLOWED_CHILDREN.get(parent.level, frozenset()):
        allowed = "、".join(label for _, label in parent.child_levels) or "无（基层工会之下不设组织）"
        raise ValidationError({field: f"{parent.level_label}之下不能设{OrgLevel(level).label}；可设：{allowed}"})


def _check_region(region_code: str) -> None:
    if region_code and not regions.is_known(region_code):
        raise ValidationError({"region_code": f"行政区划代码{region_code}不在区划代码表中"})


@transaction.atomic
def org_create(*, actor: Actor | None, parent: Org | None, name: str, code: str, level: str,
               region_code: str = "") -> Org:
    """Add an org under ``parent`` (an actor needs ``ORG_MANAGE`` over the parent; None = the operator)."""
    if actor is not None:
        actor.require(Perm.ORG_MANAGE)
        if parent is None or not actor.sees_org(parent):
            raise PermissionDenied("只能在本级及下级组织之下新增组织")
    if level not in OrgLevel.values:
        raise ValidationError({"level": f"未知的组织层级：{level}"})
    if parent is None and level != OrgLevel.NATIONAL:
        raise ValidationError({"level": "只有全国总工会可以作为根组织"})
    if parent is not None:
        _check_child_level(parent, level)
    code = (code or "").strip()
    _check_code(code)
    _check_region(region_code)
    lock_tree()
    if Org.objects.filter(code=code).exists():
        raise ValidationError({"code": f"组织代码“{code}”已被使用"})
    fields = {"name": text(name, "name", "名称", max_length=100, required=True), "code": code, "level": level,
              "region_code": region_code}
    probe = Org(**fields, path="x", depth=1)
    probe.full_clean(exclude=["path", "depth", "numchild", "parent"])
    if parent is None:
        org = Org.objects.add_root(fields)
    else:
        parent = Org.objects.select_for_update().get(pk=parent.pk)
        org = Org.objects.add_child(parent, {**fields, "parent": parent})
    audit_record(actor=actor, action="org.create", object_type="org", object_id=org.pk, org=org,
                 after={"name": org.name, "code": org.code, "level": org.level,
                        "parent": parent.code if parent else None})
    return org


@transaction.atomic
def org_move(*, actor: Actor | None, org: Org, new_parent: Org, reason: str = "") -> Org:
    """Move ``org`` (and its whole subtree) under ``new_parent``, keeping the history."""
    if actor is not None:
        actor.require(Perm.ORG_MANAGE)
        if not (actor.sees_org(org) and actor.sees_org(new_parent)) or org.pk == actor.org.pk:
            raise PermissionDenied("只能在本级管辖范围内调整下级组织")
    reason = text(reason, "reason", "调整原因", max_length=200)
    lock_tree()
    org = Org.objects.select_for_update().get(pk=org.pk)
    new_parent = Org.objects.get(pk=new_parent.pk)
    if org.parent_id is None:
        raise ValidationError("不能移动根组织")
    if new_parent.path.startswith(org.path):
        raise ValidationError("不能把组织移到它自己或它的下级之下")
    if new_parent.pk == org.parent_id:
        raise ValidationError("新上级与原上级相同")
    _check_child_level(new_parent, org.level, field="new_parent")
    old_parent = org.parent
    Org.objects.move(org, new_parent, pos="last-child")
    org.refresh_from_db()
    org.parent = new_parent
    org.save(update_fields=["parent"])
    OrgMove.objects.create(org=org, from_parent=old_parent, to_parent=new_parent,
                           moved_by=actor.user if actor else None, reason=reason)
    audit_record(actor=actor, action="org.move", object_type="org", object_id=org.pk, org=org,
                 before={"parent": old_parent.code}, after={"parent": new_parent.code, "reason": reason})
    return org


@transaction.atomic
def user_create(*, actor: Actor | None, username: str, full_name: str, password: str, org: Org, role: str,
                phone: str = "") -> User:
    """Create an account with one membership. Made by an admin it waits for a second admin's approval;
    made by the operator (CLI, demo) it is active at once."""
    if actor is not None:
        actor.require(Perm.USER_MANAGE)
        if not actor.sees_org(org):
            raise PermissionDenied("只能为本级及下级组织创建账户")
    if role not in Role.values:
        raise ValidationError({"role": f"未知的角色：{role}"})
    if username.strip().lower() in RESERVED_USERNAMES:
        raise ValidationError({"username": f"用户名“{username}”为系统保留"})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": f"用户名“{username}”已存在"})
    full_name = text(full_name, "full_name", "姓名", max_length=50)
    user = User(username=username.strip(), full_name=full_name, phone=phone,
                created_by=actor.user if actor else None)
    validate_password(password, user)
    user.set_password(password)
    if actor is None:
        user.status, user.is_active = AccountStatus.ACTIVE, True
    else:  # the admin chose the password: the new user must replace it at first login
        user.status, user.is_active, user.must_change_password = AccountStatus.PENDING, False, True
    user.full_clean(exclude=["password"])
    user.save()
    Membership.objects.create(user=user, org=org, role=role)
    audit_record(actor=actor, action="user.create", object_type="user", object_id=user.pk, org=org,
                 after={"username": user.username, "full_name": user.full_name, "role": role,
                        "org": org.code, "status": user.status})
    return user


def _require_manageable(actor: Actor, user: User) -> None:
    actor.require(Perm.USER_MANAGE)
    if not manageable_users(actor).filter(pk=user.pk).exists():
        raise PermissionDenied("该账户不在您的管理范围内（同级管理员的账户由上级管理员管理）")


@transaction.atomic
def user_approve(*, actor: Actor, user: User) -> User:
    """A second admin (never the creator) activates a pending account."""
    _require_manageable(actor, user)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.status != AccountStatus.PENDING:
        raise ValidationError("该账户不是待审批状态")
    if user.created_by_id == actor.user.pk:
        raise PermissionDenied("账户须由创建人以外的管理员审批")
    user.status, user.is_active, user.approved_by = AccountStatus.ACTIVE, True, actor.user
    user.save(update_fields=["status", "is_active", "approved_by"])
    audit_record(actor=actor, action="user.approve", object_type="user", object_id=user.pk,
                 org=user.primary_org(), before={"status": AccountStatus.PENDING},
                 after={"status": AccountStatus.ACTIVE})
    return user


@transaction.atomic
def user_disable(*, actor: Actor, user: User) -> User:
    if user.pk == actor.user.pk:
        raise ValidationError("不能停用自己的账户")
    _require_manageable(actor, user)
    user = User.objects.select_for_update().get(pk=user.pk)
    before = user.status
    user.status, user.is_active = AccountStatus.DISABLED, False
    user.save(update_fields=["status", "is_active"])
    ApiToken.objects.filter(membership__user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_record(actor=actor, action="user.disable", object_type="user", object_id=user.pk,
                 org=user.primary_org(), before={"status": before}, after={"status": user.status})
    return user


@transaction.atomic
def user_unlock(*, actor: Actor, user: User) -> User:
    _require_manageable(actor, user)
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    audit_record(actor=actor, action="user.unlock", object_type="user", object_id=user.pk, org=user.primary_org())
    user.refresh_from_db()
    return user


@transaction.atomic
def membership_create(*, actor: Actor | None, user: User, org: Org, role: str) -> Membership:
    if actor is not None:
        _require_manageable(actor, user)
        if not actor.sees_org(org):
            raise PermissionDenied("只能授予本级及下级组织的任职")
    if role not in Role.values:
        raise ValidationError({"role": f"未知的角色：{role}"})
    if Membership.objects.filter(user=user, org=org, role=role, is_active=True).exists():
        raise ValidationError("该用户已有此任职")
    m = Membership.objects.create(user=user, org=org, role=role)
    audit_record(actor=actor, action="membership.create", object_type="membership", object_id=m.pk, org=org,
                 after={"user": user.username, "org": org.code, "role": role})
    return m


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(*, actor: Actor, name: str) -> tuple[ApiToken, str]:
    """A new API token for the actor's current membership. The raw token is returned once, never stored."""
    name = text(name, "name", "令牌用途", max_length=100)
    if not name:
        raise ValidationError({"name": "请填写令牌用途"})
    raw = "wt_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(membership=actor.membership, name=name, prefix=raw[:10],
                                    token_hash=_hash_token(raw))
    audit_record(actor=actor, action="token.create", object_type="api_token", object_id=token.pk,
                 after={"name": token.name, "prefix": token.prefix})
    return token, raw


@transaction.atomic
def token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    if token.membership.user_id != actor.user.pk:
        raise PermissionDenied("只能吊销自己的令牌")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="token.revoke", object_type="api_token", object_id=token.pk)
    return token


def token_authenticate(raw: str) -> ApiToken | None:
    """The live token for ``raw`` (its user active, its membership valid), or None."""
    if not raw or not raw.startswith("wt_"):
        return None
    token = (ApiToken.objects.select_related("membership__user", "membership__org")
             .filter(token_hash=_hash_token(raw), revoked_at__isnull=True).first())
    if token is None or not token.membership.is_active or not token.membership.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
