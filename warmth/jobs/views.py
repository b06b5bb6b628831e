from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import render

from warmth.jobs.access import job_for_actor
from warmth.jobs.models import Job
from warmth.orgs.decorators import actor_required
from warmth.orgs.middleware import passive_session


@actor_required()
def job_list(request):
    jobs = Job.objects.filter(created_by=request.user, org__path__startswith=request.actor.org.path)[:50]
    return render(request, "jobs/job_list.html", {"jobs": jobs})


@actor_required()
def job_detail(request, pk):
    return render(request, "jobs/job_detail.html", {"job": job_for_actor(request.actor, pk)})


@passive_session
@actor_required()
def job_progress(request, pk):
    """The progress bar fragment; it polls itself until the job is finished (HTMX)."""
    return render(request, "jobs/_progress.html", {"job": job_for_actor(request.actor, pk)})


@actor_required()
def job_download(request, pk):
    job = job_for_actor(request.actor, pk)
    if not job.result_file:
        raise Http404("该任务没有可下载的文件")
    if job.files_expired:
        raise Http404("文件已过有效期并已删除，请重新导出")
    root = Path(settings.WARMTH_FILES_DIR).resolve()
    path = (root / job.result_file).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise Http404("文件不存在")
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.result_name or path.name)
