"""Demo 实名制发放: 武侯区's union money paid to its households in every state — drafts, in approval, returned,
approved (待发放), paid, confirmed, reversed — plus one batch over the rest and a 回访 sample. Through the
services, so the trail, the ledger and the audit rows are what a real season leaves."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from warmth.archives.choices import ArchiveStatus
from warmth.archives.models import Archive
from warmth.campaigns.models import Campaign
from warmth.demo.national_payments import seed_national_payments
from warmth.demo.pipeline import DemoContext, seeder
from warmth.funds.choices import FundSource, Purpose
from warmth.funds.models import FundPot
from warmth.orgs.access import actor_for
from warmth.orgs.models import Org, User
from warmth.payments import services as pay
from warmth.payments.batch import batch_pay
from warmth.payments.verification import verification_record, verification_sample

COUNTY = "510107"
STATES = ("draft", "submitted", "returned", "approved", "paid", "confirmed", "reversed")


def _actor(username):
    return actor_for(User.objects.get(username=username))


@seeder(40, "实名制发放")
def seed_payments(ctx: DemoContext) -> None:
    county = Org.objects.filter(code=COUNTY).first()
    pot = FundPot.objects.filter(org=county, year=ctx.year, source=FundSource.OWN_UNION, purpose=Purpose.WARMTH,
                                 balance__gt=0).first() if county else None
    if pot is None:
        ctx.out("发放：武侯区没有可用的工会经费，跳过")
        return
    handler, first, second = _actor("wh_handler"), _actor("cd_reviewer"), _actor("cd_leader")
    pay.chain_set(actor=second, org=county, steps=["单位(工会)意见", "区(产业)工会意见"], threshold="2000",
                  extra_step="单位领导")
    households = list(Archive.objects.filter(org__path__startswith=county.path, status=ArchiveStatus.ACTIVE)
                      .select_related("org").order_by("id")[:60])
    campaign = Campaign.objects.filter(pk=ctx.made.get("campaign")).first()
    counts = dict.fromkeys(STATES, 0)
    singles = households[: len(STATES) * 3]
    for i, a in enumerate(singles):
        state = STATES[i % len(STATES)]
        account = "6228" + "".join(str(ctx.rng.randrange(10)) for _ in range(15))
        p = pay.payment_create(actor=handler, pot=pot, aid_type="送温暖慰问",
                               amount=Decimal(ctx.rng.choice([500, 800, 1000, 1200, 1500])), method="bank",
                               archive=a, bank_account=account, bank_name="中国农业银行成都武侯支行",
                               campaign=campaign)
        if state != "draft":
            pay.payment_submit(actor=handler, payment=p)
        if state == "returned":
            pay.payment_return(actor=first, payment=p, reason="请补充入户走访记录")
        if state in ("approved", "paid", "confirmed", "reversed"):
            pay.payment_approve(actor=first, payment=p, note="同意")
            pay.payment_approve(actor=second, payment=p, note="同意")
        if state in ("paid", "confirmed"):
            # paid inside the season's window (元旦 to 春节), a day for each, so the dashboard's timeline has them
            pay.payment_mark_paid(actor=handler, payment=p, paid_on=date(ctx.year + 1, 1, 10 + i % 20),
                                  note=f"农行代发批次 {ctx.year + 1}-01")
        if state == "confirmed":
            pay.payment_confirm(actor=first, payment=p)
        if state == "reversed":
            pay.payment_reverse(actor=handler, payment=p, reason="账号有误，退回重发")
        counts[state] += 1
    # corrections: a draft cancelled (作废, kept), a paid one whose 冲正 waits for a second person, and a transfer
    # the bank returned (发放失败: the money back in the pot, waiting for the corrected account)
    extra = households[len(singles): len(singles) + 3]
    if len(extra) == 3:
        def made(a):
            return pay.payment_create(actor=handler, pot=pot, aid_type="送温暖慰问", amount=Decimal(600),
                                      method="bank", archive=a, bank_account="6228" + "0" * 14 + str(a.pk % 10),
                                      bank_name="中国农业银行成都武侯支行", campaign=campaign)

        pay.payment_cancel(actor=handler, payment=made(extra[0]), reason="录入重复，作废")
        p = made(extra[1])
        pay.payment_submit(actor=handler, payment=p)
        pay.payment_approve(actor=first, payment=p, note="同意")
        pay.payment_approve(actor=second, payment=p, note="同意")
        pay.payment_mark_paid(actor=handler, payment=p, paid_on=date(ctx.year + 1, 1, 9), note="农行代发")
        pay.payment_reverse_request(actor=handler, payment=p, reason="发放对象有误，申请冲正")
        p = made(extra[2])
        pay.payment_submit(actor=handler, payment=p)
        pay.payment_approve(actor=first, payment=p, note="同意")
        pay.payment_approve(actor=second, payment=p, note="同意")
        pay.payment_mark_paid(actor=handler, payment=p, paid_on=date(ctx.year + 1, 1, 9), note="农行代发")
        pay.payment_bank_fail(actor=handler, payment=p, reason="账户已销户")
        counts["cancelled"], counts["reversing"], counts["failed"] = 1, 1, 1
    # a batch over every household of 武侯 (those without a known account are listed as skipped)
    result = batch_pay(actor=handler, pot=pot, amount="300", aid_type="过冬取暖补贴",
                       batch=f"{ctx.year + 1}年冬季取暖补贴", campaign=campaign)
    sample = verification_sample(actor=first, org=county, year=ctx.year, size=4, seed=f"{ctx.year + 1}年春节后回访")
    for v, answer in zip(sample, ["received", "received", "not_received", "received"], strict=False):
        verification_record(actor=first, verification=v, answer=answer, note="电话回访")
    labels = {"draft": "草稿", "submitted": "审批中", "returned": "已退回", "approved": "待发放", "paid": "已发放",
              "confirmed": "已确认", "reversed": "已冲正", "cancelled": "已作废", "reversing": "冲正待审批",
              "failed": "发放失败"}
    ctx.out("发放：" + "，".join(f"{labels[s]} {n}" for s, n in counts.items())
            + f"；批量 {result['made']} 笔（跳过 {result['skipped']} 户）；回访 {len(sample)} 户")


@seeder(45, "全国规模发放（批量）")
def seed_payments_national(ctx: DemoContext) -> None:
    """Only at ``--scale national``: about three million payments over three seasons (``demo.national_payments``)."""
    seed_national_payments(ctx)
