from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

from warmth.orgs.permissions import Perm


def actor_required(perm: Perm | None = None):
    """Login required, an acting membership required and, if given, the permission ``perm``."""

    def deco(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.actor is None:
                return render(request, "no_membership.html", status=403)
            if perm is not None:
                request.actor.require(perm)
            return view(request, *args, **kwargs)

        return wrapper

    return deco
