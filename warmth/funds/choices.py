"""Closed lists of the money side: where money comes from (资金来源), what it is for (用途), and how each
source is counted on the three official statistics forms. The mapping lives here and nowhere else.

Sources: seed 000 附件1 item 5 (2015 form: 中央财政, 地方财政, 工会经费, 社会捐助, 其他收入), seed 003 附件1 (2014
form: 政府拨款, 工会投入, 社会捐助, 其他), seed 000 附件2 item 5 / 003 (帮扶中心 form: 中央财政拨款, 地方财政拨款,
工会拨款, 各界捐助, 其他收入). The system's own list is finer than any form, so every form line is a sum of
system sources and no form line needs a source split.
"""

from __future__ import annotations

from django.db import models


class FundSource(models.TextChoices):
    CENTRAL = "central", "中央财政帮扶资金"
    PROVINCIAL = "provincial", "省级财政"
    LOCAL = "local", "地方(市县)财政"
    UPPER_UNION = "upper_union", "上级工会拨款"
    OWN_UNION = "own_union", "本级工会经费"
    DONATION = "donation", "社会捐助"
    OTHER = "other", "其他收入"


#: Finance money (财政资金): never paid as goods (seed 002 三(二)).
FINANCE_SOURCES = frozenset({FundSource.CENTRAL, FundSource.PROVINCIAL})


class Purpose(models.TextChoices):
    WARMTH = "warmth", "送温暖"
    DAILY = "daily", "日常帮扶"
    SCHOOL = "school", "金秋助学"
    MEDICAL = "medical", "医疗救助"
    OTHER = "other", "其他帮扶"


class FormVersion(models.TextChoices):
    STATS_2014 = "2014", "工会送温暖活动统计表（2014年版）"
    STATS_2015 = "2015", "工会送温暖活动统计表（2015年版）"
    CENTER = "center", "帮扶中心统计表"


#: For each form, its money lines in the form's order, each with the system sources it sums.
FORM_LINES: dict[str, tuple[tuple[str, tuple[FundSource, ...]], ...]] = {
    FormVersion.STATS_2014: (
        ("政府拨款", (FundSource.CENTRAL, FundSource.PROVINCIAL, FundSource.LOCAL)),
        ("工会投入", (FundSource.UPPER_UNION, FundSource.OWN_UNION)),
        ("社会捐助", (FundSource.DONATION,)),
        ("其他", (FundSource.OTHER,)),
    ),
    FormVersion.STATS_2015: (
        ("中央财政", (FundSource.CENTRAL,)),
        ("地方财政", (FundSource.PROVINCIAL, FundSource.LOCAL)),
        ("工会经费", (FundSource.UPPER_UNION, FundSource.OWN_UNION)),
        ("社会捐助", (FundSource.DONATION,)),
        ("其他收入", (FundSource.OTHER,)),
    ),
    FormVersion.CENTER: (
        ("中央财政拨款", (FundSource.CENTRAL,)),
        ("地方财政拨款", (FundSource.PROVINCIAL, FundSource.LOCAL)),
        ("工会拨款", (FundSource.UPPER_UNION, FundSource.OWN_UNION)),
        ("各界捐助", (FundSource.DONATION,)),
        ("其他收入", (FundSource.OTHER,)),
    ),
}


def form_line(version: str, source: str) -> str:
    """The line of form ``version`` on which money of ``source`` is counted."""
    for label, sources in FORM_LINES[version]:
        if source in sources:
            return label
    raise KeyError(f"{source} has no line on form {version}")


def by_form_line(version: str, amounts: dict[str, object]) -> dict[str, object]:
    """Sum amounts keyed by system source into the lines of one form (every line present, zeros kept)."""
    from decimal import Decimal

    out: dict[str, object] = {}
    for label, sources in FORM_LINES[version]:
        out[label] = sum((Decimal(amounts.get(s, 0) or 0) for s in sources), Decimal("0.00"))
    return out


class EntryKind(models.TextChoices):
    RAISED = "raised", "筹集"
    RECEIVED = "received", "上级下拨收入"
    ALLOCATED = "allocated", "下拨支出"
    PAID = "paid", "发放"
    VISIT_PAID = "visit_paid", "慰问团发放（从已拨资金中扣除）"
    REVERSAL = "reversal", "冲正"
    CONVERTED_OUT = "converted_out", "结余转出"
    CONVERTED_IN = "converted_in", "结余转入"


#: Which column of a statement each kind of entry lands in (reversals land in the column of what they reverse).
INFLOW_KINDS = frozenset({EntryKind.RAISED, EntryKind.RECEIVED, EntryKind.CONVERTED_IN})
OUTFLOW_KINDS = frozenset({EntryKind.ALLOCATED, EntryKind.PAID, EntryKind.VISIT_PAID, EntryKind.CONVERTED_OUT})


class PayMethod(models.TextChoices):
    BANK = "bank", "银行卡转账"
    CASH = "cash", "现金（慰问团入户）"
    GOODS = "goods", "实物"


class DecisionKind(models.TextChoices):
    USAGE_PLAN = "usage_plan", "资金分配和使用方案"
    LEFTOVER = "leftover", "结余资金转日常帮扶"


class RuleMode(models.TextChoices):
    BLOCK = "block", "阻止"
    WARN = "warn", "提醒"
    OFF = "off", "关闭"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    CONFIRMED = "confirmed", "已确认下拨"
    CANCELLED = "cancelled", "已作废"
