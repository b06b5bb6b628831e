"""What an app above the season adds to a campaign's page and to the API's campaign detail. The season sits below
payments and the visits; the visits app registers the coverage and the money paid so far here (from its
``AppConfig.ready``), so the campaign's page shows them without the season importing the app above it.

A provider takes ``(campaign, org)`` (the org the page is seen from) and returns a dict: ``PAGE`` providers'
dicts go into the page's template context, ``DETAIL`` providers' into the API's detail, before its groups.
``GROUP_PAGE`` providers take a visit group and add to its page (the visits of the group). ``PLAN`` providers
take a visit group and return the visit of each planned household visited so far, by the household's id: the
group's page and the API's households say 已走访 (when, by whom) or 尚未走访."""

from __future__ import annotations

from collections.abc import Callable

PAGE: list[Callable[..., dict]] = []
DETAIL: list[Callable[..., dict]] = []
GROUP_PAGE: list[Callable[..., dict]] = []
PLAN: list[Callable[..., dict]] = []


def plan_visits(group) -> dict:
    """{planned household id: its visit} from every ``PLAN`` provider (empty without the visits app)."""
    found: dict = {}
    for provider in PLAN:
        found.update(provider(group))
    return found
