"""Batch payment: "pay every active archive of my subtree (optionally of some categories) N yuan from pot P".

Each household gets a payment in 审批中 (submitted), checked against every funds rule exactly as a single
submission is, with the figures a rule needs computed once for the whole batch (the usage decision, what is
still available before its deadline, what each person was already paid this year) and the pot's balance taken
down by the batch as it goes, so the batch never promises more than the pot holds. Households that fail are
listed with the reasons; nothing is written for them.

Safe to re-run: a batch has a name, and the database allows one payment per pot × batch × archive, so a second
run (after a crash, or to pick up households filed since) pays only those not yet in the batch.

Bank transfers need the household's account: the batch takes the account of the household's latest payment
that has one, and skips (with the reason) a household without any.

The rows go straight to the tables (``core.bulkcopy.Table``: ``COPY`` on PostgreSQL), converted the way the
fields would convert them; no model instance is built per household."""

from __future__ import annotations

import copy
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Sum, TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from warmth.archives.choices import ArchiveStatus
from warmth.archives.models import Archive
from warmth.audit.services import audit_record
from warmth.campaigns.access import campaign_for_actor
from warmth.core import bulkcopy
from warmth.core.money import AmountError, parse_amount
from warmth.funds import rules
from warmth.funds.access import pot_for_actor
from warmth.funds.choices import PayMethod
from warmth.funds.models import FundPot, LedgerEntry
from warmth.jobs.registry import register
from warmth.jobs.services import JobInputError, job_finish
from warmth.orgs.access import Actor
from warmth.orgs.permissions import Perm
from warmth.payments.choices import DEAD_STATES, AidType, PaymentStatus, RecipientKind
from warmth.payments.models import Payment, PaymentStep
from warmth.payments.services import SNAPSHOT_FIELDS, snapshot_values, steps_for

CHUNK = 2000
S = PaymentStatus


def _person_totals(year: int) -> dict[str, Decimal]:
    rows = (LedgerEntry.objects.filter(on_date__year=year, kind__in=rules.PERSON_SPEND_KINDS)
            .exclude(person_bidx="").values("person_bidx").annotate(s=Sum("amount")).order_by())
    return {r["person_bidx"]: -Decimal(r["s"] or 0).quantize(Decimal("0.01")) for r in rows}


def _accounts(bidxs: set[str]) -> dict[str, tuple[str, str, str]]:
    """The latest bank account each of these people (ID-number blind indexes) was paid to: its ciphertext as
    stored (the same table and column, so it is copied as it is, not decrypted and sealed again), its blind
    index, and the bank."""
    out: dict[str, tuple[str, str, str]] = {}
    bank = (Payment.objects.filter(method=PayMethod.BANK).exclude(bank_account_bidx="")
            .annotate(sealed=Cast("bank_account", output_field=TextField())))  # no decrypting converter
    if bulkcopy.can_copy():  # PostgreSQL: the latest row per person in one pass (DISTINCT ON)
        # the page's 2,000 people as one array parameter (= ANY), not 2,000 placeholders to build and parse
        bank = bank.filter(id_number_bidx__any=sorted(bidxs))
        for person, sealed, account_bidx, name in (bank.order_by("id_number_bidx", "-id").distinct(
                "id_number_bidx").values_list("id_number_bidx", "sealed", "bank_account_bidx", "bank_name")):
            out[person] = (bulkcopy.Raw(sealed), account_bidx, name)
        return out
    bank = bank.filter(id_number_bidx__in=sorted(bidxs))
    latest = dict(bank.order_by("id").values_list("id_number_bidx", "id"))  # the last id of each person wins
    for person, sealed, account_bidx, name in (bank.filter(pk__in=latest.values()).values_list(
            "id_number_bidx", "sealed", "bank_account_bidx", "bank_name")):
        out[person] = (bulkcopy.Raw(sealed), account_bidx, name)
    return out


def _pages(archives, size: int):
    """The households as plain rows (only what the check and the snapshot read), a page at a time from one
    streaming query, so the first chunk is checked and handed to the writer before the last is read."""
    page = []
    for row in archives.values("pk", "status", *SNAPSHOT_FIELDS).iterator(chunk_size=size):
        page.append(SimpleNamespace(**row))
        if len(page) == size:
            yield page
            page = []
    if page:
        yield page


PREVIEW_ROWS = 1000  # the households a preview or a result lists by name (the counts cover every one)


def batch_pay(*, actor: Actor, pot: FundPot, amount, aid_type: str, batch: str, categories: list[str] | None = None,
              method: str = PayMethod.BANK, progress=None, campaign=None, dry_run: bool = False) -> dict:
    """Run the batch, or with ``dry_run`` only say what it would do (nothing written, nothing audited): the
    households it would pay (``paid_list``: archive no., name), how many and the total, and the households
    each rule would skip, with the reason (``skipped_list``)."""
    if not actor.sees_org(pot.org):
        raise PermissionDenied("该资金不在您的管辖范围内。")
    actor.require(Perm.PAYMENT_WRITE)
    try:
        value = parse_amount(amount)
    except AmountError as exc:
        raise ValidationError({"amount": str(exc)}) from None
    batch = (batch or "").strip()
    if not batch or len(batch) > 60:
        raise ValidationError({"batch": "请填写批次名称（不超过 60 个字），重复运行同一批次不会重复发放"})
    if aid_type not in AidType.values:
        raise ValidationError({"aid_type": "请选择帮扶项目"})
    if method not in (PayMethod.BANK, PayMethod.GOODS):
        raise ValidationError({"method": "批量发放只能银行卡转账（现金只能由慰问团入户当面发放）"})
    if campaign is not None and not pot.org.path.startswith(campaign.org.path):
        raise ValidationError({"campaign": f"{pot.org.name}不在“{campaign}”的范围内"})
    today = timezone.localdate()
    archives = (Archive.objects.filter(org__path__startswith=pot.org.path, status=ArchiveStatus.ACTIVE)
                .order_by("id"))
    if categories:
        archives = archives.filter(category__in=categories)
    total = archives.count()
    if progress:
        progress.start(total, "正在逐户检查并生成发放")
    done_before = set(Payment.objects.filter(pot=pot, batch=batch).values_list("archive_id", flat=True))
    scope = {"campaign": campaign} if campaign is not None else {"pot__year": pot.year}
    live = (Payment.objects.filter(aid_type=aid_type, **scope)
            .exclude(status__in=DEAD_STATES).values_list("id_number_bidx", flat=True))
    repeats = set(live)
    prepared = rules.prepare(rules.effective_settings(pot.org))  # once, not per household
    fresh = FundPot.objects.select_related("org").get(pk=pot.pk)
    base_known = {"decision": rules.has_usage_decision(fresh), "available": rules.available_on(fresh, today)}
    totals = _person_totals(today.year)
    # committed by this batch's earlier runs and by other submitted payments: promised, not yet taken out
    promised = Payment.objects.filter(pot=pot, status=S.SUBMITTED).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    running = Decimal(promised)
    chain = steps_for(pot.org, value)
    skipped, already, planned = [], 0, []
    writer = None if dry_run else _Writer(actor, pot, batch, amount=value, aid_type=aid_type, method=method,
                                          chain=chain, campaign=campaign)
    seen = 0
    per_person = defaultdict(Decimal)
    remaining = copy.copy(fresh)
    proposal = rules.Proposal(pot=remaining, amount=value, method=method, paid_on=today)
    person_key = f"person:{{}}:{today.year}"
    try:
        for page in _pages(archives, CHUNK):
            accounts = _accounts({a.id_number_bidx for a in page}) if method == PayMethod.BANK else {}
            for a in page:
                seen += 1
                if progress and seen % 500 == 0:
                    progress.advance(seen)
                if a.pk in done_before:
                    already += 1
                    continue
                if a.id_number_bidx in repeats:
                    where = "本次活动" if campaign else "本年度"
                    skipped.append((a.archive_no, a.name, f"{where}已有{aid_type}发放"))
                    continue
                account = accounts.get(a.id_number_bidx)
                if method == PayMethod.BANK and not account:
                    skipped.append((a.archive_no, a.name, "没有银行账号（请先单独发放一次或补录账号）"))
                    continue
                remaining.balance = fresh.balance - running
                known = {**base_known, "available": base_known["available"] - running,
                         person_key.format(a.id_number_bidx): totals.get(a.id_number_bidx, Decimal(0))
                         + per_person[a.id_number_bidx]}
                proposal.archive_status, proposal.person_bidx = a.status, a.id_number_bidx  # one proposal, reused
                ev = rules.evaluate(proposal, known=known, prepared=prepared)
                if ev.blocked:
                    skipped.append((a.archive_no, a.name, "；".join(ev.messages())))
                    continue
                running += value
                per_person[a.id_number_bidx] += value
                if writer is None:
                    planned.append((a.archive_no, a.name))
                    continue
                writer.add(a, account, today)
                if len(writer) >= CHUNK:
                    writer.flush()
        if writer is not None:
            writer.flush()
    except BaseException:
        if writer is not None:
            writer.close(quiet=True)  # the chunk being written commits or fails on its own; the first error wins
        raise
    if writer is None:
        return {"batch": batch, "households": total, "made": len(planned), "already": already,
                "skipped": len(skipped), "amount": str(value * len(planned)), "per_household": str(value),
                "paid_list": planned[:PREVIEW_ROWS], "skipped_list": skipped[:PREVIEW_ROWS],
                "reasons": _reason_counts(skipped)}
    made = writer.close()  # waits for the chunk still being written; its error, if any, is raised here
    if progress:
        progress.advance(total)
    result = {"batch": batch, "households": total, "made": made, "already": already, "skipped": len(skipped),
              "amount": str(value * made), "skipped_list": skipped[:PREVIEW_ROWS],
              "reasons": _reason_counts(skipped), "pot": pot.pk}
    audit_record(actor=actor, action="payments.batch", object_type="fund_pot", object_id=pot.pk, org=pot.org,
                 after={k: v for k, v in result.items() if k not in ("skipped_list", "reasons")})
    return result


def _reason_counts(skipped: list[tuple[str, str, str]]) -> list[tuple[str, int]]:
    """Which rule skips how many households (the rule's message, its count), most first."""
    counts: dict[str, int] = defaultdict(int)
    for _, _, reason in skipped:
        counts[reason] += 1
    return sorted(counts.items(), key=lambda x: -x[1])


class _Writer:
    """The batch's payments and one trail step each (提交审批, noted as made by the batch: the payment's own
    created_by and created_at say who made it and when), a chunk per transaction.

    On PostgreSQL, outside any open transaction (the worker, the CLI), a chunk is written by one background
    thread on its own connection while the batch checks the next households: the database's half of the work
    (the ``COPY``, index upkeep, the foreign-key checks at commit) runs on another core beside the Python half.
    At most one chunk is in flight, and the next is handed over only after it committed, so what a crash
    leaves is whole chunks, as before. Inside a transaction (a test, a caller's ``atomic``), or on SQLite,
    each chunk is written in place, so the batch sees and joins the caller's transaction."""

    def __init__(self, actor: Actor, pot: FundPot, batch: str, *, amount, aid_type, method, chain, campaign=None):
        self.actor, self.pot, self.batch = actor, pot, batch
        now = timezone.now()
        # the database numbers the payments; their trail steps are found again through the one-per-pot × batch ×
        # archive constraint (on PostgreSQL by one INSERT … SELECT, elsewhere by reading the ids back)
        self.payment_t = bulkcopy.Table(Payment, pk=False)
        self.payment_row = self.payment_t.maker(
            org_id=pot.org_id, pot_id=pot.pk, recipient_kind=RecipientKind.ARCHIVE, aid_type=aid_type,
            amount=amount, method=method, batch=batch, status=S.SUBMITTED, chain=chain, step=0, submitted_at=now,
            created_by_id=actor.user.pk, created_at=now, snapshot_at=now,
            campaign_id=campaign.pk if campaign else None)
        self.step_t = bulkcopy.Table(PaymentStep, pk=False)
        self.step = {"action": "submit", "note": f"批量发放（批次“{batch}”）", "actor_id": actor.user.pk, "at": now}
        self.submit_row = self.step_t.maker(step_name="", **self.step)
        self.rows: list[list] = []
        self.archive_ids: list[int] = []
        self.written = 0
        background = bulkcopy.can_copy() and not connection.in_atomic_block
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="warmth-batch") if background else None
        self.pending: Future | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, a: Archive, account, today) -> None:
        values = snapshot_values(a, today)
        del values["snapshot_at"]  # the batch's one moment, fixed in the row maker
        values["archive_id"] = a.pk
        if account:
            values["bank_account"], values["bank_account_bidx"], values["bank_name"] = account
        self.rows.append(self.payment_row(values))
        self.archive_ids.append(a.pk)

    def flush(self) -> None:
        """Hand the rows gathered so far to be written (in place, or to the background thread)."""
        if not self.rows:
            return
        rows, archive_ids = self.rows, self.archive_ids
        self.rows, self.archive_ids = [], []
        if self.pool is None:
            self.written += self._write(rows, archive_ids)
            return
        self._wait()
        self.pending = self.pool.submit(self._write, rows, archive_ids)

    def close(self, *, quiet: bool = False) -> int:
        """Wait for the last chunk and release the thread and its connection; the number of payments written."""
        try:
            if self.pool is not None:
                self._wait(quiet=quiet)
        finally:
            if self.pool is not None:
                self.pool.submit(_close_connection).result()  # the thread's own connection
                self.pool.shutdown()
                self.pool = None
        return self.written

    def _wait(self, *, quiet: bool = False) -> None:
        pending, self.pending = self.pending, None
        if pending is None:
            return
        try:
            self.written += pending.result()
        except Exception:
            if not quiet:
                raise

    def _write(self, rows: list[list], archive_ids: list[int]) -> int:
        with transaction.atomic():
            self.payment_t.insert(rows)
            if bulkcopy.can_copy():  # the trail steps made in the database from the rows just written
                qn = connection.ops.quote_name
                step, pay = qn(PaymentStep._meta.db_table), qn(Payment._meta.db_table)
                with connection.cursor() as cur:
                    cur.execute(
                        f"INSERT INTO {step} (payment_id, action, step_name, note, actor_id, at) "  # noqa: S608 (model names)
                        f"SELECT p.id, %s, '', %s, %s, %s FROM unnest(%s::bigint[]) AS a (archive_id) "
                        f"JOIN {pay} p ON p.pot_id = %s AND p.batch = %s AND p.archive_id = a.archive_id",
                        [self.step["action"], self.step["note"], self.step["actor_id"], self.step["at"],
                         archive_ids, self.pot.pk, self.batch])
                    if cur.rowcount != len(rows):  # rolls the chunk back: never a payment without its trail
                        raise RuntimeError(f"批量发放：{len(rows)} 笔发放只生成了 {cur.rowcount} 条审批记录")
            else:
                ids = list(Payment.objects.filter(pot=self.pot, batch=self.batch, archive_id__in=archive_ids)
                           .values_list("id", flat=True))
                self.step_t.insert([self.submit_row({"payment_id": pk}) for pk in ids])
        return len(rows)


def _close_connection() -> None:
    connection.close()  # ``connection`` resolves to the calling thread's own


@register("payments.batch", rerun=True)  # idempotent: a re-run pays no one twice
def batch_job(job, progress) -> None:
    """Params: pot, amount, aid_type, batch, categories. Each chunk commits on its own, so a crash keeps what
    was written and a re-run of the same batch continues where it stopped."""
    from django.http import Http404


    actor = Actor(job.created_by, job.membership)
    params = job.params
    try:
        pot = pot_for_actor(actor, int(params["pot"]))
        campaign = None
        if params.get("campaign"):
            campaign = campaign_for_actor(actor, int(params["campaign"]))
        result = batch_pay(actor=actor, pot=pot, amount=params["amount"], aid_type=params["aid_type"],
                           batch=params["batch"], categories=params.get("categories") or None, progress=progress,
                           campaign=campaign)
    except Http404:
        raise JobInputError("资金不存在或不在您的管辖范围内") from None
    except (PermissionDenied, ValidationError) as exc:
        raise JobInputError("；".join(getattr(exc, "messages", [str(exc)]))) from None
    result["list_url"] = reverse("payment_list") + "?" + urlencode({"batch": result["batch"]})
    result["list_label"] = f"查看本批次生成的发放（批次“{result['batch']}”）"
    job_finish(job, result=result, message=f"生成 {result['made']:,} 笔，跳过 {result['skipped']:,} 户，"
                                           f"此前已发 {result['already']:,} 户")
