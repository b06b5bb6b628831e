"""Valid archive input for tests: a household of three in 成都武侯区, with checksum-valid fictitious IDs."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from warmth.archives.services import ArchiveInput
from warmth.core import idcard

_rng = random.Random(20251123)
_issued: set[str] = set()  # emptied before each test (tests/conftest.py), so IDs never repeat within a test


TRIES = 20_000  # one region and birth date hold 1,000 sequence numbers (500 of one sex)


def new_id(*, born: date = date(1975, 5, 20), sex: str | None = None, region: str = "510107") -> str:
    """A checksum-valid ID not issued before in this test. A test that needs more than the few hundred numbers of
    one region and birth date must vary ``born``: when they are used up this fails instead of looping forever."""
    for _ in range(TRIES):
        number = idcard.random_valid(_rng, birth_from=born, birth_to=born, sex=sex, region_code=region)
        if number not in _issued:
            _issued.add(number)
            return number
    raise RuntimeError(f"new_id: the numbers of {region} born {born} ({sex or 'either sex'}) are all issued; "
                       "pass another born=")


def forget_issued_ids() -> None:
    _issued.clear()


def head_fields(**overrides) -> dict:
    fields = {
        "category": "低保户", "name": "王建华", "ethnicity": "汉族", "political_status": "群众",
        "id_number": new_id(sex="男"), "health": "疾病", "disability_type": "无", "identity": "下（待）岗",
        "model_worker_type": "非劳模", "housing_type": "租房", "housing_area": "20至50", "postcode": "610041",
        "phone": "13912345678", "work_start_date": date(1995, 7, 1), "industry": "机电系统",
        "marital_status": "已婚", "hukou_type": "非农业", "address": "成都市武侯区某街道12号",
        "employer": "成都某机械厂", "employer_type": "国有企业", "enterprise_status": "关闭破产企业",
        "single_parent": False, "monthly_income": Decimal("850.00"), "household_annual_income": Decimal("14400.00"),
        "household_size": 3, "hukou_region_code": "510107", "in_medical_insurance": True,
        "self_help_capable": True, "zero_employment": False, "causes": ["本人大病", "下岗失业"], "remarks": "",
    }
    fields.update(overrides)
    return fields


def members(n: int = 2) -> list[dict]:
    base = [
        {"name": "李秀兰", "relation": "妻子", "political_status": "群众", "id_number": new_id(sex="女"),
         "health": "良好", "monthly_income": Decimal("600"), "identity": "失（无）业", "school_or_employer": ""},
        {"name": "王小明", "relation": "儿子", "political_status": "共青团员",
         "id_number": new_id(born=date(2008, 9, 1), sex="男"), "health": "良好", "monthly_income": Decimal("0"),
         "identity": "高中", "school_or_employer": "成都市第七中学"},
    ]
    return base[:n]


def archive_input(*, member_count: int = 2, **overrides) -> ArchiveInput:
    return ArchiveInput(fields=head_fields(**overrides), members=members(member_count))


def filed_on_day(archive, day) -> bool:
    """在档 at the end of ``day`` (None: now), spelled out for one archive (the brute force the queries' grouping
    is checked against): approved by then and its exit not approved by then; without an approval time,
    approved from the start; left without an exit time, gone."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from warmth.archives.queries import FILED_STATUSES

    if day is None:
        return archive.status in FILED_STATUSES
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone())
    filed_now = archive.status in FILED_STATUSES and archive.exited_at is None
    exited_later = archive.exited_at is not None and archive.exited_at >= end
    approved = (archive.activated_at < end) if archive.activated_at else (filed_now or exited_later)
    return approved and (filed_now or exited_later)
