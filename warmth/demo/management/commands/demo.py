import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from warmth.demo.orgs import DEMO_USERS, MULTI_USER
from warmth.demo.pipeline import DEMO_PASSWORD, format_logins
from warmth.orgs.models import Org, User


class Command(BaseCommand):
    help = "一条命令启动演示：迁移数据库、首次运行时载入演示数据、启动后台任务进程并在 127.0.0.1:8000 提供服务。"

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000", help="监听地址，默认 127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="只准备数据库和演示数据，不启动服务")
        parser.add_argument("--scale", default="small", choices=["small", "province", "national"])

    def handle(self, *args, addr, no_serve, scale, **opts):
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        self.stdout.write(f"数据库：{settings.DATABASES['default']['NAME']}")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("数据库已迁移到最新结构。")
        if not Org.objects.exists():
            call_command("seed_demo", scale=scale, stdout=self.stdout)
        else:
            self.stdout.write("数据库已有数据，跳过演示数据载入。")
            names = [u[0] for u in DEMO_USERS] + [MULTI_USER[0]]
            rows = []
            for user in User.objects.filter(username__in=names).prefetch_related("memberships__org"):
                ms = [m for m in user.memberships.all() if m.is_active]
                rows.append((user.username, user.full_name, " / ".join(m.org.name for m in ms),
                             " / ".join(m.get_role_display() for m in ms)))
            rows.sort(key=lambda r: names.index(r[0]))
            self.stdout.write(f"\n演示账户（初始密码均为 {DEMO_PASSWORD}，已修改的以修改后为准）：")
            for line in format_logins(rows):
                self.stdout.write(line)
        if no_serve:
            return
        self.stdout.write(self.style.SUCCESS(f"\n请用浏览器打开 http://{addr}/ ，按 Ctrl+C 停止。"))
        worker = subprocess.Popen([sys.executable, "-m", "warmth.cli", "db_worker", "--interval", "1"])

        def stop(signum, frame):
            raise SystemExit(0)

        signal.signal(signal.SIGTERM, stop)  # `kill` stops the worker too, not only Ctrl+C
        try:
            call_command("runserver", addr, use_reloader=False)
        finally:
            worker.terminate()
            worker.wait(timeout=10)
