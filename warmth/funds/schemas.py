"""Request and response schemas of the funds API. Money in is a string ("1000.00") or an integer; a JSON
number with a decimal point is refused (422). Money out is always a string with two decimals."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema

from warmth.core.schemas import Money
from warmth.core.validation import InputSchema


def _m(value) -> str | None:
    return None if value is None else str(value)


class RaiseIn(InputSchema):
    org: str
    year: int
    source: str
    purpose: str
    amount: Money
    received_on: date
    doc_no: str = ""
    donor: str = ""
    is_goods: bool = False
    goods_description: str = ""
    spend_by: date | None = None
    note: str = ""


class AllocateIn(InputSchema):
    to_org: str
    amount: Money
    doc_no: str
    allocated_on: date
    spend_by: date | None = None
    note: str = ""


class PlanIn(InputSchema):
    total: Money
    doc_no: str
    allocated_on: date
    spend_by: date | None = None


class PlanLineIn(InputSchema):
    to_org: str
    amount: Money


class ReasonIn(InputSchema):
    reason: str


class ConvertIn(InputSchema):
    amount: Money
    decision: int
    on_date: date


class EvaluateIn(InputSchema):
    amount: Money
    method: str = "bank"
    purpose: str = ""
    on_visit: bool = False
    archive_status: str | None = None
    paid_on: date | None = None


class RuleSetIn(InputSchema):
    org: str
    code: str
    mode: str
    max: Money = None
    reason: str


class PotOut(Schema):
    id: int
    org: str
    org_name: str
    year: int
    source: str
    source_label: str
    purpose: str
    purpose_label: str
    balance: str

    @staticmethod
    def resolve_org(obj):
        return obj.org.code

    @staticmethod
    def resolve_org_name(obj):
        return obj.org.name

    @staticmethod
    def resolve_source_label(obj):
        return obj.get_source_display()

    @staticmethod
    def resolve_purpose_label(obj):
        return obj.get_purpose_display()

    @staticmethod
    def resolve_balance(obj):
        return _m(obj.balance)


class PotDetailOut(Schema):
    id: int
    org: str
    org_name: str
    year: int
    source: str
    source_label: str
    purpose: str
    purpose_label: str
    balance: str
    available: str          # what may still be spent today
    expired: str            # money past its spend-by date, unspent
    spend_by: date | None   # the earliest spend-by date not yet passed
    decisions: list[int]


class EntryOut(Schema):
    id: int
    kind: str
    amount: str
    balance_after: str
    on_date: date
    spend_by: date | None
    memo: str
    reverses: int | None
    created_at: datetime

    @staticmethod
    def resolve_amount(obj):
        return _m(obj.amount)

    @staticmethod
    def resolve_balance_after(obj):
        return _m(obj.balance_after)

    @staticmethod
    def resolve_reverses(obj):
        return obj.reverses_id


class RaiseOut(Schema):
    id: int
    org: str
    pot: int
    year: int
    source: str
    purpose: str
    amount: str
    received_on: date
    doc_no: str
    donor: str
    is_goods: bool
    goods_description: str
    spend_by: date | None

    @staticmethod
    def resolve_org(obj):
        return obj.org.code

    @staticmethod
    def resolve_pot(obj):
        return obj.pot_id

    @staticmethod
    def resolve_amount(obj):
        return _m(obj.amount)


class AllocationOut(Schema):
    id: int
    from_org: str
    to_org: str
    from_pot: int
    to_pot: int
    plan: int | None
    amount: str
    doc_no: str
    allocated_on: date
    spend_by: date | None

    @staticmethod
    def resolve_from_org(obj):
        return obj.from_org.code

    @staticmethod
    def resolve_to_org(obj):
        return obj.to_org.code

    @staticmethod
    def resolve_from_pot(obj):
        return obj.from_pot_id

    @staticmethod
    def resolve_to_pot(obj):
        return obj.to_pot_id

    @staticmethod
    def resolve_plan(obj):
        return obj.plan_id

    @staticmethod
    def resolve_amount(obj):
        return _m(obj.amount)


class PlanLineOut(Schema):
    to_org: str
    to_org_name: str
    households: int
    amount: str


class PlanOut(Schema):
    id: int
    org: str
    pot: int
    total: str
    basis: str
    doc_no: str
    allocated_on: date
    spend_by: date | None
    status: str
    lines: list[PlanLineOut]


class DecisionOut(Schema):
    id: int
    org: str
    year: int
    kind: str
    meeting: str
    held_on: date
    summary: str
    pots: list[int]
    minutes_name: str

    @staticmethod
    def resolve_org(obj):
        return obj.org.code

    @staticmethod
    def resolve_pots(obj):
        return [p.pk for p in obj.pots.all()]


class VerdictOut(Schema):
    code: str
    name: str
    mode: str
    outcome: str
    message: str


class EvaluationOut(Schema):
    blocked: bool
    verdicts: list[VerdictOut]


class LineOut(Schema):
    source: str
    purpose: str
    raised: str
    received: str
    allocated: str
    paid: str
    converted: str
    balance: str
    spend_rate: str | None
    spend_by: date | None


class ChildOut(Schema):
    org: str
    org_name: str
    total: LineOut


class UnspentOut(Schema):
    pot: int
    org: str
    deadline: date
    amount: str


class StatementOut(Schema):
    org: str
    year: int
    own: list[LineOut]
    own_total: LineOut
    subtree: list[LineOut]
    subtree_total: LineOut
    children: list[ChildOut]
    unspent: list[UnspentOut]


class RuleOut(Schema):
    code: str
    name: str
    description: str
    seed: str
    mode: str
    params: dict
    locked: bool
    set_at: str | None
