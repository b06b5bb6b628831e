"""The weekly wage-arrears report (004 附件4): parts within totals, versions, the city's sum and missing units."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.conftest import make_org
from warmth.campaigns import queries, services
from warmth.campaigns.models import ArrearsReport
from warmth.orgs.models import OrgLevel

FRIDAY = date(2025, 12, 5)


def lines(state=("10.5", 2, 30), collective=("0", 0, 0), other=("4.25", 1, 12), urban=("6.75", 2, 20),
          migrant=("8", 2, 22), construction=("5", 1, 15)):
    rows = {"state": state, "collective": collective, "other": other, "urban": urban, "migrant": migrant,
            "construction": construction}
    return {k: {"amount": v[0], "enterprises": v[1], "people": v[2]} for k, v in rows.items()}


def _save(camp, actor, org, week=FRIDAY, submit=True, **kw):
    return services.arrears_save(actor=actor, campaign=camp.campaign, org=org, week_of=week,
                                 lines=kw.pop("data", lines()), head="王主席", filled_by="李填", phone="028-1234567",
                                 submit=submit, **kw)


def test_a_report_saves_its_lines(camp, tree):
    r = _save(camp, camp.k1, tree.k1)
    got = {ln.row: (ln.amount, ln.enterprises, ln.people) for ln in r.lines.all()}
    assert got["state"] == (Decimal("10.5000"), 2, 30) and got["construction"] == (Decimal("5.0000"), 1, 15)
    assert r.status == "submitted" and r.reported_on is not None


@pytest.mark.parametrize(("data", "key"), [
    (lines(construction=("9", 1, 15)), "construction.amount"),        # 建筑业 above 农民工
    (lines(construction=("5", 3, 15)), "construction.enterprises"),
    (lines(construction=("5", 1, 23)), "construction.people"),
    (lines(urban=("7", 2, 20)), "urban.amount"),                       # the two breakdowns disagree
    (lines(urban=("6.75", 2, 21)), "urban.people"),
    (lines(urban=("6.75", 4, 20)), "urban.enterprises"),               # a source above the enterprises by type
    (lines(state=("-1", 2, 30)), "state.amount"),
    (lines(state=("1.00005", 2, 30)), "state.amount"),                 # more than 4 decimals of 万元
    (lines(state=(1.5, 2, 30)), "state.amount"),                       # a float
    (lines(state=("abc", 2, 30)), "state.amount"),
    (lines(state=("10.5", -2, 30)), "state.enterprises"),
])
def test_bad_reports_are_refused_and_nothing_written(camp, tree, data, key):
    with pytest.raises(ValidationError) as exc:
        _save(camp, camp.k1, tree.k1, data=data)
    assert key in exc.value.message_dict
    assert not ArrearsReport.objects.exists()


def test_the_week_must_be_a_friday_of_the_window(camp, tree):
    for day in (date(2025, 12, 4), date(2025, 11, 28), date(2026, 1, 30)):
        with pytest.raises(ValidationError, match="周五"):
            _save(camp, camp.k1, tree.k1, week=day)


def test_submission_needs_the_signers(camp, tree):
    with pytest.raises(ValidationError) as exc:
        services.arrears_save(actor=camp.k1, campaign=camp.campaign, org=tree.k1, week_of=FRIDAY, lines=lines(),
                              submit=True)
    assert {"head", "filled_by", "phone"} <= set(exc.value.message_dict)


def test_a_draft_is_updated_a_submitted_report_is_superseded(camp, tree):
    d = _save(camp, camp.k1, tree.k1, submit=False)
    d2 = _save(camp, camp.k1, tree.k1, submit=False, data=lines(state=("11.5", 2, 30), urban=("7.75", 2, 20)))
    assert d2.pk == d.pk and d2.lines.get(row="state").amount == Decimal("11.5")
    s1 = _save(camp, camp.k1, tree.k1)
    assert s1.pk == d.pk and s1.version == 1
    s2 = _save(camp, camp.k1, tree.k1, data=lines(state=("12.5", 2, 30), urban=("8.75", 2, 20)))
    assert s2.pk != s1.pk and s2.version == 2
    s1.refresh_from_db()
    assert s1.superseded and s1.lines.get(row="state").amount == Decimal("10.5")  # the old version is kept


def test_city_sum_equals_its_districts_and_lists_the_missing(camp, tree, users):
    from tests.conftest import actor_of, make_user
    from warmth.orgs.models import Role

    k4 = make_org(tree.c1, "510105", "青羊区总工会", OrgLevel.COUNTY, "510105")
    k4_handler = actor_of(make_user("k4_handler", k4, Role.HANDLER))
    a = lines()
    b = lines(state=("1", 1, 5), other=("2.5", 1, 5), urban=("1.5", 1, 4), migrant=("2", 1, 6),
              construction=("2", 1, 6))
    _save(camp, camp.k1, tree.k1, data=a)
    _save(camp, camp.k2, tree.k2, data=b)
    _save(camp, k4_handler, k4, submit=False)  # a draft is not submitted: 青羊 is missing
    _save(camp, camp.k1, tree.k1, week=date(2025, 12, 12))  # another week does not count
    week = queries.arrears_week(camp.campaign, tree.c1, FRIDAY)
    for row in a:
        for col in ("amount", "enterprises", "people"):
            want = Decimal(str(a[row][col])) + Decimal(str(b[row][col]))
            assert Decimal(str(week["sums"][row][col])) == want, (row, col)
    assert [c.code for c in week["missing"]] == ["510105"]
    # a correction replaces the district's figures in the sum; the old version is not added
    _save(camp, camp.k2, tree.k2, data=lines(state=("2", 1, 5), other=("2.5", 1, 5), urban=("2.5", 1, 4),
                                              migrant=("2", 1, 6), construction=("2", 1, 6)))
    week = queries.arrears_week(camp.campaign, tree.c1, FRIDAY)
    assert week["sums"]["state"]["amount"] == Decimal("12.5")


def test_outsider_cannot_report_for_another_unit(camp, tree):
    with pytest.raises(PermissionDenied):
        _save(camp, camp.outsider, tree.k1)
    with pytest.raises(PermissionDenied):
        _save(camp, camp.k2, tree.k1)
