"""The streamed 汇总表: every cell equals what the payment records say (read through the models, one instance at a
time), across chunk boundaries of the streaming cursor and across sheets, masked and in full; the job still
checks the permission, writes the ``pii.export`` audit row and its file expires."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from tests.payments.test_paper import _mixed
from tests.payments.test_services import create, through
from warmth.core import crypto, pii
from warmth.core.exporting import safe_cell
from warmth.payments import exporters
from warmth.payments.documents import roster_row, roster_xlsx, source_name
from warmth.payments.models import Payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(pay, fin, tree, make_active):
    """Seven payments of 武侯 over three sheets (two 帮扶项目, two sources), one with a formula-looking note, no
    age and no phone, one with a 15-digit ID; and one not approved (left out)."""
    _mixed(pay, fin, tree, make_active)
    for amount in ("120.10", "99.99", "1000"):
        through(pay, create(pay, make_active(), amount=amount, aid_type="送温暖慰问"))
    odd = Payment.objects.filter(aid_type="送温暖慰问", pot__source="own_union").order_by("id")[1]
    odd.note, odd.age, odd.phone = "=1+1", None, ""
    odd.save(update_fields=["note", "age", "phone", "phone_bidx"])
    short = Payment.objects.filter(aid_type="送温暖慰问", pot__source="own_union").order_by("id")[2]
    short.id_number = "510107800101123"
    short.save(update_fields=["id_number", "id_number_bidx"])
    create(pay, make_active(), amount="50")  # a draft: not on the roster
    return exporters.roster_queryset(tree.k1, 2025)


def _expected(qs, *, full: bool) -> dict[str, list[list]]:
    """The sheets' body rows built from model instances, independently of the streaming code."""
    sheets: dict[str, list[list]] = {}
    for p in qs:  # select_related("pot"): each payment decrypted by its model fields
        key = f"{p.aid_type}-{source_name(p.pot.source)}"
        body = sheets.setdefault(key, [])
        body.append([float(len(body) + 1), safe_cell(p.name), p.sex, float(p.age) if p.age is not None else "",
                     p.id_number if full else pii.mask_id_number(p.id_number), safe_cell(p.unit_or_address),
                     float(p.amount), p.phone if full or not p.phone else pii.mask_phone(p.phone),
                     source_name(p.pot.source), safe_cell(p.note)])
    return sheets


def _bodies(path) -> dict[str, list[list]]:
    book = CalamineWorkbook.from_path(str(path))
    return {name: [row[:10] for row in book.get_sheet_by_name(name).to_python()[3:-1]]
            for name in book.sheet_names}


@pytest.mark.parametrize("chunk", [1, 2, 3, 100])
def test_the_streamed_rows_are_the_records_across_chunk_boundaries(paid, chunk):
    assert list(exporters.roster_rows(paid, chunk=chunk)) == [roster_row(p) for p in paid]
    assert len(list(exporters.roster_rows(paid, chunk=chunk))) == 7


@pytest.mark.parametrize("full", [False, True])
def test_every_cell_of_the_streamed_roster_is_the_records(paid, tmp_path, full):
    out = tmp_path / "roster.xlsx"
    result = roster_xlsx(exporters.roster_rows(paid, chunk=2), out, org_name="武侯区总工会", year=2025, full=full)
    expected = _expected(paid, full=full)
    assert _bodies(out) == expected
    assert set(expected) == {"送温暖慰问-本级工会经费", "送温暖慰问-中央财政帮扶专项资金", "生活救助-本级工会经费"}
    assert result["rows"] == 7 and sum(len(v) for v in expected.values()) == 7
    for name, sheet in result["sheets"].items():
        assert Decimal(sheet["total"]) == sum(Decimal(str(r[6])) for r in expected[name])
    cells = [c for rows in _bodies(out).values() for r in rows for c in r]
    assert "'=1+1" in cells and "" in cells  # the formula neutralized, the missing phone blank
    ids = [r[4] for rows in _bodies(out).values() for r in rows]
    if full:
        assert "510107800101123" in ids
    else:
        assert all("*" in i for i in ids) and "510107*****1123" in ids


def test_a_ciphertext_under_another_column_does_not_open(paid):
    """Each column's ciphertext opens only with its own associated data, as the model field's would."""
    from django.db.models import TextField
    from django.db.models.functions import Cast

    sealed = paid.annotate(s=Cast("id_number", output_field=TextField())).values_list("s", flat=True).first()
    id_field, phone_field = Payment._meta.get_field("id_number"), Payment._meta.get_field("phone")
    assert crypto.opener(id_field.aad)(sealed) == crypto.decrypt(sealed, aad=id_field.aad)
    with pytest.raises(crypto.DecryptionError):
        crypto.opener(phone_field.aad)(sealed)
    with pytest.raises(crypto.DecryptionError):
        crypto.opener(id_field.aad)("plain text")


def test_the_roster_job_streams_audits_and_its_file_expires(paid, users, monkeypatch, settings):
    from warmth.audit.models import AuditEvent
    from warmth.jobs.models import Job, JobStatus
    from warmth.jobs.services import job_create, job_files_expire, job_run
    from warmth.orgs.access import actor_for

    monkeypatch.setattr(exporters, "CHUNK", 2)  # the job's own cursor crosses chunk boundaries
    job = job_create(actor=actor_for(users.auditor), kind="payments.roster", title="汇总表",
                     params={"org": "510107", "year": 2025})
    job_run(job.pk)
    job = Job.objects.get(pk=job.pk)
    assert job.status == JobStatus.DONE and job.result["rows"] == 7 and job.result["full_ids"] is True
    path = Path(settings.WARMTH_FILES_DIR) / job.result_file
    assert _bodies(path) == _expected(paid, full=True)
    ev = AuditEvent.objects.get(action="pii.export", object_type="payment_roster")
    assert ev.after["rows"] == 7 and ev.after["full_ids"] is True and ev.actor_id == users.auditor.pk
    # the file holds full ID numbers: it is deleted after the keep period, and the deletion audited
    assert job.files_expire_at == job.finished_at + timedelta(days=settings.WARMTH_EXPORT_KEEP_DAYS)
    assert job_files_expire(now=job.finished_at + timedelta(days=settings.WARMTH_EXPORT_KEEP_DAYS + 1)) == [job.pk]
    assert not path.exists() and Job.objects.get(pk=job.pk).files_expired
    assert AuditEvent.objects.filter(action="job.files_delete", object_id=str(job.pk)).exists()


def test_the_roster_job_refuses_a_role_without_export_and_an_org_outside(paid, users, fin):
    from warmth.audit.models import AuditEvent
    from warmth.jobs.models import Job, JobStatus
    from warmth.jobs.services import job_create, job_run
    from warmth.orgs.access import actor_for

    for user, org in ((users.leader, "510107"), (fin.users.hn_finance, "510107")):
        job = job_create(actor=actor_for(user), kind="payments.roster", title="汇总表",
                         params={"org": org, "year": 2025})
        job_run(job.pk)
        job = Job.objects.get(pk=job.pk)
        assert job.status == JobStatus.FAILED and not job.result_file, (user, job.error)
    assert not AuditEvent.objects.filter(action="pii.export").exists()


def test_a_role_without_full_ids_gets_the_masked_roster(paid, users, tree, monkeypatch, tmp_path):
    from warmth.audit.models import AuditEvent
    from warmth.orgs import access
    from warmth.orgs.access import actor_for
    from warmth.orgs.permissions import Perm

    real = access.role_has
    monkeypatch.setattr(access, "role_has", lambda role, perm: perm != Perm.PII_FULL and real(role, perm))
    monkeypatch.setattr(exporters, "CHUNK", 3)
    out = tmp_path / "masked.xlsx"
    result = exporters.roster_export(actor=actor_for(users.auditor), org=tree.k1, year=2025, path=out)
    assert result["full_ids"] is False and _bodies(out) == _expected(paid, full=False)
    assert AuditEvent.objects.get(action="pii.export").after["full_ids"] is False


def test_the_streamed_bank_file_is_the_records(pay, make_active, client, users, monkeypatch, tmp_path):
    """The bank batch read as plain rows (only the account decrypted) prints what the records say, across chunk
    boundaries, in the CSV and the xlsx."""
    from django.urls import reverse

    from warmth.payments.documents import BankRow, bank_csv, bank_row

    for amount in ("300", "450.50", "120", "99.99", "1000"):
        through(pay, create(pay, make_active(), amount=amount))
    qs = Payment.objects.filter(status="approved", method="bank").order_by("id")
    expected = [bank_row(p) for p in qs]
    assert len(expected) == 5 and all(r.bank_account for r in expected)
    for chunk in (1, 2, 100):
        assert list(exporters.bank_records(qs, chunk=chunk)) == expected
    text, count, total = bank_csv(expected)
    assert count == 5 and total == Decimal("1970.49")
    monkeypatch.setattr(exporters, "CHUNK", 2)
    client.force_login(users.county)
    body = client.get(reverse("payment_bank") + "?org=510107&year=2025&format=csv").content.decode("utf-8-sig")
    assert body == text.removeprefix("\ufeff")
    r = client.get(reverse("payment_bank") + "?org=510107&year=2025&format=xlsx")
    (tmp_path / "b.xlsx").write_bytes(b"".join(r.streaming_content))
    rows = CalamineWorkbook.from_path(str(tmp_path / "b.xlsx")).get_sheet_by_name("代发明细").to_python()
    assert [[r[1], r[2], r[3], Decimal(str(r[4])), r[5]] for r in rows[1:-1]] == \
        [[b.name, b.bank_account, b.bank_name, b.amount, f"{b.aid_type} 凭证{b.pk}"] for b in expected]
    assert isinstance(expected[0], BankRow)
