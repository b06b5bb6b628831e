"""困难职工档案: one household, one archive, the 户主 being the worker; every field of the 登记表 (seed 004 附件3).

Invariants the database holds: an archive number is unique; a person (head or family member, by the blind
index of the ID number) is in at most one live archive in the whole system (``ArchivePerson``); incomes
and counts are never negative; a household has at least one person; the three causes are distinct.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone

from warmth.archives.choices import (
    NATIONAL_SCHEME,
    ArchiveStatus,
    AttachmentKind,
    DisabilityType,
    EmployerType,
    EnterpriseStatus,
    Ethnicity,
    ExitReason,
    HardshipCategory,
    HardshipCause,
    Health,
    HousingArea,
    HousingType,
    HukouType,
    Identity,
    Industry,
    MaritalStatus,
    MemberIdentity,
    ModelWorkerType,
    PoliticalStatus,
    Relation,
    ReviewResult,
    Sex,
)
from warmth.core import pii, regions
from warmth.core.fields import BlindIndexField, EncryptedTextField, MoneyField

# Statuses in which an archive holds its people (a second archive for them is refused).
LIVE_STATUSES = tuple(s for s in ArchiveStatus.values if s not in (ArchiveStatus.EXITED, ArchiveStatus.REJECTED))


class Archive(models.Model):
    org = models.ForeignKey("orgs.Org", verbose_name="建档单位", on_delete=models.PROTECT, related_name="archives")
    archive_no = models.CharField("档案编号", max_length=40, unique=True)
    status = models.CharField("状态", max_length=20, choices=ArchiveStatus.choices, default=ArchiveStatus.DRAFT)
    is_temporary = models.BooleanField("临时救助档案", default=False)
    category = models.CharField("困难类别", max_length=10, choices=HardshipCategory.choices)

    # 户主 (the worker)
    name = models.CharField("姓名", max_length=50)  # indexed with birth_date (archive_name_birth)
    ethnicity = models.CharField("民族", max_length=10, choices=Ethnicity.choices, default="汉族")
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    political_status = models.CharField("政治面貌", max_length=10, choices=PoliticalStatus.choices)
    birth_date = models.DateField("出生日期")
    id_number = EncryptedTextField("身份证号", kind=pii.ID_NUMBER)
    id_number_bidx = BlindIndexField(source="id_number")
    health = models.CharField("健康状况", max_length=4, choices=Health.choices)
    disability_type = models.CharField("残疾类别", max_length=8, choices=DisabilityType.choices,
                                       default=DisabilityType.NONE)
    identity = models.CharField("身份", max_length=10, choices=Identity.choices)
    model_worker_type = models.CharField("劳模类型", max_length=10, choices=ModelWorkerType.choices,
                                         default=ModelWorkerType.NONE)
    housing_type = models.CharField("住房类型", max_length=10, choices=HousingType.choices)
    housing_area = models.CharField("建筑面积", max_length=6, choices=HousingArea.choices)
    postcode = models.CharField("邮政编码", max_length=6, blank=True)
    phone = EncryptedTextField("联系电话", kind=pii.PHONE, blank=True)
    phone_bidx = BlindIndexField(source="phone")
    work_start_date = models.DateField("工作时间", null=True, blank=True)
    industry = models.CharField("所属行业", max_length=10, choices=Industry.choices)
    marital_status = models.CharField("婚姻状况", max_length=4, choices=MaritalStatus.choices)
    hukou_type = models.CharField("户口类型", max_length=4, choices=HukouType.choices)
    address = models.CharField("家庭住址", max_length=200)
    employer = models.CharField("工作单位", max_length=200, blank=True)
    employer_type = models.CharField("单位性质", max_length=12, choices=EmployerType.choices)
    enterprise_status = models.CharField("企业状况", max_length=8, choices=EnterpriseStatus.choices)
    single_parent = models.BooleanField("是否单亲", default=False)
    monthly_income = MoneyField("本人月平均收入")
    household_annual_income = MoneyField("家庭年度总收入")
    household_size = models.PositiveSmallIntegerField("家庭人口")
    hukou_region_code = models.CharField("户口所在地行政区划", max_length=6,
                                         help_text="县（区）级行政区划代码，显示为省、市、县（区）")
    in_medical_insurance = models.BooleanField("是否进入医保", default=False)
    self_help_capable = models.BooleanField("是否有一定自救能力", default=False)
    zero_employment = models.BooleanField("是否为零就业家庭", default=False)
    cause_1 = models.CharField("致困主要原因1", max_length=12, choices=HardshipCause.choices)
    cause_2 = models.CharField("致困主要原因2", max_length=12, choices=HardshipCause.choices, blank=True)
    cause_3 = models.CharField("致困主要原因3", max_length=12, choices=HardshipCause.choices, blank=True)
    remarks = models.TextField("备注", blank=True)

    # For the category rules (national standard) and the voucher's 低保 details
    rigid_expenses = MoneyField("家庭年度刚性支出", default=Decimal("0"),
                                help_text="医疗、教育等必需支出，用于深度/相对困难的认定")
    hardship_costs = MoneyField("年度致困支出", default=Decimal("0"),
                                help_text="意外、大病等当年支出，超过家庭收入80%可认定意外致困")
    dibao_monthly = MoneyField("享受低保月额", null=True, blank=True)
    dibao_from = models.DateField("低保起始", null=True, blank=True)
    dibao_to = models.DateField("低保截止", null=True, blank=True)

    # Lifecycle
    created_by = models.ForeignKey("orgs.User", verbose_name="建档人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("建档时间", default=timezone.now)
    updated_at = models.DateTimeField("最近修改", default=timezone.now)
    publicity_start = models.DateField("公示开始", null=True, blank=True)
    publicity_end = models.DateField("公示截止", null=True, blank=True)
    # a 公示 start earlier than the day it was entered: the reason and the 公示 record, flagged for the reviewer
    publicity_entered_on = models.DateField("公示登记日", null=True, blank=True)
    publicity_late_reason = models.CharField("公示开始日期早于登记日的理由", max_length=200, blank=True)
    publicity_record = models.ForeignKey("Attachment", on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="+", verbose_name="公示记录")
    activated_at = models.DateTimeField("在档时间", null=True, blank=True)
    exit_reason = models.CharField("退档原因", max_length=10, choices=ExitReason.choices, blank=True)
    exit_note = models.TextField("退档说明", blank=True)
    exited_at = models.DateTimeField("退档时间", null=True, blank=True)
    followup_date = models.DateField("回访日期", null=True, blank=True)
    retain_until = models.DateField("保存至", null=True, blank=True)

    class Meta:
        verbose_name = "困难职工档案"
        verbose_name_plural = "困难职工档案"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["org", "status"], name="archive_org_status"),
            models.Index(fields=["name", "birth_date"], name="archive_name_birth"),
            models.Index(fields=["-created_at", "-id"], name="archive_newest_first"),
            # what changed since a past day (``queries.changed_since``): a past form from the tally, corrected
            models.Index(fields=["status", "activated_at"], name="archive_status_activated"),
            models.Index(fields=["status", "exited_at"], name="archive_status_exited"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(household_size__gte=1), name="archive_household_size_positive"),
            models.CheckConstraint(condition=Q(monthly_income__gte=0) & Q(household_annual_income__gte=0)
                                   & Q(rigid_expenses__gte=0) & Q(hardship_costs__gte=0),
                                   name="archive_money_not_negative"),
            models.CheckConstraint(condition=~Q(cause_1="") & ~Q(cause_2=models.F("cause_1"))
                                   & (Q(cause_3="") | (~Q(cause_3=models.F("cause_1"))
                                                       & ~Q(cause_3=models.F("cause_2")) & ~Q(cause_2=""))),
                                   name="archive_causes_one_to_three_distinct"),
        ]

    def __str__(self) -> str:
        return f"{self.archive_no} {self.name}"

    @property
    def publicity_backdated(self) -> bool:
        """The current 公示 started before the day it was entered (the reviewer checks its record)."""
        return bool(self.publicity_late_reason)

    @property
    def per_capita_income(self) -> Decimal:
        """家庭年人均收入 = 家庭年度总收入 / 家庭人口 (a derived figure, never stored)."""
        return (self.household_annual_income / self.household_size).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def causes(self) -> list[str]:
        return [c for c in (self.cause_1, self.cause_2, self.cause_3) if c]

    @property
    def is_model_worker(self) -> bool:
        return self.model_worker_type != ModelWorkerType.NONE

    @property
    def is_migrant_worker(self) -> bool:
        return self.identity == Identity.MIGRANT

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def category_scheme(self) -> str:
        return "national" if self.category in NATIONAL_SCHEME else "seed"

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))

    @property
    def hukou_region_name(self) -> str:
        r = regions.current(self.hukou_region_code) or next(iter(regions.lookup(self.hukou_region_code)[-1:]), None)
        return r.full_name if r else self.hukou_region_code


class FamilyMember(models.Model):
    archive = models.ForeignKey(Archive, verbose_name="档案", on_delete=models.CASCADE, related_name="members")
    position = models.PositiveSmallIntegerField("序号", default=0)
    name = models.CharField("姓名", max_length=50)
    relation = models.CharField("关系", max_length=4, choices=Relation.choices)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    political_status = models.CharField("政治面貌", max_length=10, choices=PoliticalStatus.choices,
                                        default=PoliticalStatus.MASSES)
    birth_date = models.DateField("出生日期")
    id_number = EncryptedTextField("身份证号", kind=pii.ID_NUMBER, blank=True)
    id_number_bidx = BlindIndexField(source="id_number")
    health = models.CharField("健康状况", max_length=4, choices=Health.choices, default=Health.GOOD)
    monthly_income = MoneyField("月收入", default=Decimal("0"))
    identity = models.CharField("身份", max_length=10, choices=MemberIdentity.choices)
    school_or_employer = models.CharField("单位或学校", max_length=200, blank=True)

    class Meta:
        verbose_name = "家庭成员"
        ordering = ["archive", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(monthly_income__gte=0), name="member_income_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.relation}）"


class ArchivePerson(models.Model):
    """Who is in which live archive, by ID blind index. The partial unique constraint is the system-wide
    rule "one person, one live archive", held by the database even against two filings at once."""

    archive = models.ForeignKey(Archive, on_delete=models.CASCADE, related_name="persons")
    id_bidx = models.CharField(max_length=32)
    is_head = models.BooleanField(default=False)
    member = models.ForeignKey(FamilyMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    live = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["id_bidx"], condition=Q(live=True), name="one_live_archive_per_person"),
        ]
        indexes = [models.Index(fields=["id_bidx"], name="archive_person_bidx")]

    def __str__(self) -> str:
        return f"{self.archive_id}:{'户主' if self.is_head else '成员'}"


class ArchiveCounter(models.Model):
    """The last sequence number used for archive numbers of an org in a year."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="archive_counter_org_year")]

    def __str__(self) -> str:
        return f"{self.org_id}/{self.year}: {self.last}"


class ArchiveStep(models.Model):
    """The archive's timeline: every lifecycle step with who, when, from and to which status, and a note."""

    archive = models.ForeignKey(Archive, on_delete=models.PROTECT, related_name="steps")
    action = models.CharField("步骤", max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey("orgs.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField("说明", blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.archive_id} {self.action}"


class Objection(models.Model):
    """An objection received during a 公示 (of filing or of exit)."""

    archive = models.ForeignKey(Archive, on_delete=models.PROTECT, related_name="objections")
    phase = models.CharField("公示阶段", max_length=20, choices=[("filing", "建档公示"), ("exit", "退档公示")])
    received_on = models.DateField("收到日期")
    raised_by = models.CharField("反映人", max_length=100, blank=True)
    content = models.TextField("异议内容")
    resolution = models.TextField("处理结果", blank=True)
    resolved_by = models.ForeignKey("orgs.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["received_on", "id"]

    def __str__(self) -> str:
        return f"{self.archive_id} {self.received_on}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class ArchiveReview(models.Model):
    """The yearly 复核 of an archive (动态管理)."""

    archive = models.ForeignKey(Archive, on_delete=models.PROTECT, related_name="reviews")
    year = models.PositiveSmallIntegerField("年度")
    result = models.CharField("复核结果", max_length=6, choices=ReviewResult.choices)
    notes = models.TextField("复核意见", blank=True)
    reviewer = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["archive", "year"], name="one_review_per_archive_year")]

    def __str__(self) -> str:
        return f"{self.archive_id} {self.year} {self.result}"


class AssistancePlan(models.Model):
    """一户一策: the household's needs, the measures, the named 帮扶联系人 and the next home visit."""

    archive = models.OneToOneField(Archive, on_delete=models.PROTECT, related_name="plan")
    needs = models.TextField("主要需求")
    measures = models.TextField("帮扶措施")
    contact_name = models.CharField("帮扶联系人", max_length=50)
    contact_phone = EncryptedTextField("联系人电话", kind=pii.PHONE, blank=True)
    contact_phone_bidx = BlindIndexField(source="contact_phone")
    next_visit_date = models.DateField("下次入户走访")
    updated_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "一户一策帮扶计划"

    def __str__(self) -> str:
        return f"{self.archive_id} 帮扶计划"


class Attachment(models.Model):
    """A typed file of an archive, stored outside the web root and served only through the access helper.
    A withdrawn attachment is kept (its record and file), only hidden from the list."""

    archive = models.ForeignKey(Archive, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField("附件类型", max_length=16, choices=AttachmentKind.choices)
    original_name = models.CharField("文件名", max_length=200)
    stored_path = models.CharField(max_length=300)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField("大小")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.original_name}"


class DibaoStandard(models.Model):
    """The local minimum living standard (低保标准) of a region in a year, per person per month."""

    region_code = models.CharField("行政区划代码", max_length=6)
    year = models.PositiveSmallIntegerField("年度")
    monthly_amount = MoneyField("月低保标准（元/人）")

    class Meta:
        verbose_name = "低保标准"
        constraints = [
            models.UniqueConstraint(fields=["region_code", "year"], name="dibao_region_year"),
            models.CheckConstraint(condition=Q(monthly_amount__gt=0), name="dibao_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.year}: {self.monthly_amount}"


class DuplicateFlag(models.Model):
    """A possible duplicate without an ID match (same name and birth date): for a person to decide."""

    archive = models.ForeignKey(Archive, on_delete=models.PROTECT, related_name="duplicate_flags")
    other = models.ForeignKey(Archive, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=50)
    birth_date = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    resolution = models.CharField("处理结论", max_length=20, blank=True,
                                  choices=[("not_duplicate", "不是同一人"), ("duplicate", "确为重复")])
    note = models.TextField("说明", blank=True)
    resolved_by = models.ForeignKey("orgs.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["archive", "other"], name="duplicate_flag_pair")]

    def __str__(self) -> str:
        return f"{self.archive_id}~{self.other_id}"


class Transfer(models.Model):
    """转出/转入: an archive moving to another org; the receiving org accepts or refuses."""

    archive = models.ForeignKey(Archive, on_delete=models.PROTECT, related_name="transfers")
    from_org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    to_org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField("转出原因")
    requested_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, default="pending",
                              choices=[("pending", "待接收"), ("accepted", "已接收"), ("refused", "已拒收")])
    decided_by = models.ForeignKey("orgs.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["archive"], condition=Q(status="pending"),
                                               name="one_pending_transfer_per_archive")]

    def __str__(self) -> str:
        return f"{self.archive_id} → {self.to_org_id}"
