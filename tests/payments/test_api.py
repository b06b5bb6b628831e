"""The payments API: create (a float refused), submit, approve in turn, masked or audited full IDs."""

import json

import pytest

from tests.conftest import actor_of
from tests.payments.test_services import ACCOUNT
from warmth.audit.models import AuditEvent
from warmth.orgs.services import token_create
from warmth.payments.models import Payment

pytestmark = pytest.mark.django_db


def h(user):
    return {"HTTP_AUTHORIZATION": "Bearer " + token_create(actor=actor_of(user), name="t")[1]}


def post(client, path, body, user):
    return client.post(path, body if isinstance(body, str) else json.dumps(body), content_type="application/json",
                       **h(user))


def test_the_whole_flow_through_the_api(client, pay, make_active, users):
    a = make_active()
    body = {"pot": pay.pot.pk, "archive_no": a.archive_no, "aid_type": "送温暖慰问", "amount": "800", "method": "bank",
            "bank_account": ACCOUNT}
    r = post(client, "/api/payments/", json.dumps(body).replace('"800"', "800.0"), users.county)
    assert r.status_code == 422 and not Payment.objects.exists()
    r = post(client, "/api/payments/", body, users.county)
    assert r.status_code == 201, r.content
    p = r.json()
    assert p["id_number"] == a.id_number  # the handler holds pii.full …
    assert AuditEvent.objects.filter(action="pii.view", object_type="payment").exists()  # … and it is audited
    ev = client.get(f"/api/payments/{p['id']}/evaluate", **h(users.county)).json()
    assert ev["blocked"] is False
    assert post(client, f"/api/payments/{p['id']}/submit", {}, users.county).json()["status"] == "submitted"
    assert post(client, f"/api/payments/{p['id']}/approve", {"note": "x"}, users.county).status_code == 403
    post(client, f"/api/payments/{p['id']}/approve", {"note": "同意"}, pay.first.user)
    r = post(client, f"/api/payments/{p['id']}/approve", {"note": "同意"}, pay.second.user)
    assert r.json()["status"] == "approved" and "*" in r.json()["id_number"]  # the leader sees it masked
    assert [s["action"] for s in r.json()["steps"]] == ["create", "submit", "approve", "approve"]


def test_bad_input_and_the_outsider(client, pay, make_active, users, fin):
    r = post(client, "/api/payments/", {"pot": pay.pot.pk, "recipient_kind": "retiree", "name": "王",
                                        "id_number": "", "aid_type": "生活救助", "amount": "0", "method": "bank",
                                        "bank_account": "12"}, users.county)
    assert r.status_code == 422
    assert set(r.json()["errors"]) >= {"amount", "id_number", "bank_account"}
    a = make_active()
    r = post(client, "/api/payments/", {"pot": pay.pot.pk, "archive_no": a.archive_no, "aid_type": "生活救助",
                                        "amount": "1", "method": "bank", "bank_account": ACCOUNT}, fin.users.hn_finance)
    assert r.status_code == 404
    assert not Payment.objects.exists()


def test_the_chain_through_the_api(client, users, tree):
    r = client.get("/api/payments/chain", **h(users.county))
    assert r.status_code == 200 and r.json()["set_at"] is None and len(r.json()["steps"]) == 4
    body = {"org": tree.c1.code, "steps": ["单位(工会)意见"], "threshold": "5000", "extra_step": "单位领导"}
    assert post(client, "/api/payments/chain", body, users.owner).status_code == 403  # a handler of 成都
    assert post(client, "/api/payments/chain", {**body, "threshold": 5000.5}, users.leader).status_code == 422
    r = post(client, "/api/payments/chain", body, users.leader)
    assert r.status_code == 200 and r.json() == {"org": tree.c1.code, "steps": ["单位(工会)意见"],
                                                 "threshold": "5000.00", "extra_step": "单位领导", "set_at": "510100"}
    assert client.get(f"/api/payments/chain?org={tree.c1.code}", **h(users.outsider)).status_code == 404
    assert post(client, "/api/payments/chain", body, users.outsider).status_code == 404
