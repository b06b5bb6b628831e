"""送温暖活动, the season: the campaign, its visit groups (分组表), the dated records of rights work, services and
trips home, the weekly wage-arrears report (004 附件4) and the festival duty roster. The visits themselves are
``visits.models`` (above payments: a visit may name the payment it handed over).

Nothing here is deleted: a submitted weekly report is corrected by a new version that supersedes it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone

from warmth.campaigns.choices import (
    ACTIVITY_CHOICES,
    ArrearsRow,
    ArrearsStatus,
    CampaignStatus,
    HouseholdClass,
)
from warmth.core import pii
from warmth.core.fields import BlindIndexField, EncryptedTextField, MoneyField


class Campaign(models.Model):
    """One year's 两节送温暖活动 of an organizing union, covering its whole subtree."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="组织单位")
    year = models.PositiveSmallIntegerField("活动年度")  # the season: 2025 is the 两节 of 2026
    theme = models.CharField("活动主题", max_length=100)
    doc_no = models.CharField("通知文号", max_length=60, blank=True)
    starts_on = models.DateField("活动开始")
    ends_on = models.DateField("活动结束")
    focus_from = models.DateField("集中走访开始", null=True, blank=True)
    focus_to = models.DateField("集中走访结束", null=True, blank=True)
    report_deadline = models.DateField("报送截止", null=True, blank=True)
    arrears_from = models.DateField("欠薪周报开始")
    arrears_to = models.DateField("欠薪周报结束")
    recipient_kinds = models.JSONField("慰问对象", default=list)
    duties = models.JSONField("部门职责", default=dict)
    hotline = models.CharField("值班电话", max_length=40, blank=True)
    created_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "送温暖活动"
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="one_campaign_per_org_year"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_window_order"),
        ]

    def __str__(self) -> str:
        return f"{self.year + 1}年{self.theme}"

    def in_window(self, day) -> bool:
        return self.starts_on <= day <= self.ends_on

    def status_on(self, day: date) -> str:
        """筹备中 before the window, 进行中 inside it, 已结束 after it: the status follows the dates (a stored
        status went stale: a finished campaign still said 筹备中)."""
        if day < self.starts_on:
            return CampaignStatus.PLANNING
        return CampaignStatus.OPEN if day <= self.ends_on else CampaignStatus.CLOSED

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    def get_status_display(self) -> str:
        return CampaignStatus(self.status).label


class VisitGroup(models.Model):
    """One row of the 走访慰问活动分组表 (003 附件4), with the 联络员's checklist (003 附件3 四)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="groups")
    name = models.CharField("组别", max_length=30)
    leaders = models.CharField("领导", max_length=100)
    liaison = models.CharField("联络员", max_length=30)
    units = models.ManyToManyField("orgs.Org", related_name="+", verbose_name="走访单位")
    departments = models.JSONField("参加部门", default=list)
    # the 联络员's checklist: time, route, money collected and paid, receipts
    planned_on = models.DateField("走访日期", null=True, blank=True)
    route = models.CharField("路线与方式", max_length=200, blank=True)
    money_collected = MoneyField("领取慰问金（元）", default=Decimal("0.00"))
    receipts_done = models.BooleanField("财务手续已办结", default=False)
    note = models.CharField("备注", max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "慰问组"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "name"], name="one_group_name_per_campaign")]

    def __str__(self) -> str:
        return self.name


class PlannedHousehold(models.Model):
    """A household a group plans to visit: an archive, or another named recipient."""

    group = models.ForeignKey(VisitGroup, on_delete=models.PROTECT, related_name="households")
    archive = models.ForeignKey("archives.Archive", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    name = models.CharField("姓名", max_length=30)
    unit = models.CharField("单位", max_length=100, blank=True)
    klass = models.CharField("类别", max_length=10, choices=HouseholdClass.choices)
    dropped = models.BooleanField("已取消", default=False)
    drop_reason = models.CharField("取消理由", max_length=200, blank=True)

    class Meta:
        verbose_name = "计划慰问户"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Activity(models.Model):
    """A dated record of rights work, help, a service or a trip home (see ``choices.ACTIVITY_KINDS`` for
    what each kind's figures mean). The statistics forms sum these over an org's subtree."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="单位")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="activities")
    kind = models.CharField("类别", max_length=20, choices=ACTIVITY_CHOICES)
    on_date = models.DateField("日期")
    count = models.PositiveIntegerField("数量")
    people = models.PositiveIntegerField("运送人次", null=True, blank=True)
    part = models.PositiveIntegerField("其中", null=True, blank=True)
    amount = MoneyField("金额（元）", null=True, blank=True)
    part_amount = MoneyField("其中金额（元）", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    voided = models.BooleanField("已作废", default=False)
    void_reason = models.CharField("作废理由", max_length=200, blank=True)
    created_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "工作记录"
        ordering = ["-on_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(part__isnull=True) | Q(part__lte=models.F("count")),
                                   name="activity_part_within_count"),
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gte=0), name="activity_amount_pos"),
            models.CheckConstraint(condition=Q(part_amount__isnull=True) | Q(part_amount__lte=models.F("amount")),
                                   name="activity_part_amount_within"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.count}"


class ArrearsReport(models.Model):
    """企业工资拖欠情况周报表 (004 附件4) of one unit for the week ending on ``week_of`` (a Friday). A
    correction after submission is a new version; the old one stays, marked superseded."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="arrears_reports")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="填报单位")
    week_of = models.DateField("报送周（周五）")
    version = models.PositiveSmallIntegerField("版本", default=1)
    superseded = models.BooleanField("已被更正", default=False)
    status = models.CharField("状态", max_length=10, choices=ArrearsStatus.choices, default=ArrearsStatus.DRAFT)
    head = models.CharField("单位负责人", max_length=30, blank=True)
    filled_by = models.CharField("填表人", max_length=30, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    reported_on = models.DateField("报出日期", null=True, blank=True)
    cases_note = models.TextField("具体案例说明", blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "欠薪周报"
        ordering = ["-week_of", "org__path"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "org", "week_of"], condition=Q(superseded=False),
                                    name="one_live_arrears_report_per_week"),
        ]

    def __str__(self) -> str:
        return f"{self.org} {self.week_of}"


class ArrearsLine(models.Model):
    report = models.ForeignKey(ArrearsReport, on_delete=models.PROTECT, related_name="lines")
    row = models.CharField("项目", max_length=12, choices=ArrearsRow.choices)
    amount = models.DecimalField("拖欠数额（万元）", max_digits=14, decimal_places=4, default=Decimal("0"))
    enterprises = models.PositiveIntegerField("涉及企业数（户）", default=0)
    people = models.PositiveIntegerField("涉及人数（人）", default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "row"], name="one_arrears_line_per_row"),
                       models.CheckConstraint(condition=Q(amount__gte=0), name="arrears_amount_pos")]

    def __str__(self) -> str:
        return f"{self.get_row_display()} {self.amount}"


class DutyShift(models.Model):
    """节日值班 of an assistance centre (002 一(六)): who is on duty when, with a contact number."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="duty_shifts")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="值班单位")
    on_date = models.DateField("日期")
    starts = models.TimeField("开始")
    ends = models.TimeField("结束")
    person = models.CharField("值班人员", max_length=30)
    phone = EncryptedTextField("联系电话", kind=pii.PHONE)
    phone_bidx = BlindIndexField(source="phone")
    leader = models.CharField("带班领导", max_length=30, blank=True)
    cancelled = models.BooleanField("已取消", default=False)
    created_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "值班安排"
        ordering = ["on_date", "starts"]

    def __str__(self) -> str:
        return f"{self.on_date} {self.person}"
