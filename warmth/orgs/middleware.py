import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect

from warmth.orgs.access import actor_for

SESSION_KEY = "warmth_membership_id"
LOGIN_AT_KEY = "warmth_login_at"
SEEN_KEY = "warmth_seen"
# the idle clock is restarted at most once a minute (a page view within a minute of the last restart writes no
# session row: one UPDATE less on nearly every request), so the idle timeout is exact to a minute
SEEN_EVERY = 60


def passive_session(view):
    """Mark a view (a polling fragment) as not counting as activity: it does not extend the idle timeout."""
    view.passive_session = True
    return view


class SessionActivityMiddleware:
    """Idle timeout and absolute lifetime. The session row's expiry (SESSION_COOKIE_AGE = the idle period) is
    pushed forward only by requests that are real activity; polling views marked ``passive_session`` leave
    it alone, so an open progress bar cannot keep a walked-away session alive. After
    ``WARMTH_SESSION_MAX_HOURS`` since login the user must log in again whatever the activity."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        now = int(time.time())
        login_at = request.session.get(LOGIN_AT_KEY, now)
        if now - login_at > settings.WARMTH_SESSION_MAX_HOURS * 3600:
            logout(request)
            messages.info(request, f"登录已超过{settings.WARMTH_SESSION_MAX_HOURS}小时，请重新登录。")
            return redirect("login")
        if not getattr(view_func, "passive_session", False) and now - request.session.get(SEEN_KEY, 0) >= SEEN_EVERY:
            request.session[SEEN_KEY] = now  # a modified session is saved with a fresh expiry
        return None


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
