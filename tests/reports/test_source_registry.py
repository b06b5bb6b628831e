"""The 帮扶中心 sources reach the statistics forms through the registry reports owns: centers registers them from
its AppConfig, reports imports nothing of centers."""

import pytest

from warmth.centers.sources import SOURCES as CENTER_SOURCES
from warmth.reports import sources


def test_every_centre_source_is_served_by_the_reports_registry():
    for name, (unit, value, records) in CENTER_SOURCES.items():
        src = sources.source(name)
        assert src is not None, name
        assert (src.unit, src.value, src.records) == (unit, value, records)
    assert set(CENTER_SOURCES) <= set(sources.names())


def test_a_name_cannot_be_registered_twice():
    name = next(iter(CENTER_SOURCES))
    with pytest.raises(ValueError, match=name):
        sources.register({name: CENTER_SOURCES[name]})
    assert sources.source(name).value is CENTER_SOURCES[name][1]
