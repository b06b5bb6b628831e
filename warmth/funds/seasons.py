"""The spend-by date money gets by default: the end of its season's campaign window.

A pot's year is the season (2025 = the 两节 of 2026, 元旦 to 春节), so central money spent in a 元旦→春节 campaign
must not expire on 12-31 of its year (seed 004 三.2 gives 12-31 for money allocated before the campaign of that
calendar year; the allocating union may always set another date on the allocation). The campaign belongs to the
season app above this one: it registers its own answer here (``CampaignsConfig.ready``), the campaign of the
allocating org or of its nearest ancestor for that season; without one, the default window of the season
(``core.festival.campaign_window``: 元旦 to 春节)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from warmth.core.festival import campaign_window

#: providers (org, season) -> the last day of that org's campaign window for the season, or None
SEASON_END: list[Callable[..., date | None]] = []


def season_end(org, year: int) -> date:
    """The last day of the season's campaign window as seen from ``org``."""
    for provider in SEASON_END:
        day = provider(org, year)
        if day is not None:
            return day
    try:
        return campaign_window(year)[1]
    except ValueError:  # outside the lunar calendar's range: the calendar year's end
        return date(year, 12, 31)
