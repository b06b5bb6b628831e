import json

from django.core.management.base import BaseCommand, CommandError

from warmth.funds import queries
from warmth.orgs.models import Org


class Command(BaseCommand):
    help = "送温暖资金：balance 列出一个组织某年度的全部资金池余额及其本级和下级合计。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        bal = sub.add_parser("balance", help="资金池余额与下级合计")
        bal.add_argument("--org", required=True, help="组织代码")
        bal.add_argument("--year", required=True, type=int, help="年度，如 2026")
        bal.add_argument("--format", choices=["json", "table"], default="table")

    def handle(self, *args, action, **opts):
        getattr(self, f"_{action}")(**opts)

    def _balance(self, *, org, year, format, **_):
        o = Org.objects.filter(code=org).first()
        if o is None:
            raise CommandError(f"组织代码 {org} 不存在")
        pots = list(queries.pots_of(o, year))
        st = queries.statement(o, year)
        total = st.total(st.subtree)
        data = {
            "org": o.code, "name": o.name, "year": year,
            "pots": [{"id": p.pk, "source": p.source, "source_label": p.get_source_display(), "purpose": p.purpose,
                      "purpose_label": p.get_purpose_display(), "balance": str(p.balance)} for p in pots],
            "own_balance": str(st.total(st.own).balance),
            "subtree": [{"source": ln.source, "purpose": ln.purpose,
                         **{c: str(getattr(ln, c)) for c in queries.COLUMNS}} for ln in st.subtree],
            "subtree_total": {c: str(getattr(total, c)) for c in queries.COLUMNS},
        }
        if format == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{o.name} [{o.code}] {year}年资金池")
        for p in data["pots"]:
            self.stdout.write(f"  {p['source_label']} · {p['purpose_label']}: {p['balance']} 元")
        self.stdout.write(f"本级余额合计：{data['own_balance']} 元")
        self.stdout.write("本级及下级合计：" + "，".join(f"{queries.COLUMN_LABELS[c]} {data['subtree_total'][c]}"
                                                 for c in queries.COLUMNS))
