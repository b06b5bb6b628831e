"""Benchmark: importing households (≈2 family members each) from the xlsx template, as users run it.

One run, on the database DATABASE_URL names (PostgreSQL is the main target; SQLite works too), 3 runs of each:

  floors   read:  python-calamine reading every sheet of the file into Python lists;
           write: a bare COPY (SQLite: executemany) of the very rows the importer writes (archives, members,
                  the person index, the timeline steps: captured from the first create run) into the same
                  indexed tables with their triggers, committed (so the deferred foreign-key checks run too);
  (a) create into an empty database: its dry run, and the import;
  (b) re-import of the same file: every household unchanged;
  (c) the same file with 1 % of the households changed and 1 % with an error: the dry run; the import, which
      refuses the whole file (nothing written, every problem listed); and the import with valid_only (the
      changed households updated, the others unchanged, the errors listed);
  (d) peak RSS of the create import in a child process, at 100,000 households and at the 200,000-row limit
      (``--limit``; the 200k file is built once, ~15 minutes).

The files (/tmp/warmth-bench-import-{N}k*.xlsx, deterministic, shared strings as Excel writes them) are built
once by a child process; delete them to rebuild.

    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE warmth_import_bench'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/warmth_import_bench uv run python bench/import_archives.py [--limit]
    psql -h 127.0.0.1 -U postgres -c 'DROP DATABASE warmth_import_bench'

The database must be scratch: the script migrates it, refuses one that holds archives it did not make, and
empties the archive tables between runs. ``--profile`` prints a cProfile of one create import instead.
"""

from __future__ import annotations

import base64
import os
import random
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "warmth.settings")
os.environ.setdefault("WARMTH_ENV_FILE", "/nonexistent/warmth-bench.env")  # never a developer's keys
# Scratch keys for a scratch database (fixed, so a rebuilt file and a re-run agree).
os.environ.setdefault("WARMTH_FIELD_KEY", "b1:" + base64.b64encode(b"b" * 32).decode())
os.environ.setdefault("WARMTH_INDEX_KEY", "j1:" + base64.b64encode(b"j" * 32).decode())

from bench.common import Bench, Timing, run_child, time_runs  # noqa: E402

HOUSEHOLDS = int(os.environ.get("BENCH_HOUSEHOLDS", "100000"))  # a smaller figure for a quick try of the script
LIMIT = 200_000
SEED = 20261123
CHANGED, BROKEN = 50, 77  # household i is changed when i % 100 == CHANGED, broken when i % 100 == BROKEN


def file_for(n: int, variant: str = "") -> Path:
    return Path(f"/tmp/warmth-bench-import-{n // 1000}k{variant}.xlsx")  # noqa: S108 (scratch files)


def build(n: int) -> None:
    """Two files from one deterministic stream: n head rows with 0–4 members each (2 on average), and the same
    with 1 % changed (本人月平均收入 + 1) and 1 % broken (a 困难类别 outside the list) — the variant only at 100k."""
    import django

    django.setup()
    from warmth.archives import choices as ch
    from warmth.archives.template import HEAD_COLUMNS, HEAD_SHEET, MEMBER_COLUMNS, MEMBER_SHEET, LayoutWriter
    from warmth.core import idcard

    rng = random.Random(SEED)
    surnames, given = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗", "建华秀兰小明红强伟芳军敏静丽涛超勇艳杰娟磊"
    counties = ["510104", "510105", "510106", "510107", "510108", "510112", "510113", "510114"]

    def pick(values):
        return values[rng.randrange(len(values))]

    used: set[str] = set()

    def person(born_from, born_to):
        while True:  # random numbers collide now and then; one person, one row
            number = idcard.random_valid(rng, birth_from=born_from, birth_to=born_to, region_code=pick(counties))
            if number not in used:
                used.add(number)
                return number

    path, variant = file_for(n), file_for(n, "-changed")
    writers = [LayoutWriter(path.with_suffix(".part"))]
    if n == HOUSEHOLDS:
        writers.append(LayoutWriter(variant.with_suffix(".part")))
    for i in range(n):
        number = person(date(1960, 1, 1), date(1990, 12, 31))
        n_members = rng.randrange(5)
        causes = rng.sample(ch.HardshipCause.values, rng.randrange(1, 4))
        head = {
            "困难类别": pick(ch.HardshipCategory.values), "姓名": pick(surnames) + pick(given) + pick(given),
            "民族": "汉族" if rng.random() < 0.9 else pick(ch.ETHNICITIES),
            "政治面貌": pick(ch.PoliticalStatus.values),
            "身份证号": number, "健康状况": pick(ch.Health.values), "残疾类别": pick(ch.DisabilityType.values),
            "身份": pick(ch.Identity.values), "劳模类型": pick(ch.ModelWorkerType.values),
            "住房类型": pick(ch.HousingType.values), "建筑面积": pick(ch.HousingArea.values),
            "邮政编码": "610041", "联系电话": f"139{rng.randrange(10**8):08d}",
            "工作时间": date(rng.randrange(1980, 2010), rng.randrange(1, 13), rng.randrange(1, 29)),
            "所属行业": pick(ch.Industry.values), "婚姻状况": pick(ch.MaritalStatus.values),
            "户口类型": pick(ch.HukouType.values), "家庭住址": f"成都市某区某街道{i % 997}号{i % 31}栋{i % 7}单元",
            "工作单位": f"成都某厂{i % 503}", "单位性质": pick(ch.EmployerType.values),
            "企业状况": pick(ch.EnterpriseStatus.values), "是否单亲": pick(["是", "否"]),
            "本人月平均收入": rng.randrange(0, 3000), "家庭年度总收入": rng.randrange(0, 60000),
            "家庭人口": 1 + n_members + rng.randrange(2), "户口所在地行政区划": pick(counties),
            "是否进入医保": pick(["是", "否"]), "是否有一定自救能力": pick(["是", "否"]),
            "是否为零就业家庭": pick(["是", "否"]), "致困主要原因1": causes[0],
            "致困主要原因2": causes[1] if len(causes) > 1 else "",
            "致困主要原因3": causes[2] if len(causes) > 2 else "", "备注": "",
        }
        members = []
        for _ in range(n_members):
            m = {"户主身份证号": number, "姓名": pick(surnames) + pick(given), "关系": pick(ch.Relation.values),
                 "政治面貌": pick(ch.PoliticalStatus.values), "健康状况": pick(ch.Health.values),
                 "身份证号": person(date(1940, 1, 1), date(2015, 12, 31)),
                 "月收入": rng.randrange(0, 2000), "身份": pick(ch.MemberIdentity.values)}
            members.append([m.get(c.header, "") for c in MEMBER_COLUMNS])
        writers[0].write(HEAD_SHEET, [head.get(c.header, "") for c in HEAD_COLUMNS])
        if len(writers) > 1:
            if i % 100 == CHANGED:
                head = {**head, "本人月平均收入": head["本人月平均收入"] + 1}
            elif i % 100 == BROKEN:
                head = {**head, "困难类别": "不存在的类别"}
            writers[1].write(HEAD_SHEET, [head.get(c.header, "") for c in HEAD_COLUMNS])
        for values in members:  # the member sheet follows the order of the heads, as the export writes it
            for w in writers:
                w.write(MEMBER_SHEET, values)
    for w in writers:
        w.close()
    for p in (path, variant)[:len(writers)]:
        p.with_suffix(".part").rename(p)
        print(f"built {p}: {p.stat().st_size / 2**20:.1f} MB", flush=True)


def setup_db():
    import django

    django.setup()
    from django.core.management import call_command

    from warmth.archives.models import Archive
    from warmth.orgs.access import Actor
    from warmth.orgs.models import Membership, Org, OrgLevel, Role
    from warmth.orgs.services import org_create, user_create

    call_command("migrate", verbosity=0)
    org = Org.objects.filter(code="510107").first()
    if org is None:
        if Archive.objects.exists():
            sys.exit("the database already holds archives: point DATABASE_URL at a fresh scratch database")
        root = org_create(actor=None, parent=None, name="中华全国总工会", code="ACFTU", level=OrgLevel.NATIONAL)
        p = org_create(actor=None, parent=root, name="四川省总工会", code="510000", level=OrgLevel.PROVINCE)
        c = org_create(actor=None, parent=p, name="成都市总工会", code="510100", level=OrgLevel.CITY)
        org = org_create(actor=None, parent=c, name="武侯区总工会", code="510107", level=OrgLevel.COUNTY)
        user_create(actor=None, username="bench", full_name="压测", password="Bench@2026-import", org=org,  # noqa: S106
                    role=Role.HANDLER)
    membership = Membership.objects.select_related("user", "org").get(user__username="bench")
    return Actor(membership.user, membership), org


ARCHIVE_TABLES = ("archives_archiveperson", "archives_familymember", "archives_archivestep", "archives_archive",
                  "archives_archivecounter", "reports_tallydirty")


def empty() -> None:
    """Back to no archives (the audit log is append-only and keeps the import's rows: a few per import)."""
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"TRUNCATE {', '.join(ARCHIVE_TABLES)} CASCADE")  # and the (empty) tables that refer to them
        else:
            for table in ARCHIVE_TABLES:
                cur.execute(f"DELETE FROM {table}")  # noqa: S608 (fixed table names)


def bare_read(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    sheets = [book.get_sheet_by_name(name).to_python() for name in book.sheet_names]
    book.close()
    return sum(len(r) for rows in sheets for r in rows)


def child(n: int) -> None:
    """One create import of the n-household file into an empty database; prints the summary counts."""
    actor, org = setup_db()
    from warmth.archives.importing import archive_import

    empty()
    t = time.perf_counter()
    result = archive_import(actor=actor, org=org, path=file_for(n))
    # VmHWM: the peak of this process's own memory since exec (wait4's ru_maxrss would carry the parent's peak
    # across fork and exec, and the parent holds the captured rows)
    hwm = next(int(line.split()[1]) for line in Path("/proc/self/status").read_text().splitlines()
               if line.startswith("VmHWM:"))
    print(f"{result['created']} {len(result['errors'])} {time.perf_counter() - t:.2f} {hwm / 1024:.0f}")


def profile() -> None:
    import cProfile
    import pstats

    actor, org = setup_db()
    from warmth.archives.importing import archive_import

    empty()
    prof = cProfile.Profile()
    prof.runcall(archive_import, actor=actor, org=org, path=file_for(HOUSEHOLDS))
    pstats.Stats(prof).sort_stats("cumulative").print_stats(45)
    pstats.Stats(prof).sort_stats("tottime").print_stats(30)


def peak(bench, limit: bool) -> None:
    """(d) peak RSS of what the user runs, in a child process."""
    for n in (HOUSEHOLDS, LIMIT) if limit else (HOUSEHOLDS,):
        _wall, _rss, out = run_child([__file__, "--child", str(n)])
        created, errors, seconds, hwm = out.split()
        assert int(created) == n and errors == "0", out
        bench.row(f"(d) peak RSS, create import of {n:,} households (child process, VmHWM)", goal="≤ 1 GB",
                  value=f"{hwm} MB", extra=f"import {float(seconds):.1f} s in the child")
        bench.rows[-1]["met"] = int(hwm) <= 1024


def peak_only() -> None:
    """Re-measure (d) alone and put its rows into the saved record (the other rows stay as they were)."""
    import json

    from bench.common import RESULTS_DIR, loadavg

    path = RESULTS_DIR / "import.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    bench = Bench("import-peak")
    peak(bench, True)
    record["rows"] = [r for r in record["rows"] if not r["what"].startswith("(d)")] + bench.rows
    record["notes"].append(f"(d) re-measured on its own (load average {bench.load_start} at start, {loadavg()} at "
                           "end): the first figures came from wait4's ru_maxrss, which carried the parent's peak")
    path.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main(limit: bool) -> None:
    for n in (HOUSEHOLDS, LIMIT) if limit else (HOUSEHOLDS,):
        if not file_for(n).exists():
            wall, _rss, out = run_child([__file__, "--build", str(n)])
            print(out.strip(), f"({wall:.0f} s)", flush=True)
    actor, org = setup_db()
    from django.db import connection, transaction
    from django.db.models import F

    from warmth.archives import importing
    from warmth.archives.importing import archive_import
    from warmth.archives.models import Archive, ArchivePerson, FamilyMember
    from warmth.core import bulkcopy

    path, changed_path = file_for(HOUSEHOLDS), file_for(HOUSEHOLDS, "-changed")
    bench = Bench("import")
    bench.note(f"database: {connection.vendor}; file: {path.stat().st_size / 2**20:.1f} MB, {HOUSEHOLDS:,} "
               f"households; chunk {importing.CHUNK:,} households")
    path.read_bytes(), changed_path.read_bytes()  # the same page cache for every measurement

    def run(file, **kw):
        def go():
            go.result = archive_import(actor=actor, org=org, path=file, **kw)
        return go

    # floors: reading, and writing the same rows (captured from the first create run below)
    cells = []
    read = time_runs(lambda: cells.append(bare_read(path)))
    bench.note(f"bare read: {cells[0]:,} cells, {read}")

    empty()
    dry_a = run(path, dry_run=True)
    t_dry_a = time_runs(dry_a)
    assert dry_a.result["created"] == HOUSEHOLDS and not dry_a.result["errors"], dry_a.result["errors"][:3]

    captured: list[tuple] = []
    insert = bulkcopy.Table.insert

    def capturing(self, rows):
        captured.append((self, rows))
        insert(self, rows)

    create = run(path)
    runs = []
    for i in range(3):
        empty()
        if i == 0:
            bulkcopy.Table.insert = capturing
        t = time.perf_counter()
        create()
        runs.append(time.perf_counter() - t)
        bulkcopy.Table.insert = insert
        assert create.result["created"] == HOUSEHOLDS and not create.result["errors"], create.result["errors"][:3]
    t_create = Timing(runs)
    members = FamilyMember.objects.count()
    assert ArchivePerson.objects.filter(live=True).count() == HOUSEHOLDS + members

    def bare_write():
        with transaction.atomic():
            for table, rows in captured:
                insert(table, rows)
    t_write = time_runs(bare_write, setup=empty)
    written = {}
    for table, rows in captured:
        written[table.model.__name__] = written.get(table.model.__name__, 0) + len(rows)
    bench.note("bare write: " + ", ".join(f"{k} {v:,} rows" for k, v in written.items()) + f"; {t_write}")
    floor = Timing([r + w for r, w in zip(read.runs, t_write.runs, strict=True)])
    captured.clear()

    # (a) with the rows of the last create run in place for (b) and (c)
    empty()
    create()
    bench.row(f"dry run of {HOUSEHOLDS:,} households (empty database)", t_dry_a, floor=read,
              floor_what="calamine read", goal="≤ 2.0× read", goal_ratio=2.0)
    bench.row(f"(a) import of {HOUSEHOLDS:,} households into an empty database ({members:,} members)", t_create,
              floor=floor, floor_what="read + bare COPY of the same rows", goal="≤ 1.5× floors", goal_ratio=1.5)

    # (b) the same file again: every household unchanged, nothing written
    again = run(path)
    t_again = time_runs(again)
    assert again.result["unchanged"] == HOUSEHOLDS, {k: v for k, v in again.result.items() if k != "errors"}
    bench.row("(b) re-import of the same file: all unchanged", t_again, floor=read, floor_what="calamine read",
              goal="≤ 1.5× floors (read only: nothing to write)", goal_ratio=1.5)

    # (c) 1 % changed, 1 % broken
    dry_c = run(changed_path, dry_run=True)
    t_dry_c = time_runs(dry_c)
    r = dry_c.result
    assert r["updated"] == HOUSEHOLDS // 100 and len(r["errors"]) == HOUSEHOLDS // 100, {
        k: v for k, v in r.items() if k != "errors"}
    bench.row("(c) dry run, 1 % changed and 1 % with errors", t_dry_c, floor=read, floor_what="calamine read",
              goal="≤ 2.0× read", goal_ratio=2.0, extra=f"would update {r['updated']:,}, errors {len(r['errors']):,}")
    refused = run(changed_path)
    t_refused = time_runs(refused)
    r = refused.result
    assert r["created"] == r["updated"] == 0 and len(r["errors"]) == HOUSEHOLDS // 100
    bench.row("(c) import of that file: refused whole (nothing written, every error listed)", t_refused,
              floor=read, floor_what="calamine read", extra=f"errors {len(r['errors']):,}")

    before = dict(Archive.objects.values_list("id", "monthly_income"))
    changed_ids: list[int] = []  # filled after the first run
    valid = run(changed_path, valid_only=True)

    def undo_changes():  # the changed households back to the values of the original file
        if changed_ids:
            Archive.objects.filter(id__in=changed_ids).update(monthly_income=F("monthly_income") - 1)
    runs = []
    for _ in range(3):
        undo_changes()
        t = time.perf_counter()
        valid()
        runs.append(time.perf_counter() - t)
        r = valid.result
        assert r["updated"] == HOUSEHOLDS // 100 and len(r["errors"]) == HOUSEHOLDS // 100, {
            k: v for k, v in r.items() if k != "errors"}
        if not changed_ids:
            changed_ids.extend(pk for pk, v in Archive.objects.values_list("id", "monthly_income") if v != before[pk])
            assert len(changed_ids) == HOUSEHOLDS // 100
    bench.row("(c) import with valid_only: 1 % updated, 1 % errors listed, the rest unchanged", Timing(runs),
              floor=read, floor_what="calamine read",
              extra=f"updated {r['updated']:,}, unchanged {r['unchanged']:,}, errors {len(r['errors']):,}")

    peak(bench, limit)
    empty()
    bench.save()


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--build"]:
        build(int(args[1]))
    elif args[:1] == ["--child"]:
        child(int(args[1]))
    elif args[:1] == ["--peak-only"]:
        peak_only()
    elif args[:1] == ["--profile"]:
        profile()
    else:
        main("--limit" in args)
