"""Hostile bodies for every JSON API write (issue 8): hypothesis sends each route of the access sweep that takes
a JSON body either random JSON, or the route's own fields with values of every wrong kind (text in numbers,
floats for money, negative and enormous numbers, nested objects, null, control characters, formula prefixes,
very long strings). As the victim's own handler (inside the subtree, so the request reaches validation):
never a server error, and a refused request writes nothing (the sweep's snapshot of every table is unchanged).

The default run is short (``WARMTH_FUZZ_EXAMPLES``, 300 bodies); ``scripts/fuzz.sh`` runs 10,000."""

import json
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import actor_of
from tests.test_access_sweep import ROUTES, _built, snapshot, tree, users, world  # noqa: F401 (fixtures)
from warmth.orgs.services import token_create

EXAMPLES = int(os.environ.get("WARMTH_FUZZ_EXAMPLES", "300"))
API_WRITES = sorted(n for n, r in ROUTES.items() if r.api and r.method == "POST" and r.json is not None)

hostile_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "=1+1", "+86", "-1", "@SUM(A1)", "NaN", "Infinity", "-0", "1e309", "0x10",
                     "１２３", "12.345678", "9" * 40, "../../etc/passwd", "<script>alert(1)</script>",
                     "'; DROP TABLE payments_payment; --", "\x00", "\u202e", "ACFTU", "510107", "2025-02-30"]),
    st.text(min_size=300, max_size=2000),
)
scalar = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
                   st.floats(allow_nan=True, allow_infinity=True), hostile_text)
value = st.recursive(scalar, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                     max_leaves=8)


def keys_of(route) -> list[str]:
    return re.findall(r'"([a-z_]+)"\s*:', route.json or "")


@st.composite
def bodies(draw):
    name = draw(st.sampled_from(API_WRITES))
    route = ROUTES[name]
    kind = draw(st.sampled_from(["fields", "fields", "fields", "any"]))
    if kind == "any":
        return name, draw(value)
    keys = keys_of(route)
    body = {k: draw(value) for k in keys if draw(st.booleans())}
    if draw(st.booleans()):
        body[draw(st.text(max_size=10))] = draw(value)
    return name, body


def encode(body) -> str:
    try:
        return json.dumps(body, ensure_ascii=False, allow_nan=True)
    except (TypeError, ValueError):
        return "{"


def test_the_fuzzed_routes_are_every_api_write_with_a_body():
    assert len(API_WRITES) > 20
    assert all(keys_of(ROUTES[n]) or ROUTES[n].json.strip() in ("{}", "[]") for n in API_WRITES)


@pytest.fixture
def bearer(users):  # noqa: F811
    """One token for the whole run (a function-scoped fixture runs once per test, not per example)."""
    return token_create(actor=actor_of(users.owner), name="fuzz")[1]


@settings(max_examples=EXAMPLES, deadline=None, derandomize=bool(os.environ.get("CI")),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(case=bodies())
def test_hostile_api_bodies_never_crash_and_a_refusal_writes_nothing(client, bearer, world, case):  # noqa: F811
    name, body = case
    values, _ = world
    route = ROUTES[name]
    before = snapshot()
    path = route.path.format(**values)
    response = client.post(path, encode(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {bearer}")
    assert response.status_code < 500, (name, body, response.content[:300])
    if response.status_code >= 400:
        assert snapshot() == before, (name, body, response.status_code)
        if response.headers.get("Content-Type", "").startswith("application/json"):
            assert "detail" in response.json(), (name, response.content[:200])


pytestmark = pytest.mark.django_db
