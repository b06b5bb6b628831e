"""待办 per role over the small demo: for every demo membership, the list holds exactly the objects whose next
step the engine gives to that membership's org and allows to it (nothing missing), nothing of another subtree;
the page, the fragments and the API show the same list; the cap bounds the work and says what is left."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from tests.test_workflow_consistency import _seeded, demo  # noqa: F401 (the seeded demo, module-wide)
from warmth.archives import lifecycle
from warmth.archives.models import Archive, DuplicateFlag, Objection, Transfer
from warmth.orgs.access import actor_for
from warmth.orgs.models import Membership, Org
from warmth.orgs.permissions import MATRIX, Perm
from warmth.payments import services as payments
from warmth.payments.models import Payment
from warmth.reports import services as reports
from warmth.reports.models import Report
from warmth.todo.queries import todo_for

pytestmark = pytest.mark.django_db


def _acting(org: Org, perm) -> Org | None:
    """The org that takes a step needing ``perm`` at ``org``: itself, or the nearest one above it with an active
    member in a role holding ``perm`` (walking up the tree one parent at a time)."""
    roles = [r for r, perms in MATRIX.items() if perm in perms]
    while org is not None:
        if Membership.objects.filter(org=org, role__in=roles, is_active=True, user__is_active=True).exists():
            return org
        org = org.parent
    return None


def _expected(actor) -> set[tuple[str, int]]:
    """Every object of every workflow, asked of the engine one by one (no pre-filter): what waits on ``actor``."""
    out = set()
    for kind, workflow, rows in (
            ("archive", lifecycle.WORKFLOW, Archive.objects.select_related("org")),
            ("transfer", lifecycle.TRANSFER_WORKFLOW, Transfer.objects.select_related("to_org", "archive")),
            ("payment", payments.WORKFLOW, Payment.objects.select_related("org", "pot__org", "archive")),
            ("report", reports.WORKFLOW, Report.objects.select_related("org__parent"))):
        for obj in rows:
            w = workflow.waiting_on(obj)
            if w is None or w.action not in workflow.allowed(actor, obj):
                continue
            acting = w.org if w.org.pk == actor.org.pk else _acting(w.org, workflow[w.action].perm)
            if acting is not None and acting.pk == actor.org.pk:
                out.add((kind, obj.pk))
    if actor.can(Perm.ARCHIVE_APPROVE):
        for kind, rows in (("objection", Objection.objects.filter(resolved_at=None)),
                           ("duplicate", DuplicateFlag.objects.filter(resolved_at=None))):
            for row in rows.select_related("archive__org"):
                org = row.archive.org
                if org.path.startswith(actor.org.path) and (
                        org.pk == actor.org.pk or _acting(org, Perm.ARCHIVE_APPROVE).pk == actor.org.pk):
                    out.add((kind, row.pk))
    return out


def _org_of(kind: str, pk: int) -> Org:
    model = {"archive": Archive, "payment": Payment, "report": Report}.get(kind)
    if model is not None:
        return model.objects.get(pk=pk).org
    if kind == "transfer":
        return Transfer.objects.get(pk=pk).to_org
    if kind == "objection":
        return Objection.objects.get(pk=pk).archive.org
    return DuplicateFlag.objects.get(pk=pk).archive.org


def test_every_role_sees_exactly_what_waits_on_it_and_nothing_of_another_subtree(demo):  # noqa: F811
    seen_kinds, busy = set(), 0
    for m in demo.memberships:
        actor = actor_for(m.user, m.pk)
        todo = todo_for(actor)
        assert not todo.capped
        got = {(i.kind, i.pk) for i in todo.items if i.kind != "verification"}
        assert got == _expected(actor), (m.user.username, m.org.code, m.role)
        for kind, pk in got:
            org = _org_of(kind, pk)
            assert org.path.startswith(actor.org.path), (m.user.username, kind, pk)
        seen_kinds |= {i.kind for i in todo.items}
        busy += bool(todo.items)
    # the demo gives someone each kind of work
    assert {"archive", "payment", "report"} <= seen_kinds
    assert busy >= 3


def test_the_handler_sees_drafts_and_returned_payments_and_the_reviewer_the_payments_to_approve(demo):  # noqa: F811
    by_name = {(m.user.username, m.org.code): actor_for(m.user, m.pk) for m in demo.memberships}
    handler = by_name[("wh_handler", "510107")]
    items = [i for i in todo_for(handler).items if i.kind == "payment"]
    statuses = {Payment.objects.get(pk=i.pk).status for i in items}
    assert {"draft", "returned", "approved"} <= statuses and "submitted" not in statuses
    # 武侯 has a 审核人 in this world (added by the consistency fixture): the payments to approve are its
    wh_reviewer = by_name[("wh_reviewer", "510107")]
    mine = {i.pk for i in todo_for(wh_reviewer).items if i.kind == "payment"}
    assert {p.pk for p in Payment.objects.filter(status="reversing")} <= mine  # a 冲正 waits for a second person
    assert mine & {p.pk for p in Payment.objects.filter(status="submitted", org__code="510107")}
    # ... so not 成都's, one level up, whose reviewer would otherwise take 武侯's steps
    reviewer = next(a for (u, code), a in by_name.items() if u == "cd_reviewer")
    assert not [i for i in todo_for(reviewer).items if i.kind == "payment" and i.org == "武侯区总工会"]


def test_a_county_without_a_reviewer_has_its_steps_on_the_city_reviewers_list(demo):  # noqa: F811
    Membership.objects.filter(user__username="wh_reviewer").update(is_active=False)
    reviewer = next(actor_for(m.user, m.pk) for m in demo.memberships if m.user.username == "cd_reviewer")
    items = [i for i in todo_for(reviewer).items if i.kind == "payment" and i.org == "武侯区总工会"]
    assert items and _expected(reviewer) == {(i.kind, i.pk) for i in todo_for(reviewer).items
                                             if i.kind != "verification"}


def test_a_transfer_waits_on_the_receiving_org_and_a_sample_on_the_org_that_drew_it(demo):  # noqa: F811
    from warmth.orgs.models import Membership, Role
    from warmth.orgs.services import user_create
    from warmth.payments.verification import verification_sample

    jj = Org.objects.get(code="510104")
    user = user_create(actor=None, username="jj_reviewer", full_name="锦江审核", password="x-Passw0rd!long",
                       org=jj, role=Role.REVIEWER)
    actor = actor_for(user, Membership.objects.get(user=user).pk)
    transfer = Transfer.objects.get(to_org=jj, status="pending")
    items = [i for i in todo_for(actor).items if i.kind == "transfer"]
    assert [i.pk for i in items] == [transfer.pk] and "转入" in items[0].what
    # 成都's reviewer sees the subtree's transfer but 锦江 now has its own reviewer: not on 成都's list
    cd = next(actor_for(m.user, m.pk) for m in demo.memberships if m.user.username == "cd_reviewer")
    assert not [i for i in todo_for(cd).items if i.kind == "transfer" and i.pk == transfer.pk]
    wh = Org.objects.get(code="510107")
    drawn = verification_sample(actor=cd, org=wh, year=2025, size=2, seed="待办测试")
    rows = [i for i in todo_for(cd).items if i.kind == "verification"]
    assert len(rows) == 1 and f"{len(drawn)} 人待核实" in rows[0].what and "seed=" in rows[0].url


def test_an_outsider_of_another_province_sees_nothing_of_chengdu(demo):  # noqa: F811
    for m in demo.memberships:
        if not m.org.path.startswith(Org.objects.get(code="460000").path):
            continue
        for i in todo_for(actor_for(m.user, m.pk)).items:
            assert "武侯" not in i.whose + i.org and "成都" not in i.whose + i.org


def test_the_cap_bounds_the_engine_work_and_says_how_many_are_left(demo):  # noqa: F811
    m = next(m for m in demo.memberships if m.user.username == "wh_handler")
    actor = actor_for(m.user, m.pk)
    full = todo_for(actor)
    small = todo_for(actor, cap=2)
    assert small.capped and small.checked < full.checked
    left, url = small.more["发放"]
    assert left > 0 and url == reverse("payment_list")


def test_the_page_the_fragments_and_the_api_show_the_same_list(demo, django_assert_max_num_queries):  # noqa: F811
    m = next(m for m in demo.memberships if m.user.username == "wh_handler")
    actor = actor_for(m.user, m.pk)
    todo = todo_for(actor)
    client = Client()
    client.force_login(m.user)
    session = client.session
    session["warmth_membership_id"] = m.pk
    session.save()
    page = client.get(reverse("todo")).content.decode()
    assert f'id="todo-total">{todo.count}<' in page
    assert page.count('data-kind="') == todo.count
    count = client.get(reverse("todo_count")).content.decode()
    assert f">{todo.count}<" in count
    panel = client.get(reverse("todo_panel")).content.decode()
    assert "去办理" in panel
    body = json.loads(client.get("/api/todo/").content)
    assert body["count"] == todo.count and [(x["kind"], x["id"]) for x in body["items"]] == [
        (i.kind, i.pk) for i in todo.items]
    home = client.get(reverse("home")).content.decode()
    assert f'data-fragment="{reverse("todo_panel")}"' in home and reverse("todo_count") in home


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    assert client.get(reverse("todo")).status_code == 302
    assert client.get("/api/todo/").status_code == 401
