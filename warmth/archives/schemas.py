"""Request and response schemas of the archive API (django-ninja). Money is accepted only as a string or an
integer: a JSON number with a decimal point is refused, because amounts are never floats."""


from __future__ import annotations

from datetime import date, datetime

from ninja import Schema

from warmth.archives.models import Archive, Transfer
from warmth.core import pii
from warmth.core.schemas import Money
from warmth.core.validation import InputSchema, LongText, Text

# --- input -----------------------------------------------------------------------------------------

class MemberIn(InputSchema):
    name: str = ""
    relation: str = ""
    sex: str = ""
    political_status: str = "群众"
    birth_date: date | None = None
    id_number: str = ""
    health: str = "良好"
    monthly_income: Money = "0"
    identity: str = ""
    school_or_employer: str = ""


class ArchiveFieldsIn(InputSchema):
    """The head fields of the 登记表. All optional in the schema: what is missing is reported by the service
    in Chinese (on update, what is left out keeps its current value)."""

    category: str | None = None
    name: str | None = None
    ethnicity: str | None = None
    political_status: str | None = None
    id_number: str | None = None
    health: str | None = None
    disability_type: str | None = None
    identity: str | None = None
    model_worker_type: str | None = None
    housing_type: str | None = None
    housing_area: str | None = None
    postcode: str | None = None
    phone: str | None = None
    work_start_date: date | None = None
    industry: str | None = None
    marital_status: str | None = None
    hukou_type: str | None = None
    address: str | None = None
    employer: str | None = None
    employer_type: str | None = None
    enterprise_status: str | None = None
    single_parent: bool | None = None
    monthly_income: Money = None
    household_annual_income: Money = None
    household_size: int | None = None
    hukou_region_code: str | None = None
    in_medical_insurance: bool | None = None
    self_help_capable: bool | None = None
    zero_employment: bool | None = None
    causes: list[str] | None = None
    remarks: str | None = None
    rigid_expenses: Money = None
    hardship_costs: Money = None
    dibao_monthly: Money = None
    dibao_from: date | None = None
    dibao_to: date | None = None


class ArchiveCreateIn(ArchiveFieldsIn):
    org: str  # the filing org's code (the actor's org or one below it)
    temporary: bool = False
    members: list[MemberIn] = []


class ArchiveUpdateIn(ArchiveFieldsIn):
    members: list[MemberIn] | None = None  # left out: the family stays as it is


class SearchIn(InputSchema):
    q: str


class NoteIn(InputSchema):
    note: LongText("说明") = ""


class ReasonIn(InputSchema):
    reason: LongText("原因") = ""


class VerifyIn(InputSchema):
    visited_on: date
    visitors: Text("核查人员", 100)
    findings: LongText("核查情况")
    publicity_start: date | None = None
    # a start before today: the reason, and the id of a 公示材料 attachment of the archive (the 公示 record)
    publicity_reason: Text("公示开始日期早于今天的理由", 200) = ""
    publicity_record_id: int | None = None


class ExitRequestIn(InputSchema):
    reason: str
    note: LongText("退档说明") = ""


class ExitApproveIn(InputSchema):
    publicity_start: date | None = None
    publicity_reason: Text("公示开始日期早于今天的理由", 200) = ""
    publicity_record_id: int | None = None


class ObjectionIn(InputSchema):
    received_on: date
    content: LongText("异议内容")
    raised_by: Text("反映人", 100) = ""


class ResolveIn(InputSchema):
    resolution: LongText("处理结果")


class ReviewIn(InputSchema):
    year: int
    result: str
    notes: LongText("复核意见") = ""


class PlanIn(InputSchema):
    needs: LongText("主要需求")
    measures: LongText("帮扶措施")
    contact_name: Text("帮扶联系人", 50)
    next_visit_date: date
    contact_phone: Text("联系人电话", 20) = ""


class TransferIn(InputSchema):
    to_org: str  # the receiving org's code (anywhere in the tree)
    reason: LongText("转出原因")


class DecideIn(InputSchema):
    accept: bool
    note: Text("说明", 500) = ""


# --- output ----------------------------------------------------------------------------------------

class MemberOut(Schema):
    id: int
    position: int
    name: str
    relation: str
    sex: str
    political_status: str
    birth_date: date
    id_number: str
    health: str
    monthly_income: str
    identity: str
    school_or_employer: str


class PlanOut(Schema):
    needs: str
    measures: str
    contact_name: str
    contact_phone: str
    next_visit_date: date
    updated_at: datetime


class StepOut(Schema):
    action: str
    from_status: str
    to_status: str
    actor_name: str
    at: datetime
    note: str
    data: dict


class ObjectionOut(Schema):
    id: int
    phase: str
    received_on: date
    raised_by: str
    content: str
    resolution: str
    resolved_at: datetime | None
    is_open: bool


class ReviewOut(Schema):
    year: int
    result: str
    notes: str
    reviewed_at: datetime


class PendingTransferOut(Schema):
    id: int
    to_org_code: str
    to_org_name: str
    reason: str
    requested_at: datetime


class ArchiveOut(Schema):
    id: int
    archive_no: str
    org_code: str
    org_name: str
    status: str
    status_label: str
    is_temporary: bool
    category: str
    category_scheme: str
    name: str
    ethnicity: str
    sex: str
    political_status: str
    birth_date: date
    id_number: str
    health: str
    disability_type: str
    identity: str
    model_worker_type: str
    housing_type: str
    housing_area: str
    postcode: str
    phone: str
    work_start_date: date | None
    industry: str
    marital_status: str
    hukou_type: str
    address: str
    employer: str
    employer_type: str
    enterprise_status: str
    single_parent: bool
    monthly_income: str
    household_annual_income: str
    household_size: int
    per_capita_income: str
    hukou_region_code: str
    hukou_region_name: str
    in_medical_insurance: bool
    self_help_capable: bool
    zero_employment: bool
    causes: list[str]
    remarks: str
    rigid_expenses: str
    hardship_costs: str
    dibao_monthly: str | None
    dibao_from: date | None
    dibao_to: date | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    publicity_start: date | None
    publicity_end: date | None
    # a 公示 that started before the day it was entered: flagged for the reviewer, with its reason and record
    publicity_backdated: bool
    publicity_entered_on: date | None
    publicity_late_reason: str
    activated_at: datetime | None
    exit_reason: str
    exit_note: str
    exited_at: datetime | None
    followup_date: date | None
    retain_until: date | None
    pii_full: bool  # whether ID numbers and phones are shown in full (the role holds pii.full)
    members: list[MemberOut]
    plan: PlanOut | None
    steps: list[StepOut]
    objections: list[ObjectionOut]
    reviews: list[ReviewOut]
    pending_transfers: list[PendingTransferOut]
    actions: list[str]          # what this caller may do now (the lifecycle's allowed actions), nothing else
    waiting_on: str | None      # who acts next ("待 … 审批通过"), None when the archive rests


class ArchiveRowOut(Schema):
    id: int
    archive_no: str
    org_code: str
    org_name: str
    status: str
    status_label: str
    is_temporary: bool
    category: str
    name: str
    sex: str
    id_number: str  # always masked in lists
    identity: str
    model_worker_type: str
    household_size: int
    per_capita_income: str
    created_at: datetime

    @staticmethod
    def resolve_org_code(obj: Archive) -> str:
        return obj.org.code

    @staticmethod
    def resolve_org_name(obj: Archive) -> str:
        return obj.org.name

    @staticmethod
    def resolve_status_label(obj: Archive) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_id_number(obj: Archive) -> str:
        return pii.mask_id_number(obj.id_number)

    @staticmethod
    def resolve_per_capita_income(obj: Archive) -> str:
        return str(obj.per_capita_income)


class TransferOut(Schema):
    id: int
    archive_id: int
    archive_no: str
    name: str
    from_org_code: str
    from_org_name: str
    to_org_code: str
    to_org_name: str
    reason: str
    requested_at: datetime
    status: str
    decided_at: datetime | None
    note: str

    @staticmethod
    def resolve_archive_no(obj: Transfer) -> str:
        return obj.archive.archive_no

    @staticmethod
    def resolve_name(obj: Transfer) -> str:
        return obj.archive.name

    @staticmethod
    def resolve_from_org_code(obj: Transfer) -> str:
        return obj.from_org.code

    @staticmethod
    def resolve_from_org_name(obj: Transfer) -> str:
        return obj.from_org.name

    @staticmethod
    def resolve_to_org_code(obj: Transfer) -> str:
        return obj.to_org.code

    @staticmethod
    def resolve_to_org_name(obj: Transfer) -> str:
        return obj.to_org.name


class SuggestionOut(Schema):
    category: str | None
    reason: str
    scheme: str
    dibao_monthly: str | None


