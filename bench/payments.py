"""Benchmarks of 实名制发放 on PostgreSQL (issues 5 and 23), each against its floor measured in the same run:

  - batch payment of 50,000 households with every funds rule (goal ≤ 10 s), timed in a fresh process as the
    worker runs it; floor: a ``COPY`` of the same rows the batch wrote (its payments and their trail steps, every
    column as stored) into the same tables with their indexes, foreign keys (checked: ``SET CONSTRAINTS ALL
    IMMEDIATE``) and triggers, in one transaction rolled back afterwards;
  - the roster (汇总表) of ≥ 100,000 distinct payments, from the query to the file on disk, through the job the
    page starts (``payments.roster``: permission, count, streamed rows, audit row, job row), goal ≤ 1.3× the
    floor: one psycopg query of the same rows (the stored ciphertexts), each ID number and phone decrypted with
    the same AES-GCM primitive (one cipher per key), written by bare xlsxwriter in constant-memory mode with the
    same sheets, cells and formats; once in full (what every exporting role gets) and once masked;
  - the archive export (困难职工档案, the import layout) of the province's live households and their families,
    against the same kind of floor (one query per table, decrypted, masked, the same cells and formats).

Each figure is the median of 3 runs (the export and its floor interleaved), with the spread and the load
average at start and end; ``bench/results/payments.json`` records them.

Data: ``seed-demo --scale province`` with ``--archives`` archives (default 84,000: ~51,000 active households);
the first ``--households`` active ones get an earlier approved bank payment (医疗救助, a full snapshot, its own
ciphertexts), which gives the batch their accounts and the roster its first 50,000 rows; the batch's own 50,000
(approved after the batch is timed) are the other half. Every row is a distinct payment with its own ciphertexts.

Usage: uv run python bench/payments.py [--db warmth_payments_bench] [--households 50000] [--archives 84000]
       [--reuse] [--keep] [--skip-batch] [--skip-archives]
(creates and drops the database at 127.0.0.1:5432 — never point it at real data; --reuse keeps a seeded one).
"""

import argparse
import base64
import json
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_DEFAULT = "warmth_payments_bench"
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "warmth.settings")
os.environ.setdefault("WARMTH_FIELD_KEY", "k1:" + "A" * 43 + "=")
os.environ.setdefault("WARMTH_INDEX_KEY", "i1:" + "B" * 43 + "=")

BATCH = "bench"
FLOOR_BATCH = "bench-floor"


def _db_from_argv() -> str:
    for i, a in enumerate(sys.argv):
        if a == "--db" and i + 1 < len(sys.argv):
            return sys.argv[i + 1]
        if a.startswith("--db="):
            return a.split("=", 1)[1]
    return DB_DEFAULT


DB = _db_from_argv()
if not DB.startswith("warmth_") or "bench" not in DB:
    raise SystemExit("the bench drops its database: name it warmth_…bench…")
os.environ["DATABASE_URL"] = f"{SERVER}/{DB}"


def fresh_database():
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB}")
        conn.execute(f"CREATE DATABASE {DB}")


def drop_database():
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default=DB_DEFAULT)
    ap.add_argument("--households", type=int, default=50_020,
                    help="active households given an account (≥ 100,000 roster rows with the batch's own)")
    ap.add_argument("--archives", type=int, default=84_000, help="archives the province demo makes")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--reuse", action="store_true", help="use the seeded database of an earlier --keep run")
    ap.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    ap.add_argument("--skip-batch", action="store_true")
    ap.add_argument("--skip-roster", action="store_true")
    ap.add_argument("--skip-archives", action="store_true")
    ap.add_argument("--no-save", action="store_true", help="print only (a trial run)")
    ap.add_argument("--batch-only", type=int, help=argparse.SUPPRESS)  # the fresh process: pot id
    args = ap.parse_args()
    if args.batch_only:
        return batch_only(args.batch_only)
    from bench.common import Bench

    bench = Bench("payments")
    if not args.reuse:
        fresh_database()
    import django

    django.setup()
    from django.db import connection

    from warmth.funds.models import FundPot
    from warmth.orgs.access import actor_for
    from warmth.orgs.models import Org, User

    if not args.reuse:
        seed(bench, args)
    else:
        bench.note(f"database {DB} as seeded by an earlier run of this bench (--keep); the batch's rows are "
                   "deleted and written again by each run")
    province = Org.objects.get(code="510000")
    pot = FundPot.objects.get(org=province, year=2025, source="own_union", purpose="warmth")
    handler = actor_for(User.objects.get(username="bench_hand"))
    connection.close()
    if not args.skip_batch:
        batch_bench(bench, pot, args.runs)
    approve_batch()
    if not args.skip_roster:
        roster_bench(bench, handler, province, args.runs)
    if not args.skip_archives:
        archive_bench(bench, handler, province, args.runs)
    if not args.no_save:
        bench.save()
    connection.close()
    if not args.keep:
        drop_database()


# --- seeding -----------------------------------------------------------------------------------------------

def seed(bench, args) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from warmth.archives.choices import ArchiveStatus
    from warmth.archives.models import Archive
    from warmth.funds.models import FundPot
    from warmth.orgs.access import actor_for
    from warmth.orgs.models import Org, Role
    from warmth.orgs.services import user_create
    from warmth.payments.choices import PaymentStatus, RecipientKind
    from warmth.payments.models import Payment
    from warmth.payments.services import snapshot_values

    call_command("migrate", verbosity=0)
    import warmth.demo.archives as archive_demo
    import warmth.demo.funds
    import warmth.demo.orgs
    import warmth.demo.payments  # noqa: F401 (the seeders register on import)

    archive_demo.SCALE_ARCHIVES["province"] = args.archives  # a bigger 四川 than the demo's 20,000
    t = time.perf_counter()
    call_command("seed_demo", scale="province", stdout=StringIO())
    bench.note(f"seed-demo --scale province with {args.archives:,} archives: {time.perf_counter() - t:.1f} s")
    province = Org.objects.get(code="510000")
    pot = FundPot.objects.get(org=province, year=2025, source="own_union", purpose="warmth")
    handler = actor_for(user_create(actor=None, username="bench_hand", full_name="压测", password="Bench@20251",  # noqa: S106
                                    org=province, role=Role.HANDLER))
    t = time.perf_counter()
    today = timezone.localdate()
    made = 0
    archives = (Archive.objects.filter(org__path__startswith=province.path, status=ArchiveStatus.ACTIVE)
                .order_by("id")[: args.households])
    page = []
    for i, a in enumerate(archives.iterator(chunk_size=5000)):
        page.append(Payment(org_id=a.org_id, pot=pot, archive=a, recipient_kind=RecipientKind.ARCHIVE,
                            aid_type="医疗救助", amount=Decimal(100 + i % 900), method="bank",
                            bank_account=f"6228{i:015d}", bank_name="农行", status=PaymentStatus.APPROVED,
                            created_by=handler.user, **snapshot_values(a, today)))
        if len(page) == 5000:
            made += len(Payment.objects.bulk_create(page))
            page = []
    made += len(Payment.objects.bulk_create(page))
    bench.note(f"{made:,} active households given an account (an earlier approved 医疗救助 bank payment, a full "
               f"snapshot) in {time.perf_counter() - t:.1f} s")
    connection.ensure_connection()
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")  # what autovacuum does after the bulk loads, before any clock starts


# --- the batch ---------------------------------------------------------------------------------------------

def _vacuum(*tables: str) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        for t in tables:
            cur.execute(f"VACUUM ANALYZE {t}")


def _clear_batch(name: str) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM payments_paymentstep WHERE payment_id IN "
                    "(SELECT id FROM payments_payment WHERE batch = %s)", [name])
        cur.execute("DELETE FROM payments_payment WHERE batch = %s", [name])
    _vacuum("payments_payment", "payments_paymentstep")


def batch_bench(bench, pot, runs: int) -> None:
    from bench.common import Timing, run_child

    seconds, rss, result = [], [], {}
    for _ in range(runs):
        _clear_batch(BATCH)  # each run pays the same households afresh (untimed)
        _, peak, out = run_child([__file__, "--db", DB, "--batch-only", str(pot.pk)])
        result = json.loads(out.splitlines()[-1])
        seconds.append(result.pop("seconds"))
        rss.append(peak)
    batch = Timing(seconds)
    made = result["made"]
    # the floor: the rows this batch wrote, every column as stored, written again by COPY under another batch
    # name (the one-per-batch constraint) and fresh ids, with their trail steps
    pay_cols, pay_data, step_cols, step_data = _floor_rows()
    floor = []
    for _ in range(runs):
        _vacuum("payments_payment", "payments_paymentstep")
        floor.append(_floor_copy(pay_cols, pay_data, step_cols, step_data, made))
    reasons = ", ".join(f"{n:,} {why}" for why, n in result["reasons"])
    bench.row(f"batch payment, every funds rule: {result['households']:,} checked, {made:,} made "
              f"({reasons})", batch, floor=Timing(floor),
              floor_what="COPY of the same payments and trail steps into the same indexed tables, FKs checked",
              goal="≤ 10 s", goal_seconds=10.0,
              extra=f"fresh process per run, peak RSS {max(rss):.0f} MB; commits per chunk of 2,000")


def _floor_rows():
    from django.db import connection

    from warmth.payments.models import Payment, PaymentStep

    pay_cols = [f.column for f in Payment._meta.concrete_fields]
    step_cols = [f.column for f in PaymentStep._meta.concrete_fields if f.column != "id"]
    with connection.cursor() as cur:
        cur.execute("SELECT max(id) FROM payments_payment")
        offset = cur.fetchone()[0] + 1_000_000
        select = ", ".join(f"id + {offset}" if c == "id" else f"'{FLOOR_BATCH}'" if c == "batch" else f'"{c}"'
                           for c in pay_cols)
        pay_data = bytearray()
        with cur.copy(f"COPY (SELECT {select} FROM payments_payment WHERE batch = '{BATCH}' ORDER BY id) "  # noqa: S608
                      "TO STDOUT") as copy:
            for block in copy:
                pay_data += block
        select = ", ".join(f"s.payment_id + {offset}" if c == "payment_id" else f's."{c}"' for c in step_cols)
        step_data = bytearray()
        with cur.copy(f"COPY (SELECT {select} FROM payments_paymentstep s JOIN payments_payment p "  # noqa: S608
                      f"ON p.id = s.payment_id WHERE p.batch = '{BATCH}' ORDER BY s.id) TO STDOUT") as copy:
            for block in copy:
                step_data += block
    return pay_cols, bytes(pay_data), step_cols, bytes(step_data)


def _floor_copy(pay_cols, pay_data, step_cols, step_data, made: int) -> float:
    import psycopg

    quoted = lambda cols: ", ".join(f'"{c}"' for c in cols)  # noqa: E731
    with psycopg.connect(f"{SERVER}/{DB}") as conn:
        t = time.perf_counter()
        with conn.cursor() as cur:
            with cur.copy(f"COPY payments_payment ({quoted(pay_cols)}) FROM STDIN") as copy:
                copy.write(pay_data)
            with cur.copy(f"COPY payments_paymentstep ({quoted(step_cols)}) FROM STDIN") as copy:
                copy.write(step_data)
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign keys checked now
            cur.execute("SELECT count(*) FROM payments_payment WHERE batch = %s", [FLOOR_BATCH])
            assert cur.fetchone()[0] == made
        seconds = time.perf_counter() - t
        conn.rollback()
    return seconds


def batch_only(pot_id: int) -> None:
    import django

    django.setup()
    from warmth.funds.models import FundPot
    from warmth.orgs.access import actor_for
    from warmth.orgs.models import User
    from warmth.payments.batch import batch_pay

    pot, handler = FundPot.objects.get(pk=pot_id), actor_for(User.objects.get(username="bench_hand"))
    t = time.perf_counter()
    result = batch_pay(actor=handler, pot=pot, amount="100", aid_type="送温暖慰问", batch=BATCH)
    result["seconds"] = time.perf_counter() - t
    result.pop("skipped_list")
    print(json.dumps(result, ensure_ascii=False, default=str))


def approve_batch() -> None:
    """The batch's payments approved (what the chain would do), so the roster holds them too."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("UPDATE payments_payment SET status = 'approved' WHERE batch = %s AND status = 'submitted'",
                    [BATCH])
    _vacuum("payments_payment")


# --- the roster ----------------------------------------------------------------------------------------------

def roster_bench(bench, handler, province, runs: int) -> None:
    from bench.common import Timing
    from warmth.jobs.services import job_create, job_run
    from warmth.payments.documents import roster_row, roster_xlsx
    from warmth.payments.exporters import roster_queryset, roster_rows

    folder = Path(tempfile.mkdtemp(prefix="warmth-bench-"))
    n = roster_queryset(province, 2025).count()
    real, bare, masked, bare_masked, before = [], [], [], [], []
    jobs = []
    for _ in range(runs):  # interleaved, so load on the shared machine falls on both alike
        job = job_create(actor=handler, kind="payments.roster", title="bench",
                         params={"org": province.code, "year": 2025})
        t = time.perf_counter()
        job_run(job.pk)
        real.append(time.perf_counter() - t)
        jobs.append(job.pk)
        bare.append(roster_floor(province, 2025, folder / "floor-full.xlsx", full=True))
        t = time.perf_counter()
        roster_xlsx(roster_rows(roster_queryset(province, 2025)), folder / "masked.xlsx", org_name=province.name,
                    year=2025, full=False)
        masked.append(time.perf_counter() - t)
        bare_masked.append(roster_floor(province, 2025, folder / "floor-masked.xlsx", full=False))
        # the previous code path, for comparison in the same run: model instances from the same query (every
        # encrypted field decrypted by its converter, the pot joined), turned into the same rows and file
        t = time.perf_counter()
        roster_xlsx((roster_row(p) for p in roster_queryset(province, 2025).iterator(chunk_size=2000)),
                    folder / "before.xlsx", org_name=province.name, year=2025, full=True)
        before.append(time.perf_counter() - t)
    from django.conf import settings

    from warmth.jobs.models import Job

    job = Job.objects.get(pk=jobs[-1])
    assert job.status == "done", job.error
    written = Path(settings.WARMTH_FILES_DIR) / job.result_file
    same_full = _same_cells(written, folder / "floor-full.xlsx")
    same_masked = _same_cells(folder / "masked.xlsx", folder / "floor-masked.xlsx")
    size = written.stat().st_size / 2**20
    bench.row(f"roster of {n:,} distinct payments, full IDs (the job: permission, count, streamed query, "
              f"decryption, file, audit)", Timing(real), floor=Timing(bare),
              floor_what="psycopg query + AES-GCM decryption + bare xlsxwriter, same cells and formats",
              goal="≤ 1.3× floor", goal_ratio=1.3,
              extra=f"{size:.1f} MB file; cells identical to the floor's: {same_full}")
    bench.row(f"roster of {n:,} distinct payments, masked IDs and phones (roster_rows → roster_xlsx)",
              Timing(masked), floor=Timing(bare_masked),
              floor_what="the same floor, masking in place", goal="≤ 1.3× floor", goal_ratio=1.3,
              extra=f"cells identical to the floor's: {same_masked}")
    same_before = _same_cells(folder / "before.xlsx", folder / "floor-full.xlsx")
    bench.row(f"(before) roster of {n:,} payments through model instances, full IDs", Timing(before),
              floor=Timing(bare), floor_what="the full floor above", extra=f"cells identical: {same_before}")
    for pk in jobs:
        Job.objects.filter(pk=pk).update(result_file="")


def _openers(aad: bytes):
    """The floor's decryption: the configured keys, one AES-GCM object each (the cryptography package's)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from django.conf import settings

    opens = {kid: AESGCM(key).decrypt for kid, key in settings.WARMTH_FIELD_KEYS.items()}
    b64 = base64.b64decode

    def one(token: str) -> str:
        if not token:
            return token
        _, kid, body = token.split(":", 2)
        raw = b64(body)
        return opens[kid](raw[:12], raw[12:], aad).decode()
    return one


DANGER = ("=", "+", "-", "@", "\t", "\r")


def _safe(v):
    from warmth.core.exporting import safe_cell

    return safe_cell(v) if v and v.startswith(DANGER) else v


def _mask_id(v: str) -> str:  # stored normalized: the masking rule without normalizing again
    if len(v) >= 15:
        return v[:6] + "*" * (len(v) - 10) + v[-4:]
    return "*" * max(len(v) - 4, 0) + v[-4:] if v else v


def _mask_phone(v: str) -> str:
    if not v:
        return v
    return v[:3] + "****" + v[-4:] if len(v) == 11 else "*" * max(len(v) - 4, 0) + v[-4:]


def roster_floor(org, year: int, path: Path, *, full: bool) -> float:
    """The least work that writes the same 汇总表: one query, decryption, the same cells and formats."""
    import psycopg
    import xlsxwriter

    from warmth.core.exporting import apply_print_setup
    from warmth.payments.documents import COLUMNS, ROSTER_PRINT, roster_title, source_name

    id_open = _openers(b"warmth:payments_payment.id_number")
    phone_open = _openers(b"warmth:payments_payment.phone")
    t = time.perf_counter()
    with psycopg.connect(f"{SERVER}/{DB}") as conn, conn.cursor() as cur:
        cur.execute("""SELECT p.aid_type, f.source, p.name, p.sex, p.age, p.id_number, p.unit_or_address, p.amount,
                              p.phone, p.note
                       FROM payments_payment p JOIN funds_fundpot f ON f.id = p.pot_id
                       JOIN orgs_org o ON o.id = p.org_id
                       WHERE o.path LIKE %s AND f.year = %s AND p.status IN ('approved', 'paid', 'confirmed')
                       ORDER BY p.aid_type, f.source, o.path, p.id""", [org.path + "%", year])
        book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
        title_fmt = book.add_format({"bold": True, "font_size": 14, "align": "center"})
        head = book.add_format({"bold": True, "border": 1, "align": "center", "bg_color": "#EEEEEE"})
        cell = book.add_format({"border": 1})
        number = book.add_format({"border": 1, "align": "center", "num_format": "0"})
        money = book.add_format({"border": 1, "num_format": "#,##0.00"})
        total_fmt = book.add_format({"border": 1, "bold": True, "num_format": "#,##0.00"})
        ws, key, r, n, total, label = None, None, 0, 0, Decimal(0), ""

        def close():
            ws.write_string(r, 0, "合计", head)
            ws.write_string(r, 1, f"{n} 人", cell)
            ws.write_number(r, 6, float(total), total_fmt)
            apply_print_setup(ws, ROSTER_PRINT, last_row=r, last_col=9)

        for aid, source, name, sex, age, sid, unit, amount, sphone, note in cur:
            if (aid, source) != key:
                if ws is not None:
                    close()
                key, n, total, label = (aid, source), 0, Decimal(0), source_name(source)
                ws = book.add_worksheet(f"{aid}-{label}"[:31])
                for a, b, w in ((0, 0, 6), (1, 3, 8), (4, 4, 21), (5, 5, 30), (6, 7, 14), (8, 8, 22), (9, 9, 12)):
                    ws.set_column(a, b, w)
                ws.set_row(0, 24)
                ws.merge_range(0, 0, 0, 9, roster_title(year=year, aid=aid, sources={source}), title_fmt)
                ws.write_string(1, 0, f"填报单位：{org.name}　　单位：元")
                for c, h in enumerate(COLUMNS):
                    ws.write_string(2, c, h, head)
                r = 3
            n += 1
            total += amount
            id_number, phone = id_open(sid), phone_open(sphone)
            ws.write_number(r, 0, n, number)
            ws.write_string(r, 1, _safe(name), cell)
            ws.write_string(r, 2, sex, cell)
            if age is None:
                ws.write_blank(r, 3, None, number)
            else:
                ws.write_number(r, 3, age, number)
            ws.write_string(r, 4, id_number if full else _mask_id(id_number), cell)
            ws.write_string(r, 5, _safe(unit), cell)
            ws.write_number(r, 6, float(amount), money)
            ws.write_string(r, 7, phone if full else _mask_phone(phone), cell)
            ws.write_string(r, 8, label, cell)
            ws.write_string(r, 9, _safe(note), cell)
            r += 1
        if ws is not None:
            close()
        book.close()
    return time.perf_counter() - t


def _same_cells(a: Path, b: Path) -> str:
    from python_calamine import CalamineWorkbook

    wa, wb = CalamineWorkbook.from_path(str(a)), CalamineWorkbook.from_path(str(b))
    if len(wa.sheet_names) != len(wb.sheet_names):
        return "no (sheets differ)"
    for x, y in zip(wa.sheet_names, wb.sheet_names, strict=True):
        if wa.get_sheet_by_name(x).to_python() != wb.get_sheet_by_name(y).to_python():
            return f"no (sheet {x})"
    return "yes"


# --- the archive export ------------------------------------------------------------------------------------------

def archive_bench(bench, handler, province, runs: int) -> None:
    from bench.common import Timing
    from warmth.archives.exporters import archive_export

    folder = Path(tempfile.mkdtemp(prefix="warmth-bench-"))
    real, bare = [], []
    result = {}
    for _ in range(runs):
        t = time.perf_counter()
        result = archive_export(actor=handler, org=province, path=folder / "archives.xlsx")
        real.append(time.perf_counter() - t)
        bare.append(archive_floor(province, folder / "floor.xlsx"))
    same = _same_cells(folder / "archives.xlsx", folder / "floor.xlsx")
    bench.row(f"archive export of {result['rows']:,} households and {result['members']:,} family members, full IDs",
              Timing(real), floor=Timing(bare),
              floor_what="psycopg queries + AES-GCM decryption + bare xlsxwriter, same cells and formats",
              goal="≤ 1.3× floor", goal_ratio=1.3, extra=f"cells identical to the floor's: {same}")


def archive_floor(org, path: Path) -> float:
    """The least work that writes the same archive export: one query per sheet (households; their family
    members in the same order), decryption, the layout's fixed part (hint, header, drop-downs) and the same cells
    written column by column with the writer each column's type needs."""
    from datetime import date
    from decimal import ROUND_HALF_UP

    import psycopg

    from warmth.archives.choices import ArchiveStatus
    from warmth.archives.models import LIVE_STATUSES, Archive, FamilyMember
    from warmth.archives.template import HEAD_COLUMNS, HEAD_SHEET, MEMBER_COLUMNS, MEMBER_SHEET, LayoutWriter

    head_cols = [Archive._meta.get_field(c.field).column for c in HEAD_COLUMNS]
    member_cols = [FamilyMember._meta.get_field(c.field).column for c in MEMBER_COLUMNS if c.field != "head_id"]
    id_open = _openers(b"warmth:archives_archive.id_number")
    phone_open = _openers(b"warmth:archives_archive.phone")
    member_open = _openers(b"warmth:archives_familymember.id_number")
    labels = dict(ArchiveStatus.choices)
    cent = Decimal("0.01")
    t = time.perf_counter()
    with psycopg.connect(f"{SERVER}/{DB}") as conn, conn.cursor() as heads, conn.cursor() as members:
        where = "FROM archives_archive a JOIN orgs_org o ON o.id = a.org_id WHERE o.path LIKE %s AND a.status = ANY(%s)"
        params = [org.path + "%", list(LIVE_STATUSES)]
        heads.execute(f"SELECT a.id, {', '.join('a.' + c for c in head_cols)}, a.archive_no, a.status, o.name "
                      f"{where} ORDER BY o.path, a.archive_no", params)
        members.execute(f"SELECT m.archive_id, {', '.join('m.' + c for c in member_cols)} "  # noqa: S608
                        f"FROM archives_familymember m JOIN archives_archive a ON a.id = m.archive_id "
                        f"JOIN orgs_org o ON o.id = a.org_id WHERE o.path LIKE %s AND a.status = ANY(%s) "
                        f"ORDER BY o.path, a.archive_no, m.position, m.id", params)
        writer = LayoutWriter(path, constant_memory=True, info=True)
        fmt_date, fmt_money = writer.fmt_date, writer.fmt_money
        hs, ms = writer.sheets[HEAD_SHEET], writer.sheets[MEMBER_SHEET]

        def put(ws, r, c, v):  # the cell writer of the value's type (what LayoutWriter.write does)
            if v is None or v == "":
                return
            if v is True or v is False:
                ws.write_string(r, c, "是" if v else "否")
            elif isinstance(v, date):
                ws.write_datetime(r, c, v, fmt_date)
            elif isinstance(v, int):
                ws.write_number(r, c, v)
            elif isinstance(v, Decimal):
                ws.write_number(r, c, float(v), fmt_money)
            else:
                ws.write_string(r, c, _safe(v))

        id_at, phone_at = 1 + head_cols.index("id_number"), 1 + head_cols.index("phone")
        income_at, size_at = 1 + head_cols.index("household_annual_income"), 1 + head_cols.index("household_size")
        member_id_at = 1 + member_cols.index("id_number")
        hr = mr = 2
        pending = next(members, None)
        for row in heads:
            row = list(row)
            pk, status, org_name, archive_no = row[0], row[-2], row[-1], row[-3]
            head_id = row[id_at] = id_open(row[id_at])
            row[phone_at] = phone_open(row[phone_at])
            per_capita = (row[income_at] / row[size_at]).quantize(cent, ROUND_HALF_UP)
            for c, v in enumerate(row[1:-3]):
                put(hs, hr, c, v)
            base = len(row) - 4
            put(hs, hr, base, per_capita)
            put(hs, hr, base + 1, archive_no)
            put(hs, hr, base + 2, labels[status])
            put(hs, hr, base + 3, org_name)
            hr += 1
            while pending is not None and pending[0] == pk:
                m = list(pending)
                m[member_id_at] = member_open(m[member_id_at])
                put(ms, mr, 0, head_id)
                for c, v in enumerate(m[1:], start=1):
                    put(ms, mr, c, v)
                mr += 1
                pending = next(members, None)
        writer.close()
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
