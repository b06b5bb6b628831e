"""The one table of the base layer: days of the official holiday calendar entered by hand (国务院办公厅's yearly
notice on 部分节假日安排), for years the bundled holiday library does not know yet or where it is wrong."""

from django.conf import settings
from django.db import models


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", "放假"
    WORKDAY = "workday", "调休上班"


class CalendarDay(models.Model):
    """One day's status as the notice gives it; a withdrawn row is kept (who, when) and no longer counts."""

    day = models.DateField("日期")
    kind = models.CharField("安排", max_length=8, choices=DayKind.choices)
    name = models.CharField("节日", max_length=20, blank=True)
    basis = models.CharField("依据", max_length=100)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField("录入时间", auto_now_add=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    withdrawn_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day"], condition=models.Q(withdrawn_at__isnull=True),
                                               name="calendarday_one_live_per_day")]
        ordering = ["day"]

    def __str__(self):
        return f"{self.day} {self.get_kind_display()}"
