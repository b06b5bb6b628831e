"""The campaign API: a campaign, a group with its rule, visits moving coverage, the weekly report summed with the
missing list, activities, duty; bad input refused with nothing written; the outsider gets 404."""

import json

import pytest

from tests.conftest import actor_of
from warmth.campaigns.models import Activity, ArrearsReport, Campaign, DutyShift, VisitGroup
from warmth.orgs.services import token_create
from warmth.visits.models import Visit

pytestmark = pytest.mark.django_db


def h(user):
    return {"HTTP_AUTHORIZATION": "Bearer " + token_create(actor=actor_of(user), name="t")[1]}


def post(client, path, body, user):
    return client.post(path, body if isinstance(body, str) else json.dumps(body), content_type="application/json",
                       **h(user))


def get(client, path, user):
    return client.get(path, **h(user))


def test_plan_a_group_record_visits_and_see_coverage_move(client, camp, tree, users):
    c = camp.campaign.pk
    before = get(client, f"/api/campaigns/{c}/coverage?org={tree.c1.code}", users.owner).json()
    assert (before["filed"], before["visited"], before["not_visited"]) == (5, 0, 5)
    r = post(client, f"/api/campaigns/{c}/groups", {"name": "第一组", "leaders": "王主席", "liaison": "李联络",
                                                     "units": [tree.k1.code]}, users.owner)
    assert r.status_code == 201, r.content
    g = r.json()
    assert g["rule_ok"] is False and g["units"] == [tree.k1.code]
    for a in (camp.arch.model, camp.arch.migrant, camp.arch.worker1, camp.arch.worker2):
        r = post(client, f"/api/campaigns/groups/{g['id']}/households", {"archive_no": a.archive_no}, users.owner)
        assert r.status_code == 201, r.content
    g = r.json()
    assert g["rule_ok"] is True and [x["have"] for x in g["rule"]] == [4, 1, 1, 2]
    for a in (camp.arch.model, camp.arch.worker1):
        r = post(client, f"/api/campaigns/{c}/visits", {"kind": "household", "visited_on": "2026-01-20",
                                                         "visitors": "王主席", "group": g["id"],
                                                         "archive_no": a.archive_no}, users.county)
        assert r.status_code == 201, r.content
        assert r.json()["warnings"] == [] and "*" in r.json()["visit"]["id_number"]
    r = post(client, f"/api/campaigns/{c}/visits", {"kind": "household", "visited_on": "2026-03-20",
                                                     "visitors": "王主席", "archive_no": camp.arch.worker1.archive_no},
             users.county)
    assert r.status_code == 422 and "走访日期须在活动时间" in r.json()["errors"]["visited_on"][0]  # outside: refused
    r = post(client, f"/api/campaigns/{c}/visits", {"kind": "household", "visited_on": "2026-02-10",
                                                     "visitors": "王主席", "archive_no": camp.arch.worker1.archive_no},
             users.county)
    assert r.status_code == 201 and len(r.json()["warnings"]) == 1  # a second visit
    after = get(client, f"/api/campaigns/{c}/coverage?org={tree.c1.code}", users.owner).json()
    assert (after["filed"], after["visited"], after["not_visited"], after["visited_twice"]) == (5, 2, 3, 1)
    assert after["models_visited"] == 1
    kids = {k["code"]: k for k in after["children"]}
    assert kids[tree.k1.code]["visited"] == 2 and kids[tree.k2.code]["visited"] == 0
    nv = get(client, f"/api/campaigns/{c}/not-visited?org={tree.c1.code}", users.owner).json()
    assert nv["count"] == 3 and camp.arch.worker1.archive_no not in {x["archive_no"] for x in nv["items"]}
    detail = get(client, f"/api/campaigns/{c}", users.owner).json()
    assert detail["coverage"]["visited"] == 2 and detail["groups"][0]["rule_ok"] is True
    # the county sees the city's campaign, from its own org, with its groups read only, and cannot plan it
    county = get(client, f"/api/campaigns/{c}", users.county).json()
    assert county["viewed_from"] == tree.k1.code and [g["own"] for g in county["groups"]] == [False]
    assert post(client, f"/api/campaigns/{c}/groups", {"name": "x", "leaders": "x", "liaison": "x",
                                                        "units": [tree.k1.code]}, users.county).status_code == 404
    visit = Visit.objects.filter(archive=camp.arch.worker1).first()
    r = post(client, f"/api/campaigns/visits/{visit.pk}/void", {"reason": "录重了"}, users.county)
    assert r.status_code == 200 and r.json()["voided"] is True
    listed = get(client, f"/api/campaigns/{c}/visits", users.owner).json()
    assert listed["count"] == 3


def test_bad_input_is_refused_and_nothing_is_written(client, camp, tree, users):
    c = camp.campaign.pk
    cases = [
        ({"kind": "household", "visited_on": "2026-01-20", "visitors": "x", "org": tree.k1.code,
          "recipient_kind": "retiree", "name": "王", "cash_amount": 12.5}, 422),  # a float for money
        ({"kind": "enterprise", "visited_on": "2026-01-20", "visitors": "x", "org": tree.k1.code,
          "enterprise": "某厂", "frontline_greeted": -3}, 422),
        ({"kind": "household", "visited_on": "2026-01-20", "visitors": "x", "org": tree.p1.code,
          "recipient_kind": "retiree", "name": "王"}, 422),  # the province is outside 成都's campaign
    ]
    for body, status in cases:
        r = post(client, f"/api/campaigns/{c}/visits", body, users.owner)
        assert r.status_code in (status, 404), (body, r.content)
    assert not Visit.objects.exists()
    r = post(client, "/api/campaigns/activities", {"org": tree.k1.code, "kind": "rights_case", "on_date": "2026-01-05",
                                                   "count": 3, "part": 5}, users.county)
    assert r.status_code == 422 and "part" in r.json()["errors"], r.json()
    assert not Activity.objects.exists()
    r = post(client, "/api/campaigns/", {"org": tree.c1.code, "year": 2025, "theme": "重复"}, users.owner)
    assert r.status_code == 422 and Campaign.objects.count() == 1


def test_weekly_report_through_the_api_and_the_city_sum(client, camp, tree, users):
    c = camp.campaign.pk
    lines = {"other": {"amount": "12.5", "enterprises": 2, "people": 30},
             "urban": {"amount": "2.5", "enterprises": 1, "people": 10},
             "migrant": {"amount": "10", "enterprises": 2, "people": 20},
             "construction": {"amount": "25", "enterprises": 1, "people": 5}}
    r = post(client, f"/api/campaigns/{c}/arrears", {"week_of": "2025-12-05", "lines": lines, "submit": True},
             users.county)
    assert r.status_code == 422 and "construction.amount" in r.json()["errors"]
    assert not ArrearsReport.objects.exists()
    lines["construction"]["amount"] = "6"
    r = post(client, f"/api/campaigns/{c}/arrears", {"week_of": "2025-12-05", "lines": lines, "submit": True,
                                                      "filled_by": "张三", "head": "李主席", "phone": "028-85551234"},
             users.county)
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "submitted" and r.json()["lines"]["migrant"]["amount"] == "10.0000"
    week = get(client, f"/api/campaigns/{c}/arrears?week_of=2025-12-05", users.owner).json()
    assert week["org"] == tree.c1.code and week["submitted"] == [tree.k1.code]
    assert [m["code"] for m in week["missing"]] == [tree.k2.code]
    assert week["sums"]["other"] == {"amount": "12.5000", "enterprises": 2, "people": 30}
    r = post(client, f"/api/campaigns/{c}/arrears", {"week_of": "2025-12-06", "lines": {}}, users.county)
    assert r.status_code == 422  # not a Friday of the window


def test_activities_and_duty(client, camp, tree, users):
    c = camp.campaign.pk
    r = post(client, "/api/campaigns/activities", {"org": tree.k1.code, "kind": "rights_case", "on_date": "2026-01-05",
                                                   "count": 5, "part": 3, "campaign": c}, users.county)
    assert r.status_code == 201, r.content
    assert r.json()["count"] == 5 and r.json()["campaign"] == c
    assert get(client, "/api/campaigns/activities", users.county).json()["count"] == 1
    assert get(client, "/api/campaigns/activities", users.outsider).json()["count"] == 0
    r = post(client, f"/api/campaigns/{c}/duty", {"org": tree.k1.code, "on_date": "2026-02-16", "starts": "08:00",
                                                   "ends": "17:00", "person": "李值班", "phone": "13800138000"},
             users.county)
    assert r.status_code == 201, r.content
    assert r.json()["phone"] != "13800138000" and DutyShift.objects.get().phone == "13800138000"
    assert get(client, f"/api/campaigns/{c}/duty", users.county).json()[0]["person"] == "李值班"


def test_the_outsider_sees_nothing_and_writes_nothing(client, camp, tree, users):
    c = camp.campaign.pk
    g = VisitGroup.objects.create(campaign=camp.campaign, name="一组", leaders="x", liaison="y")
    for path in (f"/api/campaigns/{c}", f"/api/campaigns/{c}/coverage", f"/api/campaigns/{c}/visits",
                 f"/api/campaigns/{c}/not-visited", f"/api/campaigns/groups/{g.pk}", f"/api/campaigns/{c}/duty",
                 f"/api/campaigns/{c}/arrears?week_of=2025-12-05"):
        assert get(client, path, users.outsider).status_code == 404, path
    assert get(client, "/api/campaigns/", users.outsider).json()["count"] == 0
    r = post(client, f"/api/campaigns/{c}/visits", {"kind": "enterprise", "visited_on": "2026-01-20",
                                                     "visitors": "x", "enterprise": "某厂"}, users.outsider)
    assert r.status_code == 404 and not Visit.objects.exists()
    assert get(client, f"/api/campaigns/{c}", users.auditor).status_code == 200
    r = post(client, f"/api/campaigns/{c}/visits", {"kind": "enterprise", "visited_on": "2026-01-20",
                                                     "visitors": "x", "org": tree.k1.code, "enterprise": "某厂"},
             users.auditor)
    assert r.status_code == 403 and not Visit.objects.exists()
    assert client.get(f"/api/campaigns/{c}").status_code == 401
