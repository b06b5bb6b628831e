"""The Excel importer under hostile cells (issue 8): hypothesis puts values of every wrong kind (text, numbers,
dates, formulas, control characters, very long strings, blanks) into random columns of a file made from the
app's own template. The import either succeeds or reports its errors row by row: never an exception other
than the importer's refusal, and a run that reports errors (without ``--valid-only``) writes nothing.

Short by default; ``WARMTH_FUZZ_EXAMPLES`` (``scripts/fuzz.sh``) makes it long."""

import os
from datetime import date, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.archives.factories import new_id
from tests.archives.test_import import build, head, member, written
from tests.conftest import actor_of
from warmth.archives.importing import ImportRefused, archive_import
from warmth.archives.template import HEAD_COLUMNS, MEMBER_COLUMNS

pytestmark = pytest.mark.django_db
EXAMPLES = max(60, int(os.environ.get("WARMTH_FUZZ_EXAMPLES", "0")) // 10)

cell = st.one_of(
    st.none(), st.text(max_size=30), st.integers(min_value=-(10 ** 20), max_value=10 ** 20),
    st.floats(allow_nan=False, allow_infinity=False), st.dates(min_value=date(1800, 1, 1)),
    st.datetimes(min_value=datetime(1900, 1, 1)),  # noqa: DTZ001 (an Excel cell has no time zone)
    st.sampled_from(["=1+1", "=HYPERLINK(\"http://x\")", "+1", "-1", "@A1", " ", "\t", "\u202e", "NULL",
                     "110101199003077777", "1.1e5", "９９", "低保户", "农民工", "是", "否", "x" * 5000]),
)


# each person is born on a drawn day: one day's few hundred valid numbers would run out in a long run
born = st.dates(min_value=date(1950, 1, 1), max_value=date(2000, 12, 31))


@st.composite
def households(draw):
    rows = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        h = head(身份证号=new_id(born=draw(born), sex="男"))
        for col in draw(st.lists(st.sampled_from([c.header for c in HEAD_COLUMNS]), max_size=4, unique=True)):
            h[col] = draw(cell)
        rows.append(h)
    members = []
    if draw(st.booleans()):
        m = member(rows[0], 身份证号=new_id(born=draw(born), sex="女"))
        for col in draw(st.lists(st.sampled_from([c.header for c in MEMBER_COLUMNS]), max_size=3, unique=True)):
            m[col] = draw(cell)
        members.append(m)
    return rows, members


@settings(max_examples=EXAMPLES, deadline=None, derandomize=bool(os.environ.get("CI")),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=households())
def test_hostile_cells_are_reported_never_a_crash_and_an_error_writes_nothing(tree, users, case):
    heads, members = case
    before = written()
    with TemporaryDirectory() as tmp:
        path = build(Path(tmp) / "fuzz.xlsx", heads, members)
        try:
            result = archive_import(actor=actor_of(users.owner), org=tree.k1, path=path, dry_run=False)
        except ImportRefused:
            assert written() == before
            return
    if result["errors"]:
        assert written() == before, result["errors"][:3]
    else:
        assert written()[0] >= before[0]
