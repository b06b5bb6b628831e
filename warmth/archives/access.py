"""Access helpers for archives: the subtree first, then the role."""

from django.db.models import Q, QuerySet
from django.http import Http404

from warmth.archives.models import Archive, Attachment, Transfer
from warmth.orgs.access import Actor
from warmth.orgs.permissions import Perm


def archives_for_actor(actor: Actor) -> QuerySet[Archive]:
    return Archive.objects.filter(org__path__startswith=actor.org.path)


def archive_for_actor(actor: Actor, key: int | str, *, write: bool = False,
                      perm: Perm = Perm.ARCHIVE_WRITE) -> Archive:
    """An archive of the actor's subtree by primary key or archive number; ``write`` needs ``perm``."""
    lookup = {"pk": key} if isinstance(key, int) else {"archive_no": key}
    archive = archives_for_actor(actor).filter(**lookup).select_related("org").first()
    if archive is None:
        raise Http404("档案不存在或不在您的管辖范围内")
    if write:
        actor.require(perm)
    return archive


def attachment_for_actor(actor: Actor, pk: int) -> Attachment:
    att = (Attachment.objects.filter(pk=pk, archive__org__path__startswith=actor.org.path)
           .select_related("archive").first())
    if att is None:
        raise Http404("附件不存在或不在您的管辖范围内")
    return att


def transfer_for_actor(actor: Actor, pk: int) -> Transfer:
    """A transfer the actor's subtree sends or receives (the receiver cannot see the archive until it
    accepts, but it sees the request)."""
    t = (Transfer.objects.filter(pk=pk).filter(Q(from_org__path__startswith=actor.org.path)
                                               | Q(to_org__path__startswith=actor.org.path))
         .select_related("archive", "from_org", "to_org").first())
    if t is None:
        raise Http404("转档申请不存在或不在您的管辖范围内")
    return t
