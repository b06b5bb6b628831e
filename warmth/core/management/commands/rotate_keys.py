from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from warmth.audit.services import audit_record
from warmth.core import crypto
from warmth.core.fields import EncryptedTextField


def encrypted_columns():
    for model in apps.get_models():
        for f in model._meta.get_fields():
            if isinstance(f, EncryptedTextField):
                yield model, f


class Command(BaseCommand):
    help = ("把所有加密的个人信息用当前密钥（WARMTH_FIELD_KEY 的第一个）重新加密。"
            "轮换步骤：把新密钥放在最前、旧密钥留在后面，运行本命令，确认后再移除旧密钥。")

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=2000)

    def handle(self, *args, batch, **opts):
        current = crypto.current_key_id()
        total = 0
        for model, field in encrypted_columns():
            table, col, pk = model._meta.db_table, field.column, model._meta.pk.column
            qn = connection.ops.quote_name
            changed = 0
            last = None
            while True:
                with connection.cursor() as cur:
                    where = f"WHERE {qn(pk)} > %s " if last is not None else ""
                    cur.execute(f"SELECT {qn(pk)}, {qn(col)} FROM {qn(table)} {where}"  # noqa: S608
                                f"ORDER BY {qn(pk)} LIMIT %s", ([last] if last is not None else []) + [batch])
                    rows = cur.fetchall()
                if not rows:
                    break
                last = rows[-1][0]
                with transaction.atomic(), connection.cursor() as cur:
                    for row_pk, token in rows:
                        if not token or crypto.key_id_of(token) == current:
                            continue
                        cur.execute(f"UPDATE {qn(table)} SET {qn(col)} = %s WHERE {qn(pk)} = %s",  # noqa: S608
                                    [crypto.encrypt(crypto.decrypt(token)), row_pk])
                        changed += 1
            self.stdout.write(f"{model._meta.label}.{field.name}：重新加密 {changed} 条")
            total += changed
        audit_record(actor=None, action="keys.rotate", object_type="keys", object_id=current,
                     after={"re_encrypted": total})
        self.stdout.write(self.style.SUCCESS(f"完成：共重新加密 {total} 条，当前密钥 {current}"))
