import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from warmth.cli import ensure_env_file
from warmth.orgs.models import Membership, Org, User

ROOT = Path(__file__).resolve().parents[1]


def assert_levels_follow_the_rule():
    from warmth.orgs.models import ALLOWED_CHILDREN

    pairs = set(Org.objects.exclude(parent=None).values_list("parent__level", "level"))
    assert pairs and all(child in ALLOWED_CHILDREN[parent] for parent, child in pairs), pairs


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_orgs_list_json_prints_every_org_with_its_parent_code(tree):
    data = json.loads(run("orgs", "list", "--format", "json"))
    assert len(data) == Org.objects.count() == 8
    by_code = {o["code"]: o for o in data}
    assert by_code["510107"] == {"code": "510107", "name": "武侯区总工会", "level": "county",
                                 "parent_code": "510100", "region_code": "510107", "depth": 4}
    assert by_code["ACFTU"]["parent_code"] is None


def test_orgs_list_for_a_user_shows_only_their_subtree(users):
    data = json.loads(run("orgs", "list", "--format", "json", "--user", "outsider"))
    assert sorted(o["code"] for o in data) == ["460000", "460105"]
    data = json.loads(run("orgs", "list", "--format", "json", "--user", "owner", "--org", "510107"))
    assert sorted(o["code"] for o in data) == ["510107", "510107-0001"]


def test_orgs_list_refuses_an_org_outside_the_users_view(users):
    with pytest.raises(CommandError, match="不在可见范围内"):
        run("orgs", "list", "--user", "outsider", "--org", "510107")
    with pytest.raises(CommandError, match="不存在"):
        run("orgs", "list", "--org", "NOPE")


def test_orgs_add_and_move_from_the_command_line(tree):
    run("orgs", "add", "--parent", "510104", "--code", "510104-0002", "--name", "锦江区某厂工会",
        "--level", "grassroots")
    run("orgs", "move", "510104-0002", "--to", "510107", "--reason", "划转")
    org = Org.objects.get(code="510104-0002")
    assert org.parent == tree.k1 and org.moves.get().moved_by is None  # None: the operator, on the CLI
    with pytest.raises(CommandError, match="已被使用"):
        run("orgs", "add", "--parent", "510104", "--code", "510107", "--name", "x", "--level", "grassroots")


def test_seed_demo_small_builds_a_deterministic_tree_with_logins(db):
    out = run("seed_demo", "--scale", "small", "--seed", "7")
    assert "Warmth@2025" in out and "cd_handler" in out
    assert Org.objects.filter(level="province").count() == 2
    assert Org.objects.get(code="510107").parent.code == "510100"
    assert Org.objects.find_problems() == ([], [], [], [], [])
    assert User.objects.get(username="multi").memberships.count() == 2
    assert_levels_follow_the_rule()
    assert Membership.objects.filter(user__username="hn_handler", org__code="460000").exists()
    with pytest.raises(CommandError, match="空数据库"):
        run("seed_demo", "--scale", "small")


@pytest.mark.django_db(transaction=True)
def test_the_same_seed_gives_the_same_demo_data():
    from django.db import connection

    from warmth.audit import triggers
    from warmth.funds import triggers as ledger_triggers

    run("seed_demo", "--scale", "small", "--seed", "7")
    first = sorted(Org.objects.values_list("code", "name", "path"))
    triggers.uninstall(connection)
    ledger_triggers.uninstall(connection)
    call_command("flush", interactive=False, verbosity=0)
    triggers.install(connection)
    ledger_triggers.install(connection)
    run("seed_demo", "--scale", "small", "--seed", "7")
    assert sorted(Org.objects.values_list("code", "name", "path")) == first


def test_seed_demo_province_covers_a_whole_province(db):
    """The org tree of ``--scale province`` (the org seeder alone: the other seeders' province runs are the
    benchmarks' set-up, bench/payments.py, and far too slow for the suite)."""
    from warmth.demo.orgs import seed_orgs
    from warmth.demo.pipeline import DemoContext

    seed_orgs(DemoContext(scale="province", seed=2025, year=2025, out=lambda _: None))
    counties = Org.objects.filter(level="county", code__startswith="51").count()
    assert counties > 150  # every county of 四川
    assert Org.objects.filter(level="grassroots", code__startswith="51").count() == counties * 20
    assert Org.objects.find_problems() == ([], [], [], [], [])
    assert_levels_follow_the_rule()


def test_the_env_file_is_created_once_with_private_permissions(tmp_path):
    f = tmp_path / "sub" / "warmth.env"
    assert ensure_env_file(f) is True
    text = f.read_text(encoding="utf-8")
    assert "WARMTH_FIELD_KEY=k1:" in text and "WARMTH_INDEX_KEY=i1:" in text
    assert oct(f.stat().st_mode & 0o777) == "0o600"
    assert ensure_env_file(f) is False and f.read_text(encoding="utf-8") == text


@pytest.mark.slow
def test_the_console_command_prepares_a_fresh_data_folder(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WARMTH_", "DJANGO_", "DATABASE_URL"))}
    env["WARMTH_DATA_DIR"] = str(tmp_path)
    result = subprocess.run([sys.executable, "-m", "warmth.cli", "demo", "--no-serve"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "已生成本机密钥文件" in result.stdout and "Warmth@2025" in result.stdout
    assert (tmp_path / "warmth.sqlite3").exists() and (tmp_path / "warmth.env").exists()
    again = subprocess.run([sys.executable, "-m", "warmth.cli", "demo", "--no-serve"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and "跳过演示数据载入" in again.stdout
    listing = subprocess.run([sys.executable, "-m", "warmth.cli", "orgs", "list", "--format", "json",
                              "--user", "wh_handler"], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=120)
    assert listing.returncode == 0, listing.stderr
    assert {o["code"] for o in json.loads(listing.stdout)} >= {"510107", "510107-0001"}
    # every app's demo module was loaded in that fresh interpreter: households, money, the campaign, payments
    cov = subprocess.run([sys.executable, "-m", "warmth.cli", "campaigns", "coverage", "--org", "510100",
                          "--year", "2025", "--format", "json"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert cov.returncode == 0, cov.stderr
    figures = json.loads(cov.stdout)
    assert figures["filed"] > 0 and 0 < figures["visited"] < figures["filed"]
    bal = subprocess.run([sys.executable, "-m", "warmth.cli", "funds", "balance", "--org", "510107", "--year", "2025",
                          "--format", "json"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert bal.returncode == 0 and json.loads(bal.stdout)["pots"], bal.stderr
    roster = subprocess.run([sys.executable, "-m", "warmth.cli", "payments", "roster", "--org", "510107",
                             "--year", "2025", "--out", str(tmp_path / "r.xlsx")], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert roster.returncode == 0 and "没有记录" not in roster.stdout, roster.stdout + roster.stderr


def test_every_demo_login_in_the_readme_reaches_its_home_page(client, db):
    from django.urls import reverse

    from warmth.demo.orgs import DEMO_USERS, MULTI_USER
    from warmth.demo.pipeline import DEMO_PASSWORD

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    run("seed_demo", "--scale", "small")
    assert DEMO_PASSWORD in readme
    for username, _name, code, _role, _phone in [*DEMO_USERS, (MULTI_USER[0], "", MULTI_USER[2][0][0], "", "")]:
        assert username in readme, f"{username} missing from the README"
        client.logout()
        response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        page = client.get(reverse("home")).content.decode()
        assert Org.objects.get(code=code).name in page, username


def test_funds_balance_json_prints_every_pot_and_the_subtree_totals(users, tree):
    from datetime import date

    from tests.conftest import actor_of
    from warmth.funds.services import allocation_create, fund_raise

    finance = actor_of(users.finance)
    pot = fund_raise(actor=finance, org=tree.c1, year=2025, source="central", purpose="warmth", amount="1000.10",
                     received_on=date(2025, 12, 1)).pot
    fund_raise(actor=finance, org=tree.c1, year=2025, source="donation", purpose="school", amount="50",
               received_on=date(2025, 12, 1), donor="爱心企业")
    allocation_create(actor=finance, pot=pot, to_org=tree.k1, amount="400", doc_no="成工[2025]1号",
                      allocated_on=date(2025, 12, 2))
    data = json.loads(run("funds", "balance", "--org", "510100", "--year", "2025", "--format", "json"))
    assert data["org"] == "510100" and data["year"] == 2025
    assert {(p["source"], p["purpose"]): p["balance"] for p in data["pots"]} == {
        ("central", "warmth"): "600.10", ("donation", "school"): "50.00"}
    assert data["own_balance"] == "650.10"
    assert data["subtree_total"]["balance"] == "1050.10"  # 成都 650.10 + 武侯 400
    assert data["subtree_total"]["raised"] == "1050.10" and data["subtree_total"]["allocated"] == "400.00"
    k1 = json.loads(run("funds", "balance", "--org", "510107", "--year", "2025", "--format", "json"))
    assert k1["own_balance"] == "400.00" and k1["subtree_total"]["received"] == "400.00"
    assert json.loads(run("funds", "balance", "--org", "510100", "--year", "2024", "--format", "json"))["pots"] == []
    assert "本级余额合计：650.10 元" in run("funds", "balance", "--org", "510100", "--year", "2025")
    with pytest.raises(CommandError, match="不存在"):
        run("funds", "balance", "--org", "NOPE", "--year", "2025")
