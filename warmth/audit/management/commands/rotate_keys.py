"""Key rotation, an operator's command. It lives in the audit app because every batch it re-encrypts commits
with its audit row, and core, below the audit log, writes none."""

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


def _rows_not_under(model, field, key_id):
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.execute(f"SELECT {qn(field.column)} FROM {qn(model._meta.db_table)} "  # noqa: S608
                    f"WHERE {qn(field.column)} <> ''")
        for (token,) in cur.fetchall():
            if crypto.key_id_of(token) != key_id:
                yield token


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
                batch_changed = 0
                with transaction.atomic(), connection.cursor() as cur:
                    for row_pk, token in rows:
                        if not token or crypto.key_id_of(token) == current:
                            continue
                        fresh = crypto.encrypt(crypto.decrypt(token, aad=field.aad), aad=field.aad)
                        # compare-and-set: a row the app changed since we read it is left for the next run
                        cur.execute(f"UPDATE {qn(table)} SET {qn(col)} = %s "  # noqa: S608
                                    f"WHERE {qn(pk)} = %s AND {qn(col)} = %s", [fresh, row_pk, token])
                        batch_changed += cur.rowcount
                    if batch_changed:
                        audit_record(actor=None, action="keys.rotate", object_type=model._meta.label,
                                     object_id=f"{field.name}:{rows[0][0]}-{rows[-1][0]}",
                                     after={"re_encrypted": batch_changed, "key": current})
                changed += batch_changed
            self.stdout.write(f"{model._meta.label}.{field.name}：重新加密 {changed} 条")
            total += changed
        left = sum(1 for m, f in encrypted_columns() for _ in _rows_not_under(m, f, current))
        if left:
            self.stdout.write(self.style.WARNING(f"仍有 {left} 条在运行期间被修改，请再运行一次本命令。"))
        self.stdout.write(self.style.SUCCESS(f"完成：共重新加密 {total} 条，当前密钥 {current}"))
