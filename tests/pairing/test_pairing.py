"""结对帮扶: who may be assigned (an outsider is refused; reassigning keeps the history), the due date at its
boundaries, the 待办 of the cadre only, the visit form with every error at once, the coverage equal to a count done
by hand on crafted data, and the outsider on every page."""

import random
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.archives.factories import archive_input
from tests.conftest import actor_of, make_user
from warmth.archives.choices import ArchiveStatus
from warmth.archives.models import Archive
from warmth.archives.services import archive_file
from warmth.audit.models import AuditEvent
from warmth.core.workdays import add_months
from warmth.orgs.models import Role
from warmth.pairing import services
from warmth.pairing.models import Pairing, PairingVisit
from warmth.todo.queries import todo_for

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def active(users, org, status=ArchiveStatus.ACTIVE):
    a = archive_file(actor=actor_of(users.county if org.code == "510107" else users.owner), org=org,
                     data=archive_input())
    Archive.objects.filter(pk=a.pk).update(status=status)  # crafted: the lifecycle is tested elsewhere
    a.refresh_from_db()
    return a


def paired(users, tree, *, started_on=date(2025, 1, 1), cadre=None):
    a = active(users, tree.k1)
    p = services.pairing_assign(actor=actor_of(users.county), archive=a, cadre=cadre or users.county,
                                started_on=started_on, today=date(2026, 12, 6))
    return a, p


# --- assignment -------------------------------------------------------------------------------------------------

def test_assign_refuses_outsiders_and_keeps_history(users, tree):
    a = active(users, tree.k1)
    handler = actor_of(users.owner)  # 成都's handler: may pick 成都's and 武侯's users
    sibling = make_user("jinjiang", tree.k2, Role.HANDLER)  # 锦江: does not see 武侯's archive
    gone = make_user("gone", tree.k1, Role.HANDLER)
    gone.is_active = False
    gone.save()
    for cadre in (users.outsider, sibling, gone, None):
        with pytest.raises(ValidationError) as exc:
            services.pairing_assign(actor=handler, archive=a, cadre=cadre, started_on=date(2026, 1, 5))
        assert "cadre" in exc.value.message_dict
    # the county's handler may not pick 成都's user: above the county, outside its subtree
    with pytest.raises(ValidationError):
        services.pairing_assign(actor=actor_of(users.county), archive=a, cadre=users.owner,
                                started_on=date(2026, 1, 5))
    with pytest.raises(PermissionDenied):  # a reviewer lacks the handler's permission
        services.pairing_assign(actor=actor_of(users.colleague), archive=a, cadre=users.county,
                                started_on=date(2026, 1, 5))
    with pytest.raises(PermissionDenied):  # 海南's handler
        services.pairing_assign(actor=actor_of(users.outsider), archive=a, cadre=users.county,
                                started_on=date(2026, 1, 5))
    assert not Pairing.objects.exists()

    first = services.pairing_assign(actor=handler, archive=a, cadre=users.county, started_on=date(2026, 1, 5))
    with pytest.raises(ValidationError) as exc:  # reassigning needs a reason; every problem at once
        services.pairing_assign(actor=handler, archive=a, cadre=users.owner, started_on=date(2025, 1, 1))
    assert {"reason", "started_on"} <= set(exc.value.message_dict)
    PairingVisit.objects.create(pairing=first, archive=a, visited_on=date(2026, 3, 2), findings="x",
                                recorded_by=users.county)
    with pytest.raises(ValidationError) as exc:  # the new pairing starts after the old one's last visit
        services.pairing_assign(actor=handler, archive=a, cadre=users.owner, started_on=date(2026, 3, 1),
                                reason="工作调动")
    assert list(exc.value.message_dict) == ["started_on"]
    second = services.pairing_assign(actor=handler, archive=a, cadre=users.owner, started_on=date(2026, 3, 2),
                                     reason="工作调动")
    first.refresh_from_db()
    assert (first.ended_on, first.end_reason) == (date(2026, 3, 2), "改派：工作调动")
    assert second.ended_on is None and Pairing.objects.filter(archive=a).count() == 2
    assert AuditEvent.objects.filter(action="pairing.assign").count() == 2

    gone_home = active(users, tree.k1, status=ArchiveStatus.EXITED)
    with pytest.raises(ValidationError):
        services.pairing_assign(actor=handler, archive=gone_home, cadre=users.county, started_on=date(2026, 1, 5))


# --- due ----------------------------------------------------------------------------------------------------------

def test_due_at_the_boundaries():
    start = date(2025, 1, 31)
    assert add_months(start, 6) == date(2025, 7, 31)
    assert not services.due_of(start, None, date(2025, 7, 30)).due
    d = services.due_of(start, None, date(2025, 7, 31))
    assert d.due and not d.overdue and d.due_on == date(2025, 7, 31)
    assert not services.due_of(start, None, date(2025, 8, 30)).overdue
    assert services.due_of(start, None, date(2025, 8, 31)).overdue
    # the last visit counts from its day; month ends clip (31 Aug + 6 months = 28 Feb)
    assert services.due_of(start, date(2025, 8, 31), date(2026, 2, 27)).due is False
    assert services.due_of(start, date(2025, 8, 31), date(2026, 2, 28)).due is True


def test_visited_within_six_months_is_the_complement_of_due():
    rng = random.Random(7)
    for _ in range(400):
        today = date(2024, 1, 1) + timedelta(days=rng.randrange(800))
        since = services.visited_since(today)
        for offset in range(-5, 6):
            visit = since + timedelta(days=offset)
            assert (visit >= since) == (not services.due_of(visit, visit, today).due), (today, visit)


def test_todo_shows_due_visits_to_the_cadre_only(users, tree, monkeypatch):
    today = date(2026, 12, 6)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: today)
    due_a, due_p = paired(users, tree, started_on=add_months(today, -6))            # due today, exactly
    _, fresh = paired(users, tree, started_on=add_months(today, -6) + timedelta(days=1))  # due tomorrow
    late_a, late = paired(users, tree, started_on=date(2025, 1, 1))
    PairingVisit.objects.create(pairing=late, archive=late_a, visited_on=add_months(today, -7), findings="x",
                                recorded_by=users.county)  # overdue: 7 months since the last visit
    items = [i for i in todo_for(actor_of(users.county)).items if i.kind == "pairing"]
    assert sorted(i.pk for i in items) == sorted([due_p.pk, late.pk])
    assert [("逾期" in i.what) for i in sorted(items, key=lambda i: i.pk)] == [False, True]
    assert all(i.url == f"/pairing/{i.pk}/visit/" for i in items)
    assert fresh.pk not in {i.pk for i in items}
    for other in (users.owner, users.colleague, users.outsider):  # they see the archives, but are not the cadre
        assert not [i for i in todo_for(actor_of(other)).items if i.kind == "pairing"]
    # a visit today clears it
    PairingVisit.objects.create(pairing=due_p, archive=due_a, visited_on=today, findings="x",
                                recorded_by=users.county)
    assert [i.pk for i in todo_for(actor_of(users.county)).items if i.kind == "pairing"] == [late.pk]


# --- visits -------------------------------------------------------------------------------------------------------

def test_visit_form_every_error_at_once_and_the_record_is_kept(client, users, tree):
    _, p = paired(users, tree, started_on=date(2026, 1, 5))
    client.force_login(users.county)
    page = client.get(f"/pairing/{p.pk}/visit/")
    html = page.content.decode()
    assert page.status_code == 200 and 'name="viewport"' in html and 'id="visit-form"' in html
    for field in ('name="visited_on"', 'name="findings"', 'name="needs"', 'name="photos"', "multiple"):
        assert field in html
    photos = [SimpleUploadedFile(f"{i}.png", PNG) for i in range(4)]
    r = client.post(f"/pairing/{p.pk}/visit/", {"visited_on": "2099-01-01", "findings": " ", "needs": "长" * 501,
                                               "photos": photos})
    body = r.content.decode()
    assert r.status_code == 422
    for msg in ("走访日期：", "请填写走访情况", "家庭需求：", "照片最多 3 张"):
        assert msg in body, msg
    r = client.post(f"/pairing/{p.pk}/visit/", {"visited_on": "2026-01-04", "findings": "好",
                                               "photos": [SimpleUploadedFile("x.gif", b"GIF89a....")]})
    body = r.content.decode()
    assert r.status_code == 422 and "走访日期：" in body and "只接受PDF、JPG、PNG格式的附件" in body
    assert not PairingVisit.objects.exists()
    r = client.post(f"/pairing/{p.pk}/visit/", {"visited_on": "2026-02-01", "findings": "家中老人住院",
                                               "needs": "医疗救助", "photos": [SimpleUploadedFile("a.png", PNG)]})
    assert r.status_code == 302
    v = PairingVisit.objects.get()
    assert (v.visited_on, v.findings, len(v.photos), v.recorded_by) == (date(2026, 2, 1), "家中老人住院", 1,
                                                                         users.county)
    photo = client.get(f"/pairing/visits/{v.pk}/photos/1/")
    assert photo.status_code == 200 and b"".join(photo.streaming_content) == PNG
    assert client.get(f"/pairing/visits/{v.pk}/photos/2/").status_code == 404
    assert f"/pairing/visits/{v.pk}/photos/1/" in client.get(f"/pairing/archive/{p.archive_id}/").content.decode()
    client.force_login(users.outsider)
    assert client.get(f"/pairing/visits/{v.pk}/photos/1/").status_code == 404
    client.force_login(users.county)
    r = client.post(f"/pairing/{p.pk}/visit/", {"visited_on": "2026-02-02", "findings": "更正日期",
                                               "corrects": str(v.pk)})
    assert r.status_code == 302 and PairingVisit.objects.count() == 2  # a correction is a new record
    assert PairingVisit.objects.get(pk=v.pk).findings == "家中老人住院"
    assert PairingVisit.objects.latest("pk").corrects_id == v.pk


def test_only_the_cadre_or_a_handler_records(client, users, tree):
    a, p = paired(users, tree, started_on=date(2026, 1, 5))
    client.force_login(users.colleague)  # 成都's reviewer: sees the household, neither cadre nor handler
    assert client.get(f"/pairing/{p.pk}/visit/").status_code == 403
    assert client.post(f"/pairing/{p.pk}/visit/", {"visited_on": "2026-02-01", "findings": "x"}).status_code == 403
    client.force_login(users.owner)  # 成都's handler
    assert client.post(f"/pairing/{p.pk}/visit/", {"visited_on": "2026-02-01", "findings": "x"}).status_code == 302
    services.pairing_assign(actor=actor_of(users.owner), archive=a, cadre=users.owner, started_on=date(2026, 3, 1),
                            reason="调动")
    client.force_login(users.county)  # the former cadre: the ended pairing takes no more visits
    assert client.post(f"/pairing/{p.pk}/visit/", {"visited_on": "2026-02-01", "findings": "x"}).status_code == 403


# --- coverage -----------------------------------------------------------------------------------------------------

def test_coverage_equals_a_count_by_hand(users, tree):
    today = date(2026, 12, 6)
    rng = random.Random(22)
    since = add_months(today, -6)
    made = []
    for org in (tree.k1, tree.k2, tree.c1):
        actor = actor_of(users.owner)
        for _ in range(12):
            a = active(users, org, status=rng.choice([ArchiveStatus.ACTIVE] * 4 + [ArchiveStatus.EXITED]))
            p = None
            if a.status == ArchiveStatus.ACTIVE and rng.random() < 0.7:
                p = Pairing.objects.create(archive=a, org=org, cadre=users.county if org == tree.k1 else users.owner,
                                           started_on=date(2025, 1, 1), assigned_by=actor.user)
                if rng.random() < 0.3:  # reassigned: the old pairing's visit still counts for the household
                    Pairing.objects.filter(pk=p.pk).update(ended_on=date(2026, 8, 1), end_reason="改派：x")
                    p = Pairing.objects.create(archive=a, org=org, cadre=users.owner, started_on=date(2026, 8, 1),
                                               assigned_by=actor.user)
                for _ in range(rng.randrange(3)):
                    PairingVisit.objects.create(pairing=p, archive=a, findings="x", recorded_by=actor.user,
                                                visited_on=since + timedelta(days=rng.randrange(-40, 40)))
            if a.status == ArchiveStatus.EXITED and rng.random() < 0.5:  # an exited household's old pairing
                Pairing.objects.create(archive=a, org=org, cadre=users.owner, started_on=date(2025, 1, 1),
                                       assigned_by=actor.user)
            made.append((a, org))

    def by_hand(orgs):
        act = [a for a, o in made if o in orgs and a.status == ArchiveStatus.ACTIVE]
        pai = [a for a in act if Pairing.objects.filter(archive=a, ended_on=None).exists()]
        vis = [a for a in pai if any(add_months(v.visited_on, 6) > today
                                     for v in PairingVisit.objects.filter(archive=a))]
        return len(act), len(pai), len(vis)

    c = services.coverage(tree.c1, today)
    assert (c.active, c.paired, c.visited) == by_hand({tree.c1, tree.k1, tree.k2})
    assert c.active and c.paired and c.visited and c.visited < c.paired < c.active
    rows = dict(services.coverage_by_child(tree.c1, today))
    for org, orgs in ((tree.c1, {tree.c1}), (tree.k1, {tree.k1}), (tree.k2, {tree.k2})):
        assert (rows[org].active, rows[org].paired, rows[org].visited) == by_hand(orgs)
    k = rows[tree.k1]
    assert str(k.paired_rate) == f"{round(100 * k.paired / k.active + 1e-9, 1):.1f}"
    assert services.coverage(tree.k3, today).paired_rate is None


# --- pages and the outsider ---------------------------------------------------------------------------------------

def test_pages_and_the_outsider(client, users, tree):
    a, p = paired(users, tree, started_on=date(2026, 1, 5))
    client.force_login(users.owner)
    page = client.get("/pairing/?org=510107").content.decode()
    assert a.archive_no in page and "结对帮扶覆盖率" in page
    page = client.get(f"/pairing/archive/{a.pk}/").content.decode()
    assert 'id="assign-form"' in page and "改派原因" in page
    client.force_login(users.county)
    assert "我的待走访" in client.get("/pairing/").content.decode()
    client.force_login(users.outsider)
    for url in ("/pairing/?org=510107", f"/pairing/archive/{a.pk}/", f"/pairing/{p.pk}/visit/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/pairing/archive/{a.pk}/", {"cadre": str(users.outsider.pk),
                                                    "started_on": "2026-02-01", "reason": "x"}).status_code == 404
    assert client.post(f"/pairing/{p.pk}/visit/", {"visited_on": "2026-02-01", "findings": "x"}).status_code == 404
    body = client.get("/pairing/").content.decode()
    assert a.archive_no not in body
    assert Pairing.objects.count() == 1 and not PairingVisit.objects.exists()


def test_assign_form_shows_every_error(client, users, tree):
    a = active(users, tree.k1)
    client.force_login(users.owner)
    r = client.post(f"/pairing/archive/{a.pk}/", {"cadre": str(users.outsider.pk), "started_on": "2099-01-01"})
    body = r.content.decode()
    assert r.status_code == 422 and "结对开始日期：" in body
    assert "结对干部：结对干部须是本单位或上级工会" in body  # the outsider named, and refused
    r = client.post(f"/pairing/archive/{a.pk}/", {"cadre": str(users.county.pk), "started_on": "2026-01-05"})
    assert r.status_code == 302 and Pairing.objects.get().cadre == users.county


def test_the_api_gives_the_coverage_and_the_cadres_due_visits(client, users, tree):
    from warmth.orgs.services import token_create

    _, p = paired(users, tree, started_on=date(2025, 1, 5))
    active(users, tree.k2)
    auth = {"HTTP_AUTHORIZATION": "Bearer " + token_create(actor=actor_of(users.owner), name="t")[1]}
    rows = client.get("/api/pairing/coverage", **auth).json()
    assert rows[0] == {"org": "510100", "active": 2, "paired": 1, "visited": 0, "paired_rate": "50.0",
                       "visited_rate": "0.0"}
    assert {r["org"] for r in rows[1:]} == {"510107", "510104"}
    assert client.get("/api/pairing/due", **auth).json() == []  # 成都's handler is not the cadre
    mine = {"HTTP_AUTHORIZATION": "Bearer " + token_create(actor=actor_of(users.county), name="t")[1]}
    assert [d["pairing"] for d in client.get("/api/pairing/due", **mine).json()] == [p.pk]
    outsider = {"HTTP_AUTHORIZATION": "Bearer " + token_create(actor=actor_of(users.outsider), name="t")[1]}
    assert client.get("/api/pairing/coverage?org=510107", **outsider).status_code == 404
    assert client.get("/api/pairing/due", **outsider).json() == []
