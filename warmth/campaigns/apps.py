from django.apps import AppConfig

#: the audit log's names of this app's actions (registered in ``ready``: the log is below and imports no app)
AUDIT_ACTIONS = {
    "campaign.create": "新建送温暖活动",
    "campaign.update": "修改送温暖活动",
    "campaign.checklist": "更新活动准备事项",
    "campaign.group": "安排慰问团",
    "campaign.plan": "列入走访计划",
    "campaign.plan_drop": "移出走访计划",
    "campaign.activity": "登记帮扶活动",
    "campaign.activity_void": "作废帮扶活动记录",
    "campaign.arrears_save": "保存欠薪周报",
    "campaign.arrears_submit": "报送欠薪周报",
    "campaign.duty": "安排值班",
    "campaign.duty_cancel": "取消值班",
    "campaign.export": "导出活动数据",
}


class CampaignsConfig(AppConfig):
    name = "warmth.campaigns"
    verbose_name = "送温暖活动"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # central money's default spend-by date is the end of the season's campaign window: the season answers
        # the funds app below it through its registry
        from warmth.campaigns import queries
        from warmth.core import season
        from warmth.funds import seasons

        seasons.SEASON_END.append(queries.season_end)
        # the default season of every page (core.season) reads the campaigns too
        season.register(queries.default_season)

        # the audit log's words: action names, the season's records' fields and closed lists
        from warmth.audit.actions import register
        from warmth.campaigns import models

        register(actions=AUDIT_ACTIONS, objects={
            "campaign": models.Campaign, "visit_group": models.VisitGroup, "activity": models.Activity,
            "arrears_report": models.ArrearsReport, "duty_shift": models.DutyShift,
        }, fields={"household": "计划走访户", "class": "类别", "units": "单位", "leaders": "带队领导",
                   "departments": "参加部门", "liaison": "联络人", "money_collected": "已领取慰问金",
                   "receipts_done": "签收单已交回", "part": "其中", "part_amount": "其中金额", "people": "人数",
                   "person": "值班人员", "ends": "结束时间", "starts": "开始时间", "version": "版本",
                   "week_of": "所在周", "archive": "档案", "cash": "现金", "done": "已完成", "missing": "未完成",
                   "groups": "慰问团", "what": "内容"},
            values={"class": dict(models.PlannedHousehold._meta.get_field("klass").flatchoices)})
