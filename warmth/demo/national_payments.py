"""National-scale demo 实名制发放 (``seed-demo --scale national`` only): about three million real-name payments
over three seasons, each county paying its active households from its own union money, written with ``COPY``.

Per county and season: a 工会经费 pot, one raise that fills it (a ``FundRaise`` and its ledger entry) with a
little more than the season pays out, and for every payment that reached the ledger (待发放, 已发放, 已确认) its
``paid`` entry, linked from the payment, with the running balance; the pot's balance is what is left. Each
household gets a 送温暖慰问 and, about two times in three, a second payment of another 帮扶项目. Past seasons are
all paid or confirmed; the current one has payments in approval, approved and paid as well.

What differs from payments made through the services, and is said here so nobody mistakes it: the trail of
each payment is one step (提交审批, noted as generated), not every approval; the handler is the ``root`` demo
account; no audit rows are written. The snapshot (name, ID, phone, unit, 档案编号, category, causes, 低保) is
the archive's, as a submission would copy it. Counties whose pot for a season already exists (those the funds
demo filled through the services) are left as they are."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from warmth.archives.choices import ArchiveStatus
from warmth.archives.models import Archive
from warmth.campaigns.models import Campaign
from warmth.core import bulkcopy, crypto, pii
from warmth.core.fields import bidx
from warmth.demo.national_visits import counties_of
from warmth.demo.pipeline import DemoContext
from warmth.funds.choices import EntryKind, FundSource, PayMethod, Purpose
from warmth.funds.models import FundPot, FundRaise, LedgerEntry
from warmth.orgs.models import Org, OrgLevel, User
from warmth.payments.choices import DEFAULT_CHAIN, AidType, PaymentStatus, RecipientKind
from warmth.payments.models import Payment, PaymentStep
from warmth.payments.services import SNAPSHOT_FIELDS, snapshot_values

SEASONS = 3
SECOND_SHARE = 0.64
S = PaymentStatus
CURRENT_STATUS = ((S.SUBMITTED, 6), (S.APPROVED, 9), (S.PAID, 55), (S.CONFIRMED, 30))
OTHER_AID = (AidType.LIVING, AidType.MEDICAL, AidType.SCHOOL, AidType.HEATING)
BANKS = ("中国工商银行", "中国农业银行", "中国建设银行", "中国银行", "中国邮政储蓄银行", "农村信用社")


def _status(rng, current: bool) -> str:
    if not current:
        return S.CONFIRMED if rng.random() < 0.7 else S.PAID
    x, acc = rng.random() * 100, 0
    for status, share in CURRENT_STATUS:
        acc += share
        if x < acc:
            return status
    return S.PAID


class _Loader:
    def __init__(self, ctx: DemoContext):
        self.ctx, self.rng = ctx, ctx.rng
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.root = User.objects.get(username="root")
        self.pay_t = bulkcopy.Table(Payment, pk=True)
        self.entry_t = bulkcopy.Table(LedgerEntry, pk=True)
        self.raise_t = bulkcopy.Table(FundRaise, pk=True)
        self.pot_t = bulkcopy.Table(FundPot, pk=True)
        self.step_t = bulkcopy.Table(PaymentStep, pk=False)
        # a household's ID, phone and account are sealed once for the payments' columns and the ciphertext
        # reused by each of its payments (the same column: it decrypts the same)
        self.seal = {f: crypto.sealer(Payment._meta.get_field(f).aad) for f in ("id_number", "phone", "bank_account")}
        self.counts = defaultdict(int)
        created = self.at(date(ctx.year, 11, 20))
        self.entry = self.entry_t.maker(created_by_id=self.root.pk, created_at=created, spend_by=None,
                                        decision_id=None, allocation_id=None, reverses_id=None)
        self.pay = self.pay_t.maker(recipient_kind=RecipientKind.ARCHIVE, method=PayMethod.BANK, on_visit=False,
                                    goods_items="", repeat_reason="", note="", batch="", chain=list(DEFAULT_CHAIN),
                                    created_by_id=self.root.pk)
        self.step = self.step_t.maker(action="submit", step_name="", note="全国规模演示数据（批量生成）",
                                      actor_id=self.root.pk)

    def at(self, day: date, hour: int = 10) -> datetime:
        return datetime.combine(day, time(hour, self.rng.randrange(60)), self.tz)

    def run(self) -> None:
        years = [self.ctx.year - SEASONS + 1 + i for i in range(SEASONS)]
        taken = set(FundPot.objects.filter(source=FundSource.OWN_UNION, purpose=Purpose.WARMTH, year__in=years)
                    .values_list("org_id", "year"))
        campaigns = dict(Campaign.objects.filter(year=self.ctx.year, org__level=OrgLevel.PROVINCE)
                         .values_list("org_id", "id"))
        for province in Org.objects.filter(level=OrgLevel.PROVINCE, is_active=True).order_by("path"):
            with transaction.atomic():
                self.province(province, years, taken, campaigns.get(province.pk))
        c = self.counts
        self.ctx.out(f"全国发放：{c['pots']:,} 个县级资金 × 年度，发放 {c['payments']:,} 笔"
                     f"（入账 {c['entries']:,} 笔），{c['households']:,} 户")

    def province(self, province: Org, years: list[int], taken: set, campaign_id: int | None) -> None:
        rng = self.rng
        county_of = counties_of(province)
        households = defaultdict(list)  # county id → its active households (plain rows)
        fields = ("pk", "org_id", *SNAPSHOT_FIELDS)
        for row in (Archive.objects.filter(org__path__startswith=province.path, status=ArchiveStatus.ACTIVE)
                    .values_list(*fields).order_by("id").iterator(chunk_size=5000)):
            households[county_of[row[1]]].append(dict(zip(fields, row, strict=True)))
        plan = [(county, year) for county in sorted(households) for year in years if (county, year) not in taken]
        n_pots = len(plan)
        if not n_pots:
            return
        sealed = {}
        for rows in households.values():
            for h in rows:
                account = "62" + "".join(str(rng.randrange(10)) for _ in range(17))
                sealed[h["pk"]] = (bulkcopy.Raw(self.seal["id_number"](h["id_number"])),
                                   bulkcopy.Raw(self.seal["phone"](h["phone"])) if h["phone"] else "",
                                   bulkcopy.Raw(self.seal["bank_account"](account)),
                                   bidx(pii.BANK_ACCOUNT, account), rng.choice(BANKS))
        self.counts["households"] += len(sealed)
        # every payment of the province: (county, year, household, aid type, amount, status)
        pays = []
        for county, year in plan:
            for h in households[county]:
                pays.append((county, year, h, AidType.WARMTH, Decimal(rng.choice((300, 500, 800, 1000)))))
                if rng.random() < SECOND_SHARE:
                    pays.append((county, year, h, rng.choice(OTHER_AID), Decimal(rng.choice((200, 500, 1000, 2000)))))
        statuses = [_status(rng, year == self.ctx.year) for _, year, *_ in pays]
        booked = sum(1 for s in statuses if s in (S.APPROVED, S.PAID, S.CONFIRMED))
        pot_ids = iter(bulkcopy.reserve_ids(FundPot, n_pots))
        raise_ids = iter(bulkcopy.reserve_ids(FundRaise, n_pots))
        entry_ids = iter(bulkcopy.reserve_ids(LedgerEntry, n_pots + booked))
        pay_ids = iter(bulkcopy.reserve_ids(Payment, len(pays)))
        # the pots' totals first, so each raise is known before its entries
        out_of = defaultdict(Decimal)
        for (county, year, _h, _aid, amount), status in zip(pays, statuses, strict=True):
            if status in (S.APPROVED, S.PAID, S.CONFIRMED):
                out_of[county, year] += amount
        pot_of, balance, pot_rows, raise_rows, entry_rows = {}, {}, [], [], []
        now = self.at(date(self.ctx.year, 11, 20))
        pot_row = self.pot_t.maker(source=FundSource.OWN_UNION, purpose=Purpose.WARMTH, created_at=now)
        raise_row = self.raise_t.maker(source=FundSource.OWN_UNION, purpose=Purpose.WARMTH, created_by_id=self.root.pk,
                                       created_at=now, donor="", is_goods=False, goods_description="", note="")
        for county, year in plan:
            pot_id, raise_id, entry_id = next(pot_ids), next(raise_ids), next(entry_ids)
            raised = (out_of[county, year] * Decimal("1.08") + 10_000).quantize(Decimal("1"))
            received = date(year, 11, 15)
            pot_of[county, year], balance[pot_id] = pot_id, raised
            raise_rows.append(raise_row({"id": raise_id, "org_id": county, "pot_id": pot_id, "year": year,
                                         "amount": raised, "received_on": received, "doc_no": f"工财〔{year}〕8号"}))
            entry_rows.append(self.entry({"id": entry_id, "pot_id": pot_id, "kind": EntryKind.RAISED, "amount": raised,
                                          "balance_after": raised, "on_date": received, "raise_record_id": raise_id,
                                          "ref_type": "raise", "ref_id": str(raise_id), "memo": "工会经费（全国演示）",
                                          "method": "", "person_bidx": ""}))
        pay_rows, step_rows = [], []
        for (county, year, h, aid, amount), status in zip(pays, statuses, strict=True):
            pk, pot_id = next(pay_ids), pot_of[county, year]
            id_sealed, phone_sealed, account_sealed, account_bidx, bank = sealed[h["pk"]]
            submitted = self.at(date(year, 12, 1) + timedelta(days=rng.randrange(20)))
            values = snapshot_values(_Row(h), date(year, 12, 1))
            values.update(id=pk, org_id=county, pot_id=pot_id, archive_id=h["pk"], aid_type=aid, amount=amount,
                          id_number=id_sealed, phone=phone_sealed, bank_account=account_sealed,
                          bank_account_bidx=account_bidx, bank_name=bank, status=status, snapshot_at=submitted,
                          submitted_at=submitted, created_at=submitted,
                          campaign_id=campaign_id if year == self.ctx.year else None,
                          step=len(DEFAULT_CHAIN) if status != S.SUBMITTED else 0)
            if status in (S.APPROVED, S.PAID, S.CONFIRMED):
                entry_id = next(entry_ids)
                balance[pot_id] -= amount
                paid_on = date(year + 1, 1, 5) + timedelta(days=rng.randrange(25))
                entry_rows.append(self.entry({
                    "id": entry_id, "pot_id": pot_id, "kind": EntryKind.PAID, "amount": -amount,
                    "balance_after": balance[pot_id], "on_date": submitted.date() + timedelta(days=3),
                    "method": PayMethod.BANK, "person_bidx": h["id_number_bidx"], "ref_type": "payment",
                    "ref_id": str(pk), "memo": f"{AidType(aid).label}：{h['name']}"}))
                values["entry_id"] = entry_id
                if status != S.APPROVED:
                    values.update(paid_on=paid_on, paid_by_id=self.root.pk)
                if status == S.CONFIRMED:
                    values["confirmed_at"] = self.at(paid_on + timedelta(days=10))
            pay_rows.append(self.pay(values))
            step_rows.append(self.step({"payment_id": pk, "at": submitted}))
        for county, year in plan:
            pot_id = pot_of[county, year]
            pot_rows.append(pot_row({"id": pot_id, "org_id": county, "year": year, "balance": balance[pot_id]}))
        self.pot_t.insert(pot_rows)
        self.raise_t.insert(raise_rows)
        self.entry_t.insert(entry_rows)
        self.pay_t.insert(pay_rows)
        self.step_t.insert(step_rows)
        c = self.counts
        c["pots"] += n_pots
        c["payments"] += len(pay_rows)
        c["entries"] += len(entry_rows)

class _Row:
    """Attribute access to a household's plain row, for ``snapshot_values``."""

    def __init__(self, row: dict):
        self.__dict__.update(row)


def seed_national_payments(ctx: DemoContext) -> None:
    if ctx.scale == "national":
        load(ctx)


def load(ctx: DemoContext) -> None:
    """The counties' pots, raises, payments and entries (any scale: the tests run it on the small demo)."""
    _Loader(ctx).run()
