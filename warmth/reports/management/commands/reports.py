import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from warmth.core.terminal import pad
from warmth.orgs.models import Org
from warmth.reports import documents, engine, services, tally
from warmth.reports.definitions import definition, definitions
from warmth.reports.models import Report


def _cells_and_rules(form: str, org: Org, year: int):
    defn = definition(form)
    report = Report.objects.filter(form=defn.id, org=org, year=year).first()
    if report is not None:
        defn = services.report_definition(report)  # the version it is filled with
    cells = services.compute(defn, org, year, report)
    results = engine.check(defn, {c: v.value for c, v in cells.items()})
    return defn, report, cells, results


class Command(BaseCommand):
    help = ("统计表：forms 列出报表；fill 按记录计算一个组织某年度的全部栏目并校验；"
            "export 导出（按 --out 的扩展名：xlsx、pdf、csv、json，或 txt 即送温暖活动报告文稿）；"
            "tally 刷新统计汇总（按组织的分项合计，填表时自动刷新，定时任务可提前刷新）。")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("forms", help="列出全部报表（FORM_ID、名称、栏目数）")
        export_help = "导出统计表：xlsx、pdf、csv、json，或 txt（活动报告文稿）"
        for name, helptext in (("fill", "计算并打印每个栏目的值与校验结果"), ("export", export_help)):
            p = sub.add_parser(name, help=helptext)
            p.add_argument("--form", required=True, help="报表 FORM_ID（见 forms）")
            p.add_argument("--org", required=True, help="组织代码")
            p.add_argument("--year", required=True, type=int, help="年度（与资金、活动年度相同：2025 即 2026 年两节）")
            if name == "fill":
                p.add_argument("--format", choices=["json", "table"], default="table")
            else:
                p.add_argument("--out", required=True, metavar="FILE",
                               help="输出文件，格式由扩展名决定：.xlsx 统计表、.pdf 统计表（A4）、"
                                    ".csv 与 .json 逐栏目数据、.txt 送温暖活动报告文稿")

        t = sub.add_parser("tally", help="刷新统计汇总：默认只算有变动的组织；--full 全部重算；"
                                         "--check 与原始记录逐项核对")
        t.add_argument("--full", action="store_true", help="全部组织重算（大批量导入之后）")
        t.add_argument("--check", metavar="ORG_CODE", help="刷新后在该组织及其直属下级核对汇总与原始记录")
        t.add_argument("--year", type=int, help="与 --check 同用：核对的年度（默认当前年度）")

    def handle(self, *args, action, **opts):
        getattr(self, f"_{action}")(**opts)

    def _forms(self, **_):
        for d in definitions().values():
            auto = sum(1 for it in d.items if it.auto)
            self.stdout.write(f"{d.id}\t{d.title}\t{len(d.items)} 个栏目（自动 {auto}）\t{d.seed}")

    def _target(self, form, org):
        try:
            definition(form)
        except KeyError as exc:
            raise CommandError(str(exc.args[0])) from None
        o = Org.objects.filter(code=org).first()
        if o is None:
            raise CommandError(f"组织代码 {org} 不存在")
        return o

    def _fill(self, *, form, org, year, format, **_):
        o = self._target(form, org)
        defn, report, cells, results = _cells_and_rules(form, o, year)
        data = {"form": defn.id, "title": defn.title, "org": o.code, "name": o.name, "year": year,
                "status": report.status if report else None,
                "cells": {c: None if v.value is None else str(v.value) for c, v in cells.items()},
                "origin": {c: v.origin for c, v in cells.items()},
                "rules": [{"rule": r.rule.code, "level": r.level, "ok": r.ok, "skipped": r.skipped,
                           "message": r.message} for r in results]}
        if format == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{defn.title} · {o.name} [{o.code}] · {year} 年度")
        for it in defn.items:
            v = data["cells"][it.code]
            value = "" if v is None else v
            self.stdout.write(f"  {it.code:<6} {pad(it.label[:30], 62)} {value:>14} {it.unit}"
                              f"{'  (自动)' if it.auto else ''}")
        failed = [r for r in results if not r.ok]
        self.stdout.write("校验：全部通过" if not failed else "校验未通过：\n" + "\n".join(
            f"  [{'错误' if r.level == 'error' else '提示'}] {r.message}" for r in failed))

    def _export(self, *, form, org, year, out, **_):
        writers = {".xlsx": documents.report_xlsx, ".pdf": documents.report_pdf, ".csv": documents.report_csv,
                   ".json": documents.report_json, ".txt": documents.narrative}
        suffix = Path(out).suffix.lower()
        if suffix not in writers:
            raise CommandError(f"不支持导出为“{suffix or '无扩展名'}”文件：--out 的扩展名须为 "
                               f"{'、'.join(writers)} 之一")
        o = self._target(form, org)
        defn, report, cells, _results = _cells_and_rules(form, o, year)
        Path(out).write_bytes(writers[suffix](defn, o, year, cells, report))
        self.stdout.write(f"已导出到 {out}")

    def _tally(self, *, full, check, year, **_):
        from django.utils import timezone


        org = None
        if check:
            org = Org.objects.filter(code=check).first()
            if org is None:
                raise CommandError(f"组织代码 {check} 不存在")
        done = tally.refresh(full=full, progress=lambda m: self.stderr.write(f"\r{m}", ending=""))
        if done["orgs"]:
            self.stderr.write("")
        self.stdout.write(f"统计汇总：重算 {done['orgs']} 个组织，{done['rows']} 行，跨单位走访校正 "
                          f"{done['overlaps']} 条，用时 {done['seconds']} 秒")
        if org is not None:
            y = year or timezone.localdate().year
            diffs = tally.check([org, *Org.objects.filter(parent=org)], [y])
            for d in diffs:
                self.stdout.write(f"不一致：{d}")
            if diffs:
                raise CommandError(f"统计汇总与原始记录有 {len(diffs)} 处不一致（已全部列出）")
            self.stdout.write(f"核对：{org.name}及其直属下级 {y} 年度的汇总与原始记录一致")
