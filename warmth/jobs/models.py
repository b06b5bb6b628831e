"""A background job's progress record: what the UI polls while django-tasks runs the work."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class Job(models.Model):
    kind = models.CharField("类型", max_length=64)
    title = models.CharField("名称", max_length=200)
    params = models.JSONField("参数", default=dict, blank=True)
    org = models.ForeignKey("orgs.Org", verbose_name="组织", on_delete=models.PROTECT, related_name="+")
    membership = models.ForeignKey("orgs.Membership", verbose_name="身份", on_delete=models.PROTECT,
                                   related_name="+")
    created_by = models.ForeignKey("orgs.User", verbose_name="创建人", on_delete=models.PROTECT,
                                   related_name="+")
    status = models.CharField("状态", max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    done = models.PositiveIntegerField("已处理", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    message = models.CharField("进度说明", max_length=300, blank=True)
    result = models.JSONField("结果", null=True, blank=True)
    result_file = models.CharField("结果文件", max_length=300, blank=True)
    result_name = models.CharField("下载文件名", max_length=200, blank=True)
    error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("执行次数", default=0)
    files_deleted_at = models.DateTimeField("文件删除时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(total=0) | models.Q(done__lte=models.F("total")),
                                   name="job_done_within_total"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def files_keep_days(self) -> int:
        return settings.WARMTH_EXPORT_KEEP_DAYS

    @property
    def files_expire_at(self) -> datetime | None:
        """When the job's files (its result, anything under jobs/<id>/) are deleted: WARMTH_EXPORT_KEEP_DAYS
        after it finished. They hold personal data (full ID numbers in exports), so they do not stay."""
        if self.finished_at is None:
            return None
        return self.finished_at + timedelta(days=self.files_keep_days)

    @property
    def files_expired(self) -> bool:
        """Past the expiry (deleted, or about to be by the worker's next sweep): no longer downloadable."""
        expires = self.files_expire_at
        return self.files_deleted_at is not None or (expires is not None and expires <= timezone.now())


class JobHeartbeat(models.Model):
    """Proof that the worker running a job is alive: its ``beat_at`` is refreshed every few seconds from a
    thread of the worker (its own database connection), so it moves even while the handler is busy inside
    one long transaction. Kept apart from the job row, which a handler's transaction may hold locked."""

    job = models.OneToOneField(Job, verbose_name="任务", on_delete=models.CASCADE, primary_key=True,
                               related_name="heartbeat")
    worker = models.CharField("工作进程", max_length=200)
    beat_at = models.DateTimeField("最近心跳")

    class Meta:
        verbose_name = "任务心跳"

    def __str__(self) -> str:
        return f"{self.job_id} @ {self.worker}"
