"""Login with lock-out: after N consecutive failures the account is locked for M minutes (settings).

Every guess is *claimed* before the password is checked (one conditional UPDATE that also refuses while
locked), so parallel requests cannot get more than N guesses in before the lock lands. The password-change
form counts its wrong old passwords the same way.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import F, Q
from django.utils import timezone

from warmth.audit.services import audit_record
from warmth.core.pii import mask_name
from warmth.orgs.models import User


def attempt_claim(user: User) -> bool:
    """Count one more guess for ``user``; False if the account is locked (or the limit is already used)."""
    now = timezone.now()
    claimed = (User.objects.filter(pk=user.pk)
               .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
               .filter(failed_logins__lt=settings.WARMTH_LOCKOUT_FAILURES)
               .update(failed_logins=F("failed_logins") + 1))
    return bool(claimed)


def attempt_succeeded(user: User) -> None:
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)


def attempt_failed(user: User, *, action: str = "login.failed") -> bool:
    """Record a wrong password whose guess was claimed; locks the account at the limit. True if locked now."""
    user.refresh_from_db(fields=["failed_logins"])
    after: dict = {"failed_logins": user.failed_logins}
    locked = user.failed_logins >= settings.WARMTH_LOCKOUT_FAILURES
    if locked:
        until = timezone.now() + timedelta(minutes=settings.WARMTH_LOCKOUT_MINUTES)
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=until)
        after["locked_until"] = until.isoformat()
    audit_record(actor=user, action=action, object_type="user", object_id=user.pk, after=after)
    return locked


class LockoutModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle for usernames
            audit_record(actor=None, action="login.failed", object_type="user", object_id="",
                         after={"username": mask_name(username[:150]), "reason": "unknown user"})
            return None
        if not attempt_claim(user):
            audit_record(actor=user, action="login.locked", object_type="user", object_id=user.pk)
            return None
        if user.check_password(password):
            attempt_succeeded(user)
            return user if self.user_can_authenticate(user) else None
        attempt_failed(user)
        return None
