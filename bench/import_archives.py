"""Benchmark: importing 100,000 households (≈200,000 family members) from the xlsx template.

In one run, on the database DATABASE_URL names:
  - bare:    python-calamine reading every sheet of the file into Python lists (the floor for "reading it");
  - dry run: archive_import(dry_run=True): file checks, reading, typing, every rule, matching (writes nothing);
  - import:  archive_import(): the same plus writing the archives, members, person index, steps and audit rows.
It prints each time, the ratios to the bare read, where the import spends its time, and the peak RSS.

The file (/tmp/warmth-bench-100k.xlsx, deterministic, shared strings as Excel writes them) is built once by a
child process, so its memory does not count; delete it to rebuild.

    DATABASE_URL=sqlite:////tmp/warmth_bench_import.sqlite3 uv run python bench/import_archives.py
    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE warmth_bench_import'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/warmth_bench_import uv run python bench/import_archives.py
    psql -h 127.0.0.1 -U postgres -c 'DROP DATABASE warmth_bench_import'

The database must be scratch: the script migrates it and refuses one that already holds archives.
"""

import base64
import os
import random
import resource
import subprocess
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

HOUSEHOLDS = 100_000
FILE = Path("/tmp/warmth-bench-100k.xlsx")  # noqa: S108 (a scratch file the brief places in /tmp)
SEED = 20261123


def build(path: Path) -> None:
    """The deterministic file: HOUSEHOLDS head rows, 0–4 members each (2 on average)."""
    import django

    django.setup()
    import xlsxwriter  # noqa: F401  (the writer below uses it)

    from warmth.archives import choices as ch
    from warmth.archives.template import HEAD_COLUMNS, HEAD_SHEET, MEMBER_COLUMNS, MEMBER_SHEET, write_template
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

    def rows():
        for i in range(HOUSEHOLDS):
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
            yield HEAD_SHEET, [head.get(c.header, "") for c in HEAD_COLUMNS]
            for _ in range(n_members):
                m = {"户主身份证号": number, "姓名": pick(surnames) + pick(given), "关系": pick(ch.Relation.values),
                     "政治面貌": pick(ch.PoliticalStatus.values), "健康状况": pick(ch.Health.values),
                     "身份证号": person(date(1940, 1, 1), date(2015, 12, 31)),
                     "月收入": rng.randrange(0, 2000), "身份": pick(ch.MemberIdentity.values)}
                yield MEMBER_SHEET, [m.get(c.header, "") for c in MEMBER_COLUMNS]

    tmp = path.with_suffix(".part")
    counts = write_template(tmp, rows(), constant_memory=False)  # shared strings, as Excel saves a file
    tmp.rename(path)
    print(f"built {path}: {counts[HEAD_SHEET]:,} households, {counts[MEMBER_SHEET]:,} members, "
          f"{path.stat().st_size / 2**20:.1f} MB", flush=True)


class Timer:
    """Wraps the importer's phases to see where the time goes (no change to the importer itself)."""

    def __init__(self, module, names):
        self.spent = dict.fromkeys(names, 0.0)
        for name in names:
            original = getattr(module, name)

            def wrapped(*a, _f=original, _n=name, **kw):
                t = time.perf_counter()
                try:
                    return _f(*a, **kw)
                finally:
                    self.spent[_n] += time.perf_counter() - t

            setattr(module, name, wrapped)

    def reset(self):
        self.spent = dict.fromkeys(self.spent, 0.0)


def main():
    if not FILE.exists():
        subprocess.run([sys.executable, __file__, "--build"], check=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from warmth.archives import importing
    from warmth.archives.models import Archive, ArchivePerson, FamilyMember
    from warmth.orgs.access import Actor
    from warmth.orgs.models import Membership, Org, OrgLevel, Role
    from warmth.orgs.services import org_create, user_create

    call_command("migrate", verbosity=0)
    if Archive.objects.exists():
        sys.exit("the database already holds archives: point DATABASE_URL at a fresh scratch database")
    org = Org.objects.filter(code="510107").first()
    if org is None:
        root = org_create(actor=None, parent=None, name="中华全国总工会", code="ACFTU", level=OrgLevel.NATIONAL)
        p = org_create(actor=None, parent=root, name="四川省总工会", code="510000", level=OrgLevel.PROVINCE)
        c = org_create(actor=None, parent=p, name="成都市总工会", code="510100", level=OrgLevel.CITY)
        org = org_create(actor=None, parent=c, name="武侯区总工会", code="510107", level=OrgLevel.COUNTY)
        user_create(actor=None, username="bench", full_name="压测", password="Bench@2026-import", org=org,  # noqa: S106
                    role=Role.HANDLER)
    membership = Membership.objects.select_related("user", "org").get(user__username="bench")
    actor = Actor(membership.user, membership)
    FILE.read_bytes()  # the same page cache for every measurement

    from python_calamine import CalamineWorkbook

    t = time.perf_counter()
    book = CalamineWorkbook.from_path(str(FILE))
    sheets = {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}
    book.close()
    t_bare = time.perf_counter() - t
    cells = sum(len(r) for rows in sheets.values() for r in rows)
    del sheets, book

    timer = Timer(importing, ["check_file", "read_book", "_plan", "_write"])
    t = time.perf_counter()
    dry = importing.archive_import(actor=actor, org=org, path=FILE, dry_run=True)
    t_dry = time.perf_counter() - t
    dry_phases = dict(timer.spent)
    assert not dry["errors"], dry["errors"][:5]

    timer.reset()
    t = time.perf_counter()
    real = importing.archive_import(actor=actor, org=org, path=FILE)
    t_real = time.perf_counter() - t
    assert real["created"] == HOUSEHOLDS and not real["errors"], real["errors"][:5]
    members = FamilyMember.objects.count()
    assert ArchivePerson.objects.filter(live=True).count() == HOUSEHOLDS + members

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"file: {FILE.stat().st_size / 2**20:.1f} MB, {HOUSEHOLDS:,} households, {members:,} members, "
          f"{cells:,} cells read")
    print(f"bare calamine read (all sheets to lists): {t_bare:6.2f} s   1.00x")
    print(f"dry run:                                  {t_dry:6.2f} s   {t_dry / t_bare:.2f}x   "
          + ", ".join(f"{k} {v:.2f} s" for k, v in dry_phases.items()))
    print(f"import:                                   {t_real:6.2f} s   {t_real / t_bare:.2f}x   "
          + ", ".join(f"{k} {v:.2f} s" for k, v in timer.spent.items()))
    print(f"peak RSS: {rss:.0f} MB")


if __name__ == "__main__":
    if sys.argv[1:] == ["--build"]:
        build(FILE)
    else:
        main()
