"""The append-only audit log. Rows are only ever inserted: the model refuses updates and deletes, and a
database trigger (SQLite and PostgreSQL, see the migration) refuses them even from raw SQL."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from warmth.audit import actions


class AppendOnlyError(Exception):
    pass


class AuditEvent(models.Model):
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor = models.ForeignKey("orgs.User", verbose_name="操作人", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+", db_constraint=False)
    actor_name = models.CharField("操作人姓名", max_length=150, blank=True)
    role = models.CharField("角色", max_length=16, blank=True)
    org = models.ForeignKey("orgs.Org", verbose_name="组织", null=True, blank=True,
                            on_delete=models.PROTECT, related_name="+", db_constraint=False)
    action = models.CharField("操作", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    request_id = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计日志只能追加，不能删除")

    @property
    def action_label(self) -> str:
        return actions.label(self.action)

    @property
    def object_label(self) -> str:
        return actions.object_label(self.object_type)

    @property
    def role_label(self) -> str:
        return actions.VALUE_LABELS.get(self.role, self.role)

    @property
    def before_text(self) -> str:
        return actions.describe(self.before, self.object_type)

    @property
    def after_text(self) -> str:
        return actions.describe(self.after, self.object_type)
