from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "warmth.reports"
    verbose_name = "统计表"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from warmth.reports import bulk  # noqa: F401 (registers the jobs)

        self._audit_words()

    def _audit_words(self):
        # the audit log's words: action names (the workflow's and the reopening), the report's fields and
        # statuses, the forms by title
        from warmth.audit.actions import register
        from warmth.reports import services
        from warmth.reports.definitions import definitions
        from warmth.reports.models import Report, ReportForm

        register(actions={"report.reopen": "统计表退回重填（已通过）", "report.export": "导出统计表",
                          "report.remind": "催报统计表", "report.duty": "设定统计表报送范围",
                          "report_form.load": "载入统计表式样", "report_form.reload": "更新统计表式样",
                          "report_form.copy": "复制统计表式样", "report_form.edit": "修改统计表式样",
                          "report_form.publish": "发布统计表式样", "report_form.retire": "停用统计表式样"},
                 workflows=[services.WORKFLOW], objects={"report": Report, "report_board": "统计表报送进度",
                                                         "report_duty": "统计表报送范围", "report_form": ReportForm},
                 fields={"form": "报表", "format": "格式", "missing": "未报单位", "levels": "须报送的层级",
                         "duty_source": "依据", "units": "单独要求报送的单位", "form_id": "报表",
                         "based_on": "复制自", "changes": "修改内容", "retired_versions": "停用的版本"},
                 values={"form": lambda: {d.id: d.title for d in definitions().values()}})  # read when shown
