"""The statistics-report API: the definitions, a report's cells with their origin, saving (floats, text, negatives
and overrides without a reason refused, nothing written), 报送 → 退回 → 报送 → 通过, 通过 refused while a child is
missing, 免报, the completeness board; the outsider gets 404 and the auditor 403."""

import json

import pytest

from tests.campaigns.conftest import quick_active
from tests.conftest import actor_of, make_user
from warmth.orgs.models import Role
from warmth.orgs.services import token_create
from warmth.reports.definitions import definition
from warmth.reports.models import Cell, Report, ReportStatus, ReportStep

pytestmark = pytest.mark.django_db
S = ReportStatus
BASE = "/api/reports/warmth-2015/2025"


def h(user):
    return {"HTTP_AUTHORIZATION": "Bearer " + token_create(actor=actor_of(user), name="t")[1]}


def post(client, path, body, user):
    return client.post(path, body if isinstance(body, str) else json.dumps(body), content_type="application/json",
                       **h(user))


def get(client, path, user):
    return client.get(path, **h(user))


@pytest.fixture
def k2(tree):
    return make_user("k2_handler", tree.k2, Role.HANDLER)


def test_the_forms_list_every_definition_with_its_items(client, users):
    r = get(client, "/api/reports/forms", users.county)
    assert r.status_code == 200
    forms = {f["id"]: f for f in r.json()}
    assert set(forms) == {"warmth-2015", "warmth-2014", "center-2014", "center-2013"}
    items = forms["warmth-2015"]["items"]
    assert [i["code"] for i in items] == [it.code for it in definition("warmth-2015").items]
    assert items[0]["auto"] is False and items[2]["source"] == "archives.workers"
    assert forms["warmth-2015"]["rules"][0]["code"] == "part:1.B"


def test_a_report_shows_its_cells_with_their_origin(client, users, tree):
    quick_active(actor_of(users.county), tree.k1)
    body = get(client, f"{BASE}?org={tree.k1.code}", users.owner).json()
    assert body["status"] is None and body["report"] is None and body["steps"] == []
    assert body["cells"]["3.A"] == {"value": "1", "origin": "auto", "auto_value": "1", "own": None, "children": None,
                                    "reason": "", "comment": ""}
    assert body["cells"]["1.A"]["value"] is None and body["cells"]["1.A"]["origin"] == "manual"  # blank, not zero
    assert all(r["ok"] for r in body["rules"])
    assert not Report.objects.exists()
    # the day 3.A counts 在档 on: the end of the covering campaign's window (default 春节 here), or today
    from warmth.campaigns.queries import as_of_day

    assert body["as_of"] == as_of_day(tree.k1, 2025).isoformat()


@pytest.mark.parametrize(("cells", "where"), [
    ({"1.A": {"value": 12.0}}, "value"),               # a JSON float
    ({"1.A": {"value": "十二"}}, "1.A"),
    ({"1.A": {"value": "-1"}}, "1.A"),
    ({"5.A": {"value": "1.00001", "reason": "x"}}, "5.A"),
    ({"3.A": {"value": "9"}}, "3.A"),                   # an override without a reason
    ({"99.Z": {"value": "1"}}, "99.Z"),
])
def test_bad_cells_are_refused_and_nothing_is_written(client, users, cells, where):
    r = post(client, f"{BASE}/cells", {"cells": {"1.B": {"value": "1"}, **cells}}, users.county)
    assert r.status_code == 422, r.content
    assert where in json.dumps(r.json(), ensure_ascii=False)
    assert not Report.objects.exists() and not Cell.objects.exists()


def test_save_submit_return_resubmit_approve_and_the_rollup(client, users, tree, k2):
    r = post(client, f"{BASE}/cells", {"cells": {"1.A": {"value": 50}, "1.B": {"value": "5", "comment": "含派遣"},
                                                 "3.A": {"value": "4", "reason": "含 4 户未录入"}}}, k2)
    assert r.status_code == 200, r.content
    cells = r.json()["cells"]
    assert cells["1.A"]["value"] == "50" and cells["1.B"]["comment"] == "含派遣"
    assert cells["3.A"] == {"value": "4", "origin": "override", "auto_value": "0", "own": None, "children": None,
                            "reason": "含 4 户未录入", "comment": ""}
    assert post(client, f"{BASE}/submit", {"filled_by": "", "phone": ""}, k2).status_code == 422
    r = post(client, f"{BASE}/submit", {"filled_by": "张三", "phone": "028-1"}, k2)
    assert r.status_code == 200 and r.json()["status"] == S.SUBMITTED
    r = post(client, f"{BASE}/cells", {"cells": {"1.A": {"value": "51"}}}, k2)
    assert r.status_code == 422 and "不能修改" in json.dumps(r.json(), ensure_ascii=False)

    assert post(client, f"{BASE}/return", {"org": tree.k2.code, "reason": "x"}, k2).status_code == 403
    r = post(client, f"{BASE}/return", {"org": tree.k2.code, "reason": "请核对 1.B"}, users.colleague)
    assert r.status_code == 200 and r.json()["status"] == S.RETURNED
    post(client, f"{BASE}/cells", {"cells": {"1.B": {"value": "6"}}}, k2)
    assert post(client, f"{BASE}/submit", {"note": "已核对"}, k2).json()["status"] == S.SUBMITTED  # keeps 填报人
    r = post(client, f"{BASE}/approve", {"org": tree.k2.code, "note": "同意"}, users.colleague)
    assert r.status_code == 200 and r.json()["status"] == S.APPROVED
    assert [s["action"] for s in r.json()["steps"]] == ["save", "submit", "return", "save", "submit", "approve"]
    city = get(client, f"{BASE}?org={tree.c1.code}", users.owner).json()
    assert (city["cells"]["1.A"]["value"], city["cells"]["1.A"]["own"], city["cells"]["1.A"]["children"]) == (
        "50", None, "50")
    # an approved report is reopened by a return while the city's own report is open
    r = post(client, f"{BASE}/return", {"org": tree.k2.code, "reason": "重新核对"}, users.colleague)
    assert r.json()["status"] == S.RETURNED and r.json()["steps"][-1]["action"] == "reopen"


def test_approval_waits_for_every_child_and_the_board_shows_who_is_missing(client, users, tree):
    k1_rev = make_user("k1_rev", tree.k1, Role.REVIEWER)  # 武侯 asks its 基层工会 for the form
    r = post(client, f"{BASE}/duty", {"org": tree.k1.code, "levels": ["grassroots"]}, k1_rev)
    assert r.status_code == 200 and r.json()["levels"] == ["grassroots"] and r.json()["own"] is True
    assert post(client, f"{BASE}/submit", {"filled_by": "李", "phone": "1"}, users.county).status_code == 200
    r = post(client, f"{BASE}/approve", {"org": tree.k1.code}, users.colleague)
    assert r.status_code == 422 and "供电公司" in json.dumps(r.json(), ensure_ascii=False)
    assert Report.objects.get(org=tree.k1).status == S.SUBMITTED
    board = get(client, f"{BASE}/completeness?org={tree.c1.code}", users.owner).json()
    assert (board["expected"], board["submitted"], board["approved"]) == (2, 1, 0)
    assert board["missing"] == [{"code": tree.k2.code, "name": tree.k2.name}]
    assert post(client, f"{BASE}/exempt", {"org": tree.g1.code, "reason": ""}, k1_rev).status_code == 422
    r = post(client, f"{BASE}/exempt", {"org": tree.g1.code, "reason": "已合并"}, k1_rev)
    assert r.status_code == 200 and r.json()["status"] == S.EXEMPT
    r = post(client, f"{BASE}/approve", {"org": tree.k1.code}, users.colleague)
    assert r.status_code == 200 and r.json()["status"] == S.APPROVED
    assert post(client, f"{BASE}/approve", {"org": tree.k2.code}, users.colleague).status_code == 404  # not started


def test_unknown_forms_and_years_are_404(client, users):
    assert get(client, "/api/reports/warmth-1999/2025", users.county).status_code == 404
    assert get(client, "/api/reports/warmth-2015/99999", users.county).status_code == 404


def test_the_outsider_sees_nothing_and_writes_nothing(client, users, tree):
    post(client, f"{BASE}/cells", {"cells": {"1.A": {"value": "10"}}}, users.county)
    before = (Report.objects.count(), Cell.objects.count(), ReportStep.objects.count())
    for path in (f"{BASE}?org={tree.k1.code}", f"{BASE}/completeness?org={tree.c1.code}"):
        assert get(client, path, users.outsider).status_code == 404, path
    for route, body in (("cells", {"org": tree.k1.code, "cells": {"1.A": {"value": "99"}}}),
                        ("submit", {"org": tree.k1.code, "filled_by": "x", "phone": "1"}),
                        ("approve", {"org": tree.k1.code}), ("return", {"org": tree.k1.code, "reason": "x"}),
                        ("exempt", {"org": tree.g1.code, "reason": "x"})):
        assert post(client, f"{BASE}/{route}", body, users.outsider).status_code == 404, route
        assert post(client, f"{BASE}/{route}", body, users.auditor).status_code == 403, route
    assert (Report.objects.count(), Cell.objects.count(), ReportStep.objects.count()) == before
    assert get(client, f"{BASE}?org={tree.k1.code}", users.auditor).json()["cells"]["1.A"]["value"] == "10"
    assert client.get(BASE).status_code == 401
