import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from tests.conftest import actor_of
from warmth.audit.models import AppendOnlyError, AuditEvent
from warmth.audit.services import audit_record, diff
from warmth.auditpage.queries import events_for_actor


def test_an_event_records_actor_org_and_change(users):
    e = audit_record(actor=actor_of(users.owner), action="org.update", object_type="org", object_id=7,
                     before={"name": "旧"}, after={"name": "新"})
    e.refresh_from_db()
    assert (e.actor, e.role, e.org.code, e.object_id) == (users.owner, "handler", "510100", "7")
    assert (e.before, e.after) == ({"name": "旧"}, {"name": "新"})


def test_an_event_follows_its_org_and_never_shows_to_an_org_that_reuses_a_freed_path(users, tree):
    from tests.conftest import make_org, make_user
    from warmth.orgs.models import Org, OrgLevel, Role
    from warmth.orgs.services import org_move

    audit_record(actor=None, action="org.update", object_type="org", object_id="锦江事件", org=tree.k2)
    org_move(actor=None, org=tree.k2, new_parent=tree.p2)  # 锦江 was 成都's last child: its path is free
    reuse = make_org(Org.objects.get(pk=tree.c1.pk), "510199", "新设区总工会", OrgLevel.COUNTY)
    assert reuse.parent == tree.c1 and reuse.path == tree.k2.path  # treebeard handed out 锦江's old path
    new_auditor = make_user("newaud", reuse, Role.AUDITOR)
    hn_auditor = make_user("hnaud", tree.p2, Role.AUDITOR)
    assert not events_for_actor(actor_of(new_auditor)).filter(object_id="锦江事件").exists()
    assert events_for_actor(actor_of(hn_auditor)).filter(object_id="锦江事件").exists()


def test_login_events_are_filed_under_the_users_org(client, users):
    from tests.conftest import PASSWORD

    client.post(reverse("login"), {"username": "owner", "password": "Wrong-pass1"})
    client.post(reverse("login"), {"username": "owner", "password": PASSWORD})
    actions = set(events_for_actor(actor_of(users.auditor)).filter(actor=users.owner)
                  .values_list("action", flat=True))
    assert {"login", "login.failed"} <= actions


def test_operator_events_without_an_org_are_shown_to_root_auditors_only(users, tree):
    from tests.conftest import make_user
    from warmth.orgs.models import Role

    audit_record(actor=None, action="keys.rotate", object_type="keys", object_id="k9")
    root_auditor = make_user("rootaud", tree.root, Role.AUDITOR)
    assert events_for_actor(actor_of(root_auditor)).filter(object_id="k9").exists()
    assert not events_for_actor(actor_of(users.auditor)).filter(object_id="k9").exists()


def test_the_model_refuses_updates_and_deletes(users):
    e = audit_record(actor=None, action="x")
    e.action = "y"
    with pytest.raises(AppendOnlyError):
        e.save()
    with pytest.raises(AppendOnlyError):
        e.delete()


def test_the_database_refuses_updates_and_deletes_even_from_raw_sql(users):
    e = audit_record(actor=None, action="x")
    for sql in ("UPDATE audit_auditevent SET action = 'y' WHERE id = %s", "DELETE FROM audit_auditevent WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [e.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=e.pk).update(action="z")
    assert AuditEvent.objects.get(pk=e.pk).action == "x"


def test_diff_keeps_only_changed_keys():
    assert diff({"a": 1, "b": 2}, {"a": 1, "b": 3}) == ({"b": 2}, {"b": 3})


def test_the_auditor_sees_the_events_of_the_subtree_only(login, users):
    audit_record(actor=actor_of(users.owner), action="org.update", object_type="org", object_id="成都对象")
    audit_record(actor=actor_of(users.outsider), action="org.update", object_type="org", object_id="海南对象")
    page = login(users.auditor).get(reverse("audit_list")).content.decode()
    assert "成都对象" in page and "海南对象" not in page


def test_the_audit_page_filters(login, users):
    audit_record(actor=actor_of(users.owner), action="org.update", object_type="org", object_id="甲对象")
    audit_record(actor=actor_of(users.owner), action="user.disable", object_type="user", object_id="乙对象")
    page = login(users.auditor).get(reverse("audit_list"), {"action": "user.disable"}).content.decode()
    assert "乙对象" in page and "甲对象" not in page


def test_handlers_and_outsiders_may_not_read_the_audit_log(login, users):
    assert login(users.owner).get(reverse("audit_list")).status_code == 403
    assert login(users.outsider).get(reverse("audit_list")).status_code == 403
    assert login(users.owner).post(reverse("audit_export")).status_code == 403


def test_the_export_runs_as_a_job_and_neutralizes_formulas(login, users, django_capture_on_commit_callbacks):
    audit_record(actor=actor_of(users.owner), action="org.update", object_type="org", object_id="=HYPERLINK(1)")
    client = login(users.auditor)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("audit_export"), {"object_type": "org", "object_id": "=HYPERLINK(1)"})
    assert len(callbacks) == 1  # the job is enqueued only once the request's transaction commits
    assert response.status_code == 302
    job_page = client.get(response.url).content.decode()
    assert "已完成" in job_page and "job-download" in job_page
    from warmth.jobs.models import Job

    job = Job.objects.get(kind="audit.export")
    download = client.get(reverse("job_download", args=[job.pk]))
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and ",=HYPERLINK" not in text
    assert job.result == {"rows": 1} and job.percent == 100
    assert AuditEvent.objects.filter(action="audit.export", actor=users.auditor).exists()


def test_the_api_lists_events_for_the_auditor_only(client, users):
    from warmth.orgs.services import token_create

    audit_record(actor=actor_of(users.owner), action="org.update", object_type="org", object_id="q")
    raw = token_create(actor=actor_of(users.auditor), name="t")[1]
    data = client.get("/api/audit/events?object_id=q", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert [e["object_id"] for e in data["items"]] == ["q"]
    raw = token_create(actor=actor_of(users.outsider), name="t")[1]
    assert client.get("/api/audit/events", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 403


@pytest.mark.slow
def test_a_freshly_migrated_database_has_the_append_only_triggers(tmp_path):
    import os
    import sqlite3
    import subprocess
    import sys
    from pathlib import Path

    db = tmp_path / "fresh.sqlite3"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DATABASE_URL=f"sqlite:///{db}", DJANGO_SETTINGS_MODULE="tests.settings")
    subprocess.run([sys.executable, "-m", "django", "migrate", "-v0"], cwd=Path(__file__).parents[2], env=env,
                   check=True, timeout=300)
    names = {r[0] for r in sqlite3.connect(db).execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    assert {"audit_event_no_update", "audit_event_no_delete"} <= names
