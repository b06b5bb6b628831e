"""第三方评估 (精准识别、精准退出的抽样核查): a sample of households drawn by stratum from a union's subtree, the
evaluators' findings per household, and the rates computed from them (``warmth.evaluation.services``)."""

from django.conf import settings
from django.db import models

from warmth.archives.models import Archive
from warmth.orgs.models import Org


class Stratum(models.TextChoices):
    LIFTED = "lifted", "已脱困"           # exited because the household got out of hardship
    CLOSED = "closed", "注销"             # exited as no longer eligible or by correction
    ACTIVE = "active", "未脱困（在档）"
    APPLICANT = "applicant", "未建档申请户"  # applied, not filed (审批不通过)


class Sample(models.Model):
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+", verbose_name="组织")
    name = models.CharField("样本名称", max_length=60)  # also the seed: the same name draws the same households
    sizes = models.JSONField("各层样本量", default=dict)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField("抽取时间", auto_now_add=True)

    class Meta:
        verbose_name = "第三方评估样本"
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="evaluation_sample_once")]

    def __str__(self):
        return f"{self.org.name} {self.name}"


class Case(models.Model):
    """One sampled household and what the evaluators found (None: not surveyed yet or not asked of its stratum)."""

    sample = models.ForeignKey(Sample, on_delete=models.PROTECT, related_name="cases")
    archive = models.ForeignKey(Archive, on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")  # the archive's org when drawn
    stratum = models.CharField("层", max_length=10, choices=Stratum.choices)
    eligible = models.BooleanField("符合建档条件", null=True)       # filed strata: at filing; applicants: now
    still_hard = models.BooleanField("仍然困难", null=True)         # exited strata and active ones
    paired = models.BooleanField("帮扶联系人半年内走访", null=True)  # active ones
    note = models.CharField("评估说明", max_length=200, blank=True)
    checked_at = models.DateTimeField("评估录入时间", null=True, blank=True)

    class Meta:
        verbose_name = "评估样本户"
        constraints = [models.UniqueConstraint(fields=["sample", "archive"], name="evaluation_case_once")]
        indexes = [models.Index(fields=["sample", "stratum"])]

    def __str__(self):
        return f"样本{self.sample_id} 第{self.pk}户（{self.get_stratum_display()}）"
