import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.archives.factories import archive_input, head_fields, members, new_id
from tests.conftest import actor_of
from warmth.archives import lifecycle
from warmth.archives.models import Archive, ArchiveReview, DibaoStandard, Transfer
from warmth.archives.services import archive_file
from warmth.audit.models import AuditEvent
from warmth.orgs.services import token_create


@pytest.fixture
def bearer(users):
    def _bearer(user):
        return {"HTTP_AUTHORIZATION": "Bearer " + token_create(actor=actor_of(user), name="t")[1]}

    return _bearer


def jsonable(value):
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def body_for(org="510107", member_count=2, **overrides):
    return jsonable({"org": org, **head_fields(**overrides), "members": members(member_count)})


def post(client, path, body=None, **headers):
    return client.post(path, json.dumps(body or {}), content_type="application/json", **headers)


def text(response) -> str:
    return json.dumps(response.json(), ensure_ascii=False)


def publicity_record(user, archive_id: int) -> dict:
    """What a 公示 started before today needs through the API: a reason and a 公示材料 already attached."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from warmth.archives import care

    att = care.attachment_add(actor=actor_of(user), archive=Archive.objects.get(pk=archive_id), kind="公示材料",
                              upload=SimpleUploadedFile("公示.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64))
    return {"publicity_reason": "公示已在社区张贴，系事后补录", "publicity_record_id": att.pk}


@pytest.fixture
def approving(users, tree):
    """A draft of 武侯区 taken to 审批 by the services (publicity long over)."""
    handler, reviewer = actor_of(users.county), actor_of(users.colleague)
    a = archive_file(actor=handler, org=tree.k1, data=archive_input())
    lifecycle.archive_submit(actor=handler, archive=a)
    lifecycle.archive_accept(actor=reviewer, archive=a)
    start = date(2025, 1, 6)
    lifecycle.archive_verify(actor=handler, archive=a, visited_on=start, visitors="张三、李四", findings="情况属实",
                             publicity_start=start, today=start)
    return lifecycle.archive_end_publicity(actor=handler, archive=a)


# --- search and list -------------------------------------------------------------------------------

def test_a_full_id_number_finds_exactly_the_household_whether_head_or_member(client, users, tree, bearer):
    handler = actor_of(users.county)
    head_id, wife_id = new_id(sex="男"), new_id(sex="女")
    data = archive_input()
    data.fields["id_number"] = head_id
    data.members[0]["id_number"] = wife_id
    mine = archive_file(actor=handler, org=tree.k1, data=data)
    other = archive_file(actor=handler, org=tree.k1, data=archive_input(name="王建华"))
    headers = bearer(users.owner)
    for q in (head_id, wife_id, f" {wife_id[:6]} {wife_id[6:]} ".replace("X", "x")):
        items = client.get("/api/archives/", {"q": q}, **headers).json()["items"]
        assert [i["id"] for i in items] == [mine.pk], q
    by_name = client.get("/api/archives/", {"q": "建华"}, **headers).json()
    assert {i["id"] for i in by_name["items"]} == {mine.pk, other.pk} and by_name["count"] == 2
    by_no = client.get("/api/archives/", {"q": other.archive_no}, **headers).json()["items"]
    assert [i["id"] for i in by_no] == [other.pk]
    assert by_no[0]["id_number"].count("*") == 8  # lists never show a full ID number
    assert client.get("/api/archives/", {"q": head_id[:-1]}, **headers).json()["count"] == 0


def test_the_outsider_finds_nothing_even_by_the_exact_id_number(client, users, filed, bearer):
    response = client.get("/api/archives/", {"q": filed.id_number}, **bearer(users.outsider))
    assert response.status_code == 200 and response.json()["count"] == 0
    assert client.get("/api/archives/", **bearer(users.outsider)).json()["count"] == 0


def test_the_list_filters_by_status_cause_org_model_worker_and_migrant(client, users, tree, make_active,
                                                                       bearer):
    handler = actor_of(users.owner)
    active = make_active()
    worker = archive_file(actor=handler, org=tree.k2, data=archive_input(
        model_worker_type="省部级劳模", identity="农民工", causes=["子女上学"], hukou_region_code="510104"))
    headers = bearer(users.owner)

    def ids(**params):
        return {i["id"] for i in client.get("/api/archives/", params, **headers).json()["items"]}

    assert ids(status="active") == {active.pk}
    assert ids(status="draft") == {worker.pk}
    assert ids(cause="下岗失业") == {active.pk} and ids(cause="子女上学") == {worker.pk}
    assert ids(org="510104") == {worker.pk} and ids(org="510107") == {active.pk}
    assert ids(org="460105") == set()  # another subtree: nothing, not an error that reveals it
    assert ids(model_worker="true") == {worker.pk} and ids(model_worker="false") == {active.pk}
    assert ids(migrant="true") == {worker.pk} and ids(migrant="false") == {active.pk}
    assert ids(review_due_year=2025) == {active.pk}
    ArchiveReview.objects.create(archive=active, year=2025, result="继续在档", reviewer=users.county)
    assert ids(review_due_year=2025) == set() and ids(review_due_year=2026) == {active.pk}


def test_the_list_needs_a_fixed_number_of_queries(client, users, tree, bearer, django_assert_max_num_queries):
    for _ in range(5):
        archive_file(actor=actor_of(users.county), org=tree.k1, data=archive_input(name="赵六", id_number=new_id()))
    headers = bearer(users.owner)
    with django_assert_max_num_queries(8):
        data = client.get("/api/archives/", **headers).json()
    assert data["count"] == 5 and {i["org_code"] for i in data["items"]} == {"510107"}


# --- access ----------------------------------------------------------------------------------------

LIFECYCLE_ROUTES = [
    ("update", {"name": "改名"}),
    ("submit", None),
    ("accept", {"note": "x"}),
    ("return", {"reason": "x"}),
    ("verify", {"visited_on": "2025-01-06", "visitors": "甲", "findings": "乙", "publicity_start": "2025-01-06"}),
    ("end-publicity", None),
    ("approve", {"note": "x"}),
    ("reject", {"reason": "x"}),
    ("exit-request", {"reason": "脱困", "note": "x"}),
    ("exit-cancel", {"reason": "x"}),
    ("exit-approve", {}),
    ("exit-finalize", None),
    ("promote", None),
    ("objections", {"received_on": "2025-01-07", "content": "x"}),
    ("review", {"year": 2025, "result": "继续在档"}),
    ("plan", {"needs": "x", "measures": "y", "contact_name": "z", "next_visit_date": "2030-01-01"}),
    ("transfer", {"to_org": "460105", "reason": "x"}),
]


@pytest.mark.parametrize(("route", "body"), LIFECYCLE_ROUTES)
def test_the_outsider_gets_404_on_every_route_of_a_sichuan_archive(client, users, filed, bearer, route, body):
    headers = bearer(users.outsider)
    before = Archive.objects.values().get(pk=filed.pk)
    response = post(client, f"/api/archives/{filed.pk}/{route}", body, **headers)
    assert response.status_code == 404, response.content
    assert "王建华" not in response.content.decode()
    assert Archive.objects.values().get(pk=filed.pk) == before


def test_the_outsider_gets_404_on_the_detail_and_cannot_file_into_sichuan(client, users, filed, bearer):
    headers = bearer(users.outsider)
    response = client.get(f"/api/archives/{filed.pk}", **headers)
    assert response.status_code == 404 and "不在您的管辖范围内" in text(response)
    assert post(client, "/api/archives/", body_for(), **headers).status_code == 404
    assert post(client, f"/api/archives/{filed.pk}/objections/1/resolve", {"resolution": "x"},
                **headers).status_code == 404
    assert Archive.objects.count() == 1


def test_nobody_outside_can_even_ask_without_a_token(client, filed):
    assert client.get(f"/api/archives/{filed.pk}").status_code == 401
    assert post(client, f"/api/archives/{filed.pk}/submit").status_code == 401


def test_a_handler_cannot_approve(client, users, approving, bearer):
    response = post(client, f"/api/archives/{approving.pk}/approve", {}, **bearer(users.owner))
    assert response.status_code == 403 and "无权" in text(response)
    approving.refresh_from_db()
    assert approving.status == "approving"


def test_the_read_only_auditor_sees_but_cannot_write(client, users, filed, bearer):
    headers = bearer(users.auditor)
    assert client.get(f"/api/archives/{filed.pk}", **headers).status_code == 200
    assert post(client, f"/api/archives/{filed.pk}/submit", **headers).status_code == 403
    assert post(client, "/api/archives/", body_for(id_number=new_id()), **headers).status_code == 403
    assert post(client, f"/api/archives/{filed.pk}/update", {"name": "改名"}, **headers).status_code == 403


# --- filing and money ------------------------------------------------------------------------------

def test_filing_through_the_api_takes_amounts_as_strings_or_integers(client, users, bearer):
    body = body_for(monthly_income="850.50", household_annual_income=14400)
    response = post(client, "/api/archives/", body, **bearer(users.owner))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "draft" and data["archive_no"].startswith("510107-")
    assert data["monthly_income"] == "850.50" and data["household_annual_income"] == "14400.00"
    assert data["per_capita_income"] == "4800.00" and len(data["members"]) == 2
    assert [s["action"] for s in data["steps"]] == ["file"]


@pytest.mark.parametrize("amount", [850.5, 850.0, 1e3])
def test_a_float_amount_is_refused_with_a_chinese_message(client, users, bearer, amount):
    body = body_for(monthly_income=amount)
    response = post(client, "/api/archives/", body, **bearer(users.owner))
    assert response.status_code == 422
    assert "金额须写成字符串" in text(response)
    assert not Archive.objects.exists()


def test_a_float_in_a_members_income_is_refused_too(client, users, bearer):
    body = body_for()
    body["members"][0]["monthly_income"] = 600.0
    response = post(client, "/api/archives/", body, **bearer(users.owner))
    assert response.status_code == 422 and "金额须写成字符串" in text(response)


def test_service_errors_come_back_as_chinese_422(client, users, bearer):
    body = body_for(monthly_income="-1", causes=[])
    response = post(client, "/api/archives/", body, **bearer(users.owner))
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert "负数" in errors["monthly_income"][0] and "致困主要原因" in errors["causes"][0]
    body = body_for()
    del body["name"]
    assert post(client, "/api/archives/", body, **bearer(users.owner)).status_code == 422


def test_an_update_changes_only_what_is_sent(client, users, filed, bearer):
    headers = bearer(users.owner)
    response = post(client, f"/api/archives/{filed.pk}/update", {"address": "成都市武侯区新地址8号"}, **headers)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["address"] == "成都市武侯区新地址8号" and data["name"] == "王建华" and len(data["members"]) == 2
    assert data["steps"][-1]["action"] == "update" and "家庭住址" in data["steps"][-1]["note"]
    response = post(client, f"/api/archives/{filed.pk}/update",
                    {"members": [], "household_size": 1, "household_annual_income": "9600"}, **headers)
    assert response.json()["members"] == [] and response.json()["per_capita_income"] == "9600.00"


# --- lifecycle -------------------------------------------------------------------------------------

def test_the_whole_lifecycle_through_the_api_reaches_active(client, users, bearer):
    handler, reviewer = bearer(users.owner), bearer(users.colleague)
    created = post(client, "/api/archives/", body_for(), **handler).json()
    url = f"/api/archives/{created['id']}"
    assert post(client, f"{url}/submit", **handler).json()["status"] == "submitted"
    assert post(client, f"{url}/accept", {"note": "材料齐全"}, **reviewer).json()["status"] == "verifying"
    body = {"visited_on": "2025-01-06", "visitors": "刘经办、杨审核", "findings": "家庭情况属实",
            "publicity_start": "2025-01-06"}
    refused = post(client, f"{url}/verify", body, **handler)  # a 公示 before today: a reason and its record
    assert refused.status_code == 422 and set(refused.json()["errors"]) == {"publicity_reason", "publicity_record"}
    verified = post(client, f"{url}/verify", {**body, **publicity_record(users.owner, created["id"])},
                    **handler).json()
    assert verified["status"] == "publicizing" and verified["publicity_backdated"] is True
    assert verified["publicity_entered_on"] == timezone.localdate().isoformat()
    assert (verified["publicity_start"], verified["publicity_end"]) == ("2025-01-06", "2025-01-10")
    assert post(client, f"{url}/end-publicity", **handler).json()["status"] == "approving"
    done = post(client, f"{url}/approve", {}, **reviewer).json()
    assert done["status"] == "active" and done["status_label"] == "在档" and done["activated_at"]
    assert [s["action"] for s in done["steps"]] == ["file", "submit", "accept", "attachment", "verify",
                                                    "end_publicity", "approve"]
    assert done["steps"][-1]["actor_name"] and done["steps"][-1]["to_status"] == "active"


def test_publicity_objections_block_the_next_step_until_resolved(client, users, bearer):
    handler, reviewer = bearer(users.owner), bearer(users.colleague)
    url = "/api/archives/{}".format(post(client, "/api/archives/", body_for(), **handler).json()["id"])
    post(client, f"{url}/submit", **handler)
    post(client, f"{url}/accept", {}, **reviewer)
    post(client, f"{url}/verify", {"visited_on": "2025-01-06", "visitors": "甲", "findings": "属实",
                                   "publicity_start": "2025-01-06",
                                   **publicity_record(users.owner, int(url.rsplit("/", 1)[1]))}, **handler)
    data = post(client, f"{url}/objections", {"received_on": "2025-01-08", "content": "收入不实",
                                               "raised_by": "邻居"}, **handler).json()
    objection = data["objections"][0]
    assert objection["is_open"]
    response = post(client, f"{url}/end-publicity", **handler)
    assert response.status_code == 422 and "异议尚未处理" in text(response)
    assert post(client, f"{url}/objections/{objection['id']}/resolve", {"resolution": "经核实无误"},
                **handler).status_code == 403  # resolving needs the approve permission
    resolved = post(client, f"{url}/objections/{objection['id']}/resolve", {"resolution": "经核实无误"},
                    **reviewer).json()
    assert not resolved["objections"][0]["is_open"]
    assert post(client, f"{url}/end-publicity", **handler).json()["status"] == "approving"


def test_a_step_out_of_order_is_refused_with_the_current_status(client, users, filed, bearer):
    response = post(client, f"/api/archives/{filed.pk}/approve", {}, **bearer(users.colleague))
    assert response.status_code == 422 and "草稿" in text(response)
    response = post(client, f"/api/archives/{filed.pk}/return", {"reason": ""}, **bearer(users.colleague))
    assert response.status_code == 422 and "不能退回修改" in text(response)  # the status is checked first
    post(client, f"/api/archives/{filed.pk}/submit", **bearer(users.county))
    response = post(client, f"/api/archives/{filed.pk}/return", {"reason": ""}, **bearer(users.colleague))
    assert response.status_code == 422 and "退回须填写原因" in text(response)


def test_exit_runs_through_approval_and_publicity(client, users, make_active, bearer):
    a = make_active()
    handler, reviewer = bearer(users.owner), bearer(users.colleague)
    url = f"/api/archives/{a.pk}"
    assert post(client, f"{url}/exit-request", {"reason": "脱困", "note": "再就业"}, **handler).json()[
        "status"] == "exit_review"
    assert post(client, f"{url}/exit-cancel", {"reason": "收入未稳定"}, **reviewer).json()["status"] == "active"
    post(client, f"{url}/exit-request", {"reason": "脱困"}, **handler)
    start = (timezone.localdate() - timedelta(days=30)).isoformat()
    assert post(client, f"{url}/exit-approve", {"publicity_start": start, **publicity_record(users.owner, a.pk)},
                **reviewer).json()["status"] == "exit_publicizing"
    done = post(client, f"{url}/exit-finalize", **reviewer).json()
    assert done["status"] == "exited" and done["exit_reason"] == "脱困" and done["retain_until"]


def test_review_plan_and_promotion(client, users, make_active, bearer):
    a = make_active()
    Archive.objects.filter(pk=a.pk).update(is_temporary=True)
    handler, reviewer = bearer(users.owner), bearer(users.colleague)
    url = f"/api/archives/{a.pk}"
    data = post(client, f"{url}/review", {"year": 2025, "result": "继续在档", "notes": "仍困难"}, **handler).json()
    assert data["reviews"] == [{"year": 2025, "result": "继续在档", "notes": "仍困难",
                                "reviewed_at": data["reviews"][0]["reviewed_at"]}]
    assert post(client, f"{url}/review", {"year": 2025, "result": "继续在档"}, **handler).status_code == 422
    visit = (timezone.localdate() + timedelta(days=30)).isoformat()
    data = post(client, f"{url}/plan", {"needs": "医疗", "measures": "大病救助", "contact_name": "刘经办",
                                        "next_visit_date": visit, "contact_phone": "13800001111"},
                **handler).json()
    assert data["plan"]["contact_name"] == "刘经办" and data["plan"]["contact_phone"] == "13800001111"
    assert post(client, f"{url}/promote", **handler).status_code == 403
    assert post(client, f"{url}/promote", **reviewer).json()["is_temporary"] is False


def test_a_transfer_is_requested_and_accepted_by_the_receiving_side(client, users, tree, make_active, bearer):
    a = make_active()
    handler, reviewer = bearer(users.owner), bearer(users.colleague)
    data = post(client, f"/api/archives/{a.pk}/transfer", {"to_org": "510104", "reason": "户籍迁移"},
                **handler).json()
    assert data["pending_transfers"][0]["to_org_code"] == "510104"
    listed = client.get("/api/archives/transfers", **reviewer).json()
    assert [t["archive_no"] for t in listed] == [a.archive_no]
    transfer_id = listed[0]["id"]
    assert client.get("/api/archives/transfers", **bearer(users.outsider)).json() == []
    assert post(client, f"/api/archives/transfers/{transfer_id}/decide", {"accept": True},
                **bearer(users.outsider)).status_code == 404
    assert post(client, f"/api/archives/transfers/{transfer_id}/decide", {"accept": True},
                **handler).status_code == 403
    decided = post(client, f"/api/archives/transfers/{transfer_id}/decide", {"accept": True}, **reviewer).json()
    assert decided["status"] == "accepted"
    a.refresh_from_db()
    assert a.org == tree.k2 and Transfer.objects.get().decided_by == users.colleague
    unknown = post(client, f"/api/archives/{a.pk}/transfer", {"to_org": "NOPE", "reason": "x"}, **handler)
    assert unknown.status_code == 422 and "不存在" in text(unknown)


# --- personal data ---------------------------------------------------------------------------------

def test_id_numbers_are_masked_for_a_leader_and_full_for_a_handler_with_an_audit_row(client, users, filed,
                                                                                     bearer):
    masked = client.get(f"/api/archives/{filed.pk}", **bearer(users.leader)).json()
    assert masked["pii_full"] is False
    assert masked["id_number"] == filed.id_number[:6] + "********" + filed.id_number[-4:]
    assert masked["phone"] == "139****5678"
    assert all("*" in m["id_number"] for m in masked["members"])
    assert not AuditEvent.objects.filter(action="pii.view").exists()

    full = client.get(f"/api/archives/{filed.pk}", **bearer(users.owner)).json()
    assert full["pii_full"] is True and full["id_number"] == filed.id_number and full["phone"] == "13912345678"
    assert {m["id_number"] for m in full["members"]} == {m.id_number for m in filed.members.all()}
    event = AuditEvent.objects.get(action="pii.view")
    assert (event.object_type, event.object_id, event.actor) == ("archive", str(filed.pk), users.owner)
    assert event.org == filed.org and "id_number" in event.after["fields"]


# --- category suggestion ---------------------------------------------------------------------------

def test_the_category_suggestion_uses_the_local_dibao_standard(client, users, bearer):
    DibaoStandard.objects.create(region_code="510100", year=2025, monthly_amount=Decimal("900.00"))
    headers = bearer(users.owner)
    params = {"household_annual_income": "19200", "household_size": 2, "region_code": "510107", "year": 2025}
    data = client.get("/api/archives/suggest-category", params, **headers).json()
    assert data == {"category": "低保户", "reason": data["reason"], "scheme": "seed", "dibao_monthly": "900.00"}
    assert "800.00" in data["reason"]
    data = client.get("/api/archives/suggest-category", {**params, "household_annual_income": "25200"},
                      **headers).json()
    assert data["category"] == "低保边缘户"
    data = client.get("/api/archives/suggest-category", {**params, "scheme": "national",
                                                         "rigid_expenses": "6000"}, **headers).json()
    assert data["category"] == "深度困难"
    data = client.get("/api/archives/suggest-category", {**params, "region_code": "460105"}, **headers).json()
    assert data["category"] is None and data["dibao_monthly"] is None
    bad = client.get("/api/archives/suggest-category", {**params, "household_annual_income": "1.234"}, **headers)
    assert bad.status_code == 422 and "两位小数" in text(bad)


def test_searching_by_id_number_goes_in_the_body(client, users, filed, bearer):
    import json

    response = client.post("/api/archives/search", json.dumps({"q": filed.id_number}),
                           content_type="application/json", **bearer(users.colleague))
    assert [r["archive_no"] for r in response.json()] == [filed.archive_no]
    response = client.post("/api/archives/search", json.dumps({"q": filed.id_number}),
                           content_type="application/json", **bearer(users.outsider))
    assert response.json() == []
