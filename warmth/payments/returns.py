"""银行回盘: the bank's result file for a batch of transfers (代发), matched to the payments and applied.

The file (xlsx or CSV, the first non-empty row its header) has one row a transfer with the account, the name, the
amount, the result (成功 / 失败) and, for a failure, the reason; a 用途/摘要 column that kept the bank file's
"凭证N" pins the row to payment N. Each row is matched among the 已发放/已确认 bank transfers the user's org may
see (optionally one 批量发放 batch) by the account's blind index, the name and the amount. Every problem is
reported with its line at once and then nothing is written; when there is none, every failure is applied in one
transaction (``payment_bank_fail``: the money back to the pot through a reversal entry, the payment 发放失败 with
the bank's reason, no longer counted by the roster or the statistics) and one audit row records the file. A row for
a transfer already marked failed is "unchanged": importing the same file twice changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from warmth.audit.services import audit_record
from warmth.core import pii, tables
from warmth.core.fields import bidx
from warmth.core.money import AmountError, parse_amount
from warmth.core.tables import TableRefused
from warmth.core.validation import text_problem
from warmth.funds.choices import PayMethod
from warmth.orgs.access import Actor
from warmth.orgs.models import Org
from warmth.orgs.permissions import Perm
from warmth.payments.access import payments_for_actor
from warmth.payments.choices import PaymentStatus
from warmth.payments.models import Payment
from warmth.payments.services import payment_bank_fail

S = PaymentStatus
MAX_ROWS = 60_000
MAX_BYTES = 20 * 1024 * 1024
COLUMNS = {  # what banks call each column
    "account": ("账号", "银行账号", "卡号", "收款账号", "收款人账号", "账户"),
    "name": ("姓名", "户名", "收款人", "收款人姓名", "账户名称"),
    "amount": ("金额", "金额（元）", "金额(元)", "交易金额", "代发金额"),
    "result": ("结果", "处理结果", "交易结果", "状态", "交易状态"),
    "reason": ("原因", "失败原因", "退回原因", "备注", "说明"),
    "memo": ("用途", "摘要", "附言"),
}
LABELS = {"account": "账号", "name": "姓名", "amount": "金额", "result": "结果"}
SUCCESS = {"成功", "已成功", "处理成功", "交易成功", "success", "ok"}
FAILURE = {"失败", "处理失败", "交易失败", "退回", "退票", "已退回", "failed", "fail"}
VOUCHER = re.compile(r"凭证\s*(\d{1,12})")


def read_table(path: Path, filename: str) -> list[list[str]]:
    """The file's rows as text cells; an xlsx through the same hostile-file checks as the archive import."""
    from warmth.archives.importing import check_file

    return tables.read_table(path, filename, max_rows=MAX_ROWS, max_bytes=MAX_BYTES, check_xlsx=check_file)


@dataclass
class Row:
    line: int
    account: str
    name: str
    amount: Decimal | None
    failed: bool
    reason: str
    voucher: int | None


def parse(table: list[list[str]]) -> tuple[list[Row], list[tuple[int, str]]]:
    """The rows of the table, or the problems of each line (line numbers as a spreadsheet shows them)."""
    start = next((i for i, r in enumerate(table) if any(r)), None)
    if start is None:
        raise TableRefused("文件是空的")
    where = tables.header_index(table[start], COLUMNS)
    missing = [LABELS[k] for k in LABELS if k not in where]
    if missing:
        raise TableRefused(f"表头缺少列：{'、'.join(missing)}（第 {start + 1} 行应是表头，含账号、姓名、金额、结果，"
                            f"失败原因可选）")
    body = [(n, r) for n, r in enumerate(table[start + 1:], start=start + 2) if any(r)]
    if len(body) > MAX_ROWS:
        raise TableRefused(f"一次最多导入 {MAX_ROWS} 行")
    rows, errors = [], []

    def get(r: list[str], key: str) -> str:
        i = where.get(key)
        return r[i] if i is not None and i < len(r) else ""

    for n, r in body:
        problems = []
        values = {k: get(r, k) for k in COLUMNS}
        for k, v in values.items():
            if (p := text_problem(v)) is not None or len(v) > 200:
                problems.append(f"{LABELS.get(k, k)}{p or '过长'}")
                values[k] = ""
        account = pii.normalize(pii.BANK_ACCOUNT, values["account"])
        if not re.fullmatch(r"\d{12,30}", account):
            problems.append("账号须为 12 至 30 位数字")
        if not values["name"]:
            problems.append("姓名为空")
        try:
            amount = parse_amount(values["amount"])
        except AmountError as exc:
            problems.append(f"金额{exc}")
            amount = None
        result = values["result"].lower()
        if result not in SUCCESS | FAILURE:
            problems.append(f"结果应为“成功”或“失败”（现为“{values['result'][:10]}”）")
        v = VOUCHER.search(values["memo"])
        if problems:
            errors += [(n, p) for p in problems]
            continue
        rows.append(Row(n, account, values["name"], amount, result in FAILURE,
                        values["reason"] or "银行未注明原因", int(v.group(1)) if v else None))
    return rows, errors


def match(actor: Actor, org: Org, rows: list[Row], batch: str = "") -> tuple[list[tuple[Row, Payment]],
                                                                             list[tuple[int, str]]]:
    """Each row's payment among the bank transfers of ``org``'s subtree the actor sees, or the line's problem."""
    qs = (payments_for_actor(actor).filter(org__path__startswith=org.path, method=PayMethod.BANK,
                                           status__in=[S.PAID, S.CONFIRMED, S.BANK_FAILED]))
    if batch:
        qs = qs.filter(batch=batch)
    keys = sorted({bidx(pii.BANK_ACCOUNT, r.account) for r in rows})
    by_account: dict[str, list[Payment]] = {}
    for i in range(0, len(keys), 2000):
        for p in qs.filter(bank_account_bidx__in=keys[i:i + 2000]).order_by("id"):
            by_account.setdefault(p.bank_account_bidx, []).append(p)
    out, errors, seen = [], [], {}
    for r in rows:
        masked = pii.mask_account(r.account)
        found = by_account.get(bidx(pii.BANK_ACCOUNT, r.account), [])
        if not found:
            errors.append((r.line, f"账号 {masked} 找不到本单位{'该批次' if batch else ''}已发放的银行转账"))
            continue
        if r.voucher is not None:
            found = [p for p in found if p.pk == r.voucher]
            if not found:
                errors.append((r.line, f"凭证{r.voucher} 与账号 {masked} 的发放记录对不上"))
                continue
        named = [p for p in found if p.name == r.name]
        if not named:
            errors.append((r.line, f"账号 {masked} 的收款人是 {pii.mask_name(found[0].name)}，回盘为 "
                                   f"{pii.mask_name(r.name)}"))
            continue
        paid = [p for p in named if p.amount == r.amount]
        if not paid:
            errors.append((r.line, f"金额 {r.amount} 元与发放记录 {named[0].amount} 元不符"))
            continue
        if len(paid) > 1:
            errors.append((r.line, f"账号 {masked} 有 {len(paid)} 笔同额发放，请在用途列保留“凭证号”以便对应"))
            continue
        p = paid[0]
        if p.pk in seen:
            errors.append((r.line, f"与第 {seen[p.pk]} 行是同一笔发放（凭证{p.pk}）"))
            continue
        seen[p.pk] = r.line
        if p.status == S.BANK_FAILED and not r.failed:
            errors.append((r.line, f"凭证{p.pk} 已登记为发放失败，回盘却为成功，请与银行核对"))
            continue
        out.append((r, p))
    return out, errors


def bank_return_import(*, actor: Actor, org: Org, path: Path, filename: str, batch: str = "",
                       dry_run: bool = False) -> dict:
    """Read, check and (unless ``dry_run`` or any problem) apply a return file. Returns the summary:
    rows, succeeded, failed (newly marked), unchanged (already marked), amount (money back to the pots), errors."""
    actor.require(Perm.PAYMENT_WRITE)
    if not actor.sees_org(org):
        raise ValidationError({"org": "只能导入本单位及下级的回盘"})
    try:
        table = read_table(path, filename)
        rows, errors = parse(table)
    except ValidationError as exc:
        return {"rows": 0, "succeeded": 0, "failed": 0, "unchanged": 0, "amount": Decimal("0.00"),
                "errors": [(0, m) for m in exc.messages], "applied": False}
    unreadable = len({n for n, _ in errors})  # lines refused before matching
    matched, more = match(actor, org, rows, batch)
    errors = sorted(errors + more)
    to_fail = [(r, p) for r, p in matched if r.failed and p.status != S.BANK_FAILED]
    summary = {"rows": len(rows) + unreadable, "errors": errors,
               "succeeded": sum(1 for r, _ in matched if not r.failed), "failed": len(to_fail),
               "unchanged": sum(1 for r, p in matched if r.failed and p.status == S.BANK_FAILED),
               "amount": sum((p.amount for _, p in to_fail), Decimal("0.00")), "applied": False,
               "payments": [p.pk for _, p in to_fail]}
    if errors or dry_run:
        return summary
    with transaction.atomic():
        for r, p in to_fail:
            payment_bank_fail(actor=actor, payment=p, reason=r.reason[:100])
        audit_record(actor=actor, action="payments.bank_return", object_type="payment_bank", object_id=org.code,
                     org=org, after={"file": filename[:100], "rows": summary["rows"], "failed": summary["failed"],
                                     "amount": summary["amount"], "batch": batch})
    summary["applied"] = True
    return summary
