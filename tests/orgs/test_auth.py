from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD
from warmth.audit.models import AuditEvent
from warmth.orgs.models import User


def post_login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_a_user_logs_in_and_reaches_the_home_page(client, users):
    response = post_login(client, "owner", PASSWORD)
    assert response.status_code == 302 and response.url == reverse("home")
    page = client.get(reverse("home"))
    assert "成都市总工会" in page.content.decode() and "经办人" in page.content.decode()
    assert AuditEvent.objects.filter(action="login", actor=users.owner).exists()


def test_a_wrong_password_is_refused_with_a_chinese_message_and_logged(client, users):
    response = post_login(client, "owner", "Wrong-pass1")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    assert AuditEvent.objects.filter(action="login.failed", actor=users.owner).count() == 1


def test_five_failures_lock_the_account_even_against_the_right_password(client, users):
    for _ in range(settings.WARMTH_LOCKOUT_FAILURES):
        post_login(client, "owner", "Wrong-pass1")
    user = User.objects.get(pk=users.owner.pk)
    assert user.is_locked()
    minutes = (user.locked_until - timezone.now()).total_seconds() / 60
    assert settings.WARMTH_LOCKOUT_MINUTES - 1 < minutes <= settings.WARMTH_LOCKOUT_MINUTES
    response = post_login(client, "owner", PASSWORD)
    assert "账户已锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_four_failures_then_a_success_reset_the_count(client, users):
    for _ in range(settings.WARMTH_LOCKOUT_FAILURES - 1):
        post_login(client, "owner", "Wrong-pass1")
    assert post_login(client, "owner", PASSWORD).status_code == 302
    assert User.objects.get(pk=users.owner.pk).failed_logins == 0


def test_the_lock_ends_after_its_time(client, users):
    User.objects.filter(pk=users.owner.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert post_login(client, "owner", PASSWORD).status_code == 302


def test_a_pending_account_cannot_log_in(client, users):
    User.objects.filter(pk=users.owner.pk).update(is_active=False, status="pending")
    response = post_login(client, "owner", PASSWORD)
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_an_unknown_user_gets_the_same_message_as_a_wrong_password(client, db):
    assert "用户名或密码错误" in post_login(client, "nobody", "Whatever-1").content.decode()


@pytest.mark.parametrize("password, message", [
    ("Ab1!", "太短"),
    ("abcdefgh", "至少3类"),
    ("abcdefg1", "至少3类"),
    ("12345678", "至少3类"),
])
def test_weak_passwords_are_refused_in_chinese(password, message):
    with pytest.raises(ValidationError) as exc:
        validate_password(password)
    assert any(message in m for m in exc.value.messages), exc.value.messages


@pytest.mark.parametrize("password", ["Warmth@2025", "Qz7pLm4tR", "xy7!xy7!Q"])
def test_strong_passwords_pass(password):
    validate_password(password)


def test_the_session_expires_after_the_idle_period():
    assert settings.SESSION_COOKIE_AGE == settings.WARMTH_SESSION_IDLE_MINUTES * 60 == 30 * 60


def _expiry(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_page_extends_the_idle_clock_but_a_polling_fragment_does_not(client, users):
    from django.contrib.sessions.models import Session

    from tests.conftest import actor_of
    from warmth.jobs.models import Job

    post_login(client, "owner", PASSWORD)
    a = actor_of(users.owner)
    job = Job.objects.create(kind="audit.export", title="t", org=a.org, membership=a.membership,
                             created_by=users.owner)
    from warmth.orgs.middleware import SEEN_KEY

    session = client.session  # the last activity 25 minutes ago: 5 minutes of the idle period left
    session[SEEN_KEY] = int(timezone.now().timestamp()) - 25 * 60
    session.save()
    soon = timezone.now() + timedelta(minutes=5)
    Session.objects.update(expire_date=soon)
    assert client.get(reverse("job_progress", args=[job.pk])).status_code == 200
    assert _expiry(client) == soon  # polling is not activity
    client.get(reverse("home"))
    later = _expiry(client)
    assert later > soon + timedelta(minutes=20)  # a real page view restarts the 30 minutes
    client.get(reverse("home"))
    assert _expiry(client) == later  # … at most once a minute: no session write for the next view


def test_a_session_ends_after_its_absolute_lifetime(client, users):
    from warmth.orgs.middleware import LOGIN_AT_KEY

    post_login(client, "owner", PASSWORD)
    session = client.session
    session[LOGIN_AT_KEY] -= settings.WARMTH_SESSION_MAX_HOURS * 3600 + 1
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("login")
    assert "_auth_user_id" not in client.session


def test_an_idle_session_is_logged_out(client, users):
    from django.contrib.sessions.models import Session

    post_login(client, "owner", PASSWORD)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_logout_needs_a_post_and_ends_the_session(client, users):
    post_login(client, "owner", PASSWORD)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302
    assert AuditEvent.objects.filter(action="logout", actor=users.owner).exists()


def test_every_page_carries_a_content_security_policy(client, db):
    response = client.get(reverse("login"))
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"


def test_parallel_guesses_cannot_exceed_the_limit(users):
    from warmth.orgs.auth import attempt_claim

    claims = [attempt_claim(users.owner) for _ in range(settings.WARMTH_LOCKOUT_FAILURES + 3)]
    assert claims.count(True) == settings.WARMTH_LOCKOUT_FAILURES  # guesses past the limit are refused


def test_a_pending_account_with_the_right_password_is_told_it_waits_and_is_not_counted(client, users):
    User.objects.filter(pk=users.owner.pk).update(is_active=False, status="pending")
    for _ in range(settings.WARMTH_LOCKOUT_FAILURES + 1):
        response = post_login(client, "owner", PASSWORD)
    assert "等待审批" in response.content.decode()
    assert not User.objects.get(pk=users.owner.pk).is_locked()


def test_wrong_old_passwords_on_the_change_form_lock_the_account_and_log_out(client, users):
    client.force_login(users.owner)
    for _ in range(settings.WARMTH_LOCKOUT_FAILURES):
        response = client.post(reverse("password_change"), {
            "old_password": "Wrong-pass1", "new_password1": "Newpass@2026", "new_password2": "Newpass@2026"})
    assert response.status_code == 302 and response.url == reverse("login")
    assert User.objects.get(pk=users.owner.pk).is_locked()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="password.failed", actor=users.owner).count() == 5


def test_an_unknown_username_is_logged_masked(client, db):
    post_login(client, "Secret-Pass-Typed-In-Wrong-Box", "x")
    event = AuditEvent.objects.get(action="login.failed")
    assert "Secret-Pass" not in str(event.after) and event.after["username"].startswith("S*")
