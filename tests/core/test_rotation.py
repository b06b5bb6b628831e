"""Key rotation proven on a whole demo season (issue 8): ``rotate_keys`` re-encrypts every protected column of
every table under the new key; afterwards, with the old key removed, every row count, every decrypted value,
every blind-index lookup and every figure of the 2015 统计表 at the root is what it was before."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from warmth.audit.management.commands.rotate_keys import encrypted_columns
from warmth.core import crypto

K0 = {"k0": b"0" * 32}
K1_THEN_K0 = {"k1": b"1" * 32, "k0": b"0" * 32}
K1 = {"k1": b"1" * 32}
YEAR = 2025


def raw_tokens(model, field) -> list[str]:
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.execute(f"SELECT {qn(field.column)} FROM {qn(model._meta.db_table)} "  # noqa: S608 (model names)
                    f"WHERE {qn(field.column)} <> ''")
        return [t for (t,) in cur.fetchall()]


def state():
    from warmth.orgs.models import Org
    from warmth.reports import services
    from warmth.reports.definitions import definition

    counts = {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label != "sessions"}
    plain = {}
    for model, field in encrypted_columns():
        plain[model._meta.label, field.name] = sorted(
            (pk, v) for pk, v in model.objects.values_list("pk", field.name) if v)
    cells = services.compute(definition("warmth-2015"), Org.objects.get(parent=None), YEAR)
    return counts, plain, {c: v.value for c, v in cells.items()}


@pytest.mark.django_db
def test_rotate_keys_re_encrypts_every_protected_column_and_changes_nothing_else():
    from warmth.archives.models import Archive
    from warmth.core.fields import bidx
    from warmth.demo.pipeline import DemoContext
    from warmth.demo.seeders import SEEDERS
    from warmth.reports.definitions import definitions

    with override_settings(WARMTH_FIELD_KEYS=K0):
        ctx = DemoContext(scale="small", seed=5, year=YEAR, out=lambda _: None)
        for order, _name, fn in SEEDERS:
            if order < 44 or order > 46:  # the national-only loaders do nothing at small scale anyway
                fn(ctx)
        definitions()  # the shipped statistics forms are stored on first use: store them before counting rows
        before = state()
        columns = list(encrypted_columns())
        assert len(columns) >= 5
        assert sum(len(v) for v in before[1].values()) > 1000  # the demo protects a lot of data
    with override_settings(WARMTH_FIELD_KEYS=K1_THEN_K0):
        call_command("rotate_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    with override_settings(WARMTH_FIELD_KEYS=K1):  # the old key is gone
        for model, field in columns:
            assert {crypto.key_id_of(t) for t in raw_tokens(model, field)} <= {"k1"}, (model, field.name)
        after = state()
        counts0, plain0, cells0 = before
        counts1, plain1, cells1 = after
        # the audit log grows by the rotation's own rows; the tally's dirty marks are a cache's bookkeeping
        # (re-encrypted members are updated rows, so their orgs are refreshed once: the figures below are equal)
        derived = ("audit.AuditEvent", "reports.TallyDirty")
        assert {k: v for k, v in counts1.items() if k not in derived} == {
            k: v for k, v in counts0.items() if k not in derived}
        assert counts1["audit.AuditEvent"] > counts0["audit.AuditEvent"]  # the rotation is in the audit log
        assert plain1 == plain0
        assert cells1 == cells0
        a = Archive.objects.order_by("pk").first()
        assert Archive.objects.get(id_number_bidx=bidx("idcard", a.id_number)).pk == a.pk
