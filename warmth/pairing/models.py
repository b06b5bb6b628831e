"""结对帮扶: a named union cadre per 在档 household (``Pairing``, history kept: a reassignment ends the previous
one) and the cadre's visit records (``PairingVisit``, kept: a correction is a new record naming the one it
corrects). Due dates and coverage are in ``warmth.pairing.services``."""

from django.conf import settings
from django.db import models

from warmth.archives.models import Archive
from warmth.orgs.models import Org


class Pairing(models.Model):
    archive = models.ForeignKey(Archive, on_delete=models.PROTECT, related_name="+", verbose_name="档案")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")  # the archive's org when assigned
    cadre = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name="结对干部")
    started_on = models.DateField("结对开始")
    ended_on = models.DateField("结对结束", null=True, blank=True)
    end_reason = models.CharField("结束原因", max_length=200, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField("指定时间", auto_now_add=True)

    class Meta:
        verbose_name = "结对帮扶"
        constraints = [models.UniqueConstraint(fields=["archive"], condition=models.Q(ended_on__isnull=True),
                                               name="pairing_one_current")]
        indexes = [models.Index(fields=["cadre", "ended_on"])]

    def __str__(self):
        return f"结对{self.pk}（档案{self.archive_id}）"


class PairingVisit(models.Model):
    pairing = models.ForeignKey(Pairing, on_delete=models.PROTECT, related_name="visits")
    archive = models.ForeignKey(Archive, on_delete=models.PROTECT, related_name="+")  # = pairing.archive
    visited_on = models.DateField("走访日期")
    findings = models.TextField("走访情况")
    needs = models.TextField("家庭需求", blank=True)
    photos = models.JSONField("照片", default=list)  # [{rel_path, content_type, size, sha256, original_name}]
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name="更正的记录")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "结对帮扶走访"
        indexes = [models.Index(fields=["archive", "visited_on"]), models.Index(fields=["pairing", "visited_on"])]

    def __str__(self):
        return f"走访{self.pk}（{self.visited_on}）"
