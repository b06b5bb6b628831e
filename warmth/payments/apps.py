from django.apps import AppConfig

#: the audit log's names of this app's actions (registered in ``ready``: the log is below and imports no app)
AUDIT_ACTIONS = {
    "payments.chain_set": "调整发放审批流程",
    "payments.create": "新建发放",
    "payments.submit": "提交发放",
    "payments.approve": "审批发放",
    "payments.return": "退回发放",
    "payments.pay": "登记已发放",
    "payments.confirm": "确认发放",
    "payments.reverse": "冲正发放",
    "payments.batch": "批量发放",
    "payments.edit": "修改发放",
    "payments.cancel": "作废发放",
    "payments.reverse_request": "申请冲正发放",
    "payments.reverse_approve": "冲正审批通过",
    "payments.reverse_reject": "驳回冲正申请",
    "payments.bulk": "批量办理发放",
    "payments.verify_sample": "抽取回访核实样本",
    "payments.verify": "记录回访核实结果",
    "payments.bank_fail": "登记银行退回（发放失败）",
    "payments.repay": "更正账号重新发放",
    "payments.bank_return": "导入银行回盘",
}


class PaymentsConfig(AppConfig):
    name = "warmth.payments"
    verbose_name = "实名制发放"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from warmth.payments import batch, bulk, exporters  # noqa: F401 (registers the jobs)

        self._audit_words()

    def _audit_words(self):
        # the audit log's words: action names, the payment's fields and statuses
        from warmth.audit.actions import register
        from warmth.payments import services
        from warmth.payments.models import ApprovalChain, Payment, Verification

        register(actions=AUDIT_ACTIONS, workflows=[services.WORKFLOW], objects={
            "payment": Payment, "payment_roster": "实名制发放汇总表", "payment_bank": "银行代发文件"},
            fields={"chain": "审批流程", "steps": "审批步骤", "extra_step": "超额加签步骤", "threshold": "加签金额",
                    "step": "审批步骤", "answer": "回访结果", "seed": "抽样种子", "of": "共计",
                    "action": "操作", "refused": "未办理笔数", "document": "文书", "fields": "字段"},
            values={"answer": dict(Verification._meta.get_field("answer").flatchoices)})
        register(objects={"approval_chain": ApprovalChain})
