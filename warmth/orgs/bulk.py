"""Fast creation of large org trees (demo and national-scale data): paths computed here, rows inserted with
``bulk_create`` level by level so every parent has its id before its children are written."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from treebeard.numconv import NumConv

from warmth.core.bulkcopy import allocate_ids, can_copy, copy_rows
from warmth.orgs.models import Org
from warmth.orgs.services import lock_tree

_conv = NumConv(Org.alphabet)


def _step(n: int) -> str:
    s = _conv.int2str(n)
    return "0" * (Org.steplen - len(s)) + s


@dataclass
class OrgSpec:
    name: str
    code: str
    level: str
    region_code: str = ""
    children: list[OrgSpec] = field(default_factory=list)

    def add(self, *args, **kwargs) -> OrgSpec:
        child = OrgSpec(*args, **kwargs)
        self.children.append(child)
        return child

    def count(self) -> int:
        return 1 + sum(c.count() for c in self.children)


@transaction.atomic
def bulk_create_tree(root: OrgSpec, *, parent: Org | None = None, batch_size: int = 5000,
                     on_progress=None) -> int:
    """Insert ``root`` and its descendants under ``parent`` (or as a new root). Returns rows written.

    On PostgreSQL the rows get ids from the table's sequence and go in with one ``COPY``; elsewhere they are
    inserted with ``bulk_create`` level by level, so every parent has its id before its children."""

    lock_tree()
    if parent is None:
        last_root = Org.objects.get_last_root_node()
        start = (_conv.str2int(last_root.path[: Org.steplen]) + 1) if last_root else 1
        level = [(None, _step(start), 1, root)]
    else:
        parent = Org.objects.select_for_update().get(pk=parent.pk)
        last = Org.objects.filter(path__startswith=parent.path, depth=parent.depth + 1).order_by("-path").first()
        start = _conv.str2int(last.path[-Org.steplen:]) + 1 if last else 1
        level = [(parent, parent.path + _step(start), parent.depth + 1, root)]
        Org.objects.filter(pk=parent.pk).update(numchild=parent.numchild + 1)
    if can_copy():
        return _copy_tree(level, on_progress)
    written = 0
    while level:
        rows = [Org(name=s.name, code=s.code, level=s.level, region_code=s.region_code, parent=p,
                    path=path, depth=depth, numchild=len(s.children)) for p, path, depth, s in level]
        Org.objects.bulk_create(rows, batch_size=batch_size)
        written += len(rows)
        if on_progress:
            on_progress(written)
        next_level = []
        for org, (_, _, _, spec) in zip(rows, level, strict=True):
            for i, child in enumerate(spec.children, start=1):
                next_level.append((org, org.path + _step(i), org.depth + 1, child))
        level = next_level
    return written


COPY_COLUMNS = ("id", "path", "depth", "numchild", "name", "code", "level", "region_code", "parent_id",
                "is_active", "created_at")


def _copy_tree(level, on_progress) -> int:
    flat = []  # (path, depth, spec, parent index in flat or parent pk)
    queue = [(p.pk if p else None, None, path, depth, s) for p, path, depth, s in level]
    while queue:
        nxt = []
        for parent_pk, parent_idx, path, depth, spec in queue:
            idx = len(flat)
            flat.append((parent_pk, parent_idx, path, depth, spec))
            nxt.extend((None, idx, path + _step(i), depth + 1, c) for i, c in enumerate(spec.children, 1))
        queue = nxt
    ids = allocate_ids(Org, len(flat))
    now = timezone.now()

    def rows():
        for n, (parent_pk, parent_idx, path, depth, s) in enumerate(flat):
            parent_id = parent_pk if parent_idx is None else ids[parent_idx]
            yield (ids[n], path, depth, len(s.children), s.name, s.code, s.level, s.region_code, parent_id,
                   True, now)

    written = copy_rows(Org, COPY_COLUMNS, rows())
    if on_progress:
        on_progress(written)
    return written
