"""万元 on the forms: every figure rounded half up (四舍五入) by ``core.money.to_wanyuan``, and the printed parts
of a declared sum add up exactly to the printed total, so a correct report is never refused by its own rule."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import actor_of, make_user
from warmth.core.money import to_wanyuan
from warmth.funds import services as funds
from warmth.funds.choices import FundSource, Purpose
from warmth.orgs.models import Role
from warmth.reports import engine, sources
from warmth.reports.definitions import definition


def failed_rules(defn, cells):
    return {r.rule.code: r.message for r in engine.check(defn, {c: v.value for c, v in cells.items()}) if not r.ok}


def raise_money(actor, org, source, amount, year=2025):
    funds.fund_raise(actor=actor, org=org, year=year, source=source, purpose=Purpose.WARMTH, amount=amount,
                     received_on=date(year, 12, 1))


@pytest.fixture
def k1_finance(users, tree):
    return actor_of(make_user("k1_fin", tree.k1, Role.FINANCE))


def test_two_amounts_with_cents_in_wuhou_make_5a_equal_its_parts_on_the_2015_form(tree, k1_finance):
    raise_money(k1_finance, tree.k1, FundSource.CENTRAL, "12345.67")
    raise_money(k1_finance, tree.k1, FundSource.LOCAL, "23456.78")
    defn = definition("warmth-2015")
    cells = engine.fill(defn, tree.k1, 2025)
    assert cells["5.B"].value == Decimal("1.2346") and cells["5.C"].value == Decimal("2.3457")
    # rounded on its own, 3.580245 万元 would print 3.5802 (and refuse the report); the parts print 3.5803
    assert cells["5.A"].value == Decimal("3.5803")
    assert sum(cells[c].value for c in ("5.B", "5.C", "5.D", "5.E", "5.F")) == cells["5.A"].value
    assert "sum:5.A" not in failed_rules(defn, cells)


def test_item_5_of_the_2014_form_holds_the_same_way(tree, k1_finance):
    raise_money(k1_finance, tree.k1, FundSource.CENTRAL, "12345.67")
    raise_money(k1_finance, tree.k1, FundSource.LOCAL, "23456.78")
    raise_money(k1_finance, tree.k1, FundSource.OWN_UNION, "0.05")
    defn = definition("warmth-2014")
    cells = engine.fill(defn, tree.k1, 2025)
    assert cells["5.A"].value == Decimal("3.5802")  # 政府拨款: central and local together, 3.580245 → 3.5802
    assert cells["5.B"].value == Decimal("0.0000")
    assert cells["5"].value == cells["5.A"].value + cells["5.B"].value + cells["5.C"].value + cells["5.D"].value
    assert "sum:5" not in failed_rules(defn, cells)


def test_half_a_ten_thousandth_rounds_up_on_the_form(tree, k1_finance):
    raise_money(k1_finance, tree.k1, FundSource.OTHER, "12346.50")
    cells = engine.fill(definition("warmth-2015"), tree.k1, 2025)
    assert cells["5.F"].value == Decimal("1.2347")  # 四舍五入, not banker's 1.2346
    assert cells["5.A"].value == Decimal("1.2347")


def test_one_rounding_function_for_money_on_forms():
    assert not hasattr(sources, "to_wan")  # the banker's rounding helper is gone
    assert to_wanyuan(Decimal("12346.50")) == Decimal("1.2347")
    assert to_wanyuan(Decimal("12345.65")) == Decimal("1.2346")


# --- the property: random yuan amounts with cents across many units never make a derived rule fail ----------

LINES_2015 = ("central", "local", "union", "donation", "other")
LINES_2014 = ("government", "union", "donation", "other")
cents = st.integers(min_value=0, max_value=99_999_999)  # up to 999,999.99 yuan, with cents


def _fake_values(per_unit_raised, per_unit_paid, lines):
    """What ``sources.values`` returns for a subtree of these units: each line the sum of the units' yuan,
    converted once (as the batched money query does), the total over all the lines likewise."""
    def values(names, scope):
        out = dict.fromkeys(names, 0)
        raised = {line: sum(Decimal(u[i]) / 100 for u in per_unit_raised) for i, line in enumerate(lines)}
        out["funds.raised_total"] = to_wanyuan(sum(raised.values()))
        for line, yuan in raised.items():
            out[f"funds.raised_{line}"] = to_wanyuan(yuan)
        paid = [Decimal(a) / 100 for a, _ in per_unit_paid]
        out["payments.paid_total"] = to_wanyuan(sum(paid))
        out["payments.paid_models"] = to_wanyuan(sum(Decimal(a) / 100 for a, k in per_unit_paid if k == 1))
        out["payments.paid_migrants"] = to_wanyuan(sum(Decimal(a) / 100 for a, k in per_unit_paid if k == 2))
        for name in names:
            if name.startswith("activity:") and name.endswith(("amount", "part_amount")):
                out[name] = Decimal(0)
        return out
    return values


@pytest.mark.parametrize(("form", "lines"), [("warmth-2015", LINES_2015), ("warmth-2014", LINES_2014)])
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_random_amounts_with_cents_never_fail_a_derived_rule(form, lines, data):
    units = data.draw(st.integers(min_value=1, max_value=60))
    raised = data.draw(st.lists(st.tuples(*[cents] * len(lines)), min_size=units, max_size=units))
    paid = data.draw(st.lists(st.tuples(cents, st.integers(0, 2)), min_size=0, max_size=units * 3))
    defn = definition(form)
    mp = pytest.MonkeyPatch()
    try:
        mp.setattr(sources, "values", _fake_values(raised, paid, lines))
        cells = engine.fill(defn, SimpleNamespace(path="0001", pk=1), 2025)
    finally:
        mp.undo()
    derived = {code: msg for code, msg in failed_rules(defn, cells).items() if code.startswith(("sum:", "part:"))}
    assert derived == {}
