"""Demo 困难职工档案: households in every lifecycle status, with families, plans, reviews and 低保 standards.

The rows are built here in Python and written in bulk (``COPY`` on PostgreSQL, ``bulk_create`` elsewhere),
not through the lifecycle services, which would be far too slow for a national demo. They are made to look
exactly like what the services leave behind:

- an ``ArchiveStep`` for every step taken to reach the status (file, submit, accept, verify, end_publicity,
  approve or reject; exit_request, exit_approve, exit_finalize), plus plan, review and objection steps;
- ``ArchivePerson`` rows for the head and every member with an ID number, ``live`` only while the archive
  is live (exited and rejected archives have released their people);
- archive numbers ``<org code>-<year>-<seq>`` in filing order, with the ``ArchiveCounter`` rows to match, so
  the next archive filed through the services does not collide;
- publicity dates (5 working days) once verified, ``activated_at`` once approved, the exit fields (reason,
  exit publicity, exited_at, follow-up date, retention date) for the exit statuses;
- incomes consistent with the category and the local 低保 standard: the household's annual income is
  12 × the members' monthly incomes, the family size is the head plus the members.

ID numbers are fictitious but checksum-valid (``idcard.random_valid`` with the archive's county code) and
unique across the whole demo. Everything is drawn from ``ctx.rng`` (deterministic for a seed); the dates of
the plans' next visits are placed around the day of seeding, so "overdue" means overdue now.
"""

from __future__ import annotations

import json
from bisect import bisect
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import accumulate
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import DateField, DecimalField, JSONField, Max
from django.utils import timezone

from warmth.archives.choices import (
    ArchiveStatus,
    DisabilityType,
    EmployerType,
    EnterpriseStatus,
    ExitReason,
    HardshipCategory,
    HardshipCause,
    Health,
    HousingArea,
    HousingType,
    HukouType,
    Identity,
    Industry,
    MemberIdentity,
    ModelWorkerType,
    PoliticalStatus,
    Relation,
    ReviewResult,
)
from warmth.archives.lifecycle import FOLLOWUP_MONTHS, PUBLICITY_WORKING_DAYS, RETENTION_YEARS
from warmth.archives.models import (
    LIVE_STATUSES,
    Archive,
    ArchiveCounter,
    ArchivePerson,
    ArchiveReview,
    ArchiveStep,
    AssistancePlan,
    DibaoStandard,
    FamilyMember,
    Objection,
)
from warmth.core import idcard, pii, regions
from warmth.core.bulkcopy import allocate_ids, can_copy, copy_rows
from warmth.core.fields import EncryptedTextField, bidx
from warmth.core.workdays import Calendar, add_months
from warmth.demo.pipeline import DemoContext, seeder
from warmth.orgs.models import Membership, Org, OrgLevel, Role, User

SCALE_ARCHIVES = {"small": 300, "province": 20_000, "national": 1_000_000}
FLUSH_EVERY = 10_000  # archives per write batch (and their members, steps …)
S = ArchiveStatus


class _Table:
    """A weighted choice, prepared once (drawing is one ``random()`` and a bisection)."""

    def __init__(self, weights: dict):
        self.keys = tuple(weights)
        self.cum = list(accumulate(weights.values()))
        self.total = self.cum[-1]

    def pick(self, rng):
        return self.keys[bisect(self.cum, rng.random() * self.total)]


# Share of each status (per mille); every status occurs at least twice whatever the scale.
STATUS_SHARE = {
    S.DRAFT: 50, S.SUBMITTED: 30, S.VERIFYING: 30, S.PUBLICIZING: 30, S.APPROVING: 30, S.ACTIVE: 610,
    S.EXIT_REVIEW: 25, S.EXIT_PUBLICIZING: 25, S.EXITED: 110, S.REJECTED: 60,
}
CATEGORY_SHARE = _Table({
    HardshipCategory.DIBAO: 42, HardshipCategory.DIBAO_EDGE: 30, HardshipCategory.ACCIDENT: 18,
    HardshipCategory.DEEP: 4, HardshipCategory.RELATIVE: 4, HardshipCategory.ACCIDENT_NEW: 2,
})

HEAD_IDENTITY = _Table({Identity.EMPLOYED: 28, Identity.LAID_OFF: 10, Identity.UNEMPLOYED: 14, Identity.RETIRED: 10,
                        Identity.SICK_RETIRED: 5, Identity.SICK_LEAVE: 5, Identity.MIGRANT: 28})
HEAD_HEALTH = _Table({Health.GOOD: 45, Health.ILL: 35, Health.DISABLED: 12, Health.OTHER: 8})
MEMBER_COUNT = _Table({0: 12, 1: 25, 2: 35, 3: 20, 4: 8})
MODEL_WORKER = _Table({ModelWorkerType.NATIONAL: 1, ModelWorkerType.PROVINCIAL: 4, ModelWorkerType.PREFECTURE: 10,
                       ModelWorkerType.OTHER: 5})
EMPLOYER_TYPES = _Table({EmployerType.STATE_ENTERPRISE: 30, EmployerType.COLLECTIVE: 10, EmployerType.PRIVATE: 45,
                         EmployerType.HK_MACAO_TAIWAN: 3, EmployerType.FOREIGN_JV: 4, EmployerType.OTHER: 8})
POLITICAL = _Table({PoliticalStatus.MASSES: 70, PoliticalStatus.PARTY: 18, PoliticalStatus.LEAGUE: 6,
                    PoliticalStatus.DEMOCRATIC: 1, PoliticalStatus.OTHER: 5})
HOUSING = _Table({HousingType.RENTED: 30, HousingType.OWNED: 25, HousingType.LOW_RENT: 15, HousingType.UNIT_PUBLIC: 10,
                  HousingType.SELF_BUILT: 10, HousingType.NONE: 5, HousingType.OTHER: 5})
AREA = _Table({HousingArea.UNDER_20: 15, HousingArea.FROM_20: 45, HousingArea.FROM_50: 28, HousingArea.OVER_70: 12})
HUKOU = _Table({HukouType.NON_AGRICULTURAL: 55, HukouType.AGRICULTURAL: 35, HukouType.CONVERTED: 10})
ENTERPRISE = _Table({EnterpriseStatus.NORMAL: 50, EnterpriseStatus.LOSS: 15, EnterpriseStatus.RESTRUCTURED: 10,
                     EnterpriseStatus.BANKRUPT: 10, EnterpriseStatus.OTHER: 15})
YOUNG_CHILD_IDENTITY = _Table({MemberIdentity.UNDERGRADUATE: 50, MemberIdentity.EMPLOYED: 20,
                               MemberIdentity.MIGRANT: 15, MemberIdentity.UNEMPLOYED: 10, MemberIdentity.SOLDIER: 5})
ADULT_CHILD_IDENTITY = _Table({MemberIdentity.EMPLOYED: 45, MemberIdentity.MIGRANT: 25, MemberIdentity.UNEMPLOYED: 25,
                               MemberIdentity.POSTGRADUATE: 5})
PARENT_IDENTITY = _Table({MemberIdentity.RETIRED: 45, MemberIdentity.FARMER: 45, MemberIdentity.UNEMPLOYED: 10})
SPOUSE_IDENTITY = _Table({MemberIdentity.EMPLOYED: 28, MemberIdentity.UNEMPLOYED: 25, MemberIdentity.LAID_OFF: 10,
                          MemberIdentity.MIGRANT: 17, MemberIdentity.RETIRED: 8, MemberIdentity.SICK_LEAVE: 7,
                          MemberIdentity.INTERNAL_RETIRED: 5})
MEMBER_HEALTH = _Table({Health.GOOD: 70, Health.ILL: 22, Health.DISABLED: 5, Health.OTHER: 3})
EXIT_REASONS = _Table({ExitReason.RECOVERED: 55, ExitReason.MOVED_AWAY: 15, ExitReason.NO_LONGER_ELIGIBLE: 20,
                       ExitReason.DECEASED: 5, ExitReason.CORRECTION: 5})
REVIEW_RESULTS = _Table({ReviewResult.CONTINUE: 85, ReviewResult.ADJUST: 10, ReviewResult.SUGGEST_EXIT: 5})
INDUSTRIES = tuple(Industry.values)
DISABILITIES = tuple(d for d in DisabilityType.values if d != DisabilityType.NONE)

# 低保标准 (元/人/月) in the demo year; each earlier year is 4% lower. Province rows for every province in
# the tree, city rows where the city sets its own.
PROVINCE_DIBAO = {
    "11": 1450, "12": 1180, "13": 800, "14": 760, "15": 860, "21": 800, "22": 700, "23": 720, "31": 1510,
    "32": 980, "33": 1100, "34": 800, "35": 900, "36": 850, "37": 900, "41": 700, "42": 800, "43": 720,
    "44": 1000, "45": 800, "46": 720, "50": 780, "51": 800, "52": 760, "53": 800, "54": 950, "61": 780,
    "62": 760, "63": 800, "64": 760, "65": 750,
}
CITY_DIBAO = {"510100": 900, "510700": 820, "460100": 750, "440100": 1200, "320100": 1070, "330100": 1260}
POSTCODE_PREFIX = {
    "11": "10", "12": "30", "13": "05", "14": "03", "15": "01", "21": "11", "22": "13", "23": "15", "31": "20",
    "32": "21", "33": "31", "34": "23", "35": "35", "36": "33", "37": "25", "41": "45", "42": "43", "43": "41",
    "44": "51", "45": "53", "46": "57", "50": "40", "51": "61", "52": "55", "53": "65", "54": "85", "61": "71",
    "62": "73", "63": "81", "64": "75", "65": "83",
}

SURNAMES = _Table(dict((  # the most common surnames, roughly by frequency (weights)
    ("王", 72), ("李", 70), ("张", 68), ("刘", 55), ("陈", 46), ("杨", 33), ("黄", 25), ("赵", 22), ("吴", 20),
    ("周", 19), ("徐", 14), ("孙", 13), ("马", 12), ("朱", 11), ("胡", 11), ("郭", 10), ("何", 10), ("林", 9),
    ("罗", 9), ("高", 9), ("郑", 8), ("梁", 8), ("谢", 7), ("宋", 6), ("唐", 6), ("许", 6), ("韩", 6), ("邓", 6),
    ("冯", 6), ("曹", 5), ("彭", 5), ("曾", 5), ("肖", 5), ("田", 5), ("董", 5), ("潘", 4), ("袁", 4), ("蔡", 4),
    ("蒋", 4), ("余", 4), ("于", 4), ("杜", 4), ("叶", 4), ("程", 4), ("魏", 3), ("苏", 3), ("吕", 3), ("丁", 3),
    ("任", 3), ("卢", 3), ("姚", 3), ("沈", 3), ("钟", 3), ("姜", 3), ("崔", 3), ("谭", 3), ("陆", 2), ("范", 2),
    ("汪", 2), ("廖", 2), ("石", 2), ("金", 2), ("韦", 2), ("贾", 2), ("夏", 2), ("付", 2), ("方", 2), ("邹", 2),
    ("熊", 2), ("白", 2), ("孟", 2), ("秦", 2), ("邱", 2), ("侯", 2), ("江", 2), ("尹", 2), ("薛", 2), ("闫", 2),
    ("段", 2), ("雷", 2), ("龙", 1), ("黎", 1), ("史", 1), ("陶", 1), ("贺", 1), ("毛", 1), ("郝", 1), ("顾", 1),
    ("欧阳", 1), ("司马", 1),
)))
MALE_CHARS = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林建国志文海峰成东德云兵亮宏庆春忠福生祥荣才永"
FEMALE_CHARS = "芳娜敏静丽艳娟霞秀英玲桂兰萍红燕梅琳雪慧莉婷倩琴云洁颖佳欣悦晶月凤珍玉蓉丹淑惠萍芬春"
STREETS = ("人民路", "建设路", "解放路", "中山路", "和平街", "幸福路", "新华路", "文化路", "团结路", "朝阳路",
           "胜利街", "工农路", "红星路", "光明街", "育才路", "健康路", "长青路", "东风路", "民主街", "青年路")
EMPLOYERS = ("建筑工程有限公司", "物流有限公司", "机械制造有限公司", "纺织有限公司", "食品有限公司", "商贸有限公司",
             "物业服务有限公司", "汽车配件有限公司", "电子科技有限公司", "环境卫生管理所", "家政服务有限公司")
PUBLIC_WORDS = ("医院", "中学", "小学", "管理所", "管理局", "法院", "保健院")
NEEDS = {
    HardshipCause.OWN_ILLNESS: ("本人患病，医疗费用负担重", "协助申请职工医疗互助和大病救助，节日走访慰问"),
    HardshipCause.DEPENDANT_ILLNESS: ("家属长期治疗，医药费支出大", "协助申请医疗救助，联系社区开展关爱服务"),
    HardshipCause.DISASTER: ("遭遇意外，住房和生活用品受损", "发放临时救助金，协调住房修缮"),
    HardshipCause.SCHOOLING: ("子女上学，学费和生活费压力大", "纳入金秋助学，联系爱心企业结对助学"),
    HardshipCause.DISABILITY: ("残疾，康复和日常照护需要支持", "协助办理残疾人两项补贴，提供就业援助"),
    HardshipCause.LOW_INCOME: ("家庭收入低，难以维持基本生活", "衔接低保政策，节日送温暖，生活救助"),
    HardshipCause.UNEMPLOYMENT: ("失业在家，需要再就业岗位", "推荐就业岗位，安排免费职业技能培训"),
    HardshipCause.OTHER: ("生活困难，需要定期关心", "定期走访慰问，及时了解家庭变化"),
}
FINDINGS = ("家庭收入与申报一致，住房条件较差", "经入户核查，家庭情况属实", "家庭成员及收入情况经核实无误",
            "走访邻里及社区，反映情况属实", "核对医疗票据和收入证明，情况属实")
RETURN_REASONS = ("缺少收入证明，请补充后再提交", "家庭成员信息不全", "请补充诊断证明")
REJECT_REASONS = ("家庭人均收入高于当地低保标准，不符合建档条件", "经核查家庭有其他住房和稳定收入",
                  "材料逾期未补齐")
OBJECTIONS = ("反映其家庭另有经营收入", "反映其子女已工作，收入较高", "反映其家庭有私家车")
EXIT_NOTES = {
    ExitReason.RECOVERED: "再就业后收入稳定，连续6个月高于低保标准",
    ExitReason.MOVED_AWAY: "户籍和工作迁至外地",
    ExitReason.NO_LONGER_ELIGIBLE: "子女参加工作，家庭收入明显提高",
    ExitReason.DECEASED: "户主因病去世",
    ExitReason.CORRECTION: "核查发现重复建档",
}
REVIEW_NOTES = {
    ReviewResult.CONTINUE: "家庭状况无明显变化，继续帮扶",
    ReviewResult.ADJUST: "家庭收入变化，建议调整困难类别",
    ReviewResult.SUGGEST_EXIT: "收入已稳定高于低保标准，建议启动退档",
}
MINORITIES = ("回族", "彝族", "藏族", "羌族", "黎族", "苗族", "土家族", "壮族")

EARNING = {MemberIdentity.EMPLOYED, MemberIdentity.MIGRANT, MemberIdentity.RETIRED, MemberIdentity.LIXIU,
           MemberIdentity.INTERNAL_RETIRED, MemberIdentity.SICK_RETIRED, MemberIdentity.FARMER}
LIVE = set(LIVE_STATUSES)
FILING_ORDER = (S.DRAFT, S.SUBMITTED, S.VERIFYING, S.PUBLICIZING, S.APPROVING, S.ACTIVE)
TRANSITIONS = {  # step -> (from status, to status), as lifecycle.TRANSITIONS has them
    "file": ("", S.DRAFT), "submit": (S.DRAFT, S.SUBMITTED), "return": (S.SUBMITTED, S.DRAFT),
    "accept": (S.SUBMITTED, S.VERIFYING), "verify": (S.VERIFYING, S.PUBLICIZING),
    "end_publicity": (S.PUBLICIZING, S.APPROVING), "approve": (S.APPROVING, S.ACTIVE),
    "reject": (S.APPROVING, S.REJECTED), "exit_request": (S.ACTIVE, S.EXIT_REVIEW),
    "exit_approve": (S.EXIT_REVIEW, S.EXIT_PUBLICIZING), "exit_finalize": (S.EXIT_PUBLICIZING, S.EXITED),
}
BY_REVIEWER = frozenset({"return", "accept", "approve", "reject", "exit_approve", "exit_finalize"})


def _money(value: Decimal | float | int) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _dibao_rows(province_codes: set[str], year: int) -> dict[tuple[str, int], Decimal]:
    rows = {}
    for prov in sorted(province_codes):
        base = {prov + "0000": PROVINCE_DIBAO.get(prov, 800)}
        base.update({code: v for code, v in CITY_DIBAO.items() if code[:2] == prov})
        for code, amount in base.items():
            for y in range(year - 2, year + 1):
                value = Decimal(amount) * Decimal("0.96") ** (year - y)
                rows[(code, y)] = value.quantize(Decimal("1"), ROUND_HALF_UP).quantize(Decimal("0.01"))
    return rows


class _Sink:
    """Rows per model, written in batches with the values in database form (encrypted fields through the
    field's own ``get_prep_value``, blind indexes computed by the caller, JSON as text): ``COPY`` on
    PostgreSQL, ``executemany`` elsewhere. Model instances are never built (too slow at this scale)."""

    ORDER = (Archive, FamilyMember, ArchivePerson, ArchiveStep, AssistancePlan, ArchiveReview, Objection)
    WITH_ID = (Archive, FamilyMember)

    def __init__(self):
        self.copy = can_copy()
        self.rows: dict[type, list[dict]] = defaultdict(list)
        self.written: dict[type, int] = defaultdict(int)
        self._pool: dict[type, list[int]] = defaultdict(list)
        self._next: dict[type, int] = {}

    def new_id(self, model) -> int:
        if self.copy:
            if not self._pool[model]:
                self._pool[model] = allocate_ids(model, 20_000)[::-1]
            return self._pool[model].pop()
        if model not in self._next:
            self._next[model] = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        self._next[model] += 1
        return self._next[model] - 1

    def add(self, model, row: dict) -> None:
        self.rows[model].append(row)

    def flush(self) -> None:
        for model in self.ORDER:
            rows = self.rows.pop(model, [])
            if rows:
                self._write(model, rows)
                self.written[model] += len(rows)

    def _converter(self, f):
        if isinstance(f, EncryptedTextField):
            return lambda v: f.get_prep_value(v) if v else ""
        if isinstance(f, JSONField):
            return lambda v: json.dumps(v, ensure_ascii=False) if v else "{}"
        if not self.copy and isinstance(f, DateField | DecimalField):  # DateTimeField is a DateField
            return lambda v: f.get_db_prep_save(v, connection)
        return None

    def _write(self, model, rows: list[dict]) -> None:
        fields = [f for f in model._meta.concrete_fields if model in self.WITH_ID or not f.primary_key]
        plan = [(f.attname, self._converter(f), f.get_default()) for f in fields]

        def values():
            for r in rows:
                yield [conv(r.get(name, default)) if conv else r.get(name, default) for name, conv, default in plan]

        columns = [f.column for f in fields]
        if self.copy:
            copy_rows(model, columns, values())
            return
        qn = connection.ops.quote_name  # names from the model's own meta, values as parameters
        sql = (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "  # noqa: S608
               f"VALUES ({', '.join(['%s'] * len(columns))})")
        with connection.cursor() as cur:
            cur.executemany(sql, list(values()))


class _Builder:
    def __init__(self, ctx: DemoContext):
        self.ctx, self.rng = ctx, ctx.rng
        self.calendar = Calendar.load()  # the holiday calendar, read once for every 公示 period
        self.tz = ZoneInfo(settings.TIME_ZONE)
        now = timezone.now().astimezone(self.tz)
        self.today = now.date()
        self.end = min(self.today, date(ctx.year, 12, 20))
        self.begin = date(ctx.year - 2, 1, 4)
        self.sink = _Sink()
        self.used_ids: set[int] = set()
        self.counters: dict[tuple[int, int], int] = defaultdict(int)
        self.dibao: dict[tuple[str, int], Decimal] = {}
        self._standards: dict[tuple[str, int], Decimal] = {}
        self._places: dict[str, tuple[str, str]] = {}

    # --- small helpers ------------------------------------------------------------------------------

    def at(self, day: date) -> datetime:
        minutes = self.rng.randint(9 * 60, 17 * 60 + 30)
        return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=self.tz)

    def name(self, sex: str, surname: str | None = None) -> str:
        chars = MALE_CHARS if sex == "男" else FEMALE_CHARS
        given = self.rng.choice(chars) + (self.rng.choice(chars) if self.rng.random() < 0.7 else "")
        return (surname or SURNAMES.pick(self.rng)) + given

    def new_id(self, region: str, born_from: date, born_to: date, sex: str | None = None) -> str:
        born_to = min(born_to, self.today - timedelta(days=1))
        born_from = min(born_from, born_to)
        while True:
            number = idcard.random_valid(self.rng, birth_from=born_from, birth_to=born_to, sex=sex,
                                         region_code=region)
            key = int(number[:17])
            if key not in self.used_ids:
                self.used_ids.add(key)
                return number

    def phone(self) -> str:
        return f"1{self.rng.choice('35789')}{self.rng.randint(0, 999_999_999):09d}"

    def standard(self, region: str, year: int) -> Decimal:
        """As ``rules.dibao_for``: the county's, else the city's, else the province's latest standard."""
        key = (region, year)
        if key not in self._standards:
            self._standards[key] = next(
                (self.dibao[(code, y)] for code in (region, region[:4] + "00", region[:2] + "0000")
                 for y in range(year, year - 5, -1) if (code, y) in self.dibao), Decimal("800.00"))
        return self._standards[key]

    def place(self, region: str) -> tuple[str, str]:
        """(address prefix such as 成都市武侯区, a short place name such as 武侯) of a county."""
        if region not in self._places:
            r = regions.current(region)
            self._places[region] = (r.full_name.removeprefix(r.province), r.name[:2]) if r else ("", "")
        return self._places[region]

    # --- orgs and people who act --------------------------------------------------------------------

    def filing_orgs(self) -> list[dict]:
        orgs = list(Org.objects.filter(level__in=(OrgLevel.COUNTY, OrgLevel.GRASSROOTS), is_active=True)
                    .exclude(region_code="").order_by("path")
                    .values("id", "code", "name", "path", "level", "region_code"))
        return [o for o in orgs if (r := regions.current(o["region_code"])) and r.level == "county"]

    def actors(self) -> list[tuple[str, str, int, str]]:
        """(org path, role, user id, name) of the demo memberships that handle or review archives."""
        return list(Membership.objects.filter(is_active=True, role__in=(Role.HANDLER, Role.REVIEWER))
                    .order_by("-org__depth", "id")
                    .values_list("org__path", "role", "user_id", "user__full_name"))

    # --- the pipeline -------------------------------------------------------------------------------

    def run(self) -> None:
        rng, total = self.rng, SCALE_ARCHIVES[self.ctx.scale]
        orgs = self.filing_orgs()
        if not orgs:
            self.ctx.out("困难职工档案：没有县（区）及基层工会，跳过")
            return
        provinces = {o["region_code"][:2] for o in orgs}
        self.dibao = _dibao_rows(provinces, self.ctx.year)
        DibaoStandard.objects.bulk_create([DibaoStandard(region_code=c, year=y, monthly_amount=v)
                                           for (c, y), v in sorted(self.dibao.items())])
        actors = self.actors()
        fallback = User.objects.filter(username="root").values_list("pk", "full_name").first() or (
            User.objects.order_by("pk").values_list("pk", "full_name").first())

        def weight(o):
            w = 2 if o["level"] == OrgLevel.COUNTY else 1
            return w * (3 if o["region_code"] == "510107" else 2 if o["region_code"].startswith("5101") else 1)

        picks = rng.choices(range(len(orgs)), [weight(o) for o in orgs], k=total)
        per_org = [0] * len(orgs)
        for i in picks:
            per_org[i] += 1
        statuses = []
        for status, share in STATUS_SHARE.items():
            statuses += [status] * max(2, total * share // 1000)
        statuses = statuses[:total] if len(statuses) >= total else statuses + [S.ACTIVE] * (total - len(statuses))
        rng.shuffle(statuses)
        k = pending = 0
        report_at = 100_000
        for org, n in zip(orgs, per_org, strict=True):
            if not n:
                continue
            handler = next(((u, nm) for p, r, u, nm in actors if r == Role.HANDLER and org["path"].startswith(p)),
                           fallback)
            reviewer = next(((u, nm) for p, r, u, nm in actors if r == Role.REVIEWER
                             and org["path"].startswith(p) and u != handler[0]), None)
            households = [self.household(org, statuses[k + j], handler, reviewer) for j in range(n)]
            k += n
            households.sort(key=lambda h: (h["timeline"]["file"], h["archive"]["id"]))
            for h in households:
                year = h["timeline"]["file"].year
                self.counters[(org["id"], year)] += 1
                h["archive"]["archive_no"] = f"{org['code']}-{year}-{self.counters[(org['id'], year)]:05d}"
                self.emit(h)
            pending += n
            if pending >= FLUSH_EVERY:
                self.sink.flush()
                pending = 0
                if total >= 100_000 and self.sink.written[Archive] >= report_at:
                    self.ctx.out(f"  困难职工档案：已写入 {self.sink.written[Archive]} / {total} 份")
                    report_at += 100_000
        self.sink.flush()
        ArchiveCounter.objects.bulk_create([ArchiveCounter(org_id=o, year=y, last=n)
                                            for (o, y), n in sorted(self.counters.items())], batch_size=5000)
        w = self.sink.written
        self.ctx.made["archives"] = w[Archive]
        self.ctx.out(f"困难职工档案：{w[Archive]} 份，家庭成员 {w[FamilyMember]} 人，步骤 {w[ArchiveStep]} 条，"
                     f"帮扶计划 {w[AssistancePlan]} 份，年度复核 {w[ArchiveReview]} 条，低保标准 {len(self.dibao)} 条")

    # --- one household ------------------------------------------------------------------------------

    def household(self, org: dict, status: str, handler: tuple[int, str], reviewer: tuple[int, str] | None
                  ) -> dict:
        rng = self.rng
        region = org["region_code"]
        sink = self.sink
        archive_id = sink.new_id(Archive)
        category = CATEGORY_SHARE.pick(rng)
        temporary = rng.random() < (0.12 if category in (HardshipCategory.ACCIDENT, HardshipCategory.ACCIDENT_NEW)
                                    else 0.01)
        steps, timeline = self.timeline(status)
        created_day = timeline["file"]
        ref = created_day

        # the head
        identity = HEAD_IDENTITY.pick(rng)
        sex = "男" if rng.random() < 0.58 else "女"
        if identity in (Identity.RETIRED, Identity.SICK_RETIRED):
            born_from, born_to = date(ref.year - 78, 1, 1), date(ref.year - 52, 12, 31)
        else:
            born_from, born_to = date(ref.year - 58, 1, 1), date(ref.year - 23, 12, 31)
        id_number = self.new_id(region, born_from, born_to, sex)
        birth = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
        surname = SURNAMES.pick(rng)
        name = self.name(sex, surname)
        health = HEAD_HEALTH.pick(rng)
        disability = (rng.choice(DISABILITIES)
                      if health == Health.DISABLED else DisabilityType.NONE)

        # the family
        size_wanted = MEMBER_COUNT.pick(rng)
        age = ref.year - birth.year
        members = []
        married = size_wanted > 0 and age >= 22 and rng.random() < 0.75
        spouse_surname = SURNAMES.pick(rng)
        if married:
            s_sex = "女" if sex == "男" else "男"
            s_birth = birth + timedelta(days=rng.randint(-5 * 365, 5 * 365))
            members.append(self.member(region, Relation.WIFE if s_sex == "女" else Relation.HUSBAND, s_sex,
                                       s_birth, s_birth, self.name(s_sex, spouse_surname), ref))
        child_surname = surname if sex == "男" or not married else spouse_surname
        while len(members) < size_wanted and age >= 24 and rng.random() < 0.85 and sum(
                m["relation"] in (Relation.SON, Relation.DAUGHTER) for m in members) < 3:
            c_sex = rng.choice("男女")
            lo = birth + timedelta(days=21 * 365)
            hi = min(birth + timedelta(days=42 * 365), ref - timedelta(days=30))
            if lo > hi:
                break
            members.append(self.member(region, Relation.SON if c_sex == "男" else Relation.DAUGHTER, c_sex, lo, hi,
                                       self.name(c_sex, child_surname), ref))
        if len(members) < size_wanted and birth.year > 1955:
            p_sex = rng.choice("男女")
            lo, hi = birth - timedelta(days=34 * 365), birth - timedelta(days=22 * 365)
            members.append(self.member(region, Relation.FATHER if p_sex == "男" else Relation.MOTHER, p_sex, lo, hi,
                                       self.name(p_sex, surname if p_sex == "男" else None), ref))
        size = 1 + len(members)
        has_children = any(m["relation"] in (Relation.SON, Relation.DAUGHTER) for m in members)
        marital = "已婚" if married else (rng.choice(["离异", "丧偶"]) if has_children
                                          else rng.choice(["未婚", "未婚", "离异", "丧偶"]))

        # money, consistent with the category and the local standard of the filing year
        d = self.standard(region, ref.year)
        rigid = hardship = Decimal("0")
        if category == HardshipCategory.DIBAO:
            per_head = d * Decimal(rng.uniform(0.35, 0.93))
        elif category == HardshipCategory.DIBAO_EDGE:
            per_head = d * Decimal(rng.uniform(1.03, 1.45))
        elif category in (HardshipCategory.DEEP, HardshipCategory.RELATIVE):
            per_head = d * Decimal(rng.uniform(0.3, 0.93) if category == HardshipCategory.DEEP
                                   else rng.uniform(1.05, 1.9))
            rigid = Decimal(rng.randrange(3000, 24000, 100))
            per_head += rigid / size / 12
        else:  # 意外致困(户)
            per_head = d * Decimal(rng.uniform(0.8, 2.2))
        total = per_head * size
        earners = [m for m in members if m["identity"] in EARNING]
        shares = [rng.uniform(0.5, 1.5) for _ in earners]
        head_share = rng.uniform(0.8, 1.6)
        whole = head_share + sum(shares)
        for m, s in zip(earners, shares, strict=True):
            m["monthly_income"] = Decimal(int(total * Decimal(s / whole)))
        head_income = max(Decimal(0), (total - sum(m["monthly_income"] for m in earners)).quantize(Decimal("1")))
        annual = _money(12 * (head_income + sum(m["monthly_income"] for m in members)))
        if category in (HardshipCategory.ACCIDENT, HardshipCategory.ACCIDENT_NEW):
            hardship = _money(annual * Decimal(rng.uniform(0.85, 2.5)) + rng.randrange(5000, 30000, 100))
        dibao_monthly = dibao_from = dibao_to = None
        if category == HardshipCategory.DIBAO:
            dibao_monthly = _money(max(Decimal(50), (d * size - annual / 12)).quantize(Decimal("1")))
            dibao_from = created_day.replace(day=1)
            dibao_to = add_months(dibao_from, 12) - timedelta(days=1)

        causes = self.causes(category, health, identity, members)
        model_worker = (MODEL_WORKER.pick(rng)
                        if rng.random() < 0.04 else ModelWorkerType.NONE)
        working = {MemberIdentity.EMPLOYED, MemberIdentity.MIGRANT}
        zero_employment = identity not in (Identity.EMPLOYED, Identity.MIGRANT) and not any(
            m["identity"] in working for m in members)
        where, short = self.place(region)
        address = where + (
            f"{rng.choice(STREETS)}{rng.randint(1, 300)}号"
            + (f"{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元{rng.randint(1, 30)}0{rng.randint(1, 4)}室"
               if rng.random() < 0.7 else ""))
        if org["level"] == OrgLevel.GRASSROOTS:
            employer = org["name"].removesuffix("工会委员会")
        else:
            employer = short + rng.choice(EMPLOYERS)
        public = any(w in employer for w in PUBLIC_WORDS)
        employer_type = EmployerType.STATE_ORGAN if public else EMPLOYER_TYPES.pick(rng)
        prefix = POSTCODE_PREFIX.get(region[:2])
        work_start = None
        if rng.random() < 0.95:
            work_start = date(min(birth.year + rng.randint(17, 24), ref.year), rng.randint(1, 12), 1)

        archive = {
            "id": archive_id, "org_id": org["id"], "archive_no": "", "status": status, "is_temporary": temporary,
            "category": category, "name": name,
            "ethnicity": "汉族" if rng.random() < 0.93 else rng.choice(MINORITIES),
            "sex": sex,
            "political_status": POLITICAL.pick(rng),
            "birth_date": birth, "id_number": id_number, "id_number_bidx": bidx(pii.ID_NUMBER, id_number),
            "health": health, "disability_type": disability, "identity": identity, "model_worker_type": model_worker,
            "housing_type": HOUSING.pick(rng),
            "housing_area": AREA.pick(rng),
            "postcode": f"{prefix}{rng.randint(0, 99):02d}00" if prefix and rng.random() < 0.8 else "",
            "phone": "", "phone_bidx": "", "work_start_date": work_start,
            "industry": rng.choice(INDUSTRIES), "marital_status": marital,
            "hukou_type": HUKOU.pick(rng),
            "address": address, "employer": employer, "employer_type": employer_type,
            "enterprise_status": EnterpriseStatus.NORMAL if public else ENTERPRISE.pick(rng),
            "single_parent": not married and has_children,
            "monthly_income": _money(head_income), "household_annual_income": annual, "household_size": size,
            "hukou_region_code": region, "in_medical_insurance": rng.random() < 0.88,
            "self_help_capable": rng.random() < 0.6, "zero_employment": zero_employment,
            "cause_1": causes[0], "cause_2": causes[1] if len(causes) > 1 else "",
            "cause_3": causes[2] if len(causes) > 2 else "", "remarks": "",
            "rigid_expenses": _money(rigid), "hardship_costs": _money(hardship), "dibao_monthly": dibao_monthly,
            "dibao_from": dibao_from, "dibao_to": dibao_to, "created_by_id": handler[0],
            "created_at": None, "updated_at": None,
        }
        if rng.random() < 0.88:
            archive["phone"] = self.phone()
            archive["phone_bidx"] = bidx(pii.PHONE, archive["phone"])
        return {"archive": archive, "members": members, "steps": steps, "timeline": timeline,
                "handler": handler, "reviewer": reviewer}

    def member(self, region: str, relation: str, sex: str, lo: date, hi: date, name: str, ref: date) -> dict:
        rng = self.rng
        with_id = rng.random() < 0.96
        if with_id:
            number = self.new_id(region, lo, hi, sex)
            birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        else:
            number = ""
            birth = date.fromordinal(rng.randint(lo.toordinal(), min(hi, self.today).toordinal()))
        age = ref.year - birth.year
        school = ""
        if relation in (Relation.SON, Relation.DAUGHTER):
            if age < 6:
                identity = MemberIdentity.INFANT
            elif age < 12:
                identity, school = MemberIdentity.PRIMARY, f"第{rng.randint(1, 30)}小学"
            elif age < 15:
                identity, school = MemberIdentity.MIDDLE_SCHOOL, f"第{rng.randint(1, 20)}中学"
            elif age < 18:
                identity = rng.choice([MemberIdentity.HIGH_SCHOOL, MemberIdentity.VOCATIONAL])
                school = f"第{rng.randint(1, 20)}中学" if identity == MemberIdentity.HIGH_SCHOOL else "职业技术学校"
            elif age < 23:
                identity = YOUNG_CHILD_IDENTITY.pick(rng)
                school = "某职业技术学院" if identity == MemberIdentity.UNDERGRADUATE else ""
            else:
                identity = ADULT_CHILD_IDENTITY.pick(rng)
        elif relation in (Relation.FATHER, Relation.MOTHER):
            identity = PARENT_IDENTITY.pick(rng)
        else:
            identity = SPOUSE_IDENTITY.pick(rng)
        health = MEMBER_HEALTH.pick(rng)
        return {"name": name, "relation": relation, "sex": sex, "birth_date": birth, "id_number": number,
                "id_number_bidx": bidx(pii.ID_NUMBER, number) if number else "", "health": health,
                "political_status": (PoliticalStatus.LEAGUE if 14 <= age <= 28 and rng.random() < 0.4
                                     else PoliticalStatus.MASSES),
                "monthly_income": Decimal(0), "identity": identity, "school_or_employer": school}

    def causes(self, category: str, health: str, identity: str, members: list[dict]) -> list[str]:
        c = HardshipCause
        found = []
        if category in (HardshipCategory.ACCIDENT, HardshipCategory.ACCIDENT_NEW):
            found.append(c.DISASTER)
        if health == Health.ILL:
            found.append(c.OWN_ILLNESS)
        if health == Health.DISABLED:
            found.append(c.DISABILITY)
        if any(m["health"] in (Health.ILL, Health.DISABLED) for m in members):
            found.append(c.DEPENDANT_ILLNESS)
        if identity in (Identity.LAID_OFF, Identity.UNEMPLOYED):
            found.append(c.UNEMPLOYMENT)
        if any(m["school_or_employer"] and m["relation"] in (Relation.SON, Relation.DAUGHTER) for m in members):
            found.append(c.SCHOOLING)
        if category in (HardshipCategory.DIBAO, HardshipCategory.DEEP):
            found.append(c.LOW_INCOME)
        if not found:
            found.append(c.LOW_INCOME if self.rng.random() < 0.7 else c.OTHER)
        head = found[:1]  # the most specific first, then a draw among the rest
        rest = found[1:]
        self.rng.shuffle(rest)
        return head + rest[: self.rng.randint(0, 2)]

    # --- lifecycle ----------------------------------------------------------------------------------

    def timeline(self, status: str) -> tuple[list[tuple[str, date]], dict]:
        """The steps that lead to ``status`` as (action, day) and the key days. The gaps are drawn first; the
        chain is then placed so that in-progress archives are recent and nothing lies after the end day."""
        rng = self.rng
        reach = FILING_ORDER.index(status) if status in FILING_ORDER else 5
        if status == S.REJECTED:
            reach = 4
        returned = status == S.DRAFT and rng.random() < 0.3
        gaps = {"submit0": rng.randint(1, 8), "return": rng.randint(1, 6), "submit": rng.randint(1, 10),
                "accept": rng.randint(1, 7), "visit": rng.randint(2, 12), "verify": rng.randint(0, 2),
                "end_publicity": rng.randint(1, 4), "decide": rng.randint(1, 10),
                "exit_request": rng.randint(60, 500), "exit_approve": rng.randint(2, 15),
                "exit_finalize": rng.randint(1, 5)}

        def build(first: date) -> tuple[list[tuple[str, date]], dict]:
            d, steps, days = first, [("file", first)], {}
            if returned:
                d += timedelta(days=gaps["submit0"])
                steps.append(("submit", d))
                d += timedelta(days=gaps["return"])
                steps.append(("return", d))
            if reach >= 1:
                d += timedelta(days=gaps["submit"])
                steps.append(("submit", d))
            if reach >= 2:
                d += timedelta(days=gaps["accept"])
                steps.append(("accept", d))
            if reach >= 3:
                days["visited"] = d + timedelta(days=gaps["visit"])
                d = days["visited"] + timedelta(days=gaps["verify"])
                days["publicity"] = (d, self.calendar.nth_working_day(d, PUBLICITY_WORKING_DAYS))
                steps.append(("verify", d))
            if reach >= 4:
                d = days["publicity"][1] + timedelta(days=gaps["end_publicity"])
                steps.append(("end_publicity", d))
            if reach >= 5 or status == S.REJECTED:
                d += timedelta(days=gaps["decide"])
                steps.append(("reject" if status == S.REJECTED else "approve", d))
            if status in (S.EXIT_REVIEW, S.EXIT_PUBLICIZING, S.EXITED):
                d += timedelta(days=gaps["exit_request"])
                steps.append(("exit_request", d))
                if status != S.EXIT_REVIEW:
                    d += timedelta(days=gaps["exit_approve"])
                    days["exit_publicity"] = (d, self.calendar.nth_working_day(d, PUBLICITY_WORKING_DAYS))
                    steps.append(("exit_approve", d))
                if status == S.EXITED:
                    d = days["exit_publicity"][1] + timedelta(days=gaps["exit_finalize"])
                    steps.append(("exit_finalize", d))
            days.update((action, day) for action, day in steps)
            days["file"] = first
            return steps, days

        span = (build(self.begin)[0][-1][1] - self.begin).days
        end, begin = self.end.toordinal(), self.begin.toordinal()
        if status in (S.DRAFT, S.SUBMITTED, S.VERIFYING, S.PUBLICIZING, S.APPROVING):
            start = end - span - rng.randint(0, 20)
        else:
            start = rng.randint(begin, max(begin, end - span - 1))
        steps, days = build(date.fromordinal(start))
        overflow = (steps[-1][1] - self.end).days
        if overflow > 0:  # working days made the chain longer: move it back by whole weeks (same weekdays)
            steps, days = build(date.fromordinal(start - 7 * (overflow // 7 + 1)))
        return steps, days

    # --- rows ---------------------------------------------------------------------------------------

    def emit(self, h: dict) -> None:
        rng, sink = self.rng, self.sink
        a, status, handler, reviewer = h["archive"], h["archive"]["status"], h["handler"], h["reviewer"]
        days = h["timeline"]
        reviewer_id = reviewer[0] if reviewer else None
        visitors = f"{handler[1]}、{self.name(rng.choice('男女'))}"
        exit_reason = EXIT_REASONS.pick(rng)
        last_at = None
        for action, day in h["steps"]:
            at = self.at(day)
            if last_at and at <= last_at:
                at = last_at + timedelta(minutes=rng.randint(5, 90))
            last_at = at
            frm, to = TRANSITIONS[action]
            note, data = "", {}
            if action == "file" and a["is_temporary"]:
                note = "临时救助档案"
            elif action == "return":
                note = rng.choice(RETURN_REASONS)
            elif action == "verify":
                start, end = days["publicity"]
                note = rng.choice(FINDINGS)
                data = {"visited_on": days["visited"].isoformat(), "visitors": visitors,
                        "publicity": f"{start.isoformat()}~{end.isoformat()}"}
            elif action == "reject":
                note = rng.choice(REJECT_REASONS)
            elif action == "exit_request":
                note = f"{exit_reason}：{EXIT_NOTES[exit_reason]}"
            elif action == "exit_approve":
                start, end = days["exit_publicity"]
                data = {"publicity": f"{start.isoformat()}~{end.isoformat()}"}
            elif action == "exit_finalize":
                note = exit_reason
            actor = reviewer_id if action in BY_REVIEWER else handler[0]
            sink.add(ArchiveStep, {"archive_id": a["id"], "action": action, "from_status": frm, "to_status": to,
                                   "actor_id": actor, "at": at, "note": note, "data": data})
            if action == "file":
                a["created_at"] = at
            if action == "approve":
                a["activated_at"] = at
            if action == "exit_finalize":
                a["exited_at"] = at
            a["updated_at"] = at
        if "publicity" in days:
            a["publicity_start"], a["publicity_end"] = days["publicity"]
        if "exit_publicity" in days:  # the exit publicity replaces the filing one, as the service does
            a["publicity_start"], a["publicity_end"] = days["exit_publicity"]
        if status in (S.EXIT_REVIEW, S.EXIT_PUBLICIZING, S.EXITED):
            a["exit_reason"], a["exit_note"] = exit_reason, EXIT_NOTES[exit_reason]
        if status == S.EXITED:
            a["followup_date"] = add_months(days["exit_finalize"], FOLLOWUP_MONTHS)
            a["retain_until"] = add_months(days["exit_finalize"], 12 * RETENTION_YEARS)
        sink.add(Archive, a)

        live = status in LIVE
        sink.add(ArchivePerson, {"archive_id": a["id"], "id_bidx": a["id_number_bidx"], "is_head": True,
                                 "member_id": None, "live": live})
        for pos, m in enumerate(h["members"], start=1):
            mid = sink.new_id(FamilyMember)
            sink.add(FamilyMember, {"id": mid, "archive_id": a["id"], "position": pos, **m})
            if m["id_number_bidx"]:
                sink.add(ArchivePerson, {"archive_id": a["id"], "id_bidx": m["id_number_bidx"], "is_head": False,
                                         "member_id": mid, "live": live})

        if status == S.PUBLICIZING and rng.random() < 0.25:
            start, end = days["publicity"]
            received = min(start + timedelta(days=rng.randint(0, 3)), self.end)
            content = rng.choice(OBJECTIONS)
            at = max(self.at(received), last_at + timedelta(minutes=10))
            sink.add(Objection, {"archive_id": a["id"], "phase": "filing", "received_on": received,
                                 "raised_by": "群众来电" if rng.random() < 0.5 else "", "content": content,
                                 "resolution": "", "resolved_by_id": None, "resolved_at": None,
                                 "recorded_by_id": handler[0]})
            sink.add(ArchiveStep, {"archive_id": a["id"], "action": "objection", "from_status": status,
                                   "to_status": status, "actor_id": handler[0], "at": at, "note": content,
                                   "data": {}})
        if status == S.ACTIVE:
            self.care(a, handler, last_at)

    def care(self, a: dict, handler: tuple[int, str], activated: datetime) -> None:
        rng, sink, year = self.rng, self.sink, self.ctx.year
        act_day = activated.date()
        review_from = max(act_day + timedelta(days=14), date(year, 1, 10))
        review_to = min(self.end, date(year, 12, 15))
        if review_from <= review_to and rng.random() < 0.45:
            day = date.fromordinal(rng.randint(review_from.toordinal(), review_to.toordinal()))
            result = REVIEW_RESULTS.pick(rng)
            at = self.at(day)
            sink.add(ArchiveReview, {"archive_id": a["id"], "year": year, "result": result,
                                     "notes": REVIEW_NOTES[result], "reviewer_id": handler[0], "reviewed_at": at})
            sink.add(ArchiveStep, {"archive_id": a["id"], "action": "review", "from_status": S.ACTIVE,
                                   "to_status": S.ACTIVE, "actor_id": handler[0], "at": at,
                                   "note": f"{year}年度复核：{result}", "data": {}})
        if rng.random() < 0.85:
            overdue = rng.random() < 0.2
            if overdue:
                next_visit = self.today - timedelta(days=rng.randint(1, 90))
            else:
                next_visit = self.today + timedelta(days=rng.randint(1, 150))
            updated = next_visit - timedelta(days=rng.randint(20, 180))
            updated = min(max(updated, act_day + timedelta(days=1)), self.today)
            next_visit = max(next_visit, updated + timedelta(days=1))
            cause = a["cause_1"]
            needs, measures = NEEDS.get(cause, NEEDS[HardshipCause.OTHER])
            at = min(max(self.at(updated), activated + timedelta(minutes=10)), timezone.now())
            contact = handler[1]
            sink.add(AssistancePlan, {"archive_id": a["id"], "needs": needs, "measures": measures,
                                      "contact_name": contact, "contact_phone": self.phone(),
                                      "contact_phone_bidx": "", "next_visit_date": next_visit,
                                      "updated_by_id": handler[0], "updated_at": at})
            plan = sink.rows[AssistancePlan][-1]
            plan["contact_phone_bidx"] = bidx(pii.PHONE, plan["contact_phone"])
            sink.add(ArchiveStep, {"archive_id": a["id"], "action": "plan", "from_status": S.ACTIVE,
                                   "to_status": S.ACTIVE, "actor_id": handler[0], "at": at,
                                   "note": f"帮扶联系人{contact}，下次走访{next_visit:%Y-%m-%d}", "data": {}})


@seeder(20, "困难职工档案")
def seed_archives(ctx: DemoContext) -> None:
    _Builder(ctx).run()

