"""Login with lock-out: after N consecutive failures the account is locked for M minutes (settings)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import F
from django.utils import timezone

from warmth.audit.services import audit_record
from warmth.orgs.models import User


class LockoutModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle for usernames
            audit_record(actor=None, action="login.failed", object_type="user", object_id="",
                         after={"username": username[:150], "reason": "unknown user"})
            return None
        now = timezone.now()
        if user.is_locked(now):
            audit_record(actor=user, action="login.locked", object_type="user", object_id=user.pk)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            if user.failed_logins or user.locked_until:
                User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
            return user
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        user.refresh_from_db(fields=["failed_logins"])
        after = {"failed_logins": user.failed_logins}
        if user.failed_logins >= settings.WARMTH_LOCKOUT_FAILURES:
            until = now + timedelta(minutes=settings.WARMTH_LOCKOUT_MINUTES)
            User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=until)
            after["locked_until"] = until.isoformat()
        audit_record(actor=user, action="login.failed", object_type="user", object_id=user.pk, after=after)
        return None
