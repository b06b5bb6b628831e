"""The 待办 page (the user's starting point), and the count and panel fragments the header and the home page
load after the page (`static/warmth/fragments.js`), so no page waits for the to-do to be worked out."""

from __future__ import annotations

import time

from django.shortcuts import render
from django.views.decorators.http import require_GET

from warmth.orgs.decorators import actor_required
from warmth.todo.queries import todo_for

PANEL_ROWS = 10


@require_GET
@actor_required()
def todo_list(request):
    started = time.perf_counter()
    todo = todo_for(request.actor)
    kind = request.GET.get("kind") or ""
    items = [i for i in todo.items if i.kind == kind] if kind else todo.items
    kinds: dict[str, tuple[str, int]] = {}
    for i in todo.items:
        label, n = kinds.get(i.kind, (i.kind_label, 0))
        kinds[i.kind] = (label, n + 1)
    return render(request, "todo/todo_list.html", {
        "todo": todo, "items": items, "kind": kind, "kinds": kinds,
        "ms": round((time.perf_counter() - started) * 1000)})


@require_GET
@actor_required()
def todo_count(request):
    return render(request, "todo/_count.html", {"todo": todo_for(request.actor)})


@require_GET
@actor_required()
def todo_panel(request):
    todo = todo_for(request.actor)
    return render(request, "todo/_panel.html", {"todo": todo, "items": todo.items[:PANEL_ROWS]})
