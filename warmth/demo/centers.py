"""Demo 帮扶中心 registry: a centre for 四川省总工会 and for each of its cities and counties in the demo tree, with
帮扶站点 (乡镇街道, 社区, 工业园区, and enterprise stations at the counties' grassroots unions), 定点帮扶机构 and the
money of the demo year by the forms' sources (some 地方财政拨款 marked as the 同级财政's 专项帮扶资金). One station
and one partner are closed during the year, one funding row is corrected. Through the services, so the audit
rows are what real use leaves (成都's subtree as 成都's handler, the rest as the operator); deterministic from
``ctx.rng``; the writes are bounded by one province's cities and counties."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from warmth.centers import services
from warmth.centers.choices import LEVEL_OF_ORG, CenterFundSource, CenterLevel, PartnerKind, StationKind
from warmth.demo.pipeline import DemoContext, seeder
from warmth.orgs.access import actor_for
from warmth.orgs.models import Org, OrgLevel, User

PROVINCE, CITY = "510000", "510100"
TOWNS = ["城关", "东城", "西城", "南门", "北关", "新华", "人民", "光明", "红星", "和平", "建设", "解放"]
COMMUNITIES = ["幸福", "阳光", "桂花", "锦绣", "金桥", "翠湖", "长安", "育才"]
# per level: founded between these years, 专职 and 兼职 staff, volunteers
PROFILE = {
    CenterLevel.PROVINCIAL: {"founded": (2003, 2006), "full": (8, 15), "part": (3, 8), "volunteers": (120, 300)},
    CenterLevel.CITY: {"founded": (2004, 2009), "full": (4, 10), "part": (2, 6), "volunteers": (40, 150)},
    CenterLevel.COUNTY: {"founded": (2006, 2013), "full": (2, 6), "part": (1, 4), "volunteers": (10, 60)},
}
# per level: (source, chance, lowest, highest) in thousands of 元
MONEY = {
    CenterLevel.PROVINCIAL: [("central", 1, 3000, 6000), ("local", 1, 1000, 2000), ("union", 1, 500, 1000),
                             ("donation", 1, 100, 400), ("other", 0.5, 10, 50)],
    CenterLevel.CITY: [("central", 1, 300, 800), ("local", 1, 100, 500), ("union", 1, 100, 300),
                       ("donation", 0.7, 20, 100), ("other", 0.3, 5, 20)],
    CenterLevel.COUNTY: [("central", 0.8, 50, 200), ("local", 0.9, 20, 150), ("union", 1, 20, 80),
                         ("donation", 0.4, 5, 30), ("other", 0.2, 1, 10)],
}
SPECIAL_CHANCE = {CenterLevel.PROVINCIAL: 1, CenterLevel.CITY: 0.6, CenterLevel.COUNTY: 0.5}


def _place(org: Org) -> str:
    return org.name.removesuffix("总工会")


def _day(rng, start: date, end: date) -> date:
    if end <= start:
        return start
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _partner_name(kind: str, place: str, rng) -> str:
    return {
        PartnerKind.HOSPITAL: f"{place}第{rng.choice('一二三')}人民医院",
        PartnerKind.PHARMACY: f"{place}{rng.choice(['康民', '惠民', '百姓'])}大药房",
        PartnerKind.SUPERMARKET: f"{place}职工扶贫超市",
        PartnerKind.SCHOOL: f"{place}职业技术学校",
        PartnerKind.COUNSELLING: f"{place}职工心理咨询室",
        PartnerKind.TRAINING: f"{place}职工职业技能培训中心",
        PartnerKind.EMPLOYMENT: f"{place}职工职业介绍所",
    }[kind]


class _Registry:
    def __init__(self, ctx: DemoContext):
        self.ctx, self.rng = ctx, ctx.rng
        self.today = timezone.localdate()
        self.year = ctx.year
        self.cap = min(date(ctx.year, 6, 1), self.today)       # stations and partners set up by then
        user = User.objects.filter(username="cd_handler").first()
        self.city_actor = actor_for(user) if user else None
        city = Org.objects.filter(code=CITY).first()
        self.city_path = city.path if city else None
        self.n = {"centers": 0, "stations": 0, "partners": 0, "funding": 0, "closed_stations": 0, "closed_partners": 0,
                  "corrected": 0}
        self.levels = dict.fromkeys(CenterLevel.values, 0)

    def actor(self, org: Org):
        inside = self.city_path and org.path.startswith(self.city_path) and self.city_actor is not None
        return self.city_actor if inside else None

    def center(self, org: Org):
        rng, level = self.rng, LEVEL_OF_ORG[org.level]
        p = PROFILE[level]
        hi = min(p["founded"][1], self.year - 1)
        founded = date(rng.randint(min(p["founded"][0], hi), hi), rng.randint(1, 12), rng.randint(1, 28))
        premises = rng.random() < 0.8
        c = services.center_create(
            actor=self.actor(org), org=org, name=f"{_place(org)}困难职工帮扶中心", founded_on=founded,
            address=f"{_place(org)}工人文化宫一楼", own_premises=premises,
            area=rng.randint(8, 150) * 10 if premises else None,
            staff_fulltime=rng.randint(*p["full"]), staff_parttime=rng.randint(*p["part"]),
            volunteers=rng.randint(*p["volunteers"]),
            in_budget=level == CenterLevel.PROVINCIAL or rng.random() < (0.7 if level == CenterLevel.CITY else 0.5),
            matched_proportional=level == CenterLevel.CITY and rng.random() < 0.6,
            matched_equal=level == CenterLevel.COUNTY and rng.random() < 0.5,
            hours="工作日 8:30–17:30", hotline="12351")
        self.n["centers"] += 1
        self.levels[level] += 1
        return c

    def stations(self, c, grassroots: list[Org]) -> None:
        rng, actor, place = self.rng, self.actor(c.org), _place(c.org)
        made = []
        if c.level == CenterLevel.PROVINCIAL:
            plan = [(StationKind.PARK, f"{place}高新技术产业园区工会帮扶工作站", c.org)]
        else:
            n_towns = rng.randint(2, 6) if c.level == CenterLevel.COUNTY else rng.randint(0, 2)
            plan = [(StationKind.TOWNSHIP, f"{place}{t}街道工会帮扶工作站", c.org)
                    for t in rng.sample(TOWNS, n_towns)]
            plan += [(StationKind.COMMUNITY, f"{place}{x}社区工会帮扶站点", c.org)
                     for x in rng.sample(COMMUNITIES, rng.randint(1, 4))]
            if rng.random() < 0.4:
                plan.append((StationKind.PARK, f"{place}工业园区工会帮扶工作站", c.org))
            for g in rng.sample(grassroots, min(len(grassroots), rng.randint(1, 3))):
                plan.append((StationKind.ENTERPRISE, g.name.removesuffix("工会委员会") + "帮扶站点", g))
        for kind, name, org in plan:
            enterprise = kind == StationKind.ENTERPRISE
            made.append(services.station_add(
                actor=actor, center=c, kind=kind, name=name, org=org,
                set_up_on=_day(rng, c.founded_on, self.cap), above_scale=enterprise and rng.random() < 0.6,
                non_public=enterprise and rng.random() < 0.4))
        self.n["stations"] += len(made)
        if c.level == CenterLevel.COUNTY and not self.n["closed_stations"] and len(made) > 1:
            first = made[0]
            services.station_close(actor=actor, station=first, closed_on=max(first.set_up_on, self.cap),
                                   reason=f"街道撤并，工作并入{made[1].name}")
            self.n["closed_stations"] += 1

    def partners(self, c) -> None:
        rng, actor, place = self.rng, self.actor(c.org), _place(c.org)
        if c.level == CenterLevel.PROVINCIAL:
            kinds = [PartnerKind.COUNSELLING, PartnerKind.TRAINING, PartnerKind.EMPLOYMENT, PartnerKind.HOSPITAL]
        else:
            kinds = rng.sample(PartnerKind.values, rng.randint(1, 4))
        for kind in kinds:
            x = services.partner_add(actor=actor, center=c, kind=kind, name=_partner_name(kind, place, rng),
                                     agreed_on=_day(rng, c.founded_on, self.cap))
            self.n["partners"] += 1
            if kind == PartnerKind.PHARMACY and not self.n["closed_partners"]:
                services.partner_close(actor=actor, partner=x, closed_on=max(x.agreed_on, self.cap),
                                       reason="协议到期未续签")
                self.n["closed_partners"] += 1

    def funding(self, c) -> None:
        rng, actor = self.rng, self.actor(c.org)
        for source, chance, lo, hi in MONEY[c.level]:
            if rng.random() >= chance:
                continue
            amount = Decimal(rng.randint(lo, hi) * 1000)
            special = source == CenterFundSource.LOCAL and rng.random() < SPECIAL_CHANCE[c.level]
            row = services.funding_add(actor=actor, center=c, year=self.year, source=source, amount=amount,
                                       special=special, note=f"{self.year}年{CenterFundSource(source).label}")
            self.n["funding"] += 1
            if source == CenterFundSource.UNION and c.level == CenterLevel.CITY and not self.n["corrected"]:
                services.funding_correct(actor=actor, funding=row, amount=amount + 10000,
                                         reason="补登下半年工会拨款")
                self.n["corrected"] += 1

    def run(self) -> None:
        province = Org.objects.filter(code=PROVINCE).first() or Org.objects.filter(
            level=OrgLevel.PROVINCE).order_by("path").first()
        if province is None:
            self.ctx.out("帮扶中心：没有省总工会，跳过")
            return
        orgs = list(Org.objects.filter(path__startswith=province.path, is_active=True,
                                       level__in=[OrgLevel.PROVINCE, OrgLevel.CITY, OrgLevel.COUNTY])
                    .order_by("path"))
        grassroots: dict[int, list[Org]] = {}
        for g in Org.objects.filter(path__startswith=province.path, level=OrgLevel.GRASSROOTS,
                                    parent__level=OrgLevel.COUNTY).order_by("path"):
            grassroots.setdefault(g.parent_id, []).append(g)
        money = self.year <= self.today.year
        for org in orgs:
            c = self.center(org)
            self.stations(c, grassroots.get(org.pk, []))
            self.partners(c)
            if money:
                self.funding(c)
        n, lv = self.n, self.levels
        self.ctx.out(f"帮扶中心：{n['centers']} 个（省级 {lv['provincial']}、地市级 {lv['city']}、"
                     f"县级 {lv['county']}），"
                     f"站点 {n['stations']} 个（关闭 {n['closed_stations']} 个），"
                     f"定点帮扶机构 {n['partners']} 个（关闭 {n['closed_partners']} 个），"
                     f"{self.year} 年资金 {n['funding']} 笔（更正 {n['corrected']} 笔）"
                     + ("" if money else "；演示年度在今年之后，未登记资金"))


@seeder(36, "帮扶中心")
def seed_centers(ctx: DemoContext) -> None:
    _Registry(ctx).run()
