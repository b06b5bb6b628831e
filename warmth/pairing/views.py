"""结对帮扶 pages: the coverage of the user's org with its children and households (drill-down by ?org=) and the
user's own due visits; a household's pairing (history, visits, the assign form); the phone-sized visit form."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from warmth.archives.access import archive_for_actor
from warmth.core import pii
from warmth.orgs.access import org_for_actor
from warmth.orgs.decorators import actor_required
from warmth.orgs.models import User
from warmth.orgs.permissions import Perm
from warmth.pairing import services
from warmth.pairing.models import Pairing, PairingVisit

LABELS = {"cadre": "结对干部", "started_on": "结对开始日期", "reason": "改派原因", "visited_on": "走访日期",
          "findings": "走访情况", "needs": "家庭需求", "photos": "照片", "corrects": "更正的记录"}


def _errors(exc: ValidationError) -> list[str]:
    out = []
    for key, msgs in exc.message_dict.items():
        out += [f"{LABELS[key]}：{m}" if key in LABELS else m for m in msgs]
    return out


def _pk(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None


def _date(raw: str) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip()[:10])
    except ValueError:
        return None


@actor_required()
def overview(request):
    actor = request.actor
    code = (request.GET.get("org") or "").strip()[:40]
    org = org_for_actor(actor, code) if code else actor.org
    rows = list(services.households(org).select_related("org").order_by("org__path", "id")[:300])
    current = {p.archive_id: p for p in Pairing.objects.filter(archive_id__in=[a.pk for a in rows],
                                                               ended_on__isnull=True).select_related("cadre")}
    for a in rows:
        a.masked_name = pii.mask_name(a.name)
        a.pairing = current.get(a.pk)
    return render(request, "pairing/overview.html", {
        "org": org, "total": services.coverage(org), "children": services.coverage_by_child(org),
        "rows": rows, "mine": services.due_for_cadre(actor.user, actor.org)})


@actor_required()
def archive_pairing(request, pk):
    actor = request.actor
    archive = archive_for_actor(actor, pk)
    errors, posted = [], {}
    if request.method == "POST":
        actor.require(Perm.ARCHIVE_WRITE)
        posted = request.POST
        cadre_pk = _pk(posted.get("cadre"))
        cadre = User.objects.filter(pk=cadre_pk).first() if cadre_pk else None  # the service says who may be one
        try:
            services.pairing_assign(actor=actor, archive=archive, cadre=cadre,
                                    started_on=_date(posted.get("started_on", "")), reason=posted.get("reason", ""))
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, "已指定结对干部。")
            return redirect("pairing_archive", pk=archive.pk)
    pairings = list(services.with_last_visit(Pairing.objects.filter(archive=archive))
                    .select_related("cadre").order_by("-started_on", "-id"))
    current = next((p for p in pairings if p.ended_on is None), None)
    due = services.due_of(current.started_on, current.last_visit, timezone.localdate()) if current else None
    visits = PairingVisit.objects.filter(archive=archive).select_related("recorded_by").order_by("-visited_on", "-id")
    can_assign = actor.can(Perm.ARCHIVE_WRITE)
    return render(request, "pairing/archive.html", {
        "archive": archive, "masked_name": pii.mask_name(archive.name), "pairings": pairings, "current": current,
        "due": due, "visits": visits[:100], "errors": errors, "posted": posted, "can_assign": can_assign,
        "cadres": services.cadres_for(actor, archive) if can_assign else [],
        "can_record": current is not None and services.may_record(actor, current)},
        status=422 if errors else 200)


@actor_required()
def visit_new(request, pk):
    actor = request.actor
    pairing = services.pairing_for_actor(actor, pk)
    if not services.may_record(actor, pairing):
        raise PermissionDenied("只有结对干部本人或本单位经办人可以记录当前结对的走访")
    errors, posted = [], {}
    if request.method == "POST":
        posted = request.POST
        corrects_pk = _pk(posted.get("corrects"))
        corrects = pairing.visits.filter(pk=corrects_pk).first() if corrects_pk else None
        try:
            services.visit_record(actor=actor, pairing=pairing, visited_on=_date(posted.get("visited_on", "")),
                                  findings=posted.get("findings", ""), needs=posted.get("needs", ""),
                                  photos=request.FILES.getlist("photos"), corrects=corrects)
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, "已记录走访。")
            return redirect("pairing_archive", pk=pairing.archive_id)
    return render(request, "pairing/visit.html", {
        "pairing": pairing, "masked_name": pii.mask_name(pairing.archive.name), "errors": errors, "posted": posted,
        "earlier": pairing.visits.order_by("-visited_on", "-id")[:20], "today": timezone.localdate()},
        status=422 if errors else 200)


@actor_required()
def visit_photo(request, pk, n):
    """The ``n``-th photo (from 1) of a visit of a household in the actor's subtree."""
    visit = services.visit_for_actor(request.actor, pk)
    if not 1 <= n <= len(visit.photos):
        raise Http404("照片不存在")
    photo = visit.photos[n - 1]
    path = services.photo_path(photo.get("rel_path", ""))
    if path is None or not path.is_file():
        raise Http404("照片不存在")
    return FileResponse(path.open("rb"), filename=photo.get("original_name") or "photo",
                        content_type=photo.get("content_type") or "application/octet-stream")
