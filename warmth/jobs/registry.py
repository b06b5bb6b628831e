"""Job kinds: each maps to a handler ``handler(job, progress) -> None`` that calls services.

A kind also says what happens when the worker running it dies (killed, out of memory, the machine restarted):
``rerun=True`` when running it again is safe (it writes nothing twice: idempotent or all-or-nothing), so the
job is queued again; otherwise it is marked failed with the reason. ``abandon(job)``, if given, tidies up
what the handler would have removed at its end (a stored upload) when the job is given up. ``reads="replica"``
marks a kind that only reads domain tables (an export): with a read replica configured it reads there
(``core.dbrouter.job_scope``), after the replica has caught up with the primary as of the job's start."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    handler: Callable
    rerun: bool = False
    abandon: Callable | None = None
    reads: str = "primary"


HANDLERS: dict[str, Callable] = {}
KINDS: dict[str, Kind] = {}


def register(kind: str, *, rerun: bool = False, abandon: Callable | None = None, reads: str = "primary"):
    if reads not in ("primary", "replica"):
        raise ValueError(f"reads={reads!r}: 'primary' or 'replica'")

    def wrap(fn):
        HANDLERS[kind] = fn
        KINDS[kind] = Kind(fn, rerun, abandon, reads)
        return fn

    return wrap
