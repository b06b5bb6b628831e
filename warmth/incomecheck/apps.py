from django.apps import AppConfig

#: the audit log's names of this app's actions (registered in ``ready``: the log is below and imports no app)
AUDIT_ACTIONS = {
    "incomecheck.authorize": "登记家庭经济状况核对授权书",
    "incomecheck.batch": "建立收入核对批次",
    "incomecheck.answers": "导入核对中心结果",
    "incomecheck.decide": "复核收入核对不一致",
}


class IncomecheckConfig(AppConfig):
    name = "warmth.incomecheck"
    label = "incomecheck"
    verbose_name = "收入核对"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from warmth.audit.actions import register
        from warmth.incomecheck.models import Authorization, Check, CheckBatch

        register(actions=AUDIT_ACTIONS, objects={"incomecheck_batch": CheckBatch, "incomecheck_check": Check,
                                                 "incomecheck_authorization": Authorization},
                 fields={"households": "户数", "answered": "导入户数", "decision": "复核决定"})
