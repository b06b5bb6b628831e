"""The centre pages: 成都's handler registers 成都's centre, adds stations, partners and money, closes and corrects;
武侯's handler keeps 武侯's only; the 海南 outsider gets 404 on every centre URL and writes nothing; the 四川 经审
reads everything and writes nothing."""

from datetime import date

import pytest
from django.urls import reverse

from tests.centers.conftest import build_registry
from warmth.audit.models import AuditEvent
from warmth.centers import services
from warmth.centers.models import Center, CenterFunding, Partner, Station

pytestmark = pytest.mark.django_db


def text(r) -> str:
    return r.content.decode()


def snapshot():
    return (sorted(Center.objects.values_list("pk", "name", "volunteers", "in_budget")),
            sorted(Station.objects.values_list("pk", "closed_on")),
            sorted(Partner.objects.values_list("pk", "closed_on")),
            sorted(CenterFunding.objects.values_list("pk", "amount", "superseded")),
            AuditEvent.objects.filter(action__startswith="center.").count())


CENTER_FORM = {"org": "510100", "name": "成都市困难职工帮扶中心", "founded_on": "2008-03-15",
               "address": "成都市人民中路", "own_premises": "on", "area": "600", "staff_fulltime": "8",
               "staff_parttime": "4", "volunteers": "60",
               "in_budget": "on", "matched_proportional": "on", "hours": "工作日", "hotline": "12351"}


def test_register_a_centre_and_keep_its_registry(client, users, tree):
    client.force_login(users.owner)
    assert client.get(reverse("center_create")).status_code == 200
    r = client.post(reverse("center_create"), CENTER_FORM, follow=True)
    c = Center.objects.get()
    assert r.redirect_chain[-1][0] == reverse("center_detail", args=[c.pk])
    page = text(r)
    assert "成都市困难职工帮扶中心" in page and "12 人（专职 8 人，兼职 4 人）" in page
    assert (c.level, c.in_budget, c.matched_proportional, c.matched_equal, c.area) == ("city", True, True, False, 600)
    detail = reverse("center_detail", args=[c.pk])
    # a station at a district's grassroots union, a partner, money
    r = client.post(reverse("center_station_add", args=[c.pk]), {
        "s_kind": "enterprise", "s_name": "供电公司帮扶站点", "s_set_up_on": "2020-05-01", "s_org": "510107-0001",
        "s_above_scale": "on"})
    assert r.status_code == 302 and r.url.startswith(detail)
    s = Station.objects.get()
    assert (s.org, s.above_scale, s.non_public) == (tree.g1, True, False)
    client.post(reverse("center_partner_add", args=[c.pk]), {"p_kind": "hospital", "p_name": "成都市第一人民医院",
                                                             "p_agreed_on": "2019-01-01"})
    r = client.post(reverse("center_funding_add", args=[c.pk]), {
        "f_year": "2025", "f_source": "local", "f_amount": "150000", "f_special": "on", "f_note": "成财社〔2025〕1号"})
    assert r.status_code == 302 and r.url == f"{detail}?year=2025#funding"
    page = text(client.get(f"{detail}?year=2025"))
    assert "供电公司帮扶站点" in page and "成都市第一人民医院" in page and 'id="funding-total">150,000.00<' in page
    assert 'id="funding-special">150,000.00<' in page and 'id="n-stations">1<' in page
    # correct the money, close the station and the partner
    f = CenterFunding.objects.get()
    assert client.get(reverse("center_funding_correct", args=[f.pk])).status_code == 200
    r = client.post(reverse("center_funding_correct", args=[f.pk]), {
        "amount": "160000", "source": "local", "special": "on", "note": f.note, "reason": "追加拨款"})
    assert r.status_code == 302
    assert list(CenterFunding.objects.filter(superseded=False).values_list("amount", flat=True)) == [160000]
    client.post(reverse("center_station_close", args=[s.pk]), {"closed_on": "2025-06-30", "reason": "企业改制"})
    client.post(reverse("center_partner_close", args=[Partner.objects.get().pk]),
                {"closed_on": "2025-07-01", "reason": "协议到期"})
    page = text(client.get(f"{detail}?year=2025"))
    assert "2025-06-30 关闭：企业改制" in page and "2025-07-01 关闭：协议到期" in page and "已被更正" in page
    assert 'id="n-stations">0<' in page and 'id="funding-total">160,000.00<' in page
    # the list shows the centre with its figures and the subtree's summary
    page = text(client.get(reverse("center_list") + "?year=2024"))
    assert "成都市困难职工帮扶中心" in page and 'id="sum-count">1<' in page and 'id="sum-staff">12<' in page
    # edit
    r = client.post(reverse("center_edit", args=[c.pk]), {**CENTER_FORM, "volunteers": "75", "in_budget": ""})
    assert r.status_code == 302
    c.refresh_from_db()
    assert (c.volunteers, c.in_budget) == (75, False)
    assert AuditEvent.objects.filter(action__startswith="center.").count() == 8


def test_bad_input_is_a_chinese_message_and_nothing_is_written(client, users, tree):
    client.force_login(users.owner)
    r = client.post(reverse("center_create"), {**CENTER_FORM, "name": "", "staff_fulltime": "-2"})
    assert r.status_code == 422 and "请填写名称" in text(r) and "不能为负数" in text(r)
    r = client.post(reverse("center_create"), {**CENTER_FORM, "org": "510107-0001"})
    assert r.status_code == 422 and "帮扶中心只设在" in text(r)
    r = client.post(reverse("center_create"), {**CENTER_FORM, "org": "460000"})
    assert r.status_code == 422 and "不存在或不在您的管辖范围内" in text(r)
    assert not Center.objects.exists()
    c = services.center_create(actor=None, org=tree.c1, name="成都市困难职工帮扶中心", founded_on=date(2008, 1, 1))
    before = snapshot()
    r = client.post(reverse("center_funding_add", args=[c.pk]), {"f_year": "2025", "f_source": "central",
                                                                 "f_amount": "1.5", "f_special": "on"})
    assert r.status_code == 422 and "只有地方财政拨款" in text(r)
    assert 'value="1.5"' in text(r)  # the typed amount is kept
    r = client.post(reverse("center_station_add", args=[c.pk]), {"s_kind": "township", "s_name": "x",
                                                                 "s_set_up_on": "2020-01-01", "s_org": "460105"})
    assert r.status_code == 422 and "不存在或不在您的管辖范围内" in text(r)
    r = client.post(reverse("center_station_add", args=[c.pk]), {"s_kind": "township", "s_name": "",
                                                                 "s_set_up_on": ""})
    assert r.status_code == 422 and "请填写站点名称" in text(r) and "请填写设立日期" in text(r)
    assert snapshot() == before


@pytest.fixture
def world(tree):
    """The registry of the shared tree, and one of each of 成都's records to aim at."""
    reg = build_registry(tree)
    c = reg.c1
    return {"center": c, "station": Station.objects.filter(center=c, closed_on=None).first()
            or services.station_add(actor=None, center=c, kind="park", name="园区", set_up_on=date(2020, 1, 1)),
            "partner": Partner.objects.filter(center=c, closed_on=None).first()
            or services.partner_add(actor=None, center=c, kind="school", name="学校", agreed_on=date(2020, 1, 1)),
            "funding": CenterFunding.objects.filter(center=c, superseded=False).first()}


def routes(w):
    c, s, x, f = w["center"].pk, w["station"].pk, w["partner"].pk, w["funding"].pk
    return [
        ("GET", reverse("center_detail", args=[c]), {}),
        ("GET", reverse("center_edit", args=[c]), {}),
        ("POST", reverse("center_edit", args=[c]), {**CENTER_FORM, "volunteers": "999"}),
        ("POST", reverse("center_station_add", args=[c]),
         {"s_kind": "park", "s_name": "x", "s_set_up_on": "2020-01-01"}),
        ("POST", reverse("center_partner_add", args=[c]),
         {"p_kind": "school", "p_name": "x", "p_agreed_on": "2020-01-01"}),
        ("POST", reverse("center_funding_add", args=[c]), {"f_year": "2025", "f_source": "union", "f_amount": "9"}),
        ("POST", reverse("center_station_close", args=[s]), {"closed_on": "2025-01-01", "reason": "x"}),
        ("POST", reverse("center_partner_close", args=[x]), {"closed_on": "2025-01-01", "reason": "x"}),
        ("GET", reverse("center_funding_correct", args=[f]), {}),
        ("POST", reverse("center_funding_correct", args=[f]), {"amount": "1", "source": "union", "reason": "x"}),
    ]


def test_the_outsider_gets_404_everywhere_and_writes_nothing(client, users, world):
    client.force_login(users.outsider)  # 海南省总工会's handler: a sibling subtree with centres of its own
    before = snapshot()
    for method, url, data in routes(world):
        r = client.get(url) if method == "GET" else client.post(url, data)
        assert r.status_code == 404, (method, url)
        assert "成都" not in text(r) and "武侯" not in text(r)
    page = text(client.get(reverse("center_list") + "?year=2025"))
    assert "海南省困难职工帮扶中心" in page and "成都" not in page and "四川" not in page
    r = client.post(reverse("center_create"), {**CENTER_FORM, "org": "510107"})
    assert r.status_code == 422 and "不存在或不在您的管辖范围内" in text(r)
    assert snapshot() == before


def test_the_auditor_reads_but_cannot_write(client, users, world):
    client.force_login(users.auditor)  # 四川's 经审/纪检: sees the subtree, holds no report.write
    before = snapshot()
    page = text(client.get(reverse("center_list") + "?year=2025"))
    assert "成都市困难职工帮扶中心" in page and "武侯区困难职工帮扶中心" in page and "海南" not in page
    assert 'id="center-new"' not in page
    detail = text(client.get(reverse("center_detail", args=[world["center"].pk])))
    assert "station-form" not in detail and "funding-form" not in detail and "更正</a>" not in detail
    for method, url, data in routes(world)[1:]:
        r = client.get(url) if method == "GET" else client.post(url, data)
        assert r.status_code == 403, (method, url)
    assert client.post(reverse("center_create"), CENTER_FORM).status_code == 403
    assert snapshot() == before


def test_a_district_keeps_its_own_centre_only(client, users, world, tree):
    client.force_login(users.county)  # 武侯's handler
    mine = Center.objects.get(org=tree.k1)
    assert client.get(reverse("center_detail", args=[mine.pk])).status_code == 200
    page = text(client.get(reverse("center_list")))
    assert "武侯区困难职工帮扶中心" in page and "锦江" not in page and 'id="sum-count">1<' in page
    before = snapshot()
    for method, url, data in routes(world):  # 成都's centre lies above 武侯
        r = client.get(url) if method == "GET" else client.post(url, data)
        assert r.status_code == 404, (method, url)
    assert snapshot() == before


def test_the_list_costs_the_same_for_many_centres(client, users, tree, django_assert_max_num_queries):
    build_registry(tree)
    client.force_login(users.admin)  # 四川's admin sees 四川, 成都, 武侯, 锦江
    with django_assert_max_num_queries(60):
        r = client.get(reverse("center_list") + "?year=2025")
    assert r.status_code == 200
    page = text(r)
    for name in ("四川省困难职工帮扶中心", "成都市困难职工帮扶中心", "锦江区困难职工帮扶中心"):
        assert name in page
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("center_list") + "?year=2025&level=county")
    for n in range(3):
        services.station_add(actor=None, center=Center.objects.get(org=tree.k2), kind="park", name=f"园区{n}",
                             set_up_on=date(2020, 1, 1))
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("center_list") + "?year=2025")
    assert len(more) <= len(few) + 2  # no query per centre or per station


def test_anonymous_visitors_are_sent_to_login(client, world):
    for method, url, data in routes(world):
        r = client.get(url) if method == "GET" else client.post(url, data)
        assert r.status_code == 302 and "/login/" in r.url, url
    r = client.get(reverse("center_list"))
    assert r.status_code == 302 and "/login/" in r.url
