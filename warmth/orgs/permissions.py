"""The permission matrix: which role may do what. docs/permissions.md is generated from this table's shape.

Every permission applies inside the acting membership's org subtree and nowhere else; outside it nothing is
visible at all (the access helpers answer 404, so an outsider cannot even learn that a record exists).
"""

from __future__ import annotations

from enum import StrEnum

from warmth.orgs.models import Role


class Perm(StrEnum):
    VIEW = "view"                          # read records of the subtree (masked personal data)
    PII_FULL = "pii.full"                  # see full 身份证号/phone/bank account (each viewing is audited)
    ARCHIVE_WRITE = "archive.write"        # file and edit archives
    ARCHIVE_APPROVE = "archive.approve"    # review and approve archives
    PAYMENT_WRITE = "payment.write"        # create and hand out payments
    PAYMENT_APPROVE = "payment.approve"    # approve payments
    FUNDS_WRITE = "funds.write"            # raise and allocate money
    FUNDS_APPROVE = "funds.approve"        # record collective decisions, confirm allocations
    CAMPAIGN_WRITE = "campaign.write"      # plan campaigns, groups and visits
    REPORT_WRITE = "report.write"          # fill and submit statistics reports
    REPORT_APPROVE = "report.approve"      # approve or return reports of the level below
    DASHBOARD = "dashboard.view"           # leaders' dashboards
    AUDIT_READ = "audit.read"              # read the audit log
    EXPORT = "export"                      # export lists and rosters
    USER_MANAGE = "user.manage"            # create, approve and disable accounts
    ORG_MANAGE = "org.manage"              # add and move orgs
    RULES_MANAGE = "rules.manage"          # change funds-rule settings


READ_ONLY_PERMS = frozenset({Perm.VIEW, Perm.PII_FULL, Perm.DASHBOARD, Perm.AUDIT_READ, Perm.EXPORT})

MATRIX: dict[str, frozenset[Perm]] = {
    Role.HANDLER: frozenset({Perm.VIEW, Perm.PII_FULL, Perm.ARCHIVE_WRITE, Perm.PAYMENT_WRITE,
                             Perm.CAMPAIGN_WRITE, Perm.REPORT_WRITE, Perm.EXPORT}),
    Role.REVIEWER: frozenset({Perm.VIEW, Perm.PII_FULL, Perm.ARCHIVE_APPROVE, Perm.PAYMENT_APPROVE,
                              Perm.REPORT_APPROVE, Perm.EXPORT}),
    Role.LEADER: frozenset({Perm.VIEW, Perm.ARCHIVE_APPROVE, Perm.PAYMENT_APPROVE, Perm.FUNDS_APPROVE,
                            Perm.REPORT_APPROVE, Perm.DASHBOARD, Perm.CAMPAIGN_WRITE, Perm.RULES_MANAGE}),
    Role.FINANCE: frozenset({Perm.VIEW, Perm.PII_FULL, Perm.FUNDS_WRITE, Perm.EXPORT, Perm.DASHBOARD}),
    Role.AUDITOR: frozenset({Perm.VIEW, Perm.PII_FULL, Perm.AUDIT_READ, Perm.DASHBOARD, Perm.EXPORT}),
    # the dashboard holds figures only (no names, no ID numbers): the admin of the root or a province sees them
    Role.ADMIN: frozenset({Perm.VIEW, Perm.AUDIT_READ, Perm.DASHBOARD, Perm.USER_MANAGE, Perm.ORG_MANAGE,
                           Perm.RULES_MANAGE}),
}

PERM_LABELS: dict[Perm, str] = {
    Perm.VIEW: "查看本级及下级数据（个人信息脱敏）",
    Perm.PII_FULL: "查看完整身份证号、电话、银行账号（留痕）",
    Perm.ARCHIVE_WRITE: "建档、修改档案",
    Perm.ARCHIVE_APPROVE: "审核、审批档案",
    Perm.PAYMENT_WRITE: "录入、发放帮扶资金",
    Perm.PAYMENT_APPROVE: "审批发放",
    Perm.FUNDS_WRITE: "资金筹集、下拨",
    Perm.FUNDS_APPROVE: "记录集体决策、确认下拨",
    Perm.CAMPAIGN_WRITE: "活动、慰问分组、走访",
    Perm.REPORT_WRITE: "填报、报送统计表",
    Perm.REPORT_APPROVE: "审核、退回下级统计表",
    Perm.DASHBOARD: "查看领导驾驶舱",
    Perm.AUDIT_READ: "查看审计日志",
    Perm.EXPORT: "导出名单、花名册",
    Perm.USER_MANAGE: "创建、审批、停用账户",
    Perm.ORG_MANAGE: "新增、调整组织",
    Perm.RULES_MANAGE: "调整资金规则设置",
}


def role_has(role: str, perm: Perm) -> bool:
    return perm in MATRIX.get(role, frozenset())


def role_labels(perm: Perm) -> list[str]:
    """The Chinese names of the roles that hold ``perm`` (who may act next on a workflow object)."""
    return [Role(r).label for r, perms in MATRIX.items() if perm in perms]


def is_write(perm: Perm) -> bool:
    return perm not in READ_ONLY_PERMS


def permissions_markdown() -> str:
    """The permission matrix as a Markdown table (docs/permissions.md embeds it; a test keeps them equal)."""
    roles = list(Role)
    lines = ["| 权限 | " + " | ".join(r.label for r in roles) + " |",
             "|---|" + "---|" * len(roles)]
    for perm in Perm:
        cells = ["✓" if perm in MATRIX[r] else "" for r in roles]
        lines.append(f"| {PERM_LABELS[perm]} (`{perm.value}`) | " + " | ".join(cells) + " |")
    return "\n".join(lines)
