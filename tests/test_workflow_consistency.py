"""Acceptance: what the pages offer is what the services do. Over the workflow objects of the small demo
(archives in every status, their transfers, every payment, statistics reports in every status) and every demo
membership that can see each of them:

- every action the engine lists in ``allowed`` succeeds when its public service runs it (in a savepoint rolled
  back afterwards, with valid input and a reason where one is needed), and every other action is refused;
- the object's page renders a button for exactly the allowed actions (parsed from the HTML), and the
  "下一步" line appears exactly when ``waiting_on`` names someone.

The archives are sampled deterministically (the first two of each status, the temporary ones, those with a
transfer); the payments and reports are taken whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_user
from warmth.archives import lifecycle
from warmth.archives.choices import ArchiveStatus, ExitReason
from warmth.archives.models import Archive, Transfer
from warmth.demo.archives import seed_archives
from warmth.demo.funds import seed_funds
from warmth.demo.orgs import seed_orgs
from warmth.demo.payments import seed_payments
from warmth.demo.pipeline import DemoContext
from warmth.orgs.access import Actor, actor_for
from warmth.orgs.middleware import SESSION_KEY
from warmth.orgs.models import Membership, Org, Role, User
from warmth.orgs.permissions import Perm
from warmth.payments import services as payments
from warmth.payments.models import Payment
from warmth.reports import services as reports
from warmth.reports.duties import report_duty_set
from warmth.reports.models import Report

FORM, YEAR = "warmth-2015", 2025
REFUSALS = (ValidationError, PermissionDenied, Http404)
ARCHIVE_PERMS = (Perm.ARCHIVE_WRITE, Perm.ARCHIVE_APPROVE)
PAYMENT_PERMS = (Perm.PAYMENT_WRITE, Perm.PAYMENT_APPROVE)
REPORT_PERMS = (Perm.REPORT_WRITE, Perm.REPORT_APPROVE)


@dataclass
class Demo:
    memberships: list[Membership]


def _reports(handlers: dict[str, User]) -> None:
    """Reports of 武侯 and its grassroots unions in every status, plus 成都's own draft (the demo has none)."""
    def actor(user: User, code: str) -> Actor:
        m = Membership.objects.get(user=user, org__code=code)
        return actor_for(user, m.pk)

    def submitted(code: str) -> Report:
        a = actor(handlers[code], code)
        r = reports.report_get_or_create(actor=a, form=FORM, org=Org.objects.get(code=code), year=YEAR)
        return reports.report_submit(actor=a, report=r, filled_by="测试", phone="028-1", note="已核对")

    reviewer = actor(handlers["reviewer"], "510107")
    # 武侯 asks its 基层工会 for the form (by default they need not report it)
    report_duty_set(actor=reviewer, form=FORM, year=YEAR, org=Org.objects.get(code="510107"),
                    levels=["industry", "direct", "group", "grassroots"], note="基层工会须报送")
    reports.report_approve(actor=reviewer, report=submitted("510107-0001"))
    reports.report_return(actor=reviewer, report=submitted("510107-0002"), reason="请核对")
    reports.report_exempt(actor=reviewer, form=FORM, org=Org.objects.get(code="510107-0003"), year=YEAR,
                          reason="已合并")
    submitted("510107-0004")  # no children: 武侯 may approve it
    submitted("510107")       # 0005 has not reported: 成都 may not approve it yet
    cd = actor(User.objects.get(username="cd_handler"), "510100")
    reports.report_get_or_create(actor=cd, form=FORM, org=Org.objects.get(code="510100"), year=YEAR)


@pytest.fixture(scope="module")
def _seeded(django_db_setup, django_db_blocker):
    from warmth.audit import triggers
    from warmth.funds import triggers as ledger_triggers

    with django_db_blocker.unblock(), transaction.atomic():
        triggers.install(connection)
        ledger_triggers.install(connection)
        ctx = DemoContext(scale="small", seed=7, year=YEAR, out=lambda _line: None)
        for fn in (seed_orgs, seed_archives, seed_funds, seed_payments):
            fn(ctx)
        handlers = {code: make_user(f"h{code}", Org.objects.get(code=code), Role.HANDLER)
                    for code in ("510107-0001", "510107-0002", "510107-0004")}
        handlers["510107"] = User.objects.get(username="wh_handler")
        handlers["reviewer"] = make_user("wh_reviewer", Org.objects.get(code="510107"), Role.REVIEWER)
        User.objects.update(must_change_password=False)
        _reports(handlers)
        # two pending transfers: one inside 成都 (its reviewer may accept), one to 海南
        cd = actor_for(User.objects.get(username="cd_handler"))
        active = Archive.objects.filter(status=ArchiveStatus.ACTIVE, org__code__startswith="510107").order_by("pk")
        lifecycle.transfer_request(actor=cd, archive=active[0], to_org=Org.objects.get(code="510104"), reason="迁居")
        lifecycle.transfer_request(actor=cd, archive=active[1], to_org=Org.objects.get(code="460000"), reason="迁居")
        memberships = list(Membership.objects.filter(is_active=True).select_related("user", "org").order_by("pk"))
        yield Demo(memberships=memberships)
        transaction.set_rollback(True)


@pytest.fixture
def demo(_seeded, db):
    return _seeded


def _viewers(demo: Demo, org: Org) -> list[Actor]:
    return [actor_for(m.user, m.pk) for m in demo.memberships if org.path.startswith(m.org.path)]


def _page_viewers(demo: Demo, org: Org, perms) -> list[Actor]:
    """The viewers whose role may act on the workflow, and one that may not (whose page must offer nothing)."""
    viewers = _viewers(demo, org)
    acting = [a for a in viewers if any(a.can(p) for p in perms)]
    return acting + [a for a in viewers if a not in acting][:1]


def _outcome(call) -> Exception | None:
    sid = transaction.savepoint()
    try:
        call()
    except REFUSALS as exc:
        return exc
    finally:
        transaction.savepoint_rollback(sid)
    return None


def _check(workflow, obj, actor: Actor, calls: dict) -> list[str]:
    """Every action of the table: run through its service; succeeds exactly when ``allowed`` lists it."""
    assert set(calls) == set(workflow.table), "every action of the table is exercised"
    allowed = workflow.allowed(actor, obj)
    problems = []
    for name, call in calls.items():
        exc = _outcome(lambda call=call: call(actor))
        if (exc is None) != (name in allowed):
            problems.append(f"{obj!r} as {actor.user.username}@{actor.org.code}: {name} "
                            f"{'allowed but refused: ' + str(exc) if exc else 'not allowed but succeeded'}")
    return problems


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.decisions: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "button" and a.get("name") == "decision":
            self.decisions.add(a["value"])


def _page(actor: Actor, url: str) -> _Ids:
    client = Client()
    client.force_login(actor.user)
    session = client.session
    session[SESSION_KEY] = actor.membership.pk
    session.save()
    response = client.get(url)
    assert response.status_code == 200, url
    parser = _Ids()
    parser.feed(response.content.decode())
    return parser


def _step_ids(ids: set[str], pattern: str = r"step-([a-z_]+)") -> set[str]:
    return {m.group(1) for i in ids if (m := re.fullmatch(pattern, i))}


# --- archives --------------------------------------------------------------------------------------------

def _sample_archives() -> list[Archive]:
    picked: dict[int, Archive] = {}
    for status in ArchiveStatus.values:
        for a in Archive.objects.filter(status=status).order_by("pk")[:2]:
            picked[a.pk] = a
    for a in Archive.objects.filter(is_temporary=True, status=ArchiveStatus.ACTIVE).order_by("pk")[:2]:
        picked[a.pk] = a
    for t in Transfer.objects.order_by("pk"):
        picked[t.archive_id] = t.archive
    return [Archive.objects.select_related("org").get(pk=pk) for pk in sorted(picked)]


def _archive_calls(archive: Archive) -> dict:
    lc, today = lifecycle, timezone.localdate()
    other = Org.objects.get(code="510104" if archive.org.code != "510104" else "510107")

    def a(fn, **kw):
        return lambda actor: fn(actor=actor, archive=archive, **kw)

    return {
        "submit": a(lc.archive_submit), "accept": a(lc.archive_accept, note="同意"),
        "return": a(lc.archive_return, reason="材料不全"),
        "verify": a(lc.archive_verify, visited_on=today, visitors="张三、李四", findings="情况属实"),
        "end_publicity": a(lc.archive_end_publicity), "approve": a(lc.archive_approve, note="同意"),
        "reject": a(lc.archive_reject, reason="不符合条件"),
        "exit_request": a(lc.archive_exit_request, reason=ExitReason.values[0], note="收入提高"),
        "exit_cancel": a(lc.archive_exit_cancel, reason="误操作"), "exit_approve": a(lc.archive_exit_approve),
        "exit_finalize": a(lc.archive_exit_finalize), "promote": a(lc.archive_promote),
        "transfer": a(lc.transfer_request, to_org=other, reason="迁居"),
    }


def test_every_allowed_archive_action_succeeds_and_every_other_is_refused(demo):
    problems, runs, seen_allowed = [], 0, set()
    archives = _sample_archives()
    assert {a.status for a in archives} == set(ArchiveStatus.values)
    for archive in archives:
        for actor in _viewers(demo, archive.org):
            problems += _check(lifecycle.WORKFLOW, archive, actor, _archive_calls(archive))
            seen_allowed.update(lifecycle.WORKFLOW.allowed(actor, archive))
            runs += 1
    assert not problems, "\n".join(problems[:20])
    assert runs > 100 and seen_allowed == set(lifecycle.WORKFLOW.table)  # every action was offered somewhere


def test_every_allowed_transfer_decision_succeeds_and_every_other_is_refused(demo):
    problems, offered = [], set()
    for t in Transfer.objects.select_related("archive__org", "from_org", "to_org").order_by("pk"):
        calls = {"accept": lambda actor, t=t: lifecycle.transfer_decide(actor=actor, transfer=t, accept=True),
                 "refuse": lambda actor, t=t: lifecycle.transfer_decide(actor=actor, transfer=t, accept=False,
                                                                        note="不同意")}
        viewers = {a.membership.pk: a for org in (t.from_org, t.to_org) for a in _viewers(demo, org)}
        for actor in viewers.values():
            problems += _check(lifecycle.TRANSFER_WORKFLOW, t, actor, calls)
            offered.update(lifecycle.TRANSFER_WORKFLOW.allowed(actor, t))
    assert not problems, "\n".join(problems)
    assert offered == {"accept", "refuse"}


def test_the_archive_list_offers_exactly_the_allowed_transfer_decisions(demo):
    pending = list(Transfer.objects.filter(status="pending").select_related("archive", "to_org"))
    receivers = {a.membership.pk: a for t in pending for a in _viewers(demo, t.to_org)}
    offered = 0
    for actor in receivers.values():
        page = _page(actor, reverse("archive_list"))
        expected = {d for t in pending for d in lifecycle.TRANSFER_WORKFLOW.allowed(actor, t)}
        assert page.decisions == expected, actor.user.username
        offered += len(expected)
    assert offered > 0


def test_the_archive_page_offers_exactly_the_allowed_actions_and_says_who_acts_next(demo):
    pages = 0
    for archive in _sample_archives():
        waiting = lifecycle.WORKFLOW.waiting_on(archive)
        transfers = list(archive.transfers.select_related("to_org", "from_org").filter(status="pending"))
        for actor in _page_viewers(demo, archive.org, ARCHIVE_PERMS):
            page = _page(actor, reverse("archive_detail", args=[archive.pk]))
            allowed = set(lifecycle.WORKFLOW.allowed(actor, archive))
            assert _step_ids(page.ids) == allowed, (archive.status, actor.user.username, actor.org.code)
            assert ("waiting-on" in page.ids) == (waiting is not None)
            assert ("held" in page.ids) == bool(lifecycle.WORKFLOW.held(actor, archive))
            decisions = {d for t in transfers for d in lifecycle.TRANSFER_WORKFLOW.allowed(actor, t)}
            assert page.decisions == decisions
            pages += 1
    assert pages > 100


# --- payments ----------------------------------------------------------------------------------------

def _payment_calls(p: Payment) -> dict:
    s = payments

    def c(fn, **kw):
        return lambda actor: fn(actor=actor, payment=p, **kw)

    return {"submit": c(s.payment_submit), "approve": c(s.payment_approve, note="同意"),
            "return": c(s.payment_return, reason="材料不全"), "pay": c(s.payment_mark_paid),
            "confirm": c(s.payment_confirm), "reverse": c(s.payment_reverse, reason="发错了"),
            "reverse_request": c(s.payment_reverse_request, reason="银行退回"),
            "reverse_approve": c(s.payment_reverse_approve, note="同意冲正"),
            "reverse_reject": c(s.payment_reverse_reject, reason="款项已到账"),
            "edit": c(s.payment_edit, note="补充说明"), "cancel": c(s.payment_cancel, reason="录入重复"),
            "bank_fail": c(s.payment_bank_fail, reason="账号不存在"),
            "repay": c(s.payment_repay, bank_account="622202020011999988")}


def test_every_allowed_payment_action_succeeds_and_every_other_is_refused(demo):
    problems, offered = [], set()
    for p in Payment.objects.select_related("org", "pot__org", "archive").order_by("pk"):
        for actor in _viewers(demo, p.org):
            problems += _check(payments.WORKFLOW, p, actor, _payment_calls(p))
            offered.update(payments.WORKFLOW.allowed(actor, p))
    assert not problems, "\n".join(problems[:20])
    assert offered == set(payments.WORKFLOW.table)


def _sample_payments() -> list[Payment]:
    """The first three payments of each status (the pages render the same way for the rest)."""
    rows = Payment.objects.select_related("org", "pot__org", "archive").order_by("pk")
    return [p for status in sorted(set(rows.values_list("status", flat=True)))
            for p in rows.filter(status=status)[:3]]


def test_the_payment_page_offers_exactly_the_allowed_actions_and_says_who_acts_next(demo):
    for p in _sample_payments():
        waiting = payments.WORKFLOW.waiting_on(p)
        for actor in _page_viewers(demo, p.org, PAYMENT_PERMS):
            page = _page(actor, reverse("payment_detail", args=[p.pk]))
            assert _step_ids(page.ids) == set(payments.WORKFLOW.allowed(actor, p)), (p.status, actor.user.username)
            assert ("waiting-on" in page.ids) == (waiting is not None)
            assert ("held" in page.ids) == bool(payments.WORKFLOW.held(actor, p))


# --- reports -----------------------------------------------------------------------------------------

def _report_objects() -> list[Report]:
    """Every report of the form and season, and a probe for each org of 武侯 that has not started one."""
    rows = list(Report.objects.filter(form=FORM, year=YEAR).select_related("org").order_by("org__path"))
    started = {r.org_id for r in rows}
    for org in Org.objects.filter(path__startswith=Org.objects.get(code="510107").path).order_by("path"):
        if org.pk not in started:
            rows.append(Report(form=FORM, org=org, year=YEAR))
    return rows


def _report_calls(r: Report) -> dict:
    def stored(actor):
        return r if r.pk else reports.report_get_or_create(actor=actor, form=FORM, org=r.org, year=YEAR)

    def needs_row(fn, **kw):
        def call(actor):
            if r.pk is None:
                raise ValidationError({"__all__": f"{r.org.name}尚未填报此表"})  # as the page answers
            return fn(actor=actor, report=r, **kw)
        return call

    return {
        "submit": lambda actor: reports.report_submit(actor=actor, report=stored(actor), filled_by="测试",
                                                      phone="028-1", note="已核对"),
        "approve": needs_row(reports.report_approve, note="同意"),
        "return": needs_row(reports.report_return, reason="请核对"),
        "exempt": lambda actor: reports.report_exempt(actor=actor, form=FORM, org=r.org, year=YEAR, reason="已合并"),
    }


def test_every_allowed_report_action_succeeds_and_every_other_is_refused(demo):
    problems, offered, states = [], set(), set()
    for r in _report_objects():
        states.add(r.status if r.pk else None)
        for actor in _viewers(demo, r.org):
            problems += _check(reports.WORKFLOW, r, actor, _report_calls(r))
            offered.update(reports.WORKFLOW.allowed(actor, r))
    assert not problems, "\n".join(problems[:20])
    assert states == {None, "draft", "submitted", "returned", "approved", "exempt"}
    assert offered == set(reports.WORKFLOW.table)


def test_the_report_pages_offer_exactly_the_allowed_actions_and_say_who_acts_next(demo):
    on_page = {"report-submit": "submit", "step-approve": "approve", "step-return": "return"}
    helds = 0
    for r in _report_objects():
        waiting = reports.WORKFLOW.waiting_on(r)
        for actor in _page_viewers(demo, r.org, REPORT_PERMS):
            page = _page(actor, reverse("report_detail", args=[FORM, YEAR]) + f"?org={r.org.code}")
            allowed = set(reports.WORKFLOW.allowed(actor, r)) - {"exempt"}  # 免报 is offered on the board
            assert {on_page[i] for i in page.ids if i in on_page} == allowed, (r.org.code, actor.user.username)
            assert ("waiting-on" in page.ids) == (waiting is not None)
            held = reports.WORKFLOW.held(actor, r)
            assert ("approve-held" in page.ids) == bool(held)
            helds += bool(held)
    assert helds > 0  # 成都 is told why it cannot pass 武侯's report yet (a grassroots union has not reported)
    # the board of 武侯 offers 免报 for exactly the children the engine allows it for
    wuhou = Org.objects.get(code="510107")
    for actor in _viewers(demo, wuhou):
        page = _page(actor, reverse("report_board", args=[FORM, YEAR]) + f"?org={wuhou.code}")
        children = [r for r in _report_objects() if r.org.parent_id == wuhou.pk]
        expected = {r.org.code for r in children if r.status != "exempt"
                    and "exempt" in reports.WORKFLOW.allowed(actor, r)}
        assert _step_ids(page.ids, r"exempt-([0-9][0-9-]*)") == expected, actor.user.username

