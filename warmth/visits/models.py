"""走访: a visit of the campaign, to a household (an archive, or another recipient kind) or to an enterprise.
It sits above payments (a visit may name the payment it handed over) and above the season it belongs to.

Nothing here is deleted: a visit recorded in error is voided with a reason (it stays, and coverage leaves it
out)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from warmth.campaigns.choices import RecipientKind, VisitKind
from warmth.core import pii
from warmth.core.fields import BlindIndexField, EncryptedTextField, MoneyField


class Visit(models.Model):
    """A visit: to a household (an archive, or another recipient kind) or to an enterprise."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="visits")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="所在单位")
    group = models.ForeignKey("campaigns.VisitGroup", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="visits", verbose_name="慰问组")
    kind = models.CharField("走访类型", max_length=10, choices=VisitKind.choices)
    visited_on = models.DateField("走访日期")
    visitors = models.CharField("走访人员", max_length=200)
    # a household visit
    archive = models.ForeignKey("archives.Archive", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="visits", verbose_name="档案")
    recipient_kind = models.CharField("对象类别", max_length=16, choices=RecipientKind.choices, blank=True)
    name = models.CharField("姓名", max_length=30, blank=True)
    id_number = EncryptedTextField("身份证号", kind=pii.ID_NUMBER, blank=True)
    id_number_bidx = BlindIndexField(source="id_number")
    handed_over = models.CharField("送去的慰问金物", max_length=200, blank=True)
    payment = models.ForeignKey("payments.Payment", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="visits", verbose_name="对应发放")
    # cash a 慰问团 handed over, deducted from the visited unit's allocated money (003 三.4)
    cash_amount = MoneyField("现场发放慰问金（元）", null=True, blank=True)
    cash_pot = models.ForeignKey("funds.FundPot", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name="扣减资金")
    entry = models.OneToOneField("funds.LedgerEntry", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="visit", verbose_name="扣减记录")
    # an enterprise visit
    enterprise = models.CharField("企业名称", max_length=100, blank=True)
    enterprise_in_difficulty = models.BooleanField("困难企业", default=False)
    findings = models.TextField("了解到的情况", blank=True)
    frontline_greeted = models.PositiveIntegerField("慰问一线职工（人）", default=0)
    outside_window = models.BooleanField("在活动时间之外", default=False)  # before visits had to lie inside it
    # a visit to a household dated before it was filed: kept, not counted as a filed household's visit
    applicant = models.BooleanField("建档前走访（申请人）", default=False)
    note = models.CharField("备注", max_length=200, blank=True)
    voided = models.BooleanField("已作废", default=False)
    void_reason = models.CharField("作废理由", max_length=200, blank=True)
    created_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "campaigns_visit"  # the table it had in the campaigns app: moving the model moved no data
        verbose_name = "走访"
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["campaign", "archive"], name="visit_campaign_archive")]

    def __str__(self) -> str:
        return self.name or self.enterprise
