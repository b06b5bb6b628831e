"""Access helpers of 实名制发放: a payment belongs to its paying org; the subtree first (404), then the role."""

from django.db.models import QuerySet
from django.http import Http404

from warmth.orgs.access import Actor
from warmth.payments.models import Payment


def payments_for_actor(actor: Actor) -> QuerySet[Payment]:
    return Payment.objects.filter(org__path__startswith=actor.org.path)


def payment_for_actor(actor: Actor, pk: int) -> Payment:
    p = (payments_for_actor(actor).select_related("org", "pot__org", "archive", "created_by", "entry")
         .filter(pk=pk).first())
    if p is None:
        raise Http404("发放记录不存在或不在您的管辖范围内")
    return p
