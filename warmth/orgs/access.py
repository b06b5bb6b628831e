"""The security gate. Every view, API route and CLI command reaches an object through a helper here.

The rule: an ``Actor`` is a user acting through one membership (org + role). The actor sees the records of
its org's subtree and nothing else; outside the subtree an object does not exist for it (``Http404``), and
inside it the role must hold the permission for the action (``PermissionDenied``, HTTP 403).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from warmth.orgs.models import Membership, Org, Role, User
from warmth.orgs.permissions import Perm, role_has


@dataclass(frozen=True)
class Actor:
    user: User
    membership: Membership
    # the user's valid memberships as ``actor_for`` read them (the identity switcher shows them; no second query)
    memberships: tuple[Membership, ...] = field(default=(), compare=False, repr=False)

    @property
    def org(self) -> Org:
        return self.membership.org

    @property
    def role(self) -> str:
        return self.membership.role

    def can(self, perm: Perm) -> bool:
        return self.user.is_active and self.membership.is_active and role_has(self.role, perm)

    def require(self, perm: Perm) -> None:
        if not self.can(perm):
            raise PermissionDenied(f"您的角色（{self.membership.get_role_display()}）无权执行此操作。")

    def sees_org(self, org: Org) -> bool:
        return org.path.startswith(self.org.path)


def valid_memberships(user: User) -> QuerySet[Membership]:
    """The memberships a user may act through (active, in an active org), the highest level first."""
    return (Membership.objects.filter(user=user, is_active=True, org__is_active=True)
            .select_related("org").order_by("org__depth", "id"))


def actor_for(user: User, membership_id: int | None = None) -> Actor | None:
    """The actor for ``user``: the chosen membership if it is still valid, else the user's first one."""
    if not user.is_authenticated or not user.is_active:
        return None
    memberships = tuple(valid_memberships(user))
    chosen = None
    if membership_id is not None:
        chosen = next((m for m in memberships if m.pk == membership_id), None)
    if chosen is None:
        chosen = next(iter(memberships), None)
    return Actor(user, chosen, memberships) if chosen else None


def _not_found(kind: str) -> Http404:
    return Http404(f"{kind}不存在或不在您的管辖范围内")


def fetch(qs: QuerySet, pk: int, kind: str):
    """The one record ``pk`` of ``qs`` (a queryset already narrowed to what the actor may see), else 404 worded
    for ``kind`` (资金, 活动 …): outside the subtree a record does not exist."""
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise _not_found(kind)
    return obj


# --- orgs ----------------------------------------------------------------------------------------

def visible_orgs(actor: Actor) -> QuerySet[Org]:
    return Org.objects.filter(path__startswith=actor.org.path)


def org_for_actor(actor: Actor, key: int | str, *, write: bool = False) -> Org:
    """An org of the actor's subtree by primary key or code; ``write`` needs ``ORG_MANAGE``."""
    qs = visible_orgs(actor)
    lookup = {"pk": key} if isinstance(key, int) else {"code": key}
    org = qs.filter(**lookup).first()
    if org is None:
        raise _not_found("组织")
    if write:
        actor.require(Perm.ORG_MANAGE)
    return org


# --- users ---------------------------------------------------------------------------------------

def visible_users(actor: Actor) -> QuerySet[User]:
    """Users with at least one active membership in the actor's subtree."""
    inside = Membership.objects.filter(user=OuterRef("pk"), is_active=True, org__path__startswith=actor.org.path)
    return User.objects.filter(Exists(inside))


def manageable_users(actor: Actor) -> QuerySet[User]:
    """Users an admin may approve, disable or unlock: every membership of theirs lies inside the actor's
    subtree, and none is an admin membership at the actor's own org (a peer admin is managed from above)."""
    outside = Membership.objects.filter(user=OuterRef("pk")).filter(~Q(org__path__startswith=actor.org.path))
    peer_admin = Membership.objects.filter(user=OuterRef("pk"), is_active=True, org=actor.org, role=Role.ADMIN)
    return visible_users(actor).filter(~Exists(outside)).filter(~Exists(peer_admin)).exclude(pk=actor.user.pk)


def memberships_visible_to(actor: Actor, user: User) -> QuerySet[Membership]:
    """A user's memberships as the actor may see them: only those inside the actor's subtree."""
    return (Membership.objects.filter(user=user, org__path__startswith=actor.org.path)
            .select_related("org").order_by("-is_active", "org__path"))


def user_for_actor(actor: Actor, pk: int, *, write: bool = False) -> User:
    qs = manageable_users(actor) if write else visible_users(actor)
    user = qs.filter(pk=pk).first()
    if user is None:
        raise _not_found("用户")
    if write:
        actor.require(Perm.USER_MANAGE)
    return user


def membership_for_actor(actor: Actor, pk: int) -> Membership:
    """One of the actor's own memberships (for switching org); nobody else's."""
    m = Membership.objects.filter(pk=pk, user=actor.user, is_active=True).select_related("org").first()
    if m is None:
        raise _not_found("任职")
    return m
