"""送温暖资金: fund pots, the append-only ledger, raising, allocation down the tree, collective decisions and
the per-org settings of the funds rules.

A *pot* (资金池) is org × year × source × purpose. Its ``balance`` is the sum of its ledger entries, kept on the
pot row so a spend can lock one row (``SELECT … FOR UPDATE``) and check it; a ``CheckConstraint`` makes a
negative balance impossible even for code that forgets the lock. Ledger entries are never updated or
deleted (refused by ``save``/``delete`` and by database triggers); a mistake is a reversal entry.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from warmth.core.fields import MoneyField
from warmth.funds.choices import (
    DecisionKind,
    EntryKind,
    FundSource,
    PayMethod,
    PlanStatus,
    Purpose,
    RuleMode,
)

ZERO = Decimal("0.00")


class FundPot(models.Model):
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="fund_pots", verbose_name="工会组织")
    year = models.PositiveSmallIntegerField("年度")
    source = models.CharField("资金来源", max_length=16, choices=FundSource.choices)
    purpose = models.CharField("用途", max_length=16, choices=Purpose.choices)
    balance = MoneyField("余额", default=ZERO)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "资金池"
        constraints = [
            models.UniqueConstraint(fields=["org", "year", "source", "purpose"], name="fund_pot_unique"),
            models.CheckConstraint(condition=Q(balance__gte=0), name="fund_pot_balance_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.org.name} {self.year}年 {self.get_source_display()}·{self.get_purpose_display()}"

    @property
    def label(self) -> str:
        return f"{self.year}年 {self.get_source_display()} · {self.get_purpose_display()}"


class FundRaise(models.Model):
    """Money raised by an org (筹集): finance money, union funds, donations, goods valued in money."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="工会组织")
    pot = models.ForeignKey(FundPot, on_delete=models.PROTECT, related_name="raises")
    year = models.PositiveSmallIntegerField("年度")
    source = models.CharField("资金来源", max_length=16, choices=FundSource.choices)
    purpose = models.CharField("用途", max_length=16, choices=Purpose.choices)
    amount = MoneyField("金额（元）")
    received_on = models.DateField("到账日期")
    doc_no = models.CharField("文号/凭证号", max_length=60, blank=True)
    donor = models.CharField("捐助单位或个人", max_length=100, blank=True)
    is_goods = models.BooleanField("物资折款", default=False)
    goods_description = models.CharField("物资名称与数量", max_length=200, blank=True)
    spend_by = models.DateField("使用期限", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    created_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "资金筹集"
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="fund_raise_amount_positive")]

    def __str__(self) -> str:
        return f"{self.org} 筹集 {self.amount} 元"


class Allocation(models.Model):
    """Money passed from an org to one of its children (下拨), keeping its source and purpose."""

    from_org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="下拨单位")
    to_org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="接收单位")
    from_pot = models.ForeignKey(FundPot, on_delete=models.PROTECT, related_name="allocations_out")
    to_pot = models.ForeignKey(FundPot, on_delete=models.PROTECT, related_name="allocations_in")
    plan = models.ForeignKey("AllocationPlan", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="allocations")
    amount = MoneyField("金额（元）")
    doc_no = models.CharField("文号", max_length=60)
    allocated_on = models.DateField("下拨日期")
    spend_by = models.DateField("使用期限", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    created_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "资金下拨"
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive")]

    def __str__(self) -> str:
        return f"{self.from_org} → {self.to_org} {self.amount} 元（{self.doc_no}）"


class AllocationPlan(models.Model):
    """A draft division of an amount among the children (seed 004 三.1: by filed households); its lines may
    be edited until it is confirmed, which posts one ``Allocation`` per line in one transaction."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="下拨单位")
    pot = models.ForeignKey(FundPot, on_delete=models.PROTECT, related_name="plans")
    total = MoneyField("下拨总额（元）")
    basis = models.CharField("分配依据", max_length=40, default="按在档困难职工户数")
    doc_no = models.CharField("文号", max_length=60)
    allocated_on = models.DateField("下拨日期")
    spend_by = models.DateField("使用期限", null=True, blank=True)
    status = models.CharField("状态", max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    created_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "下拨方案"

    def __str__(self) -> str:
        return f"下拨方案 #{self.pk} {self.total} 元"


class AllocationPlanLine(models.Model):
    plan = models.ForeignKey(AllocationPlan, on_delete=models.CASCADE, related_name="lines")
    to_org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="接收单位")
    households = models.PositiveIntegerField("在档户数", default=0)
    amount = MoneyField("金额（元）")

    class Meta:
        ordering = ["to_org__path"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "to_org"], name="plan_line_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="plan_line_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.to_org} {self.amount} 元"


class Decision(models.Model):
    """A collective decision (领导集体研究 / 主席办公会议): the usage plan of pots, or turning leftovers into
    日常帮扶 (seeds 001 三(二), 002). The minutes are an attachment kept with the record."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="工会组织")
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("决策事项", max_length=16, choices=DecisionKind.choices)
    meeting = models.CharField("会议名称", max_length=100)
    held_on = models.DateField("会议日期")
    summary = models.TextField("决定内容")
    pots = models.ManyToManyField(FundPot, related_name="decisions", verbose_name="适用资金")
    minutes_name = models.CharField("会议纪要文件名", max_length=200)
    minutes_path = models.CharField(max_length=300)
    minutes_type = models.CharField(max_length=100)
    minutes_sha256 = models.CharField(max_length=64)
    recorded_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "集体决策"
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.meeting}（{self.held_on}）"


class LedgerEntry(models.Model):
    """One movement of a pot. ``amount`` is signed: credits positive, debits negative. Never changed."""

    pot = models.ForeignKey(FundPot, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField("类别", max_length=16, choices=EntryKind.choices)
    amount = MoneyField("金额（元）")
    balance_after = MoneyField("余额")
    on_date = models.DateField("业务日期")
    spend_by = models.DateField("使用期限", null=True, blank=True)
    raise_record = models.ForeignKey(FundRaise, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reverses = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="reversed_by")
    # what a payment paid (filled by the payments module): method, purpose paid, the person's blind index
    method = models.CharField("发放方式", max_length=8, choices=PayMethod.choices, blank=True)
    person_bidx = models.CharField(max_length=64, blank=True, db_index=True)
    ref_type = models.CharField(max_length=20, blank=True)
    ref_id = models.CharField(max_length=40, blank=True)
    memo = models.CharField("摘要", max_length=200, blank=True)
    created_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "台账记录"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_amount_not_zero"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="ledger_balance_not_negative"),
        ]
        indexes = [models.Index(fields=["pot", "kind"], name="ledger_pot_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} 元"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError("台账记录不可修改，请使用冲正。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("台账记录不可删除，请使用冲正。")


class RuleSetting(models.Model):
    """An org's setting of one funds rule; it applies to the org's whole subtree unless a lower org sets its
    own. Every change writes an audit row with the previous setting."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="工会组织")
    code = models.CharField("规则代码", max_length=40)
    mode = models.CharField("设置", max_length=8, choices=RuleMode.choices)
    params = models.JSONField("参数", default=dict, blank=True)
    reason = models.CharField("调整理由", max_length=200, blank=True)
    set_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "资金规则设置"
        constraints = [models.UniqueConstraint(fields=["org", "code"], name="rule_setting_unique")]

    def __str__(self) -> str:
        return f"{self.org} {self.code}={self.mode}"
