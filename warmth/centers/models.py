"""困难职工帮扶中心 registry: the centres (省级, 地市级, 县级; one per union), their 帮扶站点, their 定点帮扶机构
and the money that came into them by the sources the 帮扶中心工作统计表 print (seed 003 附件2, 000 附件2).

Nothing here is deleted. A station or a partner that stops is *closed* with a date and a reason (it stays, and
the forms stop counting it after that date); a funding row entered wrongly is *corrected* by a new row that
points to it (``replaces``), and the old row is marked ``superseded``. Every change is audited by the
services. Each record carries the ``org`` it is counted under (a station the union it sits in, inside the
centre's subtree; a partner and a funding row the centre's own org), so a statistics source over an org's
subtree is one path-prefix filter, and the reports' provenance page can narrow it like any other record."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from warmth.centers.choices import (
    IN_BUDGET_LABEL,
    MATCHED_EQUAL_LABEL,
    MATCHED_PROPORTIONAL_LABEL,
    CenterFundSource,
    CenterLevel,
    PartnerKind,
    StationKind,
)
from warmth.core.fields import MoneyField


class _Kept(models.Model):
    """Rows of the registry are closed or superseded, never deleted."""

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        raise ValidationError(f"{self._meta.verbose_name}不能删除：请关闭或更正，记录保留备查。")


class Center(_Kept):
    """One 困难职工帮扶中心 of a 省、市(州) or 县(区) union; its figures are the present ones (the forms ask 目前)."""

    org = models.OneToOneField("orgs.Org", on_delete=models.PROTECT, related_name="center", verbose_name="所属工会")
    level = models.CharField("级别", max_length=12, choices=CenterLevel.choices)
    name = models.CharField("名称", max_length=100)
    founded_on = models.DateField("成立日期")
    address = models.CharField("地址", max_length=200, blank=True)
    own_premises = models.BooleanField("有独立服务场所", default=False)
    area = models.PositiveIntegerField("服务场所面积（平方米）", null=True, blank=True)
    staff_fulltime = models.PositiveIntegerField("专职工作人员（人）", default=0)
    staff_parttime = models.PositiveIntegerField("兼职工作人员（人）", default=0)
    volunteers = models.PositiveIntegerField("工会志愿者（人）", default=0)
    in_budget = models.BooleanField(IN_BUDGET_LABEL, default=False)
    matched_proportional = models.BooleanField(MATCHED_PROPORTIONAL_LABEL, default=False)
    matched_equal = models.BooleanField(MATCHED_EQUAL_LABEL, default=False)
    hours = models.CharField("开放时间", max_length=100, blank=True)
    hotline = models.CharField("服务热线", max_length=40, blank=True)
    created_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "帮扶中心"
        verbose_name_plural = "帮扶中心"
        ordering = ["org__path"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_level_display()}）"

    @property
    def staff(self) -> int:
        """工作人员 as the forms count them: 专职 and 兼职 together."""
        return self.staff_fulltime + self.staff_parttime


class _Closable(_Kept):
    closed_on = models.DateField("关闭日期", null=True, blank=True)
    close_reason = models.CharField("关闭原因", max_length=200, blank=True)
    closed_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    @property
    def closed(self) -> bool:
        return self.closed_on is not None

    def open_at(self, day: date) -> bool:
        """Counted on ``day``: set up by then and not closed by then."""
        return self.started_on <= day and (self.closed_on is None or self.closed_on > day)


class Station(_Closable):
    """帮扶站点 (帮扶工作站) of a centre, sitting in a union of the centre's subtree (the centre's own union, a
    乡镇（街道）工会, an enterprise's union …)."""

    center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="stations", verbose_name="帮扶中心")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="所在工会")
    kind = models.CharField("类型", max_length=12, choices=StationKind.choices)
    name = models.CharField("名称", max_length=100)
    above_scale = models.BooleanField("规模以上企业", default=False)
    non_public = models.BooleanField("非公企业", default=False)
    set_up_on = models.DateField("设立日期")
    address = models.CharField("地址", max_length=200, blank=True)

    class Meta:
        verbose_name = "帮扶站点"
        verbose_name_plural = "帮扶站点"
        ordering = [F("closed_on").asc(nulls_first=True), "kind", "id"]  # open ones first, on every database
        constraints = [
            models.CheckConstraint(condition=Q(kind=StationKind.ENTERPRISE) | Q(above_scale=False, non_public=False),
                                   name="station_flags_only_for_enterprises"),
            models.CheckConstraint(condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("set_up_on")),
                                   name="station_closed_after_set_up"),
            models.CheckConstraint(condition=Q(closed_on__isnull=True, close_reason="")
                                   | (Q(closed_on__isnull=False) & ~Q(close_reason="")),
                                   name="station_closed_with_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"

    @property
    def started_on(self) -> date:
        return self.set_up_on


class Partner(_Closable):
    """定点帮扶机构 of a centre: 自建或联建 or 定点 (by agreement) with the union."""

    center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="partners", verbose_name="帮扶中心")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="所属工会")
    kind = models.CharField("类型", max_length=12, choices=PartnerKind.choices)
    name = models.CharField("名称", max_length=100)
    agreed_on = models.DateField("建立（签约）日期")
    address = models.CharField("地址", max_length=200, blank=True)

    class Meta:
        verbose_name = "定点帮扶机构"
        verbose_name_plural = "定点帮扶机构"
        ordering = [F("closed_on").asc(nulls_first=True), "kind", "id"]  # open ones first, on every database
        constraints = [
            models.CheckConstraint(condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("agreed_on")),
                                   name="partner_closed_after_agreed"),
            models.CheckConstraint(condition=Q(closed_on__isnull=True, close_reason="")
                                   | (Q(closed_on__isnull=False) & ~Q(close_reason="")),
                                   name="partner_closed_with_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"

    @property
    def started_on(self) -> date:
        return self.agreed_on


class CenterFunding(_Kept):
    """Money that came into a centre in a year (年度), by the forms' source lines, in 元 (the forms print 万元). A
    地方财政拨款 row may be marked as the 同级财政's 专项帮扶资金 (2014 items 6–8, 2013 items 5–7). A correction
    is a new row that ``replaces`` this one; this one is then ``superseded`` and counts no more."""

    center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="funding", verbose_name="帮扶中心")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="所属工会")
    year = models.PositiveSmallIntegerField("年度")
    source = models.CharField("资金来源", max_length=12, choices=CenterFundSource.choices)
    special = models.BooleanField("其中：同级财政专项帮扶资金", default=False)
    amount = MoneyField("金额（元）")
    note = models.CharField("文号或说明", max_length=200, blank=True)
    replaces = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="replaced_by", verbose_name="更正的记录")
    reason = models.CharField("更正理由", max_length=200, blank=True)
    superseded = models.BooleanField("已被更正", default=False)
    created_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "帮扶中心资金"
        verbose_name_plural = "帮扶中心资金"
        ordering = ["year", "source", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=Decimal("0")), name="center_funding_not_negative"),
            models.CheckConstraint(condition=Q(special=False) | Q(source=CenterFundSource.LOCAL),
                                   name="center_funding_special_is_local_finance"),
            models.CheckConstraint(condition=Q(replaces__isnull=True) | ~Q(reason=""),
                                   name="center_funding_correction_has_reason"),
        ]
        indexes = [models.Index(fields=["year", "superseded"], name="center_funding_year_live")]

    def __str__(self) -> str:
        special = "（专项帮扶资金）" if self.special else ""
        return f"{self.year}年 {self.get_source_display()}{special} {self.amount} 元"
