"""The report engine and workflow: typed cells refused clearly, derived and written rules with DHIS2's
missing-value strategies, 填报 → 报送 → 通过/退回 → reopen, and the rollup that never counts twice."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.conftest import actor_of, make_user
from warmth.orgs.models import Role
from warmth.reports import engine, services
from warmth.reports.definitions import _parse, definition
from warmth.reports.duties import report_duty_set
from warmth.reports.models import Report, ReportStatus

S = ReportStatus
FORM = "warmth-2015"


def tiny(rules=()):
    return _parse({"id": "t", "title": "t", "kind": "warmth", "year": 2015, "items": [
        {"code": "1.A", "label": "a", "unit": "人", "parent": None, "source": "manual"},
        {"code": "1.B", "label": "b", "unit": "人", "parent": "1.A", "source": "manual"},
        {"code": "2.A", "label": "c", "unit": "万元", "parent": None, "source": "manual"},
        {"code": "2.B", "label": "d", "unit": "万元", "parent": "2.A", "source": "manual"},
        {"code": "2.C", "label": "e", "unit": "万元", "parent": "2.A", "source": "manual"}],
        "sums": [{"total": "2.A", "parts": ["2.B", "2.C"]}], "rules": list(rules)})


def failed(defn, values):
    return {r.rule.code for r in engine.check(defn, {k: None if v is None else Decimal(v) for k, v in values.items()})
            if not r.ok}


def test_derived_rules_catch_a_part_above_its_parent_and_a_sum_that_does_not_hold():
    d = tiny()
    good = {"1.A": "10", "1.B": "3", "2.A": "5.5", "2.B": "2.5", "2.C": "3"}
    assert failed(d, good) == set()
    assert failed(d, {**good, "1.B": "11"}) == {"part:1.B"}
    assert failed(d, {**good, "2.C": "3.0001"}) == {"sum:2.A"}
    assert failed(d, {**good, "2.B": "6", "2.C": "-0.5"}) == {"part:2.B"}
    assert failed(d, {"1.A": None, "1.B": None, "2.A": None, "2.B": None, "2.C": None}) == set()  # all blank


def test_written_rules_follow_the_missing_value_strategies():
    rules = [{"code": "never", "left": "1.B", "op": ">=", "right": "1", "missing": "never_skip"},
             {"code": "any", "left": "2.B+2.C", "op": ">=", "right": "1", "missing": "skip_if_any_missing"},
             {"code": "all", "left": "2.B+2.C", "op": ">=", "right": "1", "missing": "skip_if_all_missing",
              "importance": "warning"}]
    d = tiny(rules)
    base = {"1.A": "5", "1.B": None, "2.A": None, "2.B": None, "2.C": None}
    assert "never" in failed(d, base)            # blank counts as 0: 0 >= 1 fails
    assert "any" not in failed(d, {**base, "2.B": "0.5"})  # one part blank: skipped
    assert "all" in failed(d, {**base, "2.B": "0.5"})      # not all blank: 0.5 >= 1 fails
    assert "all" not in failed(d, base)                    # all blank: skipped
    res = {r.rule.code: r for r in engine.check(d, {k: None if v is None else Decimal(v)
                                                    for k, v in {**base, "2.B": "0.5"}.items()})}
    assert res["all"].level == "warning" and "左 0.5" in res["all"].message


@pytest.mark.parametrize(("code", "raw", "message"), [
    ("1.A", "十二", "不是数字"), ("1.A", "-3", "不能为负数"), ("1.A", "2.5", "须为整数"),
    ("5.A", "1.00001", "4 位小数"), ("1.A", 3.0, "浮点数"), ("1.A", "NaN", "不是数字"), ("5.A", "1E30", "数值过大"),
    ("1.A", 10 ** 16, "数值过大"), ("5.A", "9" * 400, "数值过大")])
def test_a_bad_cell_is_refused_with_its_reason(code, raw, message):
    with pytest.raises(ValidationError, match=message):
        services.parse_value(definition(FORM), code, raw)


def test_blank_is_not_zero_and_commas_are_read():
    d = definition(FORM)
    assert services.parse_value(d, "1.A", "  ") is None
    assert services.parse_value(d, "1.A", "0") == 0
    assert services.parse_value(d, "1.A", "1,234") == 1234
    assert services.parse_value(d, "5.A", "12.3456") == Decimal("12.3456")


@pytest.fixture
def flow(users, tree):
    k2 = make_user("k2_handler", tree.k2, Role.HANDLER)
    k1_rev = make_user("k1_rev", tree.k1, Role.REVIEWER)
    g1 = make_user("g1_handler", tree.g1, Role.HANDLER)
    return {"city": actor_of(users.owner), "city_rev": actor_of(users.colleague), "k1": actor_of(users.county),
            "k2": actor_of(k2), "k1_rev": actor_of(k1_rev), "g1": actor_of(g1), "outsider": actor_of(users.outsider),
            "auditor": actor_of(users.auditor)}


def submit(actor, org, year=2025, **cells):
    r = services.report_get_or_create(actor=actor, form=FORM, org=org, year=year)
    if cells:
        services.cells_save(actor=actor, report=r, values={k.replace("_", "."): {"value": v} for k, v in cells.items()})
    return services.report_submit(actor=actor, report=r, filled_by="张三", phone="028-1")


def test_the_workflow_and_the_rollup_of_manual_cells(flow, tree):
    a = flow
    g1 = submit(a["g1"], tree.g1, **{"1_A": "7", "1_B": "2"})
    with pytest.raises(ValidationError, match="不能修改"):
        services.cells_save(actor=a["g1"], report=g1, values={"1.A": {"value": "8"}})
    services.report_approve(actor=a["k1_rev"], report=g1)
    k1 = submit(a["k1"], tree.k1, **{"1_A": "100", "1_B": "30"})
    assert k1.figures["1.A"] == "107" and k1.figures["1.B"] == "32"  # its own entry plus 光华's approved figures
    k2 = submit(a["k2"], tree.k2, **{"1_A": "50"})
    city = services.report_get_or_create(actor=a["city"], form=FORM, org=tree.c1, year=2025)
    services.cells_save(actor=a["city"], report=city, values={"1.A": {"value": "1"}})
    # the city cannot be approved before its districts, nor can a district approve itself
    with pytest.raises(PermissionDenied):
        services.report_approve(actor=a["k1_rev"], report=k1)
    services.report_return(actor=a["city_rev"], report=k2, reason="1.B 未填")
    assert Report.objects.get(pk=k2.pk).status == S.RETURNED
    k2 = submit(a["k2"], tree.k2, **{"1_B": "10"})
    for r in (k1, k2):
        services.report_approve(actor=a["city_rev"], report=r)
    city = services.report_submit(actor=a["city"], report=city, filled_by="李四", phone="028-2")
    assert city.figures["1.A"] == "158" and city.figures["1.B"] == "42"  # 1 + 107 + 50; 32 + 10: each once
    # reopening a district while the city's report is sent up is refused; the district stays approved
    with pytest.raises(ValidationError, match="先退回上级"):
        services.report_return(actor=a["city_rev"], report=k1, reason="再看看")
    assert Report.objects.get(pk=k1.pk).status == S.APPROVED
    steps = list(Report.objects.get(pk=k2.pk).steps.values_list("action", flat=True))
    assert steps == ["save", "submit", "return", "save", "submit", "approve"]


def test_the_approval_waits_for_every_child_or_an_exemption(flow, tree, users):
    a = flow  # 武侯 asks its 基层工会 for the form (by default they need not report: tests/reports/test_duties.py)
    report_duty_set(actor=a["k1_rev"], form=FORM, year=2025, org=tree.k1, levels=["grassroots"])
    k1 = submit(a["k1"], tree.k1)
    with pytest.raises(ValidationError, match=r"供电公司"):
        services.report_approve(actor=a["city_rev"], report=k1)  # 武侯's grassroots union has not reported
    services.report_exempt(actor=a["k1_rev"], form=FORM, org=tree.g1, year=2025, reason="已合并")
    assert services.report_approve(actor=a["city_rev"], report=k1).status == S.APPROVED
    board = services.completeness(FORM, 2025, tree.c1)
    assert (board["expected"], board["submitted"], board["approved"]) == (2, 1, 1)
    assert [o.code for o in board["missing"]] == [tree.k2.code]


def test_auto_cells_need_a_reason_to_be_overridden_and_errors_block_submission(flow, tree):
    a = flow
    r = services.report_get_or_create(actor=a["k1"], form=FORM, org=tree.k1, year=2025)
    with pytest.raises(ValidationError, match="须填写理由"):
        services.cells_save(actor=a["k1"], report=r, values={"3.A": {"value": "9"}})
    services.cells_save(actor=a["k1"], report=r, values={"3.A": {"value": "9", "reason": "含未录入系统的 9 户"}})
    cells = services.compute(definition(FORM), tree.k1, 2025, r)
    assert (cells["3.A"].value, cells["3.A"].origin, cells["3.A"].auto_value) == (9, "override", 0)
    services.cells_save(actor=a["k1"], report=r, values={"1.A": {"value": "5"}, "1.B": {"value": "6"}})
    with pytest.raises(ValidationError, match=r"1\.B 不能超过 1\.A"):
        services.report_submit(actor=a["k1"], report=r, filled_by="x", phone="1")
    assert Report.objects.get(pk=r.pk).status == S.DRAFT


def test_outsiders_and_the_auditor_cannot_touch_a_report(flow, tree):
    a = flow
    with pytest.raises(PermissionDenied):
        services.report_get_or_create(actor=a["outsider"], form=FORM, org=tree.k1, year=2025)
    r = services.report_get_or_create(actor=a["k1"], form=FORM, org=tree.k1, year=2025)
    for who in ("outsider", "auditor", "city"):
        with pytest.raises(PermissionDenied):
            services.cells_save(actor=a[who], report=r, values={"1.A": {"value": "1"}})
    assert not r.cells.exists()


def test_a_yes_no_answer_is_the_orgs_own_and_does_not_add_up():
    d = _parse({"id": "t", "title": "t", "kind": "center", "year": 2014, "items": [
        {"code": "1", "label": "是否纳入财政预算", "unit": "是/否", "parent": None, "source": "manual"}]})
    cells = engine.fill(d, None, 2014, entries={"1": {"value": "0"}}, children_figures=[{"1": "1"}, {"1": "1"}])
    assert cells["1"].value == 0


def test_late_and_missing_children_follow_the_campaigns_deadline(flow, tree, users):
    from datetime import date

    from warmth.campaigns.services import campaign_create

    campaign_create(actor=actor_of(users.owner), org=tree.c1, year=2025, theme="两节",
                    report_deadline=date(2027, 2, 27))
    submit(flow["k1"], tree.k1)
    assert Report.objects.get(org=tree.k1).deadline == date(2027, 2, 27)
    before = services.completeness(FORM, 2025, tree.c1, today=date(2027, 2, 27))
    after = services.completeness(FORM, 2025, tree.c1, today=date(2027, 3, 1))
    assert before["late"] == 0 and after["late"] == 1  # 锦江 has not reported after the deadline
    assert [x["org"].code for x in after["rows"] if x["late"]] == [tree.k2.code]

