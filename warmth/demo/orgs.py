"""Demo orgs and users: real province/city/county names from the region snapshot, plausible unions."""

from __future__ import annotations

from warmth.core import regions
from warmth.demo.pipeline import DEMO_PASSWORD, DemoContext, seeder
from warmth.orgs.bulk import OrgSpec, bulk_create_tree
from warmth.orgs.models import Membership, Org, OrgLevel, Role, User
from warmth.orgs.services import membership_create, user_create

ENTERPRISES = [
    "供电公司", "自来水有限公司", "公交集团", "燃气有限公司", "第一人民医院", "中医医院", "妇幼保健院",
    "实验中学", "第一中学", "实验小学", "环境卫生管理所", "邮政分公司", "建筑工程有限公司", "机械制造有限公司",
    "纺织有限公司", "食品有限公司", "商贸有限公司", "物流有限公司", "交通运输有限公司", "农业发展有限公司",
    "城市建设投资有限公司", "电子科技有限公司", "酒业有限公司", "水泥有限公司", "茶业有限公司",
    "汽车配件有限公司", "印务有限公司", "物业服务有限公司", "市场监督管理局", "人民法院",
]
INDUSTRIES = ["教科文卫工会", "农林水工会", "交通运输工会", "能源化学工会", "机械冶金建材工会", "财贸轻纺烟草工会"]

SMALL_LAYOUT = {  # province -> cities -> number of counties used
    "510000": {"510100": ["510104", "510107", "510112"], "510700": ["510703", "510704", "510781"]},
    "460000": {"460100": ["460105", "460106"]},
}


def _short(name: str) -> str:
    for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "省", "市"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _union_name(region: regions.Region) -> str:
    return f"{region.name}总工会"


def _add_grassroots(ctx: DemoContext, county: OrgSpec, region: regions.Region, n: int) -> None:
    picks = ctx.rng.sample(ENTERPRISES, k=min(n, len(ENTERPRISES)))
    while len(picks) < n:
        picks.append(f"第{len(picks) + 1}{ctx.rng.choice(ENTERPRISES)}")
    place = _short(region.name)
    for i, ent in enumerate(picks, start=1):
        county.add(f"{place}{ent}工会委员会", f"{region.code}-{i:04d}", OrgLevel.GRASSROOTS, region.code)


def _counties(code: str) -> list[regions.Region]:
    return [r for r in regions.children(code) if r.level == "county"]


def _province_spec(ctx: DemoContext, prov: regions.Region, layout: dict | None, grassroots: int) -> OrgSpec:
    spec = OrgSpec(f"{prov.name}总工会", prov.code, OrgLevel.PROVINCE, prov.code)
    for industry in INDUSTRIES[:2] if layout else INDUSTRIES:
        spec.add(f"{prov.name}{industry}", f"{prov.code}-{industry[:2]}", OrgLevel.INDUSTRY, prov.code)
    cities = regions.children(prov.code)
    if prov.code[2:] == "0000" and all(c.level == "county" for c in cities):  # 直辖市: counties directly
        cities_map = {prov.code: cities}
    else:
        cities_map = {c.code: _counties(c.code) for c in cities if c.level == "prefecture"}
    for city_code, counties in cities_map.items():
        if layout is not None and city_code not in layout:
            continue
        parent = spec
        if city_code != prov.code:
            city = regions.current(city_code)
            parent = spec.add(_union_name(city), city.code, OrgLevel.CITY, city.code)
        wanted = layout.get(city_code) if layout else None
        for county in counties:
            if wanted is not None and county.code not in wanted:
                continue
            c = parent.add(_union_name(county), county.code, OrgLevel.COUNTY, county.code)
            _add_grassroots(ctx, c, county, grassroots)
    return spec


def build_tree(ctx: DemoContext) -> OrgSpec:
    root = OrgSpec("中华全国总工会", "ACFTU", OrgLevel.NATIONAL, "")
    if ctx.scale == "small":
        for prov_code, layout in SMALL_LAYOUT.items():
            root.children.append(_province_spec(ctx, regions.current(prov_code), layout, 5))
    elif ctx.scale == "province":
        root.children.append(_province_spec(ctx, regions.current("510000"), None, 20))
        root.children.append(_province_spec(ctx, regions.current("460000"), SMALL_LAYOUT["460000"], 5))
    else:
        provs = [p for p in regions.provinces() if p.code[:2] not in ("71", "81", "82")]
        counties = sum(len(_counties(c.code)) or 1 for p in provs for c in regions.children(p.code))
        per_county = max(1, round(100_000 / max(counties, 1)))
        for prov in provs:
            root.children.append(_province_spec(ctx, prov, None, per_county))
    return root


DEMO_USERS = [
    # username, full name, org code, role, phone
    ("root", "全总管理员", "ACFTU", Role.ADMIN, "13800000001"),
    ("sc_admin", "王建国", "510000", Role.ADMIN, "13800000002"),
    ("sc_admin2", "李秀英", "510000", Role.ADMIN, "13800000003"),
    ("sc_auditor", "赵纪检", "510000", Role.AUDITOR, "13800000004"),
    ("sc_leader", "陈主席", "510000", Role.LEADER, "13800000005"),
    ("cd_handler", "刘经办", "510100", Role.HANDLER, "13800000006"),
    ("cd_reviewer", "杨审核", "510100", Role.REVIEWER, "13800000007"),
    ("cd_finance", "黄财务", "510100", Role.FINANCE, "13800000008"),
    ("cd_leader", "周领导", "510100", Role.LEADER, "13800000009"),
    ("wh_handler", "吴经办", "510107", Role.HANDLER, "13800000010"),
    ("hn_handler", "郑经办", "460000", Role.HANDLER, "13800000011"),
    ("sc_finance", "钱财务", "510000", Role.FINANCE, "13800000013"),
    ("wh_finance", "冯会计", "510107", Role.FINANCE, "13800000014"),
]
MULTI_USER = ("multi", "孙兼职", [("510100", Role.REVIEWER), ("510107", Role.HANDLER)], "13800000012")


def create_demo_users() -> list[tuple[str, str, str, str]]:
    """Active demo accounts (operator-made); returns (username, name, org name, role label) for printing."""
    made = []
    for username, name, code, role, phone in DEMO_USERS:
        org = Org.objects.get(code=code)
        user_create(actor=None, username=username, full_name=name, password=DEMO_PASSWORD, org=org, role=role,
                    phone=phone)
        made.append((username, name, org.name, Role(role).label))
    username, name, roles, phone = MULTI_USER
    first_org = Org.objects.get(code=roles[0][0])
    user = user_create(actor=None, username=username, full_name=name, password=DEMO_PASSWORD, org=first_org,
                       role=roles[0][1], phone=phone)
    for code, role in roles[1:]:
        membership_create(actor=None, user=user, org=Org.objects.get(code=code), role=role)
    made.append((username, name, " / ".join(Org.objects.get(code=c).name for c, _ in roles),
                 " / ".join(Role(r).label for _, r in roles)))
    return made


@seeder(10, "组织与用户")
def seed_orgs(ctx: DemoContext) -> None:
    tree = build_tree(ctx)
    total = tree.count()
    ctx.out(f"组织：{total} 个")
    bulk_create_tree(tree)
    ctx.made["users"] = create_demo_users()
    ctx.made["org_count"] = Org.objects.count()


def demo_user_count() -> int:
    return User.objects.filter(username__in=[u[0] for u in DEMO_USERS]).count()


__all__ = ["Membership", "seed_orgs"]
