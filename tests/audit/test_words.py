"""The audit log speaks Chinese: action names, object types, field labels and values (statuses by their choices,
booleans 是/否), each app's words registered from its own ``ready`` (the log imports no app)."""

import ast
import re
from pathlib import Path

import pytest

from warmth.audit import actions
from warmth.audit.services import audit_record
from warmth.orgs.access import actor_for

ROOT = Path(__file__).resolve().parents[2] / "warmth"
CODE = re.compile(r"^[a-z_]+\.[a-z_]*[a-z]$")  # a whole code, not a prefix ("archive.transfer_" + …)


def _action_literals() -> set[str]:
    """Every action code written as a literal in an ``audit_record``/``audit_action`` of the code base (the
    conditional ``"a" if x else "b"`` gives both)."""
    found = set()
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts or "demo" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            value = None
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "audit_record":
                value = next((k.value for k in node.keywords if k.arg == "action"), None)
            elif (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Attribute)
                  and node.targets[0].attr == "audit_action"):
                value = node.value
            if value is None:
                continue
            if isinstance(value, ast.Name):  # action=action: the codes assigned to that name in the module
                value = ast.Module(body=[n for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                                         if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == value.id],
                                   type_ignores=[])
            for c in ast.walk(value):
                if isinstance(c, ast.Constant) and isinstance(c.value, str) and CODE.match(c.value):
                    found.add(c.value)
    return found


def test_every_action_code_in_the_code_base_has_a_chinese_name():
    codes = _action_literals()
    assert len(codes) > 60  # the scan found the code base's actions
    unnamed = sorted(c for c in codes if actions.label(c) == c)
    assert unnamed == []
    for code in codes:
        assert re.search(r"[\u4e00-\u9fff]", actions.label(code)), code


@pytest.mark.parametrize(("code", "name"), [
    ("report.submit", "统计表报送"), ("report.approve", "统计表审核通过"), ("report.return", "统计表退回"),
    ("report.exempt", "统计表免报"), ("campaign.visit", "登记走访"), ("campaign.group", "安排慰问团"),
    ("payments.approve", "审批发放"), ("archive.approve", "档案审批通过"), ("center.station_close", "撤销站点"),
])
def test_workflow_and_registered_actions_are_named(code, name):
    assert actions.label(code) == name


def test_a_change_reads_with_field_labels_status_labels_and_yes_or_no():
    assert actions.describe({"status": "submitted", "late": True}, "report") == "状态：已报送；逾期报送：是"
    assert actions.describe({"status": "approved", "late": False}, "report") == "状态：已通过；逾期报送：否"
    assert actions.describe({"hukou_region_code": "510107"}, "archive") == "户口所在地行政区划：510107"
    assert "余额不足不得支出" in actions.describe({"code": "no_overdraft"}, "rule_setting")
    assert actions.describe({"form": "warmth-2015"}, "report") == "报表：2015年工会送温暖活动统计表"
    assert actions.describe({"note": None}) == "说明：（空）"


def test_every_object_type_in_the_code_base_has_a_chinese_name():
    types = set()
    for path in ROOT.rglob("*.py"):
        types |= set(re.findall(r'object_type="([a-z_]+)"', path.read_text(encoding="utf-8")))
    types |= {"center_station", "center_partner"}  # f"center_{what}"
    assert sorted(t for t in types if actions.object_label(t) == t or actions.object_label(t).isascii()) == []


def test_the_audit_page_shows_chinese_names_and_never_a_raw_code(login, users, tree):
    owner = actor_for(users.owner)
    audit_record(actor=owner, action="report.submit", object_type="report", object_id=7, org=tree.c1,
                 before={"status": "draft"}, after={"form": "warmth-2015", "status": "submitted", "late": True})
    audit_record(actor=owner, action="campaign.visit", object_type="visit", object_id=3, org=tree.c1,
                 after={"kind": "household", "visited_on": "2026-01-20"})
    audit_record(actor=owner, action="archive.update", object_type="archive", object_id=5, org=tree.c1,
                 before={"hukou_region_code": "510104"}, after={"hukou_region_code": "510107"})
    html = login(users.auditor).get("/audit/").content.decode()
    html = html[html.index("<table"):]  # the rows (the filter's options carry the codes as their values)
    for words in ("统计表报送", "状态：填报中", "状态：已报送", "逾期报送：是", "登记走访", "入户慰问",
                  "户口所在地行政区划：510107"):
        assert words in html, words
    for raw in ("report.submit", "campaign.visit", "hukou_region_code", "submitted", "late：", "True"):
        assert raw not in html, raw


def test_the_action_filter_lists_names_and_still_filters_by_code(login, users, tree):
    audit_record(actor=actor_for(users.owner), action="report.submit", object_type="report", object_id=1,
                 org=tree.c1)
    client = login(users.auditor)
    html = client.get("/audit/").content.decode()
    assert '<option value="report.submit">统计表报送</option>' in html
    html = client.get("/audit/?action=report.submit").content.decode()
    assert "统计表报送" in html and "没有符合条件的记录" not in html


def test_an_outsider_does_not_see_the_events(login, users, tree):
    audit_record(actor=actor_for(users.owner), action="report.submit", object_type="report", object_id=1,
                 org=tree.c1)
    assert login(users.outsider).get("/audit/").status_code == 403


def test_the_api_gives_each_event_its_chinese_words_beside_the_codes(client, users, tree):
    audit_record(actor=actor_for(users.owner), action="report.submit", object_type="report", object_id=7,
                 org=tree.c1, before={"status": "draft"}, after={"status": "submitted", "late": True})
    client.force_login(users.auditor)
    item = client.get("/api/audit/events?action=report.submit").json()["items"][0]
    assert (item["action"], item["action_label"]) == ("report.submit", "统计表报送")
    assert item["object_label"] == "统计表" and item["before_text"] == "状态：填报中"
    assert set(item["after_text"].split("；")) == {"状态：已报送", "逾期报送：是"}  # jsonb keeps no key order
