"""Demo 送温暖活动: 成都市总工会's campaign of the season, with three visit groups (two meeting the 003 rule, one
short of a 困难劳模), its planned households, visits to about two households in three of 成都's (one visited
twice, one recipient without an archive, two with cash handed over from 武侯's own money), enterprise visits, records of
rights work, help, services and trips home, three weeks of wage-arrears reports (锦江 missing the last) and the
festival duty roster. Through the services, so the audit rows and the ledger are what a real season leaves."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

from warmth.archives.choices import ArchiveStatus
from warmth.archives.models import Archive
from warmth.campaigns import services
from warmth.campaigns.choices import HouseholdClass, VisitKind
from warmth.demo.national_visits import seed_national_visits
from warmth.demo.pipeline import DemoContext, seeder
from warmth.funds.choices import FundSource, Purpose
from warmth.funds.models import FundPot
from warmth.orgs.access import actor_for
from warmth.orgs.models import Org, User
from warmth.visits import services as visit_services

CITY = "510100"
VISITS_CAP = 400  # visits are recorded one by one through the service; the demo stops there at any scale


def _actor(username):
    return actor_for(User.objects.get(username=username))


def _arrears(rng, scale: int) -> dict:
    """One unit's week: numbers that keep the parts inside their totals and the two breakdowns equal."""
    people_other, people_state = rng.randint(10, 60) * scale, rng.randint(0, 8) * scale
    migrant = people_other + people_state - rng.randint(0, 5)
    urban = people_other + people_state - migrant
    wan = Decimal("0.35")  # 万元 a head, roughly a month's pay
    amount = {"other": (wan * people_other).quantize(Decimal("0.0001")),
              "state": (wan * people_state).quantize(Decimal("0.0001"))}
    migrant_amount = (wan * migrant).quantize(Decimal("0.0001"))
    total = amount["other"] + amount["state"]
    return {"state": {"amount": str(amount["state"]), "enterprises": 1 if people_state else 0,
                      "people": people_state},
            "other": {"amount": str(amount["other"]), "enterprises": rng.randint(1, 4), "people": people_other},
            "urban": {"amount": str(total - migrant_amount), "enterprises": 1 if urban else 0, "people": urban},
            "migrant": {"amount": str(migrant_amount), "enterprises": 1, "people": migrant},
            "construction": {"amount": str((migrant_amount / 2).quantize(Decimal("0.0001"))), "enterprises": 1,
                             "people": migrant // 2}}


@seeder(35, "送温暖活动")
def seed_campaigns(ctx: DemoContext) -> None:
    city = Org.objects.filter(code=CITY).first()
    if city is None:
        ctx.out("活动：没有成都市总工会，跳过")
        return
    planner, county = _actor("cd_handler"), _actor("wh_handler")
    c = services.campaign_create(actor=planner, org=city, year=ctx.year, theme="两节送温暖活动",
                                 doc_no=f"成工发〔{ctx.year}〕30号", hotline="028-12351")
    ctx.made["campaign"] = c.pk
    counties = list(Org.objects.filter(parent=city).order_by("code"))
    households = list(Archive.objects.filter(org__path__startswith=city.path, status=ArchiveStatus.ACTIVE)
                      .select_related("org").order_by("org__path", "id"))
    rng = ctx.rng
    # three groups, one per county; the first two meet the rule, the third lacks a 困难劳模
    groups = []
    for i, unit in enumerate(counties[:3]):
        g = services.group_create(actor=planner, campaign=c, name=f"第{'一二三'[i]}组",
                                  leaders=["周领导（主席）", "陈副主席", "王副主席"][i],
                                  liaison=["刘经办", "杨审核", "黄财务"][i],
                                  units=[unit], departments=["保障部", "帮扶中心", "财务部"][: i + 1])
        own = [a for a in households if a.org.path.startswith(unit.path)]
        by_class = {k: [a for a in own if services.archive_class(a) == k] for k in HouseholdClass.values}
        if i < 2:  # a 困难劳模 (named: the demo archives hold none) and, if the unit has none filed, a 农民工
            services.household_plan(actor=planner, group=g, name=f"{unit.name[:3]}劳模户", unit=unit.name,
                                    klass=HouseholdClass.MODEL)
            if not by_class[HouseholdClass.MIGRANT]:
                services.household_plan(actor=planner, group=g, name=f"{unit.name[:3]}农民工户", unit=unit.name,
                                        klass=HouseholdClass.MIGRANT)
        for a in by_class[HouseholdClass.MIGRANT][:1] + by_class[HouseholdClass.WORKER][:3]:
            services.household_plan(actor=planner, group=g, archive=a)
        services.group_checklist(actor=planner, group=g, planned_on=c.focus_from + timedelta(days=i),
                                 route="集中乘车，按街道顺序入户", money_collected=Decimal("0"),
                                 receipts_done=False)
        groups.append((g, unit))
    # visits: about two in three households, dated in the concentrated window; a few exceptions
    cash_pot = FundPot.objects.filter(org__code="510107", year=ctx.year, source=FundSource.OWN_UNION,
                                      purpose=Purpose.WARMTH, balance__gt=1000).first()
    by_unit = {u.pk: g for g, u in groups}
    wuhou = Org.objects.get(code="510107").path
    made = twice = other = cash = 0
    for a in households:
        if made >= VISITS_CAP:
            break
        if rng.random() > 0.66:
            continue
        unit = next((u for u in counties if a.org.path.startswith(u.path)), None)
        group = by_unit.get(unit.pk) if unit else None
        actor = county if a.org.path.startswith(wuhou) else planner
        day = c.focus_from + timedelta(days=rng.randint(0, 10))
        kw = {}
        if cash_pot is not None and group is not None and actor is county and cash < 2:
            kw = {"cash_amount": "500", "cash_pot": cash_pot}
            cash += 1
        visit_services.visit_record(actor=actor, campaign=c, kind=VisitKind.HOUSEHOLD, visited_on=day,
                              visitors=group.leaders if group else "刘经办", group=group, archive=a,
                              handed_over="慰问金、米、油" if kw else "米、油", **kw)
        made += 1
        if made == 3:  # a second visit to the same household (counted as 重复走访)
            visit_services.visit_record(actor=actor, campaign=c, kind=VisitKind.HOUSEHOLD, visited_on=day,
                                  visitors="区总工会", archive=a, handed_over="慰问信")
            twice += 1
        if made == 5:  # a recipient without an archive, on the window's last day (a visit must lie inside it)
            visit_services.visit_record(actor=actor, campaign=c, kind=VisitKind.HOUSEHOLD,
                                  visited_on=c.ends_on, visitors="街道工会", org=a.org,
                                  recipient_kind="retiree", name="李退休", handed_over="慰问信")
            other += 1
    for i, unit in enumerate(counties):
        visit_services.visit_record(actor=planner, campaign=c, kind=VisitKind.ENTERPRISE, visited_on=c.focus_from,
                              visitors="周领导（主席）", org=unit, enterprise=f"{unit.name[:3]}机械制造有限公司",
                              enterprise_in_difficulty=i == 0, findings="订单下滑，工资按时发放，春节前安排轮休",
                              frontline_greeted=rng.randint(20, 80))
    # rights work, help, services and trips home, per county
    kinds = [("rights_case", 12, 5), ("wage_recovery", 30, 22), ("legal_aid", 6, None), ("jobs", 40, None),
             ("training", 25, None), ("counselling", 18, 7), ("culture", 300, 120), ("health_check", 90, 30),
             ("trip_helped", 400, None), ("tickets", 160, None), ("bus", 3, None)]
    records = 0
    for unit in counties:
        for kind, n, part in kinds:
            extra = {}
            if kind == "wage_recovery":
                extra = {"amount": Decimal(n * 4200), "part_amount": Decimal(part * 4200)}
            if kind == "bus":
                extra = {"people": n * 45}
            services.activity_record(actor=planner, org=unit, kind=kind, on_date=c.focus_from, campaign=c,
                                     count=n + rng.randint(0, 5), part=part, **extra)
            records += 1
    # weekly arrears reports: every county for the first two Fridays, all but 锦江 for the third
    weeks = services.fridays(c.arrears_from, c.arrears_to)[:3]
    reports = 0
    for w, friday in enumerate(weeks):
        for unit in counties:
            if w == 2 and unit.code == "510104":
                continue
            services.arrears_save(actor=planner, campaign=c, org=unit, week_of=friday,
                                  lines=_arrears(rng, 1), head=f"{unit.name[:3]}主席", filled_by="刘经办",
                                  phone="028-85550000", reported_on=friday, submit=True)
            reports += 1
    # the festival duty roster of 成都's assistance centre
    eve = c.ends_on - timedelta(days=1)
    for d in range(4):
        services.duty_add(actor=planner, campaign=c, org=city, on_date=eve + timedelta(days=d), starts=time(8),
                          ends=time(17), person=["刘经办", "杨审核", "黄财务", "周领导"][d],
                          phone=f"1380000{d:04d}", leader="周领导")
    ctx.out(f"活动：{c}，慰问组 {len(groups)} 个，走访 {made + twice + other} 次（重复 {twice}，无档案对象 {other}，"
            f"现金 {cash}），企业 {len(counties)} 家，工作记录 {records} 条，欠薪周报 {reports} 份，值班 4 班")


@seeder(44, "全国规模走访（批量）")
def seed_visits_national(ctx: DemoContext) -> None:
    """Only at ``--scale national``: a season per province and its household and enterprise visits."""
    seed_national_visits(ctx)
