from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.campaigns.conftest import quick_active
from tests.funds.factories import decided, raised
from warmth.archives.choices import ArchiveStatus
from warmth.archives.models import Archive
from warmth.audit.models import AuditEvent
from warmth.campaigns import services
from warmth.campaigns.choices import HouseholdClass, VisitKind
from warmth.campaigns.models import Activity, Campaign, PlannedHousehold, VisitGroup
from warmth.funds.models import LedgerEntry
from warmth.visits import services as visit_services
from warmth.visits.models import Visit

# --- the window -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("year", "festival", "focus"), [
    (2013, date(2014, 1, 31), (date(2014, 1, 7), date(2014, 1, 17))),   # seed 003 三.5: 腊月初七 = 1月7日
    (2011, date(2012, 1, 23), (date(2011, 12, 31), date(2012, 1, 10))),  # seed 004's 两节 of 2012
    (2025, date(2026, 2, 17), (date(2026, 1, 25), date(2026, 2, 4))),
])
def test_default_window_follows_the_lunar_calendar(year, festival, focus):
    w = services.default_window(year)
    assert (w["starts_on"], w["ends_on"]) == (date(year + 1, 1, 1), festival)
    assert (w["focus_from"], w["focus_to"]) == focus
    assert (w["arrears_from"], w["arrears_to"]) == (date(year, 12, 1), date(year + 1, 1, 22))


def test_fridays_of_the_weekly_report_window():
    days = services.fridays(date(2011, 12, 1), date(2012, 1, 22))
    assert days[0] == date(2011, 12, 2) and days[-1] == date(2012, 1, 20) and len(days) == 8
    assert all(d.weekday() == 4 for d in days)


def test_campaign_takes_the_defaults_and_is_audited(camp):
    c = camp.campaign
    assert (c.starts_on, c.ends_on) == (date(2026, 1, 1), date(2026, 2, 17))
    assert "保障部" in c.duties and "payment" not in c.duties
    assert AuditEvent.objects.filter(action="campaign.create", object_id=str(c.pk)).exists()


def test_one_campaign_per_org_and_year(camp, tree):
    with pytest.raises(ValidationError, match="已有 2025 年度"):
        services.campaign_create(actor=camp.planner, org=tree.c1, year=2025, theme="重复")
    assert Campaign.objects.count() == 1


@pytest.mark.parametrize(("changes", "field"), [
    ({"ends_on": date(2025, 12, 1)}, "ends_on"),
    ({"focus_from": date(2026, 1, 10), "focus_to": None}, "focus_to"),
    ({"focus_from": date(2025, 12, 1), "focus_to": date(2025, 12, 5)}, "focus_from"),
    ({"recipient_kinds": ["nobody"]}, "recipient_kinds"),
    ({"duties": {"不存在的部门": "x"}}, "duties"),
    ({"theme": ""}, "theme"),
])
def test_bad_campaign_edits_are_refused_and_nothing_changes(camp, changes, field):
    with pytest.raises(ValidationError) as exc:
        services.campaign_update(actor=camp.planner, campaign=camp.campaign, **changes)
    assert field in exc.value.message_dict
    camp.campaign.refresh_from_db()
    assert camp.campaign.ends_on == date(2026, 2, 17) and camp.campaign.theme == "两节送温暖活动"


def test_outsider_and_read_only_roles_cannot_plan(camp, tree):
    with pytest.raises(PermissionDenied):
        services.campaign_create(actor=camp.outsider, org=tree.c1, year=2026, theme="x")
    with pytest.raises(PermissionDenied):
        services.group_create(actor=camp.auditor, campaign=camp.campaign, name="第一组", leaders="a", liaison="b",
                              units=[tree.k1])


# --- groups and the rule ---------------------------------------------------------------------------------

def _group(camp, tree, name="第一组", units=None):
    return services.group_create(actor=camp.planner, campaign=camp.campaign, name=name, leaders="李丰海 唐建勋",
                                 liaison="邱军", units=units or [tree.k1], departments=["保障部", "宣教部"])


def _plan(camp, g, klasses):
    for i, k in enumerate(klasses):
        services.household_plan(actor=camp.planner, group=g, name=f"户{i}", unit="某厂", klass=k)


M, N, W, X = HouseholdClass.MODEL, HouseholdClass.MIGRANT, HouseholdClass.WORKER, HouseholdClass.OTHER


@pytest.mark.parametrize(("klasses", "failing"), [
    ([M, N, W, W], set()),                 # the seed's minimum exactly
    ([M, N, W, W, W, X], set()),           # more is fine
    ([M, N, W], {"total", W}),             # 3 households
    ([N, W, W, W], {M}),                   # no 困难劳模
    ([M, W, W, W], {N}),                   # no 困难农民工
    ([M, N, W, X], {W}),                   # one 困难职工 only, 4 households
    ([M, M, N, N], {W}),                   # 4 households, no 困难职工
    ([], {"total", M, N, W}),
])
def test_group_rule_passes_and_fails_each_clause(camp, tree, klasses, failing):
    g = _group(camp, tree)
    _plan(camp, g, klasses)
    result = services.group_rule(g)
    assert {c["code"] for c in result if not c["ok"]} == failing
    assert services.group_rule_ok(g) is (not failing)


def test_a_dropped_household_no_longer_counts(camp, tree):
    g = _group(camp, tree)
    _plan(camp, g, [M, N, W, W])
    h = g.households.filter(klass=M).get()
    services.household_drop(actor=camp.planner, household=h, reason="本人外出")
    assert not services.group_rule_ok(g)
    assert PlannedHousehold.objects.filter(pk=h.pk, dropped=True).exists()  # kept, not deleted


def test_an_archive_is_planned_with_its_class(camp, tree):
    g = _group(camp, tree)
    for a in (camp.arch.model, camp.arch.migrant, camp.arch.worker1, camp.arch.worker2):
        services.household_plan(actor=camp.planner, group=g, archive=a)
    assert sorted(g.households.values_list("klass", flat=True)) == sorted([M, N, W, W])
    assert services.group_rule_ok(g)
    with pytest.raises(ValidationError, match="已在本组"):
        services.household_plan(actor=camp.planner, group=g, archive=camp.arch.model)


def test_planning_refuses_an_archive_outside_the_groups_units_or_not_active(camp, tree):
    g = _group(camp, tree)
    with pytest.raises(ValidationError, match="走访单位之内"):
        services.household_plan(actor=camp.planner, group=g, archive=camp.arch.k2_worker)
    Archive.objects.filter(pk=camp.arch.worker1.pk).update(status=ArchiveStatus.EXITED)
    camp.arch.worker1.refresh_from_db()
    with pytest.raises(ValidationError, match="只能安排在档户"):
        services.household_plan(actor=camp.planner, group=g, archive=camp.arch.worker1)
    assert not g.households.exists()


def test_a_group_cannot_visit_an_org_outside_the_campaign(camp, tree):
    with pytest.raises(ValidationError) as exc:
        _group(camp, tree, units=[tree.k1, tree.p1])
    assert "不在本次活动范围" in exc.value.message_dict["units"][0]
    assert not VisitGroup.objects.exists()


def test_group_names_are_unique_in_a_campaign(camp, tree):
    _group(camp, tree)
    with pytest.raises(ValidationError, match="已有名为"):
        _group(camp, tree)


def test_checklist_date_must_be_in_the_window_and_money_is_exact(camp, tree):
    g = _group(camp, tree)
    with pytest.raises(ValidationError) as exc:
        services.group_checklist(actor=camp.planner, group=g, planned_on=date(2026, 3, 1), route="x",
                                 money_collected="1.005", receipts_done=False)
    assert set(exc.value.message_dict) == {"planned_on", "money_collected"}
    services.group_checklist(actor=camp.planner, group=g, planned_on=date(2026, 1, 26), route="上午汝州，下午平煤",
                             money_collected="8000", receipts_done=True)
    g.refresh_from_db()
    assert g.money_collected == Decimal("8000.00") and g.receipts_done


# --- visits ----------------------------------------------------------------------------------------------

def _visit(camp, **kw):
    args = {"actor": camp.planner, "campaign": camp.campaign, "kind": VisitKind.HOUSEHOLD, "visited_on": camp.day,
            "visitors": "张三、李四"}
    args.update(kw)
    return visit_services.visit_record(**args)


def test_household_visit_of_an_archive(camp):
    r = _visit(camp, archive=camp.arch.worker1, handed_over="慰问金 500 元、米面油")
    assert r.warnings == []
    v = r.visit
    assert v.org == camp.arch.worker1.org and v.name == camp.arch.worker1.name
    assert v.id_number_bidx == camp.arch.worker1.id_number_bidx


def test_a_visit_outside_the_window_is_refused_and_inside_it_is_recorded(camp):
    c = camp.campaign
    for day in (c.starts_on - timedelta(days=1), c.ends_on + timedelta(days=1), date(2026, 3, 5)):
        with pytest.raises(ValidationError) as exc:
            _visit(camp, archive=camp.arch.worker1, visited_on=day)
        assert exc.value.message_dict["visited_on"] == [
            f"走访日期须在活动时间（{c.starts_on:%Y-%m-%d} 至 {c.ends_on:%Y-%m-%d}）之内，{day:%Y-%m-%d} 不在其中"]
    assert not Visit.objects.exists()
    for day in (c.starts_on, c.ends_on):  # both ends belong to the window
        assert _visit(camp, archive=camp.arch.worker2, visited_on=day).visit.pk


def test_a_second_visit_of_the_same_household_warns(camp):
    _visit(camp, archive=camp.arch.worker1)
    r = _visit(camp, archive=camp.arch.worker1)
    assert any("不重复" in w for w in r.warnings)


def test_a_visit_to_an_archive_not_active_is_refused(camp):
    Archive.objects.filter(pk=camp.arch.worker1.pk).update(status=ArchiveStatus.EXITED)
    camp.arch.worker1.refresh_from_db()
    with pytest.raises(ValidationError, match="只能走访在档户"):
        _visit(camp, archive=camp.arch.worker1)
    assert not Visit.objects.exists()


def test_a_visit_outside_the_campaign_subtree_is_refused(camp, users, tree):
    from tests.conftest import actor_of

    with pytest.raises(ValidationError, match="不在本次活动范围"):
        visit_services.visit_record(actor=actor_of(users.leader), campaign=camp.campaign, kind=VisitKind.ENTERPRISE,
                              visited_on=camp.day, visitors="x", org=tree.p1, enterprise="某企业")
    with pytest.raises(PermissionDenied):
        _visit(camp, actor=camp.outsider, kind=VisitKind.ENTERPRISE, org=tree.k3, enterprise="x")
    assert not Visit.objects.exists()


def test_visit_of_a_group_only_in_its_units(camp, tree):
    g = _group(camp, tree)
    with pytest.raises(ValidationError, match="走访单位之内"):
        _visit(camp, archive=camp.arch.k2_worker, group=g)


@pytest.mark.parametrize("bad", [-1, "x", "1.5"])
def test_negative_or_non_integer_counts_are_refused(camp, tree, bad):
    with pytest.raises(ValidationError) as exc:
        _visit(camp, kind=VisitKind.ENTERPRISE, org=tree.k1, enterprise="某厂", frontline_greeted=bad)
    assert "frontline_greeted" in exc.value.message_dict
    assert not Visit.objects.exists()


def test_other_recipient_needs_kind_and_valid_id(camp, tree):
    with pytest.raises(ValidationError) as exc:
        _visit(camp, org=tree.k1, name="赵师傅", recipient_kind="archive", id_number="123")
    assert {"recipient_kind", "id_number"} <= set(exc.value.message_dict)
    r = _visit(camp, org=tree.k1, name="赵师傅", recipient_kind="frontline")
    assert r.visit.archive is None


def test_cash_on_a_group_visit_is_deducted_from_the_visited_units_money(camp, tree, fin):
    pot = raised(fin.k1_finance, tree.k1, "5000.00")
    decided(fin.k1_leader, pot)
    g = _group(camp, tree)
    r = _visit(camp, actor=camp.k1, archive=camp.arch.worker1, group=g, cash_amount="500", cash_pot=pot)
    pot.refresh_from_db()
    assert pot.balance == Decimal("4500.00")
    entry = LedgerEntry.objects.get(pk=r.visit.entry_id)
    assert entry.amount == Decimal("-500.00") and "第一组" in entry.memo


def test_cash_without_a_group_or_from_a_foreign_pot_is_refused(camp, tree, fin):
    pot = raised(fin.k1_finance, tree.k1, "5000.00")
    decided(fin.k1_leader, pot)
    with pytest.raises(ValidationError) as exc:
        _visit(camp, actor=camp.k1, archive=camp.arch.worker1, cash_amount="500", cash_pot=pot)
    assert "cash_amount" in exc.value.message_dict
    g = _group(camp, tree, units=[tree.k1, tree.k2])
    with pytest.raises(ValidationError) as exc:
        _visit(camp, archive=camp.arch.k2_worker, group=g, cash_amount="100", cash_pot=pot)
    assert "cash_pot" in exc.value.message_dict
    pot.refresh_from_db()
    assert pot.balance == Decimal("5000.00") and not Visit.objects.exists()


def test_cash_above_the_pots_balance_writes_nothing(camp, tree, fin):
    pot = raised(fin.k1_finance, tree.k1, "100.00")
    decided(fin.k1_leader, pot)
    g = _group(camp, tree)
    with pytest.raises(ValidationError, match="余额"):
        _visit(camp, actor=camp.k1, archive=camp.arch.worker1, group=g, cash_amount="500", cash_pot=pot)
    assert not Visit.objects.exists()


def test_void_keeps_the_visit(camp):
    v = _visit(camp, archive=camp.arch.worker1).visit
    visit_services.visit_void(actor=camp.planner, visit=v, reason="录入错误")
    v.refresh_from_db()
    assert v.voided and v.void_reason == "录入错误"
    with pytest.raises(ValidationError):
        visit_services.visit_void(actor=camp.planner, visit=v, reason="again")


# --- rights, services, trips -----------------------------------------------------------------------------

def test_activity_records(camp, tree):
    a = services.activity_record(actor=camp.k1, org=tree.k1, kind="wage_recovery", on_date=camp.day, count=30,
                                 part=25, amount="120000", part_amount="100000", campaign=camp.campaign)
    assert (a.count, a.part, a.amount, a.part_amount) == (30, 25, Decimal("120000.00"), Decimal("100000.00"))
    t = services.activity_record(actor=camp.k1, org=tree.k1, kind="bus", on_date=camp.day, count=3, people=150)
    assert t.people == 150


@pytest.mark.parametrize(("kw", "field"), [
    ({"kind": "rights_case", "count": 5, "part": 6}, "part"),
    ({"kind": "wage_recovery", "count": 5, "amount": "100", "part_amount": "200"}, "part_amount"),
    ({"kind": "wage_recovery", "count": 5}, "amount"),
    ({"kind": "heating", "count": -1, "amount": "1"}, "count"),
    ({"kind": "bus", "count": 2}, "people"),
    ({"kind": "jobs", "count": 2.0}, "count"),
    ({"kind": "heating", "count": 3, "amount": 1.5}, "amount"),
    ({"kind": "nothing", "count": 1}, "kind"),
])
def test_bad_activity_is_refused_and_nothing_written(camp, tree, kw, field):
    with pytest.raises(ValidationError) as exc:
        services.activity_record(actor=camp.k1, org=tree.k1, on_date=camp.day, **kw)
    assert field in exc.value.message_dict
    assert not Activity.objects.exists()


# --- duty roster -----------------------------------------------------------------------------------------

def test_duty_roster(camp, tree):
    s = services.duty_add(actor=camp.k1, campaign=camp.campaign, org=tree.k1, on_date=date(2026, 2, 16),
                          starts=time(8, 30), ends=time(17, 30), person="王值班", phone="028-85551234",
                          leader="李主席")
    assert s.phone == "028-85551234"
    with pytest.raises(ValidationError) as exc:
        services.duty_add(actor=camp.k1, campaign=camp.campaign, org=tree.k1, on_date=date(2026, 2, 16),
                          starts=time(18, 0), ends=time(8, 0), person="", phone="abc")
    assert {"ends", "person", "phone"} <= set(exc.value.message_dict)
    services.duty_cancel(actor=camp.k1, shift=s)
    s.refresh_from_db()
    assert s.cancelled


def test_outsider_cannot_record_anything(camp, tree):
    with pytest.raises(PermissionDenied):
        services.activity_record(actor=camp.outsider, org=tree.k1, kind="jobs", on_date=camp.day, count=1)
    with pytest.raises(PermissionDenied):
        _visit(camp, actor=camp.outsider, archive=camp.arch.worker1)
    assert not Activity.objects.exists() and not Visit.objects.exists()


def test_quick_active_helper_makes_active_archives(camp, tree):
    a = quick_active(camp.planner, tree.k2)
    assert a.status == ArchiveStatus.ACTIVE
