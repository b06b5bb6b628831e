"""Closed lists of 实名制发放 (seeds 004 附件1/附件2, 001 附件3)."""

from django.db import models

# defined with the season (a campaign lists the kinds it greets); payments pay the same kinds
from warmth.campaigns.choices import RecipientKind as RecipientKind


class AidType(models.TextChoices):
    """帮扶项目 (seed 004 附件2, one roster sheet each)."""

    LIVING = "生活救助", "生活救助"
    MEDICAL = "医疗救助", "医疗救助"
    SCHOOL = "助学", "助学"
    JOB_REFERRAL = "职业介绍", "职业介绍"
    TRAINING = "就业培训", "就业培训"
    POLICY = "政策咨询", "政策咨询"
    LEGAL = "法律援助", "法律援助"
    STARTUP_LOAN = "创业贷款", "创业贷款"
    HEATING = "过冬取暖补贴", "过冬取暖补贴"
    WARMTH = "送温暖慰问", "送温暖慰问"
    OTHER = "其他", "其他"


class PaymentStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "审批中"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "待发放"
    PAID = "paid", "已发放"
    CONFIRMED = "confirmed", "已确认"
    REVERSED = "reversed", "已冲正"
    REVERSING = "reversing", "冲正待审批"
    CANCELLED = "cancelled", "已作废"
    BANK_FAILED = "failed", "发放失败（银行退回）"


#: a payment in these states promises no money and pays no one (a repeat is not a repeat of these); a transfer
#: the bank returned holds no money either (it went back to the pot) until it is paid again
DEAD_STATES = (PaymentStatus.DRAFT, PaymentStatus.RETURNED, PaymentStatus.REVERSED, PaymentStatus.CANCELLED,
               PaymentStatus.BANK_FAILED)


# The default approval chain of the 慰问金发放凭证 (seed 004 附件1), in order; EXTRA_STEP is added when the
# amount is above the org's threshold.
DEFAULT_CHAIN = ("单位(工会)意见", "区(产业)工会意见", "部门领导", "单位领导")
EXTRA_STEP = "主要领导"
DEFAULT_THRESHOLD = "2000.00"
