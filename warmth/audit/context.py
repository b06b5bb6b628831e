"""Request context for audit rows (IP, request id) without passing the request into services."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    ip: str | None = None
    request_id: str = ""


_EMPTY = RequestInfo()
_current: contextvars.ContextVar[RequestInfo] = contextvars.ContextVar("warmth_request", default=_EMPTY)


def current() -> RequestInfo:
    return _current.get()


def set_current(info: RequestInfo):
    return _current.set(info)


def reset(token) -> None:
    _current.reset(token)
