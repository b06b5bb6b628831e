"""Job kinds: each maps to a handler ``handler(job, progress) -> None`` that calls services."""

from __future__ import annotations

from collections.abc import Callable

HANDLERS: dict[str, Callable] = {}


def register(kind: str):
    def wrap(fn):
        HANDLERS[kind] = fn
        return fn

    return wrap
