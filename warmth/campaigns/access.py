"""Access helpers of the campaign: a campaign is seen inside its organizing org's subtree and by every org it
covers (a county sees the province's campaign it takes part in, and within it only its own subtree's
records). A group, a record, a report and a shift belong to an org of the actor's subtree."""

from django.db.models import Q, QuerySet

from warmth.campaigns.models import Activity, ArrearsReport, Campaign, DutyShift, VisitGroup
from warmth.funds.rules import ancestors_paths
from warmth.orgs.access import Actor, fetch


def campaigns_for_actor(actor: Actor) -> QuerySet[Campaign]:
    """Campaigns organized inside the actor's subtree, and those of the ancestors that cover it."""
    path = actor.org.path
    return Campaign.objects.filter(Q(org__path__startswith=path) | Q(org__path__in=ancestors_paths(actor.org)))


def campaign_for_actor(actor: Actor, pk: int) -> Campaign:
    return fetch(campaigns_for_actor(actor).select_related("org", "created_by"), pk, "活动")


def campaign_owned(actor: Actor, pk: int) -> Campaign:
    """A campaign the actor may plan: organized by an org of their subtree."""
    return fetch(Campaign.objects.filter(org__path__startswith=actor.org.path).select_related("org"), pk, "活动")


def groups_for_actor(actor: Actor) -> QuerySet[VisitGroup]:
    """The groups of every campaign the actor sees: those organized inside their subtree (theirs to plan), and
    those of a campaign above that covers them (read only; a page shows them only their own subtree's planned
    households and visits, ``group_households_for_actor``)."""
    return VisitGroup.objects.filter(campaign__in=campaigns_for_actor(actor))


def group_for_actor(actor: Actor, pk: int) -> VisitGroup:
    return fetch(groups_for_actor(actor).select_related("campaign__org"), pk, "慰问组")


def group_owned(actor: Actor, pk: int) -> VisitGroup:
    """A group the actor may plan: its campaign is organized by an org of their subtree."""
    return fetch(VisitGroup.objects.filter(campaign__org__path__startswith=actor.org.path)
                 .select_related("campaign__org"), pk, "慰问组")


def group_is_own(actor: Actor, group: VisitGroup) -> bool:
    return actor.sees_org(group.campaign.org)


def group_households_for_actor(actor: Actor, group: VisitGroup):
    """The planned households of a group the actor may see: all of them in a group of their own campaign; in a
    campaign above, only those filed under their subtree (another county's households stay hidden)."""
    qs = group.households.select_related("archive")
    if group_is_own(actor, group):
        return qs
    return qs.filter(archive__org__path__startswith=actor.org.path)


def activities_for_actor(actor: Actor) -> QuerySet[Activity]:
    return Activity.objects.filter(org__path__startswith=actor.org.path)


def activity_for_actor(actor: Actor, pk: int) -> Activity:
    return fetch(activities_for_actor(actor).select_related("org"), pk, "工作记录")


def arrears_for_actor(actor: Actor) -> QuerySet[ArrearsReport]:
    return ArrearsReport.objects.filter(org__path__startswith=actor.org.path)


def arrears_report_for_actor(actor: Actor, pk: int) -> ArrearsReport:
    return fetch(arrears_for_actor(actor).select_related("org", "campaign__org"), pk, "周报")


def shifts_for_actor(actor: Actor) -> QuerySet[DutyShift]:
    return DutyShift.objects.filter(org__path__startswith=actor.org.path)


def shift_for_actor(actor: Actor, pk: int) -> DutyShift:
    return fetch(shifts_for_actor(actor).select_related("org", "campaign"), pk, "值班安排")


