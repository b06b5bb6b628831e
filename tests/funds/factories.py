"""Helpers for funds tests: money in a pot, a usage decision, minutes files."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from warmth.funds.choices import DecisionKind, FundSource, Purpose
from warmth.funds.services import decision_record, fund_raise

DAY = date(2025, 12, 1)


def minutes(name: str = "纪要.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 minutes of the meeting", content_type="application/pdf")


def raised(actor, org, amount="10000.00", *, source=FundSource.OWN_UNION, purpose=Purpose.WARMTH, year=2025,
           spend_by=None, received_on=DAY, **kw):
    return fund_raise(actor=actor, org=org, year=year, source=source, purpose=purpose, amount=amount,
                      received_on=received_on, spend_by=spend_by,
                      donor=kw.pop("donor", "爱心企业" if source == FundSource.DONATION else ""), **kw).pot


def decided(actor, pot, kind=DecisionKind.USAGE_PLAN):
    return decision_record(actor=actor, org=pot.org, year=pot.year, kind=kind, meeting="主席办公会议",
                           held_on=date(2025, 11, 20), summary="同意资金分配和使用方案", pots=[pot],
                           minutes=minutes())


def money(text: str) -> Decimal:
    return Decimal(text)
