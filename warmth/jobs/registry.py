"""Job kinds: each maps to a handler ``handler(job, progress) -> None`` that calls services.

A kind also says what happens when the worker running it dies (killed, out of memory, the machine restarted):
``rerun=True`` when running it again is safe (it writes nothing twice: idempotent or all-or-nothing), so the
job is queued again; otherwise it is marked failed with the reason. ``abandon(job)``, if given, tidies up
what the handler would have removed at its end (a stored upload) when the job is given up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    handler: Callable
    rerun: bool = False
    abandon: Callable | None = None


HANDLERS: dict[str, Callable] = {}
KINDS: dict[str, Kind] = {}


def register(kind: str, *, rerun: bool = False, abandon: Callable | None = None):
    def wrap(fn):
        HANDLERS[kind] = fn
        KINDS[kind] = Kind(fn, rerun, abandon)
        return fn

    return wrap
