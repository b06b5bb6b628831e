"""Access helpers of the visits: a visit belongs to an org of the actor's subtree."""

from django.db.models import QuerySet

from warmth.orgs.access import Actor, fetch
from warmth.visits.models import Visit


def visits_for_actor(actor: Actor) -> QuerySet[Visit]:
    return Visit.objects.filter(org__path__startswith=actor.org.path)


def visit_for_actor(actor: Actor, pk: int) -> Visit:
    return fetch(visits_for_actor(actor).select_related("campaign__org", "org", "group", "archive", "payment"), pk,
                "走访记录")
