import json
import re

import pytest

from tests.conftest import actor_of
from warmth.orgs.models import Org
from warmth.orgs.services import token_create, token_revoke


@pytest.fixture
def bearer(users):
    def _bearer(user):
        return {"HTTP_AUTHORIZATION": "Bearer " + token_create(actor=actor_of(user), name="t")[1]}

    return _bearer


def test_me_answers_with_the_tokens_membership(client, users, bearer):
    data = client.get("/api/me", **bearer(users.owner)).json()
    assert data["username"] == "owner" and data["org"]["code"] == "510100" and data["role"] == "handler"
    assert "archive.write" in data["permissions"]


def test_no_or_a_revoked_token_gets_401(client, users):
    assert client.get("/api/me").status_code == 401
    token, raw = token_create(actor=actor_of(users.owner), name="t")
    token_revoke(actor=actor_of(users.owner), token=token)
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert client.get("/api/me", HTTP_AUTHORIZATION="Bearer wt_forged").status_code == 401


def test_a_token_stops_working_when_its_membership_is_no_longer_valid_as_a_session_would(client, users, tree,
                                                                                        bearer, login):
    from warmth.orgs.access import actor_for
    from warmth.orgs.models import Membership

    headers = bearer(users.owner)
    assert client.get("/api/me", **headers).status_code == 200
    Org.objects.filter(pk=tree.c1.pk).update(is_active=False)  # the org of the token's membership is closed
    assert actor_for(users.owner) is None  # the session path refuses it ...
    assert client.get("/api/me", **headers).status_code == 401  # ... and so does the token
    Org.objects.filter(pk=tree.c1.pk).update(is_active=True)
    assert client.get("/api/me", **headers).status_code == 200
    Membership.objects.filter(user=users.owner).update(is_active=False)
    assert client.get("/api/me", **headers).status_code == 401


def test_a_token_of_an_account_that_must_change_its_password_reaches_nothing(client, users, bearer):
    from warmth.orgs.models import User

    headers = bearer(users.owner)
    User.objects.filter(pk=users.owner.pk).update(must_change_password=True)
    assert client.get("/api/me", **headers).status_code == 401


def test_the_org_list_holds_only_the_subtree(client, users, bearer):
    data = client.get("/api/orgs?limit=100", **bearer(users.owner)).json()
    assert sorted(o["code"] for o in data["items"]) == ["510100", "510104", "510107", "510107-0001"]
    assert data["count"] == 4
    assert {o["parent_code"] for o in data["items"]} == {"510000", "510100", "510107"}


def test_the_outsider_gets_404_for_an_org_of_another_subtree(client, users, bearer):
    headers = bearer(users.outsider)
    assert client.get("/api/orgs/510107", **headers).status_code == 404
    assert client.get("/api/orgs?parent=510107", **headers).status_code == 404
    assert client.get("/api/orgs/460105", **headers).json()["name"] == "秀英区总工会"


def test_creating_an_org_through_the_api_needs_the_org_permission(client, users, bearer):
    body = json.dumps({"name": "API新增工会", "code": "510107-0100", "level": "grassroots"})
    response = client.post("/api/orgs/510107/children", body, content_type="application/json",
                           **bearer(users.owner))
    assert response.status_code == 403
    response = client.post("/api/orgs/510107/children", body, content_type="application/json",
                           **bearer(users.admin))
    assert response.status_code == 201 and response.json()["parent_code"] == "510107"
    response = client.post("/api/orgs/460105/children", body, content_type="application/json",
                           **bearer(users.admin))
    assert response.status_code == 404


def test_an_invalid_body_gets_a_chinese_message_and_writes_nothing(client, users, bearer):
    body = json.dumps({"name": "重复", "code": "510107", "level": "grassroots"})
    response = client.post("/api/orgs/510104/children", body, content_type="application/json",
                           **bearer(users.admin))
    assert response.status_code == 422 and "已被使用" in json.dumps(response.json(), ensure_ascii=False)
    assert Org.objects.filter(code="510107").count() == 1


def test_moving_through_the_api_is_scoped_to_the_subtree(client, users, bearer, tree):
    headers = bearer(users.admin)
    body = json.dumps({"new_parent": "460000", "reason": "x"})
    assert client.post("/api/orgs/510107/move", body, content_type="application/json",
                       **headers).status_code == 404
    body = json.dumps({"new_parent": "510104", "reason": "划转"})
    response = client.post("/api/orgs/510107-0001/move", body, content_type="application/json", **headers)
    assert response.status_code == 200 and response.json()["parent_code"] == "510104"


def test_the_session_works_for_reads_and_needs_csrf_for_writes(users):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(users.admin)
    assert client.get("/api/me").json()["username"] == "admin"
    body = json.dumps({"name": "X", "code": "X9", "level": "grassroots"})
    assert client.post("/api/orgs/510107/children", body, content_type="application/json").status_code == 403
    assert not Org.objects.filter(code="X9").exists()


def test_the_api_docs_are_served_from_the_app_for_logged_in_users(client, users):
    assert client.get("/api/docs").status_code == 302
    client.force_login(users.owner)
    page = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    # no script, style or link from elsewhere (a CSRF token may happen to contain the letters "cdn")
    assert not re.search(r'(src|href)="(https?:)?//', page) and "cdn." not in page.lower()
    assert '<html lang="zh-CN">' in page and "<title>送温暖管理系统接口（API）</title>" in page
    assert "调用方式" in page and "Authorization: Bearer wt_" in page
    schema = client.get("/api/openapi.json").json()
    assert schema["info"]["title"] == "送温暖管理系统接口（API）"
    han = re.compile(r"[\u4e00-\u9fff]")
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            assert han.search(op["summary"]), (method, path)  # every operation named in Chinese
            assert op["tags"] and all(han.search(t) for t in op["tags"]), (method, path)
