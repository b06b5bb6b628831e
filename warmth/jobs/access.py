from django.http import Http404

from warmth.jobs.models import Job
from warmth.orgs.access import Actor


def job_for_actor(actor: Actor, pk: int) -> Job:
    """A job the actor's user started, in the actor's subtree."""
    job = (Job.objects.filter(pk=pk, created_by=actor.user, org__path__startswith=actor.org.path)
           .select_related("org").first())
    if job is None:
        raise Http404("任务不存在或不在您的管辖范围内")
    return job
