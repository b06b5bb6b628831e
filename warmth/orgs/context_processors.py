from warmth.orgs.access import valid_memberships
from warmth.orgs.permissions import MATRIX, Perm


def actor(request):
    a = getattr(request, "actor", None)
    ctx = {"actor": a, "Perm": Perm, "actor_perms": frozenset(), "actor_memberships": []}
    if a is not None:
        ctx["actor_perms"] = frozenset(str(p) for p in MATRIX.get(a.role, ()) if a.can(p))
        ctx["actor_memberships"] = a.memberships or valid_memberships(a.user)
    return ctx
