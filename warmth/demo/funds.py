"""Demo 送温暖资金: 四川 raises money from every source, records the collective decisions, and passes it down
the tree with the plan tool (by filed households) to the cities, their counties and, under 成都 (under every
county at the small scale), the grassroots unions. A raise entered twice is reversed, and 成都 turns a
leftover into 日常帮扶.

Unlike the archive seeder this one goes through the services: the demo then shows exactly what a real season
leaves behind (plans, allocations with 文号, both ledger sides, decisions with minutes, audit rows), and the
number of writes is bounded by the number of cities and counties of one province, not by the households."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from warmth.demo.pipeline import DemoContext, seeder
from warmth.funds import services
from warmth.funds.choices import DecisionKind, FundSource, Purpose
from warmth.funds.models import FundPot
from warmth.orgs.access import actor_for
from warmth.orgs.models import Org, OrgLevel, User

PROVINCE, CITY = "510000", "510100"


def _actor(username: str):
    return actor_for(User.objects.get(username=username))


def _minutes(title: str) -> SimpleUploadedFile:
    # a one-page PDF is enough for the demo; the upload check only needs the PDF header
    body = f"%PDF-1.4\n% {title}\n".encode()
    return SimpleUploadedFile("会议纪要.pdf", body, content_type="application/pdf")


class _Season:
    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        today = timezone.localdate()
        self.year = ctx.year
        self.base = min(today, date(ctx.year, 12, 31))  # decisions may not lie in the future
        self.finance, self.leader = _actor("sc_finance"), _actor("sc_leader")
        self.cd_finance, self.cd_leader = _actor("cd_finance"), _actor("cd_leader")
        self.counts = {"raises": 0, "allocations": 0, "decisions": 0, "plans": 0}

    def day(self, before: int) -> date:
        return self.base - timedelta(days=before)

    def doc(self, org: Org, n: int) -> str:
        short = org.name.replace("总工会", "").replace("工会委员会", "")[:2] or "工"
        return f"{short}工[{self.year}]{n}号"

    def actors_for(self, org: Org):
        in_city = org.path.startswith(Org.objects.get(code=CITY).path)
        return (self.cd_finance, self.cd_leader) if in_city else (self.finance, self.leader)

    def raise_(self, org, source, purpose, amount, **kw):
        self.counts["raises"] += 1
        return services.fund_raise(actor=self.finance, org=org, year=self.year, source=source, purpose=purpose,
                                   amount=Decimal(amount), received_on=self.day(30), **kw).pot

    def decide(self, org: Org, pots: list[FundPot], kind=DecisionKind.USAGE_PLAN, before: int = 25):
        _, leader = self.actors_for(org)
        self.counts["decisions"] += 1
        what = "资金分配和使用方案" if kind == DecisionKind.USAGE_PLAN else "结余资金转日常帮扶"
        return services.decision_record(
            actor=leader, org=org, year=self.year, kind=kind, meeting=f"{org.name}{self.year}年第12次主席办公会议",
            held_on=self.day(before), summary=f"研究通过{self.year}年两节送温暖{what}。", pots=pots,
            minutes=_minutes(f"{org.name} {what}"))

    def plan_down(self, pot: FundPot, share: Decimal, n: int, before: int) -> None:
        """Pass ``share`` of the pot to the org's children by filed households, confirmed by its leader."""
        finance, leader = self.actors_for(pot.org)
        pot.refresh_from_db()
        total = (pot.balance * share).quantize(Decimal("1"))
        if total <= 0 or not Org.objects.filter(parent=pot.org, is_active=True).exists():
            return
        plan = services.allocation_plan_create(actor=finance, pot=pot, total=total, doc_no=self.doc(pot.org, n),
                                               allocated_on=self.day(before))
        made = services.allocation_plan_confirm(actor=leader, plan=plan)
        self.counts["plans"] += 1
        self.counts["allocations"] += len(made)

    def run(self) -> None:
        province = Org.objects.get(code=PROVINCE)
        big = {"small": 1, "province": 10, "national": 40}[self.ctx.scale]
        central = self.raise_(province, FundSource.CENTRAL, Purpose.WARMTH, 3_000_000 * big,
                              doc_no=f"财社[{self.year}]188号")
        provincial = self.raise_(province, FundSource.PROVINCIAL, Purpose.WARMTH, 1_200_000 * big,
                                 doc_no=f"川财社[{self.year}]96号")
        union = self.raise_(province, FundSource.OWN_UNION, Purpose.WARMTH, 800_000 * big,
                            doc_no=f"川工财[{self.year}]21号")
        donation = self.raise_(province, FundSource.DONATION, Purpose.WARMTH, 260_000 * big,
                               donor="四川省爱心企业联合会", doc_no=f"捐[{self.year}]3号")
        self.raise_(province, FundSource.DONATION, Purpose.WARMTH, 45_000 * big, donor="某粮油集团",
                    is_goods=True, goods_description="大米、食用油 900 份（按市价折款）")
        school = self.raise_(province, FundSource.CENTRAL, Purpose.SCHOOL, 500_000 * big,
                             doc_no=f"财社[{self.year}]189号")
        # a raise entered twice by mistake, reversed (the ledger keeps both rows)
        self.counts["raises"] += 1
        dup = services.fund_raise(actor=self.finance, org=province, year=self.year, source=FundSource.OWN_UNION,
                                  purpose=Purpose.WARMTH, amount=Decimal("20000"), received_on=self.day(30),
                                  doc_no=f"川工财[{self.year}]21号", note="重复录入")
        services.entry_reverse(actor=self.finance, entry=dup.pot.entries.get(raise_record=dup), reason="重复录入",
                               on_date=self.day(29))
        self.decide(province, [central, provincial, union, donation, school])
        # province → cities (and industry unions) by filed households
        self.plan_down(central, Decimal("0.9"), 101, 24)
        self.plan_down(provincial, Decimal("0.8"), 102, 24)
        self.plan_down(school, Decimal("0.9"), 103, 24)
        city = Org.objects.get(code=CITY)
        p_union = FundPot.objects.get(pk=union.pk)
        services.allocation_create(actor=self.finance, pot=p_union, to_org=city, amount=Decimal(200_000 * big),
                                   doc_no=self.doc(province, 104), allocated_on=self.day(24))
        self.counts["allocations"] += 1
        # each city → its counties; under 成都 (everywhere at the small scale) each county → its grassroots
        cities = Org.objects.filter(parent=province, level=OrgLevel.CITY, is_active=True).order_by("path")
        for c in cities:
            pots = list(FundPot.objects.filter(org=c, year=self.year, balance__gt=0))
            if not pots:
                continue
            self.decide(c, pots, before=20)
            for i, pot in enumerate(pots):
                self.plan_down(pot, Decimal("0.85"), 200 + i, 18)
            down = self.ctx.scale == "small" or c.code == CITY
            for county in Org.objects.filter(parent=c, is_active=True).order_by("path"):
                cpots = list(FundPot.objects.filter(org=county, year=self.year, balance__gt=0))
                if not cpots:
                    continue
                self.decide(county, cpots, before=15)
                if down:
                    for i, pot in enumerate(cpots):
                        self.plan_down(pot, Decimal("0.7"), 300 + i, 12)
        # a leftover at 成都: a quarter of its union money turned into 日常帮扶 by a decision
        c_union = FundPot.objects.filter(org=city, year=self.year, source=FundSource.OWN_UNION,
                                         purpose=Purpose.WARMTH).first()
        if c_union is not None and c_union.balance > 0:
            d = self.decide(city, [c_union], kind=DecisionKind.LEFTOVER, before=5)
            services.leftover_convert(actor=self.cd_finance, pot=c_union, amount=(c_union.balance / 4).quantize(
                Decimal("0.01")), decision=d, on_date=self.day(5))
        self.ctx.made["fund_pots"] = FundPot.objects.count()
        c = self.counts
        self.ctx.out(f"资金：筹集 {c['raises']} 笔，集体决策 {c['decisions']} 项，下拨方案 {c['plans']} 个，"
                     f"下拨 {c['allocations']} 笔")


@seeder(30, "送温暖资金")
def seed_funds(ctx: DemoContext) -> None:
    _Season(ctx).run()
