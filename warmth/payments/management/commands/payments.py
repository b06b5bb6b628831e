from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from warmth.audit.services import audit_record
from warmth.orgs.access import actor_for
from warmth.orgs.models import Org, User
from warmth.payments.choices import AidType
from warmth.payments.documents import voucher_pdf
from warmth.payments.exporters import roster_export
from warmth.payments.models import Payment


class Command(BaseCommand):
    help = "实名制发放：roster 导出实名制发放凭证汇总表；voucher 生成慰问金发放凭证 PDF。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        ro = sub.add_parser("roster", help="实名制发放凭证汇总表（xlsx，每个帮扶项目一页）")
        ro.add_argument("--org", required=True)
        ro.add_argument("--year", required=True, type=int)
        ro.add_argument("--aid-type", choices=AidType.values, help="只导出该帮扶项目")
        ro.add_argument("--out", required=True)
        ro.add_argument("--signature", action="store_true", help="加“经办人签字”列（001 附件3 的格式）")
        ro.add_argument("--variant", choices=("004", "001"), default="004",
                        help="标题：004 附件2 的“实名制发放凭证汇总表”或 001 附件3 的“送温暖慰问实名制汇总表”")
        ro.add_argument("--user", help="以该用户的身份导出（无完整个人信息权限时身份证号脱敏）；省略则为服务器运维人员")
        vo = sub.add_parser("voucher", help="慰问金发放凭证（PDF）")
        vo.add_argument("payment_id", type=int)
        vo.add_argument("--out", required=True)

    def handle(self, *args, action, **opts):
        getattr(self, f"_{action}")(**opts)

    def _roster(self, *, org, year, aid_type, out, signature, user, variant="004", **_):
        from django.core.exceptions import PermissionDenied


        target = Org.objects.filter(code=org).first()
        if target is None:
            raise CommandError(f"组织代码 {org} 不存在")
        actor = None
        if user:
            u = User.objects.filter(username=user).first()
            actor = actor_for(u) if u else None
            if actor is None:
                raise CommandError(f"用户 {user} 不存在、未启用或没有任职")
        try:
            result = roster_export(actor=actor, org=target, year=year, path=Path(out), aid_type=aid_type,
                                   signature=signature, variant=variant)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        parts = "，".join(f"{v['aid_type']} {v['rows']} 人 {v['total']} 元（{v['source']}）"
                         for v in result["sheets"].values()) or "没有记录"
        self.stdout.write(f"已导出到 {out}：{parts}（{'完整身份证号' if result['full_ids'] else '身份证号已脱敏'}）")

    def _voucher(self, *, payment_id, out, **_):
        p = Payment.objects.select_related("pot", "org", "created_by").filter(pk=payment_id).first()
        if p is None:
            raise CommandError(f"发放 #{payment_id} 不存在")
        Path(out).write_bytes(voucher_pdf([p], full=True))
        audit_record(actor=None, action="pii.export", object_type="payment", object_id=p.pk, org=p.org,
                     after={"document": "voucher", "full_ids": True})
        self.stdout.write(f"已生成发放凭证：{out}")
