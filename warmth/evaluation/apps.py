from django.apps import AppConfig

#: the audit log's names of this app's actions (registered in ``ready``: the log is below and imports no app)
AUDIT_ACTIONS = {
    "evaluation.draw": "抽取第三方评估样本",
    "evaluation.findings": "导入第三方评估结果",
}


class EvaluationConfig(AppConfig):
    name = "warmth.evaluation"
    verbose_name = "第三方评估"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from warmth.audit.actions import register
        from warmth.evaluation.models import Sample

        register(actions=AUDIT_ACTIONS, objects={"evaluation_sample": Sample},
                 fields={"sizes": "各层样本量", "drawn": "抽取户数", "cases": "评估户数"})
