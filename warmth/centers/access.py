"""Access helpers of the 帮扶中心 registry: a centre is seen (and, with ``Perm.REPORT_WRITE``, kept) inside its
union's subtree: by the union itself and every union above it, never by a sibling subtree. Its stations,
partners and funding rows belong to it: they are reached through the centre's union, whatever union a station
sits in. Outside the subtree a record does not exist (404)."""

from __future__ import annotations

from django.db.models import QuerySet

from warmth.centers.models import Center, CenterFunding, Partner, Station
from warmth.orgs.access import Actor, fetch


def centers_for_actor(actor: Actor) -> QuerySet[Center]:
    return Center.objects.filter(org__path__startswith=actor.org.path)


def center_for_actor(actor: Actor, pk: int) -> Center:
    return fetch(centers_for_actor(actor).select_related("org"), pk, "帮扶中心")


def stations_for_actor(actor: Actor) -> QuerySet[Station]:
    return Station.objects.filter(center__org__path__startswith=actor.org.path)


def station_for_actor(actor: Actor, pk: int) -> Station:
    return fetch(stations_for_actor(actor).select_related("center__org", "org"), pk, "帮扶站点")


def partners_for_actor(actor: Actor) -> QuerySet[Partner]:
    return Partner.objects.filter(center__org__path__startswith=actor.org.path)


def partner_for_actor(actor: Actor, pk: int) -> Partner:
    return fetch(partners_for_actor(actor).select_related("center__org", "org"), pk, "定点帮扶机构")


def funding_for_actor(actor: Actor) -> QuerySet[CenterFunding]:
    return CenterFunding.objects.filter(center__org__path__startswith=actor.org.path)


def funding_row_for_actor(actor: Actor, pk: int) -> CenterFunding:
    return fetch(funding_for_actor(actor).select_related("center__org", "org", "replaces"), pk, "资金记录")
