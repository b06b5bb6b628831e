"""Which season a page opens on when none is asked for: one rule for every page (/dashboard/, /reports/, /funds/,
the campaign pages).

The season is labelled, as everywhere here, by the year its winter starts (2025 is the 两节 of 2026). The rule:
the season whose campaign window contains today, else the latest season that has a campaign (one organized by
the org, above it or below it). The campaigns live in an app above the apps that need the rule (the funds), so
that app registers the rule here from its ``AppConfig.ready`` (``campaigns.queries.default_season``). Without a
campaign at all, the season that began last: the default window of season Y starts on 1 January of Y + 1, so
that is last year's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.utils import timezone

_RULE: list[Callable[[Any, date], int | None]] = []


def register(rule: Callable[[Any, date], int | None]) -> None:
    """Set the rule that picks a season from the campaigns (an org and today in, a season or None out)."""
    _RULE[:] = [rule]


def default_season(org, today: date | None = None) -> int:
    today = today or timezone.localdate()
    found = _RULE[0](org, today) if _RULE else None
    return found if found is not None else today.year - 1
