"""A statistics report: one per (form, season, org), its own cells (manual entries, overrides of auto cells with
a reason, comments), its workflow trail, and the figures frozen when it was submitted (what the level above
adds up once it approves)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "填报中"
    SUBMITTED = "submitted", "已报送"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已通过"
    EXEMPT = "exempt", "免报"


class Report(models.Model):
    form = models.CharField("报表", max_length=20)
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="填报单位")
    year = models.PositiveSmallIntegerField("年度")  # the season, as the fund pots and campaigns label it
    status = models.CharField("状态", max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    filled_by = models.CharField("填报人", max_length=30, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    deadline = models.DateField("报送截止", null=True, blank=True)
    figures = models.JSONField("报送时的数据", default=dict, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "统计表"
        constraints = [models.UniqueConstraint(fields=["form", "org", "year"], name="one_report_per_form_org_year")]
        indexes = [models.Index(fields=["form", "year", "status"], name="report_form_year_status")]

    def __str__(self) -> str:
        return f"{self.org} {self.form} {self.year}"

    @property
    def locked(self) -> bool:
        return self.status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED, ReportStatus.EXEMPT)

    @property
    def late(self) -> bool:
        if self.deadline is None:
            return False
        at = self.submitted_at or (None if self.locked else timezone.now())
        return at is not None and timezone.localdate(at) > self.deadline


class Cell(models.Model):
    """An org's own entry for one item: a manual value, or an auto cell's override (with a reason), and a
    comment. Blank (value NULL) and zero are different."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="cells")
    code = models.CharField("栏目", max_length=12)
    value = models.DecimalField("数值", max_digits=20, decimal_places=4, null=True, blank=True)
    reason = models.CharField("修改自动数据的理由", max_length=200, blank=True)
    comment = models.CharField("说明", max_length=300, blank=True)
    updated_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "统计表栏目"
        constraints = [
            models.UniqueConstraint(fields=["report", "code"], name="one_cell_per_code"),
            models.CheckConstraint(condition=Q(value__isnull=True) | Q(value__gte=0), name="cell_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.code}"


class ReportStep(models.Model):
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="steps")
    action = models.CharField(max_length=12)  # save, submit, approve, return, reopen, exempt
    note = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.report} {self.action}"
