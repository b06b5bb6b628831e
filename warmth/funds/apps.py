from django.apps import AppConfig

#: the audit log's names of this app's actions (registered in ``ready``: the log is below and imports no app)
AUDIT_ACTIONS = {
    "funds.raise": "资金筹集",
    "funds.allocate": "资金下拨",
    "funds.plan_create": "制定下拨方案",
    "funds.plan_update": "调整下拨方案",
    "funds.plan_confirm": "确认下拨方案",
    "funds.plan_cancel": "作废下拨方案",
    "funds.decision": "登记集体研究决定",
    "funds.convert": "结余资金转日常帮扶",
    "funds.spend": "资金支出（发放）",
    "funds.visit_deduct": "慰问团发放扣减",
    "funds.reverse": "冲正",
    "funds.rule_set": "调整资金规则设置",
    "funds.export": "导出资金报表",
}


class FundsConfig(AppConfig):
    name = "warmth.funds"
    label = "funds"
    verbose_name = "送温暖资金"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # the audit log's words: action names, the money's fields and closed lists, the rules by name
        from warmth.audit.actions import register
        from warmth.funds import models, rules

        register(actions=AUDIT_ACTIONS, objects={
            "fund_raise": models.FundRaise, "fund_pot": models.FundPot, "allocation": models.Allocation,
            "allocation_plan": models.AllocationPlan, "decision": models.Decision,
            "ledger_entry": models.LedgerEntry, "rule_setting": models.RuleSetting, "funds_statement": "资金报表",
        }, fields={"batch": "批次", "households": "户数", "made": "生成笔数", "skipped": "跳过户数",
                   "already": "已有发放", "pot": "资金",
                   "bytes": "文件大小（字节）"},
            values={("rule_setting", "code"): {r.code: r.name for r in rules.RULES}})
