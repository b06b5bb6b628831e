"""家庭经济状况核对 (the income check by the 民政 核对 centre): the signed authorisation per archive, the batches sent
to the centre, each household's answer and, for a 不一致 answer, the reviewer's decision (``services``)."""

from django.conf import settings
from django.db import models

from warmth.archives.models import Archive
from warmth.core.fields import MoneyField
from warmth.orgs.models import Org


class Authorization(models.Model):
    """A signed 家庭经济状况核对授权书: a scan of the form or the handler's note that it is signed (本人已签署).
    A newer one supersedes the older (kept, never deleted)."""

    archive = models.ForeignKey(Archive, on_delete=models.PROTECT, related_name="+")
    signed_on = models.DateField("签署日期")
    signer = models.CharField("签署人", max_length=50)
    declared = models.BooleanField("本人已签署（无扫描件）", default=False)
    file = models.CharField(max_length=200, blank=True)          # under WARMTH_FILES_DIR (core.files)
    content_type = models.CharField(max_length=40, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    original_name = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "核对授权书"
        indexes = [models.Index(fields=["archive", "superseded_at"])]

    def __str__(self):
        return f"{self.signer} {self.signed_on}"


class Result(models.TextChoices):
    CONSISTENT = "consistent", "一致"
    INCONSISTENT = "inconsistent", "不一致"
    UNABLE = "unable", "无法核对"


class Decision(models.TextChoices):
    KEEP = "keep", "维持"
    CHANGE = "change", "调整类别"
    EXIT = "exit", "建议退档"


class CheckBatch(models.Model):
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+", verbose_name="组织")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("建立时间", auto_now_add=True)

    class Meta:
        verbose_name = "收入核对批次"

    def __str__(self):
        return self.number

    @property
    def number(self) -> str:  # 批次号
        return f"HC{self.org.code}-{self.pk:05d}"


class Check(models.Model):
    """One household sent to the centre; its pk is the 核对编号 the centre answers with."""

    batch = models.ForeignKey(CheckBatch, on_delete=models.PROTECT, related_name="checks")
    archive = models.ForeignKey(Archive, on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")  # the archive's org when sent
    authorization = models.ForeignKey(Authorization, on_delete=models.PROTECT, related_name="+")
    declared_income = MoneyField("申报家庭年收入")
    result = models.CharField("核对结果", max_length=12, choices=Result.choices, blank=True)
    checked_income = MoneyField("核对家庭年收入", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField("复核决定", max_length=8, choices=Decision.choices, blank=True)
    decision_note = models.CharField("复核说明", max_length=200, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                   blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "收入核对"
        constraints = [models.UniqueConstraint(fields=["batch", "archive"], name="incomecheck_check_once")]
        indexes = [models.Index(fields=["result", "decided_at"])]

    def __str__(self):
        return f"核对{self.pk}"
