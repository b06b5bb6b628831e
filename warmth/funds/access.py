"""Access helpers for the money side: the subtree first (404 outside it), then the role (403).

A pot, a raise, a decision and a plan belong to one org. An allocation is seen from both ends: by the
allocating org's subtree and by the receiving org's subtree (the receiver sees what it was sent)."""

from django.db.models import Q, QuerySet

from warmth.funds.models import Allocation, AllocationPlan, Decision, FundPot, FundRaise, LedgerEntry
from warmth.orgs.access import Actor, fetch
from warmth.orgs.permissions import Perm


def pots_for_actor(actor: Actor) -> QuerySet[FundPot]:
    return FundPot.objects.filter(org__path__startswith=actor.org.path)


def pot_for_actor(actor: Actor, pk: int, *, write: bool = False, perm: Perm = Perm.FUNDS_WRITE) -> FundPot:
    pot = fetch(pots_for_actor(actor).select_related("org"), pk, "资金")
    if write:
        actor.require(perm)
    return pot


def raises_for_actor(actor: Actor) -> QuerySet[FundRaise]:
    return FundRaise.objects.filter(org__path__startswith=actor.org.path)


def raise_for_actor(actor: Actor, pk: int) -> FundRaise:
    return fetch(raises_for_actor(actor).select_related("org", "pot"), pk, "筹集记录")


def allocations_for_actor(actor: Actor) -> QuerySet[Allocation]:
    p = actor.org.path
    return Allocation.objects.filter(Q(from_org__path__startswith=p) | Q(to_org__path__startswith=p))


def allocation_for_actor(actor: Actor, pk: int) -> Allocation:
    return fetch(allocations_for_actor(actor).select_related("from_org", "to_org", "from_pot"), pk, "下拨记录")


def plans_for_actor(actor: Actor) -> QuerySet[AllocationPlan]:
    return AllocationPlan.objects.filter(org__path__startswith=actor.org.path)


def plan_for_actor(actor: Actor, pk: int) -> AllocationPlan:
    return fetch(plans_for_actor(actor).select_related("org", "pot"), pk, "下拨方案")


def decisions_for_actor(actor: Actor) -> QuerySet[Decision]:
    return Decision.objects.filter(org__path__startswith=actor.org.path)


def decision_for_actor(actor: Actor, pk: int) -> Decision:
    return fetch(decisions_for_actor(actor).select_related("org"), pk, "集体决策")


def entry_for_actor(actor: Actor, pk: int) -> LedgerEntry:
    return fetch(LedgerEntry.objects.filter(pot__org__path__startswith=actor.org.path)
                .select_related("pot__org", "allocation__from_org"), pk, "台账记录")
