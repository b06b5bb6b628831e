"""待办: everything waiting on the current actor (a user acting through one membership), across the archive
lifecycle, transfers, payments (with their corrections), statistics reports, 公示 objections, possible
duplicates, 回访核实 samples, income checks answered 不一致 (收入核对) and the actor's own 结对帮扶 visits that
are due.

What waits on an actor is what the workflow engine says: an object is listed when the action that moves it on
(``waiting_on(obj)``) is in ``allowed(actor, obj)`` (state, permission, subtree and every guard: an archive
whose 公示 is not over is not listed, nor a payment the actor handled) and the actor's org is the one that takes
it: the org ``waiting_on`` names, or, when no one there holds the permission (a county without a 审核人), the
nearest org above it where someone does — the actor's (every org of the subtree may act; the list shows each
step to the nearest level that has the role, not to every level above). The engine is asked only about
candidates picked by a query first (the states from which a forward action of the actor's permissions starts,
at the orgs the actor acts for), oldest first and at most ``CAP`` per kind, so a county's list stays fast and a
province's does not explode: beyond the cap the list says how many more candidates of that kind there are and
links to the list page that holds them.

The to-do sits above every app it reads (the top layer of the import contract); nothing below imports it. The
home page and the header load its count as a fragment (``todo_count``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from django.db.models import Count, Max, Min, Q
from django.urls import reverse
from django.utils import timezone

from warmth.archives import lifecycle
from warmth.archives.models import Archive, DuplicateFlag, Objection, Transfer
from warmth.incomecheck.models import Check, Result
from warmth.orgs.access import Actor
from warmth.orgs.models import Membership
from warmth.orgs.permissions import MATRIX, Perm
from warmth.pairing import services as pairing
from warmth.payments import services as payments
from warmth.payments.models import Payment, Verification
from warmth.reports import services as reports
from warmth.reports.definitions import definitions
from warmth.reports.models import Report

CAP = 100  # candidates of one kind asked of the engine, oldest first (about 4 queries, 5 ms each on SQLite)


@dataclass(frozen=True)
class Item:
    kind: str          # archive, transfer, payment, report, objection, duplicate, verification, incomecheck, pairing
    kind_label: str    # 档案, 转入, 发放, 统计表, 公示异议, 疑似重复, 回访核实, 收入核对, 结对帮扶
    what: str          # the step that waits (the engine's label)
    whose: str         # the household or the org
    org: str           # the org the object belongs to
    since: datetime | None
    url: str
    pk: int


@dataclass
class Todo:
    items: list[Item] = field(default_factory=list)
    more: dict[str, tuple[int, str]] = field(default_factory=dict)  # kind label → (candidates not checked, list url)
    checked: int = 0  # objects asked of the engine

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def capped(self) -> bool:
        return bool(self.more)


class Reach:
    """The orgs an actor acts for, per permission: its own, and those below it whose nearest org holding the
    permission (an active member in a role that has it), going up, is the actor's."""

    def __init__(self, actor: Actor):
        self.actor = actor
        self._holders: dict[Perm, list[str]] = {}

    def holders(self, perm: Perm) -> list[str]:
        """The paths of the topmost orgs strictly below the actor's that hold ``perm`` themselves."""
        if perm not in self._holders:
            roles = [r for r, perms in MATRIX.items() if perm in perms]
            paths = sorted(set(Membership.objects.filter(
                is_active=True, user__is_active=True, role__in=roles,
                org__path__startswith=self.actor.org.path).exclude(org=self.actor.org)
                .values_list("org__path", flat=True)))
            top: list[str] = []
            for path in paths:  # sorted: an ancestor comes before its descendants
                if not any(path.startswith(t) for t in top):
                    top.append(path)
            self._holders[perm] = top
        return self._holders[perm]

    def q(self, perm: Perm, field: str) -> Q:
        """The filter ``field`` (an org) is one the actor acts for with ``perm``."""
        q = Q(**{f"{field}__path__startswith": self.actor.org.path})
        for path in self.holders(perm):
            q &= ~Q(**{f"{field}__path__startswith": path})
        return q

    def covers(self, perm: Perm, org) -> bool:
        path = getattr(org, "path", "")
        return path.startswith(self.actor.org.path) and not any(path.startswith(h) for h in self.holders(perm))


def _forward(workflow, actor: Actor) -> list:
    """The forward actions of the actor's permissions (what may wait on them)."""
    return [a for a in workflow.table.values() if a.forward and actor.can(a.perm)]


def _candidates(workflow, reach: Reach, field: str = "org") -> Q | None:
    """The states from which a forward action of the actor's permissions starts, at the orgs it acts for."""
    q = None
    for a in _forward(workflow, reach.actor):
        part = Q(status__in=a.sources) & reach.q(a.perm, field)
        q = part if q is None else q | part
    return q


def _mine(workflow, reach: Reach, obj) -> str | None:
    """The label of the step waiting on the actor for ``obj``, or None."""
    w = workflow.waiting_on(obj)
    if w is None or not reach.covers(workflow[w.action].perm, w.org):
        return None
    return w.label if w.action in workflow.allowed(reach.actor, obj) else None


def _bounded(todo: Todo, qs, label: str, url: str, cap: int) -> list:
    rows = list(qs[: cap + 1])
    if len(rows) > cap:
        todo.more[label] = (qs.count() - cap, url)
        rows = rows[:cap]
    todo.checked += len(rows)
    return rows


def todo_for(actor: Actor, *, cap: int = CAP) -> Todo:
    todo = Todo()
    reach = Reach(actor)
    for source in (_archives, _transfers, _payments, _reports, _objections, _duplicates, _verifications,
                   _incomechecks, _pairings):
        source(todo, reach, cap)
    todo.items.sort(key=lambda i: (i.since is None, i.since.timestamp() if i.since else 0, i.kind, i.pk))
    return todo


def _archives(todo: Todo, reach: Reach, cap: int) -> None:
    if (q := _candidates(lifecycle.WORKFLOW, reach)) is None:
        return
    qs = Archive.objects.filter(q).select_related("org").order_by("updated_at", "id")
    for a in _bounded(todo, qs, "档案", reverse("archive_list"), cap):
        if label := _mine(lifecycle.WORKFLOW, reach, a):
            todo.items.append(Item("archive", "档案", label, f"{a.name}（{a.archive_no}）", a.org.name,
                                   a.updated_at, reverse("archive_detail", args=[a.pk]), a.pk))


def _transfers(todo: Todo, reach: Reach, cap: int) -> None:
    if (q := _candidates(lifecycle.TRANSFER_WORKFLOW, reach, "to_org")) is None:
        return
    qs = Transfer.objects.filter(q).select_related("archive", "from_org", "to_org").order_by("requested_at", "id")
    for t in _bounded(todo, qs, "转入", reverse("archive_list"), cap):
        if _mine(lifecycle.TRANSFER_WORKFLOW, reach, t):
            todo.items.append(Item("transfer", "转入", f"接收或拒收（由{t.from_org.name}转入）",
                                   f"{t.archive.name}（{t.archive.archive_no}）", t.from_org.name, t.requested_at,
                                   reverse("archive_detail", args=[t.archive_id]) + "#transfers", t.pk))


def _payments(todo: Todo, reach: Reach, cap: int) -> None:
    if (q := _candidates(payments.WORKFLOW, reach)) is None:
        return
    qs = (Payment.objects.filter(q).select_related("org", "pot__org", "archive")
          .annotate(last_step=Max("steps__at")).order_by("last_step", "id"))
    for p in _bounded(todo, qs, "发放", reverse("payment_list"), cap):
        if label := _mine(payments.WORKFLOW, reach, p):
            todo.items.append(Item("payment", "发放", f"{label}（{p.get_status_display()}，{p.amount} 元）",
                                   p.name, p.org.name, p.last_step, reverse("payment_detail", args=[p.pk]), p.pk))


def _reports(todo: Todo, reach: Reach, cap: int) -> None:
    q = None
    for a in _forward(reports.WORKFLOW, reach.actor):  # 报送 by the report's org, 审核 by its parent
        # (a draft of a unit that need not report rests: waiting_on is None, so _mine leaves it out)
        part = Q(status__in=a.sources) & reach.q(a.perm, "org__parent" if a.perm == Perm.REPORT_APPROVE else "org")
        q = part if q is None else q | part
    if q is None:
        return
    titles = {d.id: d.title for d in definitions().values()}
    qs = (Report.objects.filter(q).select_related("org__parent")
          .annotate(last_step=Max("steps__at")).order_by("last_step", "id"))
    for r in _bounded(todo, qs, "统计表", reverse("report_index"), cap):
        if label := _mine(reports.WORKFLOW, reach, r):
            url = reverse("report_detail", args=[r.form, r.year]) + f"?org={r.org.code}"
            todo.items.append(Item("report", "统计表", f"{label}：{titles.get(r.form, r.form)}（{r.year}年度）",
                                   r.org.name, r.org.name, r.last_step or r.created_at, url, r.pk))


def _objections(todo: Todo, reach: Reach, cap: int) -> None:
    if not reach.actor.can(Perm.ARCHIVE_APPROVE):
        return
    qs = (Objection.objects.filter(reach.q(Perm.ARCHIVE_APPROVE, "archive__org"), resolved_at__isnull=True)
          .select_related("archive__org")
          .order_by("received_on", "id"))
    for o in _bounded(todo, qs, "公示异议", reverse("archive_list"), cap):
        a = o.archive
        todo.items.append(Item("objection", "公示异议", f"处理{o.get_phase_display()}期间收到的异议",
                               f"{a.name}（{a.archive_no}）", a.org.name,
                               timezone.make_aware(datetime.combine(o.received_on, datetime.min.time())),
                               reverse("archive_detail", args=[a.pk]) + "#objections", o.pk))


def _duplicates(todo: Todo, reach: Reach, cap: int) -> None:
    if not reach.actor.can(Perm.ARCHIVE_APPROVE):
        return
    qs = (DuplicateFlag.objects.filter(reach.q(Perm.ARCHIVE_APPROVE, "archive__org"), resolved_at__isnull=True)
          .select_related("archive__org", "other").order_by("created_at", "id"))
    for d in _bounded(todo, qs, "疑似重复", reverse("archive_list"), cap):
        a = d.archive
        todo.items.append(Item("duplicate", "疑似重复", f"判断是否与档案 {d.other.archive_no} 为同一人",
                               f"{a.name}（{a.archive_no}）", a.org.name, d.created_at,
                               reverse("archive_detail", args=[a.pk]) + "#duplicates", d.pk))


def _verifications(todo: Todo, reach: Reach, cap: int) -> None:
    """One row per 回访 sample drawn by a member of the actor's org with recipients not yet asked."""
    actor, org = reach.actor, reach.actor.org
    if not actor.can(Perm.PAYMENT_APPROVE):
        return
    rows = (Verification.objects.filter(answer="", payment__org__path__startswith=org.path,
                                        drawn_by__memberships__org=org, drawn_by__memberships__is_active=True)
            .values("sample").annotate(n=Count("id", distinct=True), since=Min("drawn_at"), first=Min("id"))
            .order_by("since")[:cap])
    for r in rows:
        todo.checked += 1
        url = reverse("payment_verify") + "?" + _query(seed=r["sample"])
        todo.items.append(Item("verification", "回访核实", f"回访核实：{r['n']} 人待核实", f"抽样“{r['sample']}”",
                               org.name, r["since"], url, r["first"]))


def _incomechecks(todo: Todo, reach: Reach, cap: int) -> None:
    """A 不一致 answer of the 核对 centre waits on the archive's reviewer until a decision closes it."""
    if not reach.actor.can(Perm.ARCHIVE_APPROVE):
        return
    qs = (Check.objects.filter(reach.q(Perm.ARCHIVE_APPROVE, "archive__org"), result=Result.INCONSISTENT,
                               decided_at__isnull=True)
          .select_related("archive__org", "batch__org").order_by("answered_at", "id"))
    for c in _bounded(todo, qs, "收入核对", reverse("incomecheck_overview"), cap):
        a = c.archive
        todo.items.append(Item("incomecheck", "收入核对",
                               f"复核收入核对不一致（申报 {c.declared_income} 元，核对 {c.checked_income} 元）",
                               f"{a.name}（{a.archive_no}）", a.org.name, c.answered_at,
                               reverse("incomecheck_batch", args=[c.batch_id]) + f"#decide-{c.pk}", c.pk))


def _pairings(todo: Todo, reach: Reach, cap: int) -> None:
    """The actor's own 结对帮扶 households (as the cadre) whose visit is due, in the actor's subtree."""
    actor = reach.actor
    for p, d in pairing.due_for_cadre(actor.user, actor.org)[:cap]:
        todo.checked += 1
        what = f"结对走访{'（逾期）' if d.overdue else ''}：应于{d.due_on:%Y-%m-%d}前走访"
        since = timezone.make_aware(datetime.combine(d.due_on, datetime.min.time()))
        todo.items.append(Item("pairing", "结对帮扶", what, p.archive.archive_no, p.archive.org.name, since,
                               reverse("pairing_visit", args=[p.pk]), p.pk))


def _query(**params) -> str:
    return urlencode(params)
