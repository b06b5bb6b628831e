"""Access helpers of the statistics reports: a report belongs to an org of the actor's subtree (the org's own
report and those of every org below it). Outside the subtree a report does not exist (404)."""

from django.db.models import QuerySet
from django.http import Http404

from warmth.orgs.access import Actor
from warmth.orgs.models import Org
from warmth.reports.models import Report


def reports_for_actor(actor: Actor) -> QuerySet[Report]:
    return Report.objects.filter(org__path__startswith=actor.org.path)


def report_for_actor(actor: Actor, pk: int) -> Report:
    r = reports_for_actor(actor).select_related("org").filter(pk=pk).first()
    if r is None:
        raise Http404("统计表不存在或不在您的管辖范围内")
    return r


def report_of(actor: Actor, form: str, org: Org, year: int) -> Report | None:
    """The report of (form, org, season) if it has been started, seen through the actor's subtree."""
    return reports_for_actor(actor).select_related("org").filter(form=form, org=org, year=year).first()
