"""Suggesting a hardship category from the figures and the local 低保 standard (the handler confirms).

Seed scheme (004 二.2): 低保户 below the standard; 低保边缘户 slightly above it (here: below
``EDGE_FACTOR`` × the standard); 意外致困户 when the year's hardship costs exceed 80% of household income.
National standard: per-capita (income − 刚性支出) below 1× the 低保 → 深度困难, below 2× → 相对困难;
意外致困 on the same 80% rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from warmth.archives.choices import HardshipCategory as C
from warmth.archives.models import DibaoStandard

EDGE_FACTOR = Decimal("1.5")
ACCIDENT_SHARE = Decimal("0.8")


@dataclass(frozen=True)
class Suggestion:
    category: str | None
    reason: str


def dibao_for(region_code: str, year: int) -> Decimal | None:
    """The standard of the county, else of its prefecture, else of its province (latest year ≤ ``year``)."""
    for code in (region_code, region_code[:4] + "00", region_code[:2] + "0000"):
        row = (DibaoStandard.objects.filter(region_code=code, year__lte=year).order_by("-year").first())
        if row:
            return row.monthly_amount
    return None


def suggest(*, scheme: str, household_annual_income: Decimal, household_size: int, rigid_expenses: Decimal,
            hardship_costs: Decimal, dibao_monthly: Decimal | None) -> Suggestion:
    accident = household_annual_income >= 0 and hardship_costs > ACCIDENT_SHARE * household_annual_income
    if accident:
        cat = C.ACCIDENT if scheme == "seed" else C.ACCIDENT_NEW
        return Suggestion(cat, f"年度致困支出{hardship_costs}元超过家庭年收入的80%")
    if dibao_monthly is None:
        return Suggestion(None, "未设置当地低保标准，无法自动建议")
    size = max(household_size, 1)
    if scheme == "seed":
        monthly = (household_annual_income / size / 12).quantize(Decimal("0.01"), ROUND_HALF_UP)
        if monthly < dibao_monthly:
            return Suggestion(C.DIBAO, f"家庭月人均收入{monthly}元低于低保标准{dibao_monthly}元")
        if monthly < dibao_monthly * EDGE_FACTOR:
            return Suggestion(C.DIBAO_EDGE, f"家庭月人均收入{monthly}元略高于低保标准{dibao_monthly}元"
                                            f"（低于{EDGE_FACTOR}倍）")
        return Suggestion(None, f"家庭月人均收入{monthly}元，不属于低保户或低保边缘户")
    monthly = ((household_annual_income - rigid_expenses) / size / 12).quantize(Decimal("0.01"), ROUND_HALF_UP)
    if monthly < dibao_monthly:
        return Suggestion(C.DEEP, f"扣除刚性支出后月人均收入{monthly}元低于低保标准{dibao_monthly}元")
    if monthly < dibao_monthly * 2:
        return Suggestion(C.RELATIVE, f"扣除刚性支出后月人均收入{monthly}元低于低保标准的2倍")
    return Suggestion(None, f"扣除刚性支出后月人均收入{monthly}元，高于低保标准的2倍")
