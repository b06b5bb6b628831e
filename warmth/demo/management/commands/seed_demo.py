import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from warmth.demo.pipeline import DEMO_PASSWORD, SCALES, DemoContext, format_logins
from warmth.demo.seeders import SEEDERS
from warmth.orgs.models import Org


class Command(BaseCommand):
    help = "载入演示数据（确定性，同一 --seed 得到相同数据）。只能在空数据库上运行。"

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=SCALES, default="small",
                            help="small: 约40个组织; province: 一个省; national: 约10万个组织")
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument("--year", type=int, default=2025, help="活动年度（2025 即 2026 年春节的送温暖季）")

    def handle(self, *args, scale, seed, year, **opts):
        if Org.objects.exists():
            raise CommandError("数据库中已有组织数据；seed-demo 只能在空数据库上运行（可换一个 DATABASE_URL）。")
        ctx = DemoContext(scale=scale, seed=seed, year=year, out=self.stdout.write)
        started = time.monotonic()
        with transaction.atomic():
            for _, name, fn in SEEDERS:
                t = time.monotonic()
                fn(ctx)
                self.stdout.write(f"  {name}：完成（{time.monotonic() - t:.1f} 秒）")
        self.stdout.write(self.style.SUCCESS(f"演示数据已载入（{scale}，seed={seed}，"
                                             f"{time.monotonic() - started:.1f} 秒）"))
        self._print_logins(ctx)

    def _print_logins(self, ctx):
        users = ctx.made.get("users", [])
        if not users:
            return
        self.stdout.write(f"\n演示账户（初始密码均为 {DEMO_PASSWORD}）：")
        for line in format_logins(users):
            self.stdout.write(line)
