"""The registry's services: a centre per 省/市/县 union with its level from the org, stations and partners closed
(never deleted), funding rows corrected by new rows; Chinese refusals with nothing written; the actor's subtree
and ``report.write``; every change audited in its own transaction."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.conftest import actor_of, make_user
from warmth.audit.models import AuditEvent
from warmth.centers import services
from warmth.centers.models import Center, CenterFunding, Partner, Station
from warmth.orgs.models import Role

pytestmark = pytest.mark.django_db


def counts():
    return (Center.objects.count(), Station.objects.count(), Partner.objects.count(), CenterFunding.objects.count(),
            AuditEvent.objects.filter(action__startswith="center.").count())


@pytest.fixture
def a(users, tree):
    """成都's handler (owner), 武侯's handler, a 四川 handler, the 海南 outsider and the read-only 经审 of 四川."""
    return {"city": actor_of(users.owner), "county": actor_of(users.county),
            "province": actor_of(make_user("p1_handler", tree.p1, Role.HANDLER)),
            "outsider": actor_of(users.outsider), "auditor": actor_of(users.auditor), "admin": actor_of(users.admin)}


@pytest.fixture
def wuhou(a, tree):
    return services.center_create(actor=a["county"], org=tree.k1, name="武侯区困难职工帮扶中心",
                                  founded_on=date(2012, 7, 1), staff_fulltime="3", staff_parttime=2, volunteers=30)


def test_a_centre_takes_its_level_from_its_union_and_is_audited(a, tree, wuhou):
    assert (wuhou.level, wuhou.staff, wuhou.created_by.username) == ("county", 5, "county")
    city = services.center_create(actor=a["city"], org=tree.c1, name="成都市困难职工帮扶中心",
                                  founded_on="2008-03-15", in_budget=True, matched_proportional=True)
    prov = services.center_create(actor=a["province"], org=tree.p1, name="四川省困难职工帮扶中心",
                                  founded_on=date(2004, 1, 1))
    assert (city.level, prov.level) == ("city", "provincial")
    e = AuditEvent.objects.get(action="center.create", object_id=str(city.pk))
    assert e.org_id == tree.c1.pk and e.after["in_budget"] is True and e.after["founded_on"] == "2008-03-15"


def test_one_centre_per_union_and_only_at_the_three_levels(a, tree, wuhou):
    before = counts()
    with pytest.raises(ValidationError, match="已登记帮扶中心"):
        services.center_create(actor=a["city"], org=tree.k1, name="再一个", founded_on=date(2015, 1, 1))
    with pytest.raises(ValidationError, match="帮扶中心只设在省、市\\(州\\)、县\\(区\\)总工会"):
        services.center_create(actor=a["county"], org=tree.g1, name="基层", founded_on=date(2015, 1, 1))
    assert counts() == before


def test_bad_input_is_refused_by_field_in_chinese_and_nothing_is_written(a, tree):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.center_create(actor=a["city"], org=tree.c1, name=" ", founded_on="2999-01-01",
                               staff_fulltime="-1", staff_parttime=1.5, volunteers="很多", area="-3",
                               in_budget="是")
    errors = exc.value.message_dict
    assert errors["name"] == ["请填写名称"] and errors["founded_on"] == ["成立日期不能晚于今天"]
    assert errors["staff_fulltime"] == ["专职工作人员（人）不能为负数"]
    assert errors["staff_parttime"] == ["兼职工作人员（人）须为整数"]
    assert "须为不小于 0 的整数" in errors["volunteers"][0] and "不能为负数" in errors["area"][0]
    assert "须为“是”或“否”" in errors["in_budget"][0]
    with pytest.raises(ValidationError, match="格式不正确"):
        services.center_create(actor=a["city"], org=tree.c1, name="x", founded_on="2020-13-01")
    assert counts() == before


def test_outsiders_and_read_only_roles_write_nothing(a, tree, wuhou):
    city = services.center_create(actor=a["city"], org=tree.c1, name="成都", founded_on=date(2008, 1, 1))
    before = counts()
    with pytest.raises(PermissionDenied):
        services.center_create(actor=a["outsider"], org=tree.c1, name="x", founded_on=date(2010, 1, 1))
    with pytest.raises(PermissionDenied):
        services.center_update(actor=a["outsider"], center=wuhou, volunteers=1)
    with pytest.raises(PermissionDenied):
        services.station_add(actor=a["outsider"], center=wuhou, kind="township", name="x", set_up_on=date(2020, 1, 1))
    for role in ("auditor", "admin"):
        with pytest.raises(PermissionDenied):
            services.funding_add(actor=a[role], center=wuhou, year=2025, source="central", amount="1")
        with pytest.raises(PermissionDenied):
            services.center_update(actor=a[role], center=wuhou, volunteers=1)
    with pytest.raises(PermissionDenied):  # a district does not keep its city's centre
        services.partner_add(actor=a["county"], center=city, kind="hospital", name="x", agreed_on=date(2020, 1, 1))
    assert counts() == before


def test_an_update_audits_only_what_changed(a, wuhou):
    n = AuditEvent.objects.filter(action="center.update").count()
    services.center_update(actor=a["city"], center=wuhou, volunteers="30", name="武侯区困难职工帮扶中心")
    assert AuditEvent.objects.filter(action="center.update").count() == n  # nothing changed, nothing written
    services.center_update(actor=a["city"], center=wuhou, volunteers="45", hotline="028-12351", in_budget=True)
    e = AuditEvent.objects.filter(action="center.update").latest("id")
    assert e.before == {"volunteers": 30, "in_budget": False, "hotline": ""}
    assert e.after == {"volunteers": 45, "in_budget": True, "hotline": "028-12351"}
    assert Center.objects.get(pk=wuhou.pk).volunteers == 45
    with pytest.raises(TypeError):
        services.center_update(actor=a["city"], center=wuhou, level="city")


def test_stations_sit_in_the_centres_subtree_and_only_enterprises_have_the_flags(a, tree, wuhou):
    s = services.station_add(actor=a["county"], center=wuhou, kind="enterprise", name="供电公司帮扶站点",
                             set_up_on="2020-05-01", org=tree.g1, above_scale=True, non_public=False)
    assert (s.org, s.above_scale, s.center) == (tree.g1, True, wuhou)
    assert services.station_add(actor=a["county"], center=wuhou, kind="township", name="街道",
                                set_up_on=date(2021, 1, 1)).org == tree.k1
    before = counts()
    with pytest.raises(ValidationError, match="站点所在工会须是武侯区总工会或其下级工会"):
        services.station_add(actor=a["city"], center=wuhou, kind="township", name="x", set_up_on=date(2021, 1, 1),
                             org=tree.k2)
    with pytest.raises(ValidationError, match="只有企业帮扶站点才区分规模以上企业和非公企业"):
        services.station_add(actor=a["county"], center=wuhou, kind="community", name="x",
                             set_up_on=date(2021, 1, 1), non_public=True)
    with pytest.raises(ValidationError, match="请选择站点类型"):
        services.station_add(actor=a["county"], center=wuhou, kind="村委会", name="x", set_up_on=date(2021, 1, 1))
    assert counts() == before


def test_a_station_is_closed_with_a_date_and_a_reason_and_never_deleted(a, wuhou):
    s = services.station_add(actor=a["county"], center=wuhou, kind="township", name="红牌楼街道工会帮扶工作站",
                             set_up_on=date(2020, 5, 1))
    with pytest.raises(ValidationError) as exc:
        services.station_close(actor=a["county"], station=s, closed_on=date(2019, 1, 1), reason="")
    assert exc.value.message_dict == {"closed_on": ["关闭日期不能早于设立日期（2020-05-01）"],
                                      "reason": ["请填写关闭原因"]}
    assert Station.objects.get(pk=s.pk).closed_on is None
    services.station_close(actor=a["county"], station=s, closed_on="2025-06-30", reason="街道撤并")
    s.refresh_from_db()
    assert (s.closed_on, s.close_reason, s.closed_by.username) == (date(2025, 6, 30), "街道撤并", "county")
    assert not s.open_at(date(2025, 12, 31)) and s.open_at(date(2024, 12, 31))
    with pytest.raises(ValidationError, match="已于2025-06-30关闭"):
        services.station_close(actor=a["county"], station=s, closed_on=date(2025, 7, 1), reason="再关")
    with pytest.raises(ValidationError, match="不能删除"):
        s.delete()
    assert Station.objects.filter(pk=s.pk).exists()
    e = AuditEvent.objects.get(action="center.station_close")
    assert e.after == {"closed_on": "2025-06-30", "reason": "街道撤并"} and e.object_type == "center_station"


def test_partners_are_added_and_closed(a, wuhou):
    x = services.partner_add(actor=a["county"], center=wuhou, kind="hospital", name="武侯区人民医院",
                             agreed_on="2019-03-01")
    assert (x.org, x.get_kind_display()) == (wuhou.org, "爱心医院")
    with pytest.raises(ValidationError, match="请选择机构类型"):
        services.partner_add(actor=a["county"], center=wuhou, kind="clinic", name="x", agreed_on="2019-03-01")
    services.partner_close(actor=a["city"], partner=x, closed_on=date(2024, 3, 1), reason="协议到期")
    assert Partner.objects.get(pk=x.pk).closed_on == date(2024, 3, 1)
    assert AuditEvent.objects.filter(action__in=["center.partner_add", "center.partner_close"]).count() == 2


def test_funding_amounts_are_exact_yuan_and_special_money_is_local_finance(a, wuhou):
    row = services.funding_add(actor=a["county"], center=wuhou, year="2025", source="local", amount="120,000.50",
                               special=True, note="武财社〔2025〕8号")
    assert (row.amount, row.special, row.org) == (Decimal("120000.50"), True, wuhou.org)
    before = counts()
    bad = [({"amount": 1.5}, "amount", "浮点数"), ({"amount": "1.005"}, "amount", "两位小数"),
           ({"amount": "0"}, "amount", "大于零"), ({"amount": "-3"}, "amount", "负数"),
           ({"source": "central", "special": True}, "special", "只有地方财政拨款"),
           ({"year": 2011}, "year", "帮扶中心成立于2012年07月01日"), ({"year": 2999}, "year", "年度须为"),
           ({"source": "lottery"}, "source", "请选择资金来源")]
    for change, field, message in bad:
        kw = {"year": 2025, "source": "local", "amount": "10", **change}
        with pytest.raises(ValidationError) as exc:
            services.funding_add(actor=a["county"], center=wuhou, **kw)
        assert message in exc.value.message_dict[field][0], change
    assert counts() == before


def test_a_correction_is_a_new_row_and_the_old_one_is_superseded(a, wuhou):
    row = services.funding_add(actor=a["county"], center=wuhou, year=2025, source="union", amount="50000")
    new = services.funding_correct(actor=a["city"], funding=row, amount="55000", reason="补登下半年")
    row.refresh_from_db()
    assert row.superseded and new.replaces == row and not new.superseded and new.amount == Decimal("55000.00")
    assert (new.year, new.source, new.center, new.reason) == (2025, "union", wuhou, "补登下半年")
    e = AuditEvent.objects.get(action="center.funding_correct")
    assert e.before["amount"] == "50000.00" and e.after["amount"] == "55000.00" and e.after["reason"] == "补登下半年"
    with pytest.raises(ValidationError, match="已被更正"):
        services.funding_correct(actor=a["city"], funding=row, amount="1", reason="x")
    with pytest.raises(ValidationError, match="与原记录相同"):
        services.funding_correct(actor=a["city"], funding=new, amount="55000.00", reason="x")
    with pytest.raises(ValidationError, match="请填写更正理由"):
        services.funding_correct(actor=a["city"], funding=new, amount="1", reason="  ")
    withdrawn = services.funding_correct(actor=a["city"], funding=new, amount="0", source="other", reason="误登")
    assert (withdrawn.amount, withdrawn.source) == (Decimal("0.00"), "other")
    assert list(CenterFunding.objects.filter(superseded=False)) == [withdrawn]
    assert CenterFunding.objects.count() == 3
    with pytest.raises(ValidationError, match="不能删除"):
        row.delete()


def test_a_correction_is_all_or_nothing(a, wuhou, monkeypatch):
    row = services.funding_add(actor=a["county"], center=wuhou, year=2025, source="central", amount="100")

    def broken(**kw):
        raise RuntimeError("审计写入失败")

    monkeypatch.setattr(services, "audit_record", broken)
    with pytest.raises(RuntimeError):
        services.funding_correct(actor=a["county"], funding=row, amount="200", reason="更正")
    row.refresh_from_db()
    assert not row.superseded and CenterFunding.objects.count() == 1
    with pytest.raises(RuntimeError):
        services.station_add(actor=a["county"], center=wuhou, kind="park", name="园区", set_up_on=date(2020, 1, 1))
    assert not Station.objects.exists()
