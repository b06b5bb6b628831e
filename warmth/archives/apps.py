from django.apps import AppConfig

#: the audit log's names of this app's actions (registered in ``ready``: the log is below and imports no app)
AUDIT_ACTIONS = {
    "archive.file": "建档",
    "archive.update": "修改档案",
    "archive.submit": "档案提交初审",
    "archive.accept": "档案初审通过",
    "archive.return": "档案退回修改",
    "archive.verify": "入户核查并公示",
    "archive.end_publicity": "建档公示期满",
    "archive.approve": "档案审批通过",
    "archive.reject": "档案审批不通过",
    "archive.exit_request": "申请退档",
    "archive.exit_cancel": "撤销退档",
    "archive.exit_approve": "退档审批通过并公示",
    "archive.exit_finalize": "退档生效",
    "archive.objection": "登记公示异议",
    "archive.objection_resolve": "处理公示异议",
    "archive.promote": "临时档案转正",
    "archive.transfer_request": "档案转出申请",
    "archive.transfer_accepted": "档案转入",
    "archive.transfer_refused": "拒收转入档案",
    "archive.review": "年度复核",
    "archive.plan": "一户一策帮扶计划",
    "archive.attachment_add": "上传档案附件",
    "archive.attachment_withdraw": "撤回档案附件",
    "archive.duplicate_resolve": "处理疑似重复",
    "archive.import": "导入档案",
    "dibao.set": "设置低保标准",
}


class ArchivesConfig(AppConfig):
    name = "warmth.archives"
    label = "archives"
    verbose_name = "困难职工档案"

    def ready(self):
        # Job handlers ("archives.import", "archives.export") register themselves on import.
        from warmth.archives import exporters, importing  # noqa: F401

        self._audit_words()

    def _audit_words(self):
        # the audit log's words: action names, the archive's and the transfer's fields and statuses
        from warmth.archives import lifecycle
        from warmth.archives.models import Archive, DibaoStandard
        from warmth.audit.actions import register

        register(actions=AUDIT_ACTIONS, workflows=[lifecycle.WORKFLOW, lifecycle.TRANSFER_WORKFLOW],
                 objects={"archive": Archive, "archive_export": "档案导出", "dibao": DibaoStandard},
                 fields={"contact_name": "联系人", "measures": "帮扶措施", "needs": "帮扶需求",
                         "next_visit_date": "下次走访日期", "other": "其他", "phase": "阶段", "document": "文书",
                         "fields": "字段"},
                 values={"phase": {"filing": "建档公示", "exit": "退档公示"}})
