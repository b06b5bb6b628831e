from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from warmth.auditpage.forms import AuditFilterForm
from warmth.auditpage.queries import events_for_actor, filter_events
from warmth.core.dbrouter import replica_reads
from warmth.core.feedback import form_messages
from warmth.jobs.services import job_create
from warmth.orgs.decorators import actor_required
from warmth.orgs.permissions import Perm


def _filters(form) -> dict:
    if not form.is_valid():
        return {}
    return {k: v for k, v in form.cleaned_data.items() if v}


@replica_reads
@actor_required(Perm.AUDIT_READ)
def event_list(request):
    form = AuditFilterForm(request.GET or None)
    qs = filter_events(events_for_actor(request.actor), **_filters(form)).select_related("org")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/event_list.html", {"form": form, "page": page, "query": query.urlencode()})


@require_POST
@actor_required(Perm.AUDIT_READ)
def event_export(request):
    form = AuditFilterForm(request.POST)
    if not form.is_valid():
        messages.error(request, "筛选条件有误，未导出：" + form_messages(form))
        return redirect("audit_list")
    params = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in _filters(form).items()}
    job = job_create(actor=request.actor, kind="audit.export", title="导出审计日志", params=params)
    return redirect("job_detail", pk=job.pk)
