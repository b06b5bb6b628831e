"""A small registry over the shared tree: 四川's provincial centre, 成都's city centre, 武侯's and 锦江's county
centres, and 海南's and 秀英's outside the victim's subtree, each with random stations, partners and funding
rows (some closed, some set up or founded after a year end, some corrected), all written through the services
as the operator."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from warmth.centers import services
from warmth.centers.choices import CenterFundSource, PartnerKind, StationKind

FOUNDED = {"p1": date(2004, 5, 1), "c1": date(2008, 3, 15), "k1": date(2012, 7, 1), "k2": date(2025, 3, 1),
           "p2": date(2006, 1, 1), "k3": date(2010, 10, 10)}


def _day(rng, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max((end - start).days, 0)))


def build_registry(tree, seed: int = 3) -> SimpleNamespace:
    rng = random.Random(seed)
    last = min(date(2026, 6, 30), timezone.localdate())
    centers = {}
    for key, founded in FOUNDED.items():
        org = getattr(tree, key)
        centers[key] = services.center_create(
            actor=None, org=org, name=f"{org.name.removesuffix('总工会')}困难职工帮扶中心", founded_on=founded,
            own_premises=rng.random() < 0.7, area=rng.randint(50, 900), staff_fulltime=rng.randint(1, 12),
            staff_parttime=rng.randint(0, 6), volunteers=rng.randint(0, 90), in_budget=rng.random() < 0.6,
            matched_proportional=rng.random() < 0.5, matched_equal=rng.random() < 0.5)
    for key, c in centers.items():
        homes = [c.org] + ([tree.g1] if key == "k1" else [])
        for _ in range(rng.randint(4, 9)):
            kind = rng.choice(StationKind.values)
            enterprise = kind == StationKind.ENTERPRISE
            s = services.station_add(actor=None, center=c, kind=kind, name=f"站点{rng.randint(1, 999)}",
                                     org=rng.choice(homes), set_up_on=_day(rng, c.founded_on, last),
                                     above_scale=enterprise and rng.random() < 0.5,
                                     non_public=enterprise and rng.random() < 0.5)
            if rng.random() < 0.3:
                services.station_close(actor=None, station=s, closed_on=_day(rng, s.set_up_on, last), reason="撤并")
        for _ in range(rng.randint(2, 6)):
            x = services.partner_add(actor=None, center=c, kind=rng.choice(PartnerKind.values),
                                     name=f"机构{rng.randint(1, 999)}", agreed_on=_day(rng, c.founded_on, last))
            if rng.random() < 0.3:
                services.partner_close(actor=None, partner=x, closed_on=_day(rng, x.agreed_on, last),
                                       reason="协议到期")
        for year in (2024, 2025):
            if year < c.founded_on.year:
                continue
            for _ in range(rng.randint(2, 6)):
                source = rng.choice(CenterFundSource.values)
                row = services.funding_add(actor=None, center=c, year=year, source=source,
                                           amount=Decimal(rng.randint(1, 900_000)) / 100,
                                           special=source == CenterFundSource.LOCAL and rng.random() < 0.6)
                if rng.random() < 0.3:
                    services.funding_correct(actor=None, funding=row, amount=Decimal(rng.randint(0, 90_000)),
                                             reason="更正")
    return SimpleNamespace(**centers)


@pytest.fixture
def registry(tree):
    return build_registry(tree)
