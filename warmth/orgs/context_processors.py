from warmth.orgs.models import Membership
from warmth.orgs.permissions import MATRIX, Perm


def actor(request):
    a = getattr(request, "actor", None)
    ctx = {"actor": a, "Perm": Perm, "actor_perms": frozenset(), "actor_memberships": []}
    if a is not None:
        ctx["actor_perms"] = frozenset(str(p) for p in MATRIX.get(a.role, ()) if a.can(p))
        ctx["actor_memberships"] = a.memberships or (
            Membership.objects.filter(user=a.user, is_active=True, org__is_active=True)
            .select_related("org").order_by("org__depth", "id"))
    return ctx
