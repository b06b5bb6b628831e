import json
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from warmth.archives.exporters import archive_export
from warmth.archives.importing import ImportRefused, archive_import, summary
from warmth.archives.template import write_template
from warmth.orgs.access import Actor, valid_memberships
from warmth.orgs.models import Org, User


class Command(BaseCommand):
    help = "困难职工档案：import 从模板导入；export 导出（可再导入）；template 生成空白导入模板。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="从 xlsx 导入（默认全部成功才写入）")
        imp.add_argument("file")
        imp.add_argument("--org", required=True, help="建档单位的组织代码（须在该用户的管辖范围内）")
        imp.add_argument("--user", required=True, help="以该用户的身份导入（建档人、审计记录）")
        imp.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        imp.add_argument("--valid-only", action="store_true", help="只导入没有错误的户")
        imp.add_argument("--format", choices=["json", "text"], default="text")
        exp = sub.add_parser("export", help="导出本级及下级的在档、在办档案（含家庭成员）")
        exp.add_argument("--org", required=True)
        exp.add_argument("--out", required=True)
        exp.add_argument("--user", help="以该用户的身份导出（无完整个人信息权限时身份证号脱敏）；"
                                        "省略则为服务器运维人员")
        tpl = sub.add_parser("template", help="生成空白导入模板")
        tpl.add_argument("--out", required=True)

    def handle(self, *args, action, **opts):
        getattr(self, f"_{action}")(**opts)

    def _org(self, code: str) -> Org:
        org = Org.objects.filter(code=code).first()
        if org is None:
            raise CommandError(f"组织代码 {code} 不存在")
        return org

    def _actor(self, username: str, org: Org) -> Actor:
        """The user's membership that sees ``org`` (else their first one, which the service then refuses)."""
        user = User.objects.filter(username=username, is_active=True).first()
        memberships = list(valid_memberships(user)) if user else []
        if not memberships:
            raise CommandError(f"用户 {username} 不存在、未启用或没有任职")
        chosen = next((m for m in memberships if org.path.startswith(m.org.path)), memberships[0])
        return Actor(user, chosen)

    def _import(self, *, file, org, user, dry_run, valid_only, format, **_):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件 {file} 不存在")
        target = self._org(org)
        actor = self._actor(user, target)
        try:
            result = archive_import(actor=actor, org=target, path=path, dry_run=dry_run, valid_only=valid_only)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        except ImportRefused as exc:
            result = summary(errors=[(0, "", str(exc))])
        if format == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self._print_text(result, dry_run)
        if result["errors"] and (dry_run or not (result["created"] or result["updated"])):
            raise CommandError(f"有{len(result['errors'])}处问题，未导入", returncode=1)

    def _print_text(self, result, dry_run):
        head = "试导入（未写入）" if dry_run else "导入结果"
        self.stdout.write(f"{head}：共{result['rows']}户，新建{result['created']}户，更新{result['updated']}户，"
                          f"未变化{result['unchanged']}户，问题{len(result['errors'])}处")
        for e in result["errors"]:
            where = f"第{e['row']}行" if e["row"] else "文件"
            column = f"“{e['column']}”" if e["column"] else ""
            self.stdout.write(f"  {where}{column}：{e['message']}")

    def _export(self, *, org, out, user, **_):
        target = self._org(org)
        actor = self._actor(user, target) if user else None
        try:
            result = archive_export(actor=actor, org=target, path=Path(out))
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        shown = "完整身份证号" if result["full_ids"] else "身份证号已脱敏"
        self.stdout.write(f"已导出 {result['rows']} 户、{result['members']} 名家庭成员到 {out}（{shown}）")

    def _template(self, *, out, **_):
        write_template(Path(out))
        self.stdout.write(f"已生成导入模板：{out}")
