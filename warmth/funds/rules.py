"""The funds rules as data. Each rule has a code, a description, the seed it comes from, a Chinese message and
a default setting (block / warn / off); an org's admin or leader may change the setting for its subtree
(``rule_setting_set``, audited). ``evaluate`` runs a proposed payment through every rule and returns one
verdict per rule; the payments module calls it on submit and on every approval, and ``pot_spend`` calls it
again under the pot's row lock before money leaves the pot.

``no_overdraft`` is locked on *block*: a pot can never go below zero (the database refuses it too), so the
setting cannot be changed; the rule is listed so that the user sees why a payment is refused.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Min, Q, Sum
from django.utils import timezone

from warmth.archives.choices import ArchiveStatus
from warmth.funds.choices import FINANCE_SOURCES, DecisionKind, EntryKind, FundSource, PayMethod, Purpose, RuleMode
from warmth.funds.models import ZERO, Decision, FundPot, LedgerEntry, RuleSetting
from warmth.orgs.models import Org

PERSON_SPEND_KINDS = (EntryKind.PAID, EntryKind.VISIT_PAID, EntryKind.REVERSAL)


@dataclass
class Proposal:
    """A payment as proposed: from which pot, how much, how, for what, to whom, on which day."""

    pot: FundPot
    amount: Decimal
    method: str = PayMethod.BANK
    purpose: str = ""                # the payment's purpose; empty means the pot's own
    on_visit: bool = False           # handed over by a 慰问团 on a visit
    archive_status: str | None = None  # the recipient's archive status; None for a recipient without one
    person_bidx: str = ""            # blind index of the recipient's ID number (yearly totals per person)
    paid_on: date | None = None
    exclude_ref: tuple[str, str] | None = None  # a payment re-checked after it posted: leave its own entries out

    def __post_init__(self):
        if not self.purpose:
            self.purpose = self.pot.purpose
        if self.paid_on is None:
            self.paid_on = timezone.localdate()


@dataclass
class Context:
    """What the checks need, computed once per evaluation."""

    proposal: Proposal
    params: dict[str, dict]
    _cache: dict = field(default_factory=dict)

    def once(self, key: str, fn: Callable[[], object]):
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    description: str
    seed: str
    message: str
    check: Callable[[Context], str | None]  # None: the rule holds; else the message (with figures filled in)
    default: str = RuleMode.BLOCK
    params: dict = field(default_factory=dict)
    locked: bool = False


@dataclass(frozen=True)
class Verdict:
    code: str
    name: str
    mode: str
    outcome: str  # pass | warn | block | off
    message: str

    @property
    def failed(self) -> bool:
        return self.outcome in ("warn", "block")


@dataclass(frozen=True)
class Evaluation:
    verdicts: list[Verdict]

    @property
    def blocked(self) -> bool:
        return any(v.outcome == "block" for v in self.verdicts)

    @property
    def blocking(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.outcome == "block"]

    @property
    def warnings(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.outcome == "warn"]

    def messages(self) -> list[str]:
        return [f"{v.name}：{v.message}" for v in self.blocking]


# --- figures the checks use --------------------------------------------------------------------------

# credits carry their spend-by date, and so does the reversal of a credit; no other debit carries one
def expiry_sums(day: date) -> dict:
    """The three sums over a pot's entries that decide how much of it has expired on ``day``."""
    return {"expiring": Sum("amount", filter=Q(spend_by__lt=day)),
            "out": Sum("amount", filter=Q(amount__lt=0, spend_by__isnull=True)),
            "back": Sum("amount", filter=Q(amount__gt=0, kind=EntryKind.REVERSAL))}


def expired_part(sums: dict) -> Decimal:
    """Money credited with a deadline already passed beyond everything that has left the pot since (spending
    is taken to use the money that expires first)."""
    spent = -_money(sums["out"] or ZERO) - _money(sums["back"] or ZERO)
    return max(_money(sums["expiring"] or ZERO) - max(spent, ZERO), ZERO)


def available_on(pot: FundPot, day: date, *, balance: Decimal | None = None) -> Decimal:
    """What may still be spent from the pot on ``day``: its balance less the money whose spend-by date has
    passed and that has not been spent."""
    balance = pot.balance if balance is None else balance
    expired = expired_part(pot.entries.aggregate(**expiry_sums(day)))
    return _money(max(balance - expired, ZERO))


@dataclass(frozen=True)
class Spendable:
    """What a pot offers on a day where money is chosen: what may still be spent, what has expired unspent,
    and the earliest spend-by date not yet passed (None: no deadline ahead)."""

    available: Decimal
    expired: Decimal
    deadline: date | None

    def describe(self, pot: FundPot) -> str:
        text = f"可用 {self.available} 元"
        if self.expired > 0:
            text += f"，另有 {self.expired} 元已过使用期限"
        if self.deadline is not None:
            text += f"，使用期限至 {self.deadline:%Y-%m-%d}"
        return text


def spendable(pots, day: date) -> dict[int, Spendable]:
    """``Spendable`` of each pot on ``day``, in one grouped query (the same arithmetic as ``available_on``).
    A pot whose money has all passed its spend-by date has ``available`` 0: it is not offered."""
    pots = list(pots)
    if not pots:
        return {}
    rows = {r["pot_id"]: r for r in LedgerEntry.objects.filter(pot__in=[p.pk for p in pots]).values("pot_id")
            .annotate(ahead=Min("spend_by", filter=Q(amount__gt=0, spend_by__gte=day)), **expiry_sums(day))
            .order_by()}
    out = {}
    for p in pots:
        r = rows.get(p.pk)
        expired = expired_part(r) if r else ZERO
        out[p.pk] = Spendable(_money(max(p.balance - expired, ZERO)), _money(min(expired, p.balance)),
                              r["ahead"] if r else None)
    return out


def offered(pots, day: date) -> list[FundPot]:
    """The pots money may be chosen from on ``day``: those with something still spendable (money past its
    spend-by date is not offered), each with ``offer`` (its ``Spendable``) and ``choice_label`` (the text of
    the select's option: the org, the pot, what may be spent and until when)."""
    pots = list(pots)
    figures = spendable(pots, day)
    out = []
    for p in pots:
        p.offer = figures[p.pk]
        if p.offer.available <= 0:
            continue
        p.choice_label = f"{p.org.name} {p.label}（{p.offer.describe(p)}）"
        out.append(p)
    return out


def pot_deadline(pot: FundPot, day: date) -> date | None:
    """The earliest spend-by date of the pot's money that has passed on ``day`` (for messages)."""
    passed = pot.entries.filter(amount__gt=0, spend_by__lt=day).order_by("spend_by").values_list("spend_by",
                                                                                                 flat=True)
    return next(iter(passed), None)


def has_usage_decision(pot: FundPot) -> bool:
    return Decision.objects.filter(kind=DecisionKind.USAGE_PLAN, pots=pot).exists()


def person_year_total(person_bidx: str, year: int, *, exclude_ref: tuple[str, str] | None = None) -> Decimal:
    """What one person has been paid in a calendar year, across every pot of the system, net of reversals."""
    if not person_bidx:
        return ZERO
    qs = LedgerEntry.objects.filter(person_bidx=person_bidx, on_date__year=year, kind__in=PERSON_SPEND_KINDS)
    if exclude_ref:
        qs = qs.exclude(ref_type=exclude_ref[0], ref_id=exclude_ref[1])
    return _money(-(qs.aggregate(s=Sum("amount"))["s"] or ZERO))


def _money(text) -> Decimal:
    return Decimal(str(text)).quantize(Decimal("0.01"))


@functools.lru_cache(maxsize=256)
def _limit(text) -> Decimal:
    """A rule parameter's amount (parsed once, not for every household of a batch)."""
    return _money(text)


# --- the checks -------------------------------------------------------------------------------------

def _central_archive_only(ctx: Context) -> str | None:
    p = ctx.proposal
    if p.pot.source == FundSource.CENTRAL and p.archive_status != ArchiveStatus.ACTIVE:
        return "中央财政帮扶资金只能发放给已建档（在档）的困难职工家庭；未建档的请先建档、后帮扶。"
    return None


def _no_goods_from_finance(ctx: Context) -> str | None:
    p = ctx.proposal
    if p.method == PayMethod.GOODS and p.pot.source in FINANCE_SOURCES:
        return f"{p.pot.get_source_display()}不得以发放实物的方式使用；慰问物品应使用工会配套资金。"
    return None


def _cash_only_on_visit(ctx: Context) -> str | None:
    p = ctx.proposal
    if p.method == PayMethod.CASH and not p.on_visit:
        return "除慰问团入户慰问外，慰问资金一律通过银行卡转账发放，不得发放现金。"
    return None


def _spend_by(ctx: Context) -> str | None:
    p = ctx.proposal
    day = p.paid_on
    avail = ctx.once("available", lambda: available_on(p.pot, day))
    if p.amount > avail and avail < p.pot.balance:
        deadline = pot_deadline(p.pot, day)
        return (f"该资金的使用期限（{deadline:%Y年%m月%d日}）已过，过期未用的资金不能再发放；"
                f"尚可在期限内使用的金额为 {avail} 元。")
    return None


def _purpose_match(ctx: Context) -> str | None:
    p = ctx.proposal
    if p.purpose != p.pot.purpose:
        return (f"专款专用：{p.pot.get_purpose_display()}资金不能用于{Purpose(p.purpose).label}；"
                "结余资金须经集体研究决定后方可转为日常帮扶资金。")
    return None


def _decision_first(ctx: Context) -> str | None:
    p = ctx.proposal
    if not ctx.once("decision", lambda: has_usage_decision(p.pot)):
        return "该资金的分配和使用方案尚未登记集体研究决定（会议、日期、会议纪要），不能发放。"
    return None


def _per_payment_limit(ctx: Context) -> str | None:
    p = ctx.proposal
    limit = _limit(ctx.params["per_payment_limit"]["max"])
    if p.amount > limit:
        return f"单笔发放 {p.amount} 元，超过每笔 {limit} 元的限额。"
    return None


def _per_person_year_limit(ctx: Context) -> str | None:
    p = ctx.proposal
    if not p.person_bidx:
        return None
    limit = _limit(ctx.params["per_person_year_limit"]["max"])
    year = p.paid_on.year
    already = ctx.once(f"person:{p.person_bidx}:{year}",
                       lambda: person_year_total(p.person_bidx, year, exclude_ref=p.exclude_ref))
    if already + p.amount > limit:
        return f"该对象本年度已领取 {already} 元，加上本笔 {p.amount} 元将超过每人每年 {limit} 元的限额。"
    return None


def _no_overdraft(ctx: Context) -> str | None:
    p = ctx.proposal
    if p.amount > p.pot.balance:
        return f"资金余额不足：{p.pot.label}余额 {p.pot.balance} 元，本笔 {p.amount} 元。"
    return None


RULES: tuple[Rule, ...] = (
    Rule("central_archive_only", "先建档、后帮扶",
         "中央财政帮扶资金只发放给在档的困难职工家庭；其他对象使用省级、地方、工会或社会捐助资金。",
         "001 三(二)；002 三(二)；004 三.1", "中央财政帮扶资金只能发放给在档困难职工", _central_archive_only),
    Rule("no_goods_from_finance", "财政资金不发实物",
         "中央财政和省级财政帮扶资金不得以发放实物的方式使用。", "002 三(二)",
         "财政资金不得发放实物", _no_goods_from_finance),
    Rule("cash_only_on_visit", "银行卡转账发放",
         "除慰问团入户慰问时当面发放现金外，一律通过银行卡转账发放。", "002 三(二)",
         "现金只能在慰问团入户慰问时发放", _cash_only_on_visit),
    Rule("spend_by", "使用期限",
         "资金过了使用期限（中央财政资金为下拨当年 12 月 31 日，文件另有规定的从其规定）不再发放。",
         "004 三.2", "资金已过使用期限", _spend_by),
    Rule("purpose_match", "专款专用",
         "某一用途的资金只用于该用途，不得截留、挤占、挪用。", "002 三(二)；000 三(一)",
         "资金用途不符", _purpose_match),
    Rule("decision_first", "集体研究决定",
         "资金分配和使用方案须经工会领导集体研究通过（登记会议、日期和会议纪要）后才能发放；结余资金转日常帮扶"
         "同样须经集体研究决定。", "001 三(二)；002 三(二)", "未登记集体研究决定", _decision_first),
    Rule("per_payment_limit", "单笔限额", "每笔发放金额不超过限额（可调整）。", "各地资金管理办法",
         "超过单笔限额", _per_payment_limit, params={"max": "3000.00"}),
    Rule("per_person_year_limit", "每人每年限额", "同一对象一个自然年度内领取的总额不超过限额（可调整）。",
         "各地资金管理办法", "超过每人每年限额", _per_person_year_limit, params={"max": "6000.00"}),
    Rule("no_overdraft", "余额不足不得支出", "任何资金池的余额不得小于零（数据库同时强制）。",
         "002 三(二)", "资金余额不足", _no_overdraft, locked=True),
)
RULES_BY_CODE = {r.code: r for r in RULES}


# --- settings ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Effective:
    code: str
    mode: str
    params: dict
    set_at: Org | None  # the org whose setting applies (None: the system default)


def ancestors_paths(org: Org) -> list[str]:
    step = Org.steplen
    return [org.path[: i * step] for i in range(1, len(org.path) // step + 1)]


def effective_settings(org: Org) -> dict[str, Effective]:
    """Each rule's setting for ``org``: its own, else its nearest ancestor's, else the default."""
    rows = (RuleSetting.objects.filter(org__path__in=ancestors_paths(org)).select_related("org")
            .order_by("org__depth"))
    out = {r.code: Effective(r.code, r.default, dict(r.params), None) for r in RULES}
    for s in rows:  # deeper orgs come later and win
        rule = RULES_BY_CODE.get(s.code)
        if rule is None or rule.locked:
            continue
        out[s.code] = Effective(s.code, s.mode, {**rule.params, **(s.params or {})}, s.org)
    return out


@functools.lru_cache(maxsize=128)
def _plain(code: str, name: str, mode: str, outcome: str) -> Verdict:
    """A pass or an off verdict carries no figures, so one (frozen) object serves every evaluation."""
    return Verdict(code, name, mode, outcome, "符合" if outcome == "pass" else "已关闭，未检查")


@dataclass(frozen=True)
class Prepared:
    """What ``evaluate`` derives from the settings, worked out once for a batch of proposals: each rule's
    parameters, and each rule with its mode and its (shared) pass or off verdict."""

    params: dict[str, dict]
    steps: tuple[tuple[Rule, str, Verdict], ...]


def prepare(settings: dict[str, Effective]) -> Prepared:
    steps = []
    for rule in RULES:
        mode = RuleMode.BLOCK if rule.locked else settings[rule.code].mode
        steps.append((rule, mode, _plain(rule.code, rule.name, mode, "off" if mode == RuleMode.OFF else "pass")))
    return Prepared({code: e.params for code, e in settings.items()}, tuple(steps))


def evaluate(proposal: Proposal, *, settings: dict[str, Effective] | None = None,
             known: dict | None = None, prepared: Prepared | None = None) -> Evaluation:
    """Every rule's verdict on ``proposal`` (rules set to off are reported as off, not checked). ``known``
    seeds the figures a batch has computed for many proposals at once: ``"decision"`` (bool), ``"available"``
    (Decimal) and ``"person:<bidx>:<year>"`` (what that person was already paid that year). ``prepared``: the
    settings worked out once by ``prepare`` (a batch's)."""
    if prepared is None:
        prepared = prepare(settings or effective_settings(proposal.pot.org))
    ctx = Context(proposal, prepared.params, dict(known or {}))
    verdicts = []
    for rule, mode, plain in prepared.steps:
        if mode == RuleMode.OFF:
            verdicts.append(plain)
            continue
        failure = rule.check(ctx)
        if failure is None:
            verdicts.append(plain)
        else:
            verdicts.append(Verdict(rule.code, rule.name, mode, "block" if mode == RuleMode.BLOCK else "warn",
                                    failure))
    return Evaluation(verdicts)
