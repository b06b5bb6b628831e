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
    # the version of the form it is filled with (``ReportForm.version``); NULL: the form's current version
    form_version = models.PositiveSmallIntegerField("报表版本", null=True, blank=True)
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


class ReportDuty(models.Model):
    """Who must report a form for a season (报送范围): the levels and kinds of union that report it to their parent,
    decided by a union for every report made in its subtree (the nearest union's decision wins; a decision at the
    root is the nationwide default; without any, ``reports.services.DEFAULT_LEVELS``). A child outside it may still
    report (its approved figures add up), but the parent's approval does not wait for it, it has no deadline and
    it is not reminded. Configuration, not a record: changed in place, every change audited."""

    form = models.CharField("报表", max_length=20)
    year = models.PositiveSmallIntegerField("年度")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="设定单位")
    levels = models.JSONField("须报送的层级", default=list, blank=True)  # OrgLevel values, sorted
    units = models.ManyToManyField("orgs.Org", related_name="+", blank=True, verbose_name="另须报送的直属下级",
                                   help_text="本单位的直属下级中，层级不在上面、单独要求报送的单位")
    note = models.CharField("说明", max_length=300, blank=True)
    set_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name="设定人")
    set_at = models.DateTimeField("设定时间", default=timezone.now)

    class Meta:
        verbose_name = "统计表报送范围"
        constraints = [models.UniqueConstraint(fields=["form", "year", "org"], name="one_duty_per_form_year_org")]

    def __str__(self) -> str:
        return f"{self.org} {self.form} {self.year} 报送范围"


class FormStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    RETIRED = "retired", "已停用"


class ReportForm(models.Model):
    """One version of a form definition (the JSON that ``reports.definitions`` parses), kept in the database so
    the system admin can add next year's form without a deploy. The four shipped forms are loaded from the
    package files on first use (``origin`` package: they follow the files, and the page only copies them);
    a form made on the page is a draft until published, and once a report uses a published version it is
    never changed again (edits go into a new version or a copy). A report keeps the version it was filled
    with (``Report.form_version``)."""

    form_id = models.CharField("报表编号", max_length=20)
    version = models.PositiveSmallIntegerField("版本", default=1)
    title = models.CharField("标题", max_length=100)
    year = models.PositiveSmallIntegerField("报表年份")
    body = models.JSONField("定义")
    status = models.CharField("状态", max_length=10, choices=FormStatus.choices, default=FormStatus.DRAFT)
    origin = models.CharField("来源", max_length=10, default="custom")  # package (a shipped file) or custom
    based_on = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name="复制自")
    created_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "报表格式"
        ordering = ["form_id", "version"]
        constraints = [models.UniqueConstraint(fields=["form_id", "version"], name="one_report_form_version")]

    def __str__(self) -> str:
        return f"{self.form_id} 第{self.version}版"


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


# --- the tally: per-org, per-season sums that the statistics forms add up over a subtree (reports/tally.py) ----

class Tally(models.Model):
    """One org's OWN figures for one season (``year`` 0: the archive as it stands now, which no season
    owns). A form's auto cell at an org is the sum of these rows over its subtree, plus the
    ``TallyOverlap`` corrections, instead of a scan of millions of records. Derived data: rebuilt, never
    edited by hand (``tally.refresh``)."""

    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    # year 0: the filed households and their workers
    households = models.PositiveIntegerField(default=0)
    migrant_households = models.PositiveIntegerField(default=0)
    below_dibao = models.PositiveIntegerField(default=0)
    near_dibao = models.PositiveIntegerField(default=0)
    accident = models.PositiveIntegerField(default=0)
    workers = models.PositiveIntegerField(default=0)
    migrant_workers = models.PositiveIntegerField(default=0)
    # a season's rows
    lifted = models.PositiveIntegerField(default=0)
    visited = models.IntegerField(default=0)           # households visited: archives once per org, others each
    visited_workers = models.IntegerField(default=0)
    visited_migrants = models.IntegerField(default=0)
    visited_models = models.IntegerField(default=0)
    enterprises = models.PositiveIntegerField(default=0)
    enterprises_in_difficulty = models.PositiveIntegerField(default=0)
    frontline = models.PositiveIntegerField(default=0)
    paid = models.DecimalField(max_digits=16, decimal_places=2, default=0)  # 元: payments and cash on visits
    paid_models = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    paid_migrants = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="reports_tally_org_year")]

    def __str__(self):
        return f"统计汇总 {self.org_id} {self.year}"


class TallyOverlap(models.Model):
    """The correction for an archive visited at more than one org in a season (it moved between visits):
    −1 at the lowest common ancestor of each pair of its visiting orgs that are neighbours in tree order, so
    a subtree holding several of them still counts the household once."""

    year = models.PositiveSmallIntegerField()
    archive = models.ForeignKey("archives.Archive", on_delete=models.CASCADE, related_name="+", db_index=False)
    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="+")
    visited = models.IntegerField(default=0)
    visited_workers = models.IntegerField(default=0)
    visited_migrants = models.IntegerField(default=0)
    visited_models = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["archive", "year"], name="reports_overlap_archive")]

    def __str__(self):
        return f"跨单位走访校正 档案 {self.archive_id} {self.year}"


class TallyDirty(models.Model):
    """An org whose tally rows are out of date. Written by database triggers on the archives, members,
    visits and payments tables (every write path: the ORM, imports, ``COPY``), read and cleared by
    ``tally.refresh``. No unique key, so a writer never waits on a refresh."""

    id = models.BigAutoField(primary_key=True)
    org_id = models.BigIntegerField(db_index=True)

    def __str__(self):
        return f"待刷新 {self.org_id}"
