import json

from django.core.management.base import BaseCommand, CommandError

from warmth.orgs.access import actor_for, visible_orgs
from warmth.orgs.models import Org, User
from warmth.orgs.services import org_create, org_move


class Command(BaseCommand):
    help = "工会组织：list 列出调用者可见的组织；add 新增；move 调整隶属。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        ls = sub.add_parser("list", help="列出组织（代码、名称、层级、上级代码）")
        ls.add_argument("--format", choices=["json", "table"], default="table")
        ls.add_argument("--user", help="以该用户的身份（其第一个任职）列出；省略则为服务器运维人员，可见全部")
        ls.add_argument("--org", help="只列出该组织及其下级")
        add = sub.add_parser("add", help="新增组织")
        add.add_argument("--parent", required=True, help="上级组织代码")
        add.add_argument("--code", required=True)
        add.add_argument("--name", required=True)
        add.add_argument("--level", required=True)
        add.add_argument("--region-code", default="")
        mv = sub.add_parser("move", help="调整组织隶属")
        mv.add_argument("code")
        mv.add_argument("--to", required=True, help="新上级组织代码")
        mv.add_argument("--reason", default="")

    def handle(self, *args, action, **opts):
        getattr(self, f"_{action}")(**opts)

    def _org(self, code):
        org = Org.objects.filter(code=code).first()
        if org is None:
            raise CommandError(f"组织代码 {code} 不存在")
        return org

    def _list(self, *, format, user, org, **_):
        qs = Org.objects.all()
        if user:
            u = User.objects.filter(username=user).first()
            actor = actor_for(u) if u else None
            if actor is None:
                raise CommandError(f"用户 {user} 不存在、未启用或没有任职")
            qs = visible_orgs(actor)
        if org:
            qs = qs.filter(path__startswith=self._org(org).path)
            if not qs.exists():
                raise CommandError(f"组织 {org} 不在可见范围内")
        rows = qs.order_by("path").values_list("code", "name", "level", "parent__code", "region_code", "depth")
        if format == "json":
            self.stdout.write("[")
            first = True
            for code, name, level, parent, region, depth in rows.iterator(chunk_size=5000):
                item = {"code": code, "name": name, "level": level, "parent_code": parent,
                        "region_code": region, "depth": depth}
                self.stdout.write(("" if first else ",") + json.dumps(item, ensure_ascii=False))
                first = False
            self.stdout.write("]")
        else:
            for code, name, level, _parent, _region, depth in rows.iterator(chunk_size=5000):
                self.stdout.write(f"{'  ' * (depth - 1)}{name}  [{code}] {level}")

    def _add(self, *, parent, code, name, level, region_code, **_):
        from django.core.exceptions import ValidationError


        try:
            org = org_create(actor=None, parent=self._org(parent), name=name, code=code, level=level,
                             region_code=region_code)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(f"已新增 {org.name} [{org.code}]")

    def _move(self, *, code, to, reason, **_):
        from django.core.exceptions import ValidationError


        try:
            org = org_move(actor=None, org=self._org(code), new_parent=self._org(to), reason=reason)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(f"已将 {org.name} 调整到 {org.parent.name} 之下")
