from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from warmth.core.backup import BackupError, backup


class Command(BaseCommand):
    help = ("备份数据库和上传/生成的文件到一个 tar 文件（PostgreSQL 用 pg_dump，SQLite 用在线备份）。"
            "备份中不含密钥，只含密钥校验值；请另行保管密钥。")

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="备份文件路径（不能已存在）")

    def handle(self, *args, out, **opts):
        try:
            manifest = backup(Path(out), progress=lambda m: self.stdout.write(f"  {m}…"))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(manifest["counts"].values())
        self.stdout.write(self.style.SUCCESS(
            f"已备份到 {out}：{len(manifest['counts'])} 张表共 {rows:,} 行，{len(manifest['files'])} 个文件"
            f"（{manifest['vendor']}，{manifest['created_at']}）"))
