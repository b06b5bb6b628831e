"""Moving ``Visit`` from the campaigns app to the visits app moved no data: the two migrations change Django's
state only, the table keeps its name, and a visit written before the move reads back after it."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from warmth.visits import services
from warmth.visits.models import Visit

MOVE = [("campaigns", "0002_delete_visit"), ("visits", "0001_initial")]


def sql_of(app: str, name: str) -> list[str]:
    out = StringIO()
    call_command("sqlmigrate", app, name, stdout=out)
    return [line for line in out.getvalue().splitlines()
            if line.strip() and not line.startswith("--") and line.strip() not in ("BEGIN;", "COMMIT;")]


@pytest.mark.django_db(transaction=True)  # SQLite's schema editor refuses to run inside the test's transaction
@pytest.mark.parametrize(("app", "name"), MOVE)
def test_the_move_runs_no_sql(app, name):
    assert sql_of(app, name) == []


def test_the_visit_keeps_the_table_it_had_in_the_campaigns_app():
    assert Visit._meta.db_table == "campaigns_visit"
    assert Visit._meta.app_label == "visits"


@pytest.mark.django_db(transaction=True)
def test_a_visit_written_before_the_move_reads_back_after_it(camp, tree):
    v = services.visit_record(actor=camp.planner, campaign=camp.campaign, kind="enterprise", visited_on=camp.day,
                              visitors="成都市", org=tree.k1, enterprise="武侯区企业").visit
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([("visits", None), ("campaigns", "0001_initial")])
        executor.loader.build_graph()
        old = executor.loader.project_state([("campaigns", "0001_initial")]).apps.get_model("campaigns", "Visit")
        assert old._meta.db_table == "campaigns_visit"
        assert old.objects.get(pk=v.pk).enterprise == "武侯区企业"
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert Visit.objects.get(pk=v.pk).enterprise == "武侯区企业"
    assert Visit.objects.get(pk=v.pk).campaign == camp.campaign
