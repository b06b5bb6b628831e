"""实名制发放: a payment to a named recipient out of one fund pot, its approval trail and the approval chain
setting of an org.

A payment keeps a *snapshot* of the recipient taken at submission (name, sex, age, ID number, unit or address,
phone, 档案编号, category, causes, 低保), so a voucher printed years later shows what was true when it was paid.
Personal data is encrypted with a blind index. A payment is never deleted, nor edited once submitted: a draft or
returned one may be edited or cancelled (作废, kept); a mistake after the money left the pot is a reversal (冲正)
through the ledger (once paid, asked for by one person and approved by another), and the payment is marked
reversed."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from warmth.core import pii
from warmth.core.fields import BlindIndexField, EncryptedTextField, MoneyField
from warmth.funds.choices import PayMethod
from warmth.payments.choices import AidType, PaymentStatus, RecipientKind


class ApprovalChain(models.Model):
    """An org's approval chain for its subtree (the nearest ancestor's applies): the ordered step names, and
    the amount above which one more step is needed."""

    org = models.OneToOneField("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="工会组织")
    steps = models.JSONField("审批环节")
    threshold = MoneyField("加签金额（元）")
    extra_step = models.CharField("加签环节", max_length=30)
    set_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "审批流程设置"

    def __str__(self) -> str:
        return f"{self.org} 审批流程：{' → '.join(self.steps)}"


class Payment(models.Model):
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="发放单位")
    pot = models.ForeignKey("funds.FundPot", on_delete=models.PROTECT, related_name="payments", verbose_name="资金")
    archive = models.ForeignKey("archives.Archive", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="payments", verbose_name="档案")
    recipient_kind = models.CharField("对象类别", max_length=16, choices=RecipientKind.choices)
    aid_type = models.CharField("帮扶项目", max_length=10, choices=AidType.choices)
    amount = MoneyField("金额（元）")
    method = models.CharField("发放方式", max_length=8, choices=PayMethod.choices)
    on_visit = models.BooleanField("慰问团入户发放", default=False)
    goods_items = models.CharField("实物名称与数量", max_length=200, blank=True)
    repeat_reason = models.CharField("重复发放理由", max_length=200, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    batch = models.CharField("批量发放批次", max_length=60, blank=True)
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="payments", verbose_name="送温暖活动")
    # the recipient as snapshotted at submission (typed in for a recipient without an archive)
    name = models.CharField("姓名", max_length=30)
    sex = models.CharField("性别", max_length=1, blank=True)
    age = models.PositiveSmallIntegerField("年龄", null=True, blank=True)
    id_number = EncryptedTextField("身份证号", kind=pii.ID_NUMBER)
    # exact lookups by person go through the (id_number_bidx, aid_type) index below; the phone and account
    # indexes are only compared, never searched: no single-column indexes (each costs every batch row)
    id_number_bidx = BlindIndexField(source="id_number", db_index=False)
    unit_or_address = models.CharField("工作单位或家庭住址", max_length=200, blank=True)
    address = models.CharField("居住地址", max_length=200, blank=True)
    employer = models.CharField("所在单位", max_length=200, blank=True)
    phone = EncryptedTextField("联系电话", kind=pii.PHONE, blank=True)
    phone_bidx = BlindIndexField(source="phone", db_index=False)
    bank_account = EncryptedTextField("银行账号", kind=pii.BANK_ACCOUNT, blank=True)
    bank_account_bidx = BlindIndexField(source="bank_account", db_index=False)
    bank_name = models.CharField("开户银行", max_length=60, blank=True)
    archive_no = models.CharField("档案编号", max_length=40, blank=True)
    category = models.CharField("困难类别", max_length=10, blank=True)
    causes = models.CharField("致困原因", max_length=60, blank=True)
    dibao = models.CharField("低保情况", max_length=60, blank=True)
    snapshot_at = models.DateTimeField("信息截取时间", null=True, blank=True)
    # the flow
    status = models.CharField("状态", max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.DRAFT)
    chain = models.JSONField("审批环节", default=list)
    step = models.PositiveSmallIntegerField("当前环节", default=0)
    entry = models.OneToOneField("funds.LedgerEntry", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="payment", verbose_name="支出记录")
    # no index on the user columns (nothing looks payments up by user; users are deactivated, never deleted):
    # fewer indexes to keep on the busiest table, which a 50,000-household batch feels
    created_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+", verbose_name="经办人",
                                   db_index=False)
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField("发放日期", null=True, blank=True)
    paid_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                db_index=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # the state a 冲正 was asked from (已发放 or 已确认): where a refused request puts the payment back
    reverse_from = models.CharField("申请冲正前状态", max_length=10, blank=True)

    class Meta:
        verbose_name = "发放"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            # a batch pays a household once, however often it is run
            models.UniqueConstraint(fields=["pot", "batch", "archive"], condition=~Q(batch=""),
                                    name="payment_once_per_batch"),
        ]
        indexes = [models.Index(fields=["id_number_bidx", "aid_type"], name="payment_person_aid")]

    def __str__(self) -> str:
        return f"发放 #{self.pk} {self.name} {self.amount} 元"

    @property
    def current_step(self) -> str | None:
        return self.chain[self.step] if self.status == PaymentStatus.SUBMITTED and self.step < len(self.chain) else None


STEP_ACTIONS = {"create": "新建", "submit": "提交审批", "approve": "审批通过", "return": "退回",
                "pay": "登记已发放", "confirm": "确认", "reverse": "冲正", "edit": "修改", "cancel": "作废",
                "reverse_request": "申请冲正", "reverse_approve": "冲正审批通过", "reverse_reject": "驳回冲正",
                "bank_fail": "银行退回（发放失败）", "repay": "更正账号重新发放"}


class PaymentStep(models.Model):
    """One step of a payment's trail: submitted, approved or returned at a chain step, paid, confirmed,
    reversed. Append-only; the voucher prints the approvals with names and dates from here."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="steps")
    action = models.CharField("操作", max_length=20)
    step_name = models.CharField("审批环节", max_length=30, blank=True)
    note = models.CharField("意见", max_length=200, blank=True)
    actor = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+", db_index=False)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.action} {self.step_name}"

    @property
    def action_label(self) -> str:
        return STEP_ACTIONS.get(self.action, self.action)


class VerificationAnswer(models.TextChoices):
    RECEIVED = "received", "已收到"
    NOT_RECEIVED = "not_received", "未收到"
    DIFFERENT = "different", "金额不符"


class Verification(models.Model):
    """One sampled recipient to be asked whether the money arrived (回访核实). The sample is drawn from a named
    seed, so the same seed always draws the same recipients."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="verifications")
    sample = models.CharField("抽样批次", max_length=60)
    answer = models.CharField("核实结果", max_length=14, choices=VerificationAnswer.choices, blank=True)
    amount_reported = MoneyField("对象所述金额", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    drawn_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(default=timezone.now)
    answered_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "回访核实"
        constraints = [models.UniqueConstraint(fields=["payment", "sample"], name="verification_once_per_sample")]

    def __str__(self) -> str:
        return f"{self.sample} #{self.payment_id}"
