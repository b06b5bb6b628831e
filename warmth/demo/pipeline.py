"""The demo-data pipeline behind ``warmth seed-demo``. Each loader module of this package registers a seeder;
they run in order of ``order`` with one shared context (scale, a seeded random generator, the year, what
earlier seeders made). Seeders must be deterministic for a given seed and use bulk inserts."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from warmth.core.terminal import pad

SCALES = ("small", "province", "national")
DEMO_PASSWORD = "Warmth@2025"  # noqa: S105 (printed by `warmth demo`; demo data only)


@dataclass
class DemoContext:
    scale: str
    seed: int
    year: int
    out: Callable[[str], None] = print
    rng: random.Random = field(init=False)
    made: dict = field(default_factory=dict)

    def __post_init__(self):
        self.rng = random.Random(self.seed)  # noqa: S311 (deterministic demo data, not secrets)


SEEDERS: list[tuple[int, str, Callable[[DemoContext], None]]] = []


def seeder(order: int, name: str):
    def wrap(fn):
        SEEDERS.append((order, name, fn))
        SEEDERS.sort(key=lambda s: s[0])
        return fn

    return wrap


def format_logins(users) -> list[str]:
    """(username, name, org, role) rows as aligned terminal lines."""
    return [f"  {pad(u, 12)} {pad(n, 10)} {pad(r, 18)} {o}" for u, n, o, r in users]
