import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from warmth.campaigns.models import Campaign
from warmth.campaigns.queries import as_of_day, campaigns_around
from warmth.core.season import default_season
from warmth.core.terminal import pad
from warmth.orgs.models import Org
from warmth.visits import queries


def _row(org: Org | None, cov: queries.Coverage) -> dict:
    head = {"code": org.code, "name": org.name} if org else {"code": None, "name": "本级直属"}
    return {**head, "filed": cov.filed, "visited": cov.visited, "not_visited": cov.not_visited,
            "visited_twice": cov.visited_twice, "models_filed": cov.models_filed,
            "models_visited": cov.models_visited, "models_not_visited": cov.models_not_visited}


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 年-月-日（如 2026-02-17）：{value}") from None


class Command(BaseCommand):
    help = ("送温暖活动：coverage 打印一个组织（任何一级，直至全国总工会）及其每个直属下级在一个年度的走访覆盖"
            "（在档户数、已走访、未走访、重复走访）；本年度各级活动的入户走访都计入。")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        cov = sub.add_parser("coverage", help="走访覆盖：全覆盖与不重复")
        cov.add_argument("--org", required=True, help="组织代码（任何一级：ACFTU、省、市、县……）")
        cov.add_argument("--year", type=int,
                         help="活动年度（与资金池年度相同：2025 即 2026 年两节）；省略则取默认年度")
        cov.add_argument("--campaign", type=int, help="活动编号：取该活动的年度（省略时用 --year）")
        cov.add_argument("--as-of", dest="as_of", help="在档截至的日期（年-月-日）；省略则取覆盖该组织的活动结束日，"
                                                      "活动未结束的取今天")
        cov.add_argument("--format", choices=["json", "table"], default="table")

    def handle(self, *args, action, **opts):
        getattr(self, f"_{action}")(**opts)

    def _coverage(self, *, org, year, campaign, as_of, format, **_):
        o = Org.objects.filter(code=org).first()
        if o is None:
            raise CommandError(f"组织代码 {org} 不存在")
        if campaign is not None:
            c = campaigns_around(o).filter(pk=campaign).first()
            if c is None:
                raise CommandError(f"活动 #{campaign} 不存在，或与 {o.name} 无关（既不覆盖它，也不在其下级）")
            if year is not None and year != c.year:
                raise CommandError(f"活动 #{campaign} 是 {c.year} 年度的，与 --year {year} 不符")
            year = c.year
        if year is None:
            year = default_season(o)
        day = _day(as_of) if as_of else as_of_day(o, year)
        rows = queries.coverage_by_child(o, year, day)
        total = _row(o, queries.summed(rows))
        around: list[Campaign] = list(campaigns_around(o).filter(year=year).select_related("org").order_by("org__path"))
        data = {"year": year, "as_of": day.isoformat(),
                "campaigns": [{"id": x.pk, "name": str(x), "org": x.org.code} for x in around], **total,
                "children": [_row(child, cov) for child, cov in rows]}
        if format == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{o.name} [{o.code}] {year}年度（{year + 1}年两节）走访覆盖 · 在档截至 {day:%Y-%m-%d}")
        self.stdout.write("本年度活动：" + ("、".join(f"{x.org.name}#{x.pk}" for x in around) or "无"))
        self.stdout.write(pad("单位", 28) + "".join(pad(h, 10) for h in ("在档", "已走访", "未走访", "重复走访")))
        for r in [total, *data["children"]]:
            self.stdout.write(pad(r["name"], 28) + "".join(
                pad(str(r[k]), 10) for k in ("filed", "visited", "not_visited", "visited_twice")))
