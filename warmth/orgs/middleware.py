from warmth.orgs.access import actor_for

SESSION_KEY = "warmth_membership_id"


class ActorMiddleware:
    """Sets ``request.actor``: the user acting through the membership chosen in the session (or None)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = None
        if request.user.is_authenticated:
            request.actor = actor_for(request.user, request.session.get(SESSION_KEY))
        return self.get_response(request)
