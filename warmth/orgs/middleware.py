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


class PasswordChangeRequiredMiddleware:
    """An account whose password an admin chose reaches nothing but the password form until it changes it."""

    ALLOWED = ("/password/", "/logout/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (user.is_authenticated and user.must_change_password
                and not request.path.startswith(self.ALLOWED)):
            from django.contrib import messages
            from django.shortcuts import redirect

            messages.warning(request, "您的密码由管理员设置，请先修改密码后再使用系统。")
            return redirect("password_change")
        return self.get_response(request)
