import json

from django.core.management.base import BaseCommand, CommandError

from warmth.campaigns.queries import campaign_covering
from warmth.core.terminal import pad
from warmth.orgs.models import Org
from warmth.visits import queries


def _row(org: Org | None, cov: queries.Coverage) -> dict:
    head = {"code": org.code, "name": org.name} if org else {"code": None, "name": "本级直属"}
    return {**head, "filed": cov.filed, "visited": cov.visited, "not_visited": cov.not_visited,
            "visited_twice": cov.visited_twice, "models_filed": cov.models_filed,
            "models_visited": cov.models_visited, "models_not_visited": cov.models_not_visited}


class Command(BaseCommand):
    help = "送温暖活动：coverage 打印一个组织及其每个直属下级的走访覆盖（在档户数、已走访、未走访、重复走访）。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        cov = sub.add_parser("coverage", help="走访覆盖：全覆盖与不重复")
        cov.add_argument("--org", required=True, help="组织代码")
        cov.add_argument("--year", required=True, type=int,
                         help="活动年度（与资金池年度相同：2025 即 2026 年两节）")
        cov.add_argument("--campaign", type=int, help="活动编号；省略则取覆盖该组织的最近一级的活动")
        cov.add_argument("--format", choices=["json", "table"], default="table")

    def handle(self, *args, action, **opts):
        getattr(self, f"_{action}")(**opts)

    def _coverage(self, *, org, year, campaign, format, **_):
        o = Org.objects.filter(code=org).first()
        if o is None:
            raise CommandError(f"组织代码 {org} 不存在")
        try:
            c = campaign_covering(o, year, campaign)
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        rows = queries.coverage_by_child(c, o)
        total = _row(o, queries.summed(rows))
        data = {"campaign": {"id": c.pk, "name": str(c), "year": c.year, "org": c.org.code}, **total,
                "children": [_row(child, cov) for child, cov in rows]}
        if format == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{c}（{c.org.name}）· {o.name} [{o.code}] 走访覆盖")
        self.stdout.write(pad("单位", 28) + "".join(pad(h, 10) for h in ("在档", "已走访", "未走访", "重复走访")))
        for r in [total, *data["children"]]:
            self.stdout.write(pad(r["name"], 28) + "".join(
                pad(str(r[k]), 10) for k in ("filed", "visited", "not_visited", "visited_twice")))
