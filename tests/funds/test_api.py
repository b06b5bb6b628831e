"""The funds API: the same services and refusals as the pages, money as strings, floats refused."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import actor_of
from tests.funds.factories import DAY, decided, raised
from warmth.audit.models import AuditEvent
from warmth.funds.choices import DecisionKind, EntryKind, PlanStatus
from warmth.funds.models import Allocation, AllocationPlan, Decision, FundPot, FundRaise, LedgerEntry, RuleSetting
from warmth.orgs.services import token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def bearer():
    def _bearer(user):
        return {"HTTP_AUTHORIZATION": "Bearer " + token_create(actor=actor_of(user), name="t")[1]}

    return _bearer


def post(client, path, body, **headers):
    return client.post(path, json.dumps(body) if not isinstance(body, str) else body,
                       content_type="application/json", **headers)


def body_text(response) -> str:
    return json.dumps(response.json(), ensure_ascii=False)


RAISE = {"org": "510100", "year": 2025, "source": "own_union", "purpose": "warmth", "amount": "1200.50",
         "received_on": "2025-12-01", "doc_no": "成工财[2025]1号"}


def test_raise_then_read_the_pot_and_its_ledger(client, users, bearer):
    h = bearer(users.finance)
    r = post(client, "/api/funds/raises", RAISE, **h)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["amount"] == "1200.50" and body["org"] == "510100"
    pot = client.get(f"/api/funds/pots/{body['pot']}", **h).json()
    assert pot["balance"] == "1200.50" and pot["available"] == "1200.50" and pot["source_label"] == "本级工会经费"
    entries = client.get(f"/api/funds/pots/{body['pot']}/entries", **h).json()["items"]
    assert [(e["kind"], e["amount"], e["balance_after"]) for e in entries] == [("raised", "1200.50", "1200.50")]


@pytest.mark.parametrize("amount", ["0", "-1", "1.001", 0, -5])
def test_bad_amounts_are_422_and_nothing_is_written(client, users, bearer, amount):
    r = post(client, "/api/funds/raises", {**RAISE, "amount": amount}, **bearer(users.finance))
    assert r.status_code == 422
    assert not FundRaise.objects.exists() and not LedgerEntry.objects.exists() and not FundPot.objects.exists()


def test_a_float_is_refused_before_anything_else(client, users, bearer):
    body = json.dumps(RAISE).replace('"1200.50"', "1200.5")
    r = post(client, "/api/funds/raises", body, **bearer(users.finance))
    assert r.status_code == 422 and "不接受带小数点的数字" in body_text(r)
    assert not FundRaise.objects.exists()


def test_an_integer_amount_is_fine(client, users, bearer):
    r = post(client, "/api/funds/raises", {**RAISE, "amount": 300}, **bearer(users.finance))
    assert r.status_code == 201 and r.json()["amount"] == "300.00"


def test_allocation_to_a_non_child_and_over_the_balance_are_refused(client, fin, users, tree, bearer):
    pot = raised(fin.finance, tree.c1, "1000")
    h = bearer(users.finance)
    body = {"to_org": "510107-0001", "amount": "10", "doc_no": "x号", "allocated_on": "2025-12-02"}
    r = post(client, f"/api/funds/pots/{pot.pk}/allocate", body, **h)
    assert r.status_code == 422 and "不是成都市总工会的直接下级" in body_text(r)
    r = post(client, f"/api/funds/pots/{pot.pk}/allocate", {**body, "to_org": "510107", "amount": "1000.01"}, **h)
    assert r.status_code == 422 and "资金余额不足" in body_text(r)
    assert not Allocation.objects.exists()
    r = post(client, f"/api/funds/pots/{pot.pk}/allocate", {**body, "to_org": "510107", "amount": "1000"}, **h)
    assert r.status_code == 201 and r.json()["to_org"] == "510107"
    # central money gets 12-31 of its year as the spend-by date unless the document says otherwise
    central = raised(fin.finance, tree.c1, "500", source="central")
    r = post(client, f"/api/funds/pots/{central.pk}/allocate", {**body, "to_org": "510107", "amount": "5"}, **h)
    assert r.json()["spend_by"] == "2026-02-17"


def test_plan_create_edit_confirm(client, fin, users, tree, bearer):
    pot = raised(fin.finance, tree.c1, "1000")
    h = bearer(users.finance)
    r = post(client, f"/api/funds/pots/{pot.pk}/plans", {"total": "999", "doc_no": "x号", "allocated_on": "2025-12-02"},
             **h)
    assert r.status_code == 201
    plan = r.json()
    assert sum(Decimal(ln["amount"]) for ln in plan["lines"]) == Decimal("999")
    r = post(client, f"/api/funds/plans/{plan['id']}/lines", {"to_org": "510107", "amount": "400"}, **h)
    assert r.status_code == 200, body_text(r)
    assert post(client, f"/api/funds/plans/{plan['id']}/confirm", {}, **h).status_code == 403
    # over the balance: refused whole, nothing allocated
    post(client, f"/api/funds/plans/{plan['id']}/lines", {"to_org": "510104", "amount": "600.01"}, **h)
    r = post(client, f"/api/funds/plans/{plan['id']}/confirm", {}, **bearer(fin.users.c1_leader))
    assert r.status_code == 422 and "资金余额不足" in body_text(r) and not Allocation.objects.exists()
    post(client, f"/api/funds/plans/{plan['id']}/lines", {"to_org": "510104", "amount": "600"}, **h)
    r = post(client, f"/api/funds/plans/{plan['id']}/confirm", {}, **bearer(fin.users.c1_leader))
    assert r.status_code == 200 and r.json()["status"] == PlanStatus.CONFIRMED
    assert Allocation.objects.filter(plan_id=plan["id"]).count() == len([ln for ln in r.json()["lines"]
                                                                         if ln["amount"] != "0.00"])


def test_decision_with_minutes_then_leftover_conversion_then_reversal(client, fin, users, tree, bearer):
    pot = raised(fin.finance, tree.c1, "1000")
    lead = bearer(fin.users.c1_leader)
    r = client.post("/api/funds/decisions", {
        "org": "510100", "year": "2025", "kind": DecisionKind.LEFTOVER, "meeting": "主席办公会议",
        "held_on": "2025-12-10", "summary": "结余转日常帮扶", "pots": str(pot.pk),
        "minutes": SimpleUploadedFile("纪要.pdf", b"%PDF-1.4 x")}, **lead)
    assert r.status_code == 201, r.content
    d = r.json()
    assert d["pots"] == [pot.pk] and d["minutes_name"] == "纪要.pdf"
    h = bearer(users.finance)
    r = post(client, f"/api/funds/pots/{pot.pk}/convert", {"amount": "400", "decision": d["id"],
                                                          "on_date": "2025-12-20"}, **h)
    assert r.status_code == 201 and r.json()["kind"] == EntryKind.CONVERTED_OUT
    r = post(client, f"/api/funds/entries/{r.json()['id']}/reverse", {"reason": "会议决定撤销"}, **h)
    assert r.status_code == 201 and len(r.json()) == 2
    pot.refresh_from_db()
    assert pot.balance == Decimal("1000.00")


def test_a_decision_from_finance_is_403_and_a_bad_date_422(client, fin, users, tree, bearer):
    pot = raised(fin.finance, tree.c1, "1000")
    data = {"org": "510100", "year": "2025", "kind": "usage_plan", "meeting": "会议", "held_on": "2025-12-10",
            "summary": "x", "pots": str(pot.pk)}
    r = client.post("/api/funds/decisions", {**data, "minutes": SimpleUploadedFile("m.pdf", b"%PDF-1.4")},
                    **bearer(users.finance))
    assert r.status_code == 403
    r = client.post("/api/funds/decisions", {**data, "held_on": "12/10/2025",
                                             "minutes": SimpleUploadedFile("m.pdf", b"%PDF-1.4")},
                    **bearer(fin.users.c1_leader))
    assert r.status_code == 422
    assert not Decision.objects.exists()


def test_evaluate_returns_every_verdict_and_writes_nothing(client, fin, users, tree, bearer):
    pot = raised(fin.finance, tree.c1, "1000", source="central")
    r = post(client, f"/api/funds/pots/{pot.pk}/evaluate", {"amount": "5000", "method": "goods"}, **bearer(users.owner))
    assert r.status_code == 200
    body = r.json()
    outcome = {v["code"]: v["outcome"] for v in body["verdicts"]}
    assert body["blocked"] is True
    assert outcome["central_archive_only"] == outcome["no_goods_from_finance"] == "block"
    assert outcome["no_overdraft"] == outcome["per_payment_limit"] == outcome["decision_first"] == "block"
    assert outcome["cash_only_on_visit"] == "pass"
    decided(fin.leader, pot)
    r = post(client, f"/api/funds/pots/{pot.pk}/evaluate",
             {"amount": "500", "method": "bank", "archive_status": "active"}, **bearer(users.owner))
    assert r.json()["blocked"] is False
    assert post(client, f"/api/funds/pots/{pot.pk}/evaluate", {"amount": 1.5}, **bearer(users.owner)).status_code == 422
    assert pot.entries.count() == 1


def test_rule_setting_through_the_api_is_audited_and_inherited(client, fin, users, tree, bearer):
    h = bearer(fin.users.c1_leader)
    r = post(client, "/api/funds/rules", {"org": "510100", "code": "per_person_year_limit", "mode": "warn",
                                          "max": "8000", "reason": "市办法"}, **h)
    assert r.status_code == 200 and r.json()["params"] == {"max": "8000.00"}
    rows = {x["code"]: x for x in client.get("/api/funds/rules?org=510107", **h).json()}
    assert rows["per_person_year_limit"]["mode"] == "warn" and rows["per_person_year_limit"]["set_at"] == "510100"
    assert AuditEvent.objects.filter(action="funds.rule_set").count() == 1
    r = post(client, "/api/funds/rules", {"org": "510100", "code": "no_overdraft", "mode": "off", "reason": "x"}, **h)
    assert r.status_code == 422
    assert post(client, "/api/funds/rules", {"org": "510100", "code": "spend_by", "mode": "off", "reason": "x"},
                **bearer(users.auditor)).status_code == 403
    assert RuleSetting.objects.count() == 1


def test_statement_sums_and_the_outsider(client, fin, users, tree, bearer):
    from warmth.funds.services import allocation_create

    pot = raised(fin.finance, tree.c1, "1000")
    allocation_create(actor=fin.finance, pot=pot, to_org=tree.k1, amount="300", doc_no="x号", allocated_on=DAY)
    st = client.get("/api/funds/statement?org=510100&year=2025", **bearer(users.auditor)).json()
    assert st["own_total"]["raised"] == "1000.00" and st["own_total"]["allocated"] == "300.00"
    assert st["subtree_total"]["balance"] == "1000.00"
    assert {c["org"]: c["total"]["balance"] for c in st["children"]} == {"510107": "300.00", "510104": "0.00"}
    out = bearer(fin.users.hn_finance)
    assert client.get("/api/funds/statement?org=510100&year=2025", **out).status_code == 404
    assert client.get(f"/api/funds/pots/{pot.pk}", **out).status_code == 404
    assert client.get("/api/funds/allocations", **out).json()["items"] == []
    assert post(client, f"/api/funds/pots/{pot.pk}/evaluate", {"amount": "1"}, **out).status_code == 404


def test_plan_detail_and_cancel(client, fin, users, tree, bearer):
    pot = raised(fin.finance, tree.c1, "1000")
    h = bearer(users.finance)
    plan = post(client, f"/api/funds/pots/{pot.pk}/plans",
                {"total": "10", "doc_no": "x号", "allocated_on": "2025-12-02"}, **h).json()
    assert client.get(f"/api/funds/plans/{plan['id']}", **h).json()["total"] == "10.00"
    r = post(client, f"/api/funds/plans/{plan['id']}/cancel", {"reason": "重做"}, **h)
    assert r.json()["status"] == PlanStatus.CANCELLED
    assert AllocationPlan.objects.get().status == PlanStatus.CANCELLED
