from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from warmth.core.backup import BackupError, restore


class Command(BaseCommand):
    help = ("从 warmth backup 生成的文件恢复数据库和文件。须配置与备份时相同的密钥；"
            "目标库已有数据时须加 --force。恢复后逐表核对行数。")

    def add_arguments(self, parser):
        parser.add_argument("file", help="备份文件")
        parser.add_argument("--force", action="store_true", help="目标数据库已有数据时仍然覆盖")

    def handle(self, *args, file, force, **opts):
        try:
            manifest = restore(Path(file), force=force, progress=lambda m: self.stdout.write(f"  {m}…"))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(manifest["counts"].values())
        self.stdout.write(self.style.SUCCESS(
            f"已恢复 {file}（{manifest['created_at']} 的备份）：{len(manifest['counts'])} 张表共 {rows:,} 行，"
            f"行数逐表一致；{len(manifest['files'])} 个文件校验一致"))
