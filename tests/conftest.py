"""Shared fixtures: a small union tree and the standard users.

    ACFTU 全国
    ├── P1 四川省总工会 ── admin, admin2, auditor, leader
    │   └── C1 成都市总工会 ── owner (经办人), colleague (审核人), finance
    │       ├── K1 武侯区总工会 ── G1 基层工会
    │       └── K2 锦江区总工会
    └── P2 海南省总工会 ── outsider (经办人, a sibling subtree)
        └── K3 秀英区总工会
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from warmth.demo.pipeline import DEMO_PASSWORD
from warmth.orgs.access import Actor, actor_for
from warmth.orgs.models import OrgLevel, Role, User
from warmth.orgs.services import org_create, user_create

PASSWORD = DEMO_PASSWORD


def make_org(parent, code, name, level, region_code=""):
    return org_create(actor=None, parent=parent, name=name, code=code, level=level, region_code=region_code)


def make_user(username, org, role, *, phone="", full_name=None):
    return user_create(actor=None, username=username, full_name=full_name or username, password=PASSWORD,
                       org=org, role=role, phone=phone)


def actor_of(user) -> Actor:
    a = actor_for(User.objects.get(pk=user.pk))
    assert a is not None
    return a


def build_tree() -> SimpleNamespace:
    root = make_org(None, "ACFTU", "中华全国总工会", OrgLevel.NATIONAL)
    p1 = make_org(root, "510000", "四川省总工会", OrgLevel.PROVINCE, "510000")
    c1 = make_org(p1, "510100", "成都市总工会", OrgLevel.CITY, "510100")
    k1 = make_org(c1, "510107", "武侯区总工会", OrgLevel.COUNTY, "510107")
    k2 = make_org(c1, "510104", "锦江区总工会", OrgLevel.COUNTY, "510104")
    g1 = make_org(k1, "510107-0001", "武侯区供电公司工会委员会", OrgLevel.GRASSROOTS, "510107")
    p2 = make_org(root, "460000", "海南省总工会", OrgLevel.PROVINCE, "460000")
    k3 = make_org(p2, "460105", "秀英区总工会", OrgLevel.COUNTY, "460105")
    return SimpleNamespace(root=root, p1=p1, c1=c1, k1=k1, k2=k2, g1=g1, p2=p2, k3=k3)


def build_users(tree) -> SimpleNamespace:
    return SimpleNamespace(
        owner=make_user("owner", tree.c1, Role.HANDLER, phone="13812345678", full_name="张小明"),
        colleague=make_user("colleague", tree.c1, Role.REVIEWER),
        finance=make_user("finance", tree.c1, Role.FINANCE),
        outsider=make_user("outsider", tree.p2, Role.HANDLER),
        admin=make_user("admin", tree.p1, Role.ADMIN),
        admin2=make_user("admin2", tree.p1, Role.ADMIN),
        auditor=make_user("auditor", tree.p1, Role.AUDITOR),
        leader=make_user("leader", tree.p1, Role.LEADER),
        county=make_user("county", tree.k1, Role.HANDLER),
    )


@pytest.fixture
def tree(db):
    return build_tree()


@pytest.fixture
def users(tree):
    return build_users(tree)


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _audit_append_only(request):
    """Keep the audit and ledger triggers in place for every database test; lift them only for the flush that ends a
    transactional test (the flush empties every table, the audit table included)."""
    names = set(request.fixturenames)
    transactional = bool({"transactional_db", "live_server"} & names) or any(
        m.kwargs.get("transaction") for m in request.node.iter_markers("django_db"))
    if not ({"db", "transactional_db", "live_server"} & names or request.node.get_closest_marker("django_db")):
        yield
        return
    from django.db import connection

    from warmth.audit import triggers
    from warmth.funds import triggers as ledger_triggers

    request.getfixturevalue("transactional_db" if transactional else "db")
    triggers.install(connection)
    ledger_triggers.install(connection)
    yield
    if transactional:
        triggers.uninstall(connection)
        ledger_triggers.uninstall(connection)


@pytest.fixture(autouse=True)
def _fresh_test_ids():
    from tests.archives.factories import forget_issued_ids

    forget_issued_ids()


@pytest.fixture(autouse=True)
def _fresh_report_forms():
    """The forms store caches what it read per process; each test's rows are rolled back, so start afresh."""
    from warmth.reports import formstore

    formstore.forget()
    yield
    formstore.forget()
