"""Closed lists of the campaign (seed 003 附件3 and 附件4, 004 附件4, the 统计表 items 4 and 7–11 of 000 附件1 and
003 附件1)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Department(models.TextChoices):
    """The departments a union gives duties in its 活动方案 (003 附件3 二)."""

    BAOZHANG = "保障部", "保障部"
    CENTER = "帮扶中心", "帮扶中心"
    FINANCE = "财务部", "财务部"
    AUDIT = "经审办", "经审办"
    PUBLICITY = "宣教部", "宣教部"
    OFFICE = "办公室", "办公室"
    PRODUCTION = "生产部", "生产部"
    INDUSTRY = "市各产业工会", "市各产业工会"


#: The default duties, as worded in 003 附件3 二 and in its order (editable per campaign). One deviation: the
#: seed's 财务部 line reads "做好集中放工作", a dropped 发 kept out of the default.
DEFAULT_DUTIES = {
    Department.BAOZHANG: "负责整个活动的协调指导",
    Department.CENTER: "负责组织市各产业、直属企业困难职工帮扶专项资金集中发放及入户慰问工作",
    Department.INDUSTRY: "负责协助帮扶中心做好所属单位困难职工帮扶专项资金集中发放工作",
    Department.OFFICE: "负责活动的车辆安排",
    Department.PUBLICITY: "负责活动的宣传报道",
    Department.PRODUCTION: "负责筛选省市领导看望的困难劳模先进人物",
    Department.FINANCE: "负责活动的资金准备；协助帮扶中心及产业工会做好集中发放工作",
    Department.AUDIT: "负责对活动专项资金的发放监督",
}


class RecipientKind(models.TextChoices):
    """Whom a campaign greets and a payment pays (慰问对象类别)."""
    ARCHIVE = "archive", "在档困难职工"
    HARDSHIP_MODEL = "hardship_model", "困难劳模"
    MODEL_WORKER = "model_worker", "劳动模范"
    CRAFTSMAN = "craftsman", "工匠人才"
    ADVANCED = "advanced", "先进人物"
    FRONTLINE = "frontline", "一线职工"
    MIGRANT = "migrant", "农民工"
    RETIREE = "retiree", "离退休人员"
    OTHER = "other", "其他生活困难职工"


class CampaignStatus(models.TextChoices):
    PLANNING = "planning", "筹备中"
    OPEN = "open", "进行中"
    CLOSED = "closed", "已结束"


class HouseholdClass(models.TextChoices):
    """What a planned household counts as under the group rule (003 附件3 三.2)."""

    MODEL = "model", "困难劳模"
    MIGRANT = "migrant", "困难农民工"
    WORKER = "worker", "困难职工"
    OTHER = "other", "其他慰问对象"


#: 003 附件3 三.2: each group visits at least 4 households: 1 困难劳模, 1 困难农民工, 2 困难职工.
GROUP_RULE = {"total": 4, HouseholdClass.MODEL: 1, HouseholdClass.MIGRANT: 1, HouseholdClass.WORKER: 2}


class VisitKind(models.TextChoices):
    HOUSEHOLD = "household", "入户慰问"
    ENTERPRISE = "enterprise", "走访企业"


# --- rights, services and trips home: dated records the statistics forms sum ------------------------------

@dataclass(frozen=True)
class ActivityKind:
    """One kind of record: what its main figure counts (and in which unit), and which other figures it has.

    ``people``: the people a vehicle carried (运送人次); ``part``: the 其中 part of the main figure (新生代农民工
    or 农民工, per ``part_label``); ``amount``: money in 元 (the forms print 万元); ``part_amount``: the 其中 part
    of the money."""

    code: str
    group: str
    label: str
    unit: str
    item: str                      # the 统计表 item it feeds (2015 numbering; see the reports issue)
    people: bool = False
    part_label: str = ""
    amount_label: str = ""
    part_amount: bool = False
    count_label: str = ""          # the main figure's own name when it is not 次数 (e.g. 户数)


RIGHTS, HELP, SERVICE, TRIPS = "rights", "help", "service", "trips"
GROUPS = {HELP: "帮扶救助", RIGHTS: "维权工作", SERVICE: "服务职工", TRIPS: "农民工平安返乡"}
NEW_GEN = "其中新生代农民工"

ACTIVITY_KINDS: tuple[ActivityKind, ...] = (
    ActivityKind("meeting", HELP, "学习宣传会议（活动）", "场次", "7.A(2014)"),
    ActivityKind("policy_publicity", HELP, "提供政策宣传", "人次", "7.A"),
    ActivityKind("policy_help", HELP, "帮助困难职工落实民生政策", "人次", "7.B"),
    ActivityKind("jobs", HELP, "为下岗失业人员提供就业岗位", "个", "7.C"),
    ActivityKind("life_relief", HELP, "生活救助", "人次", "7.D"),
    ActivityKind("training", HELP, "就业培训", "人次", "7.E"),
    ActivityKind("medical_relief", HELP, "医疗救助", "人次", "7.F"),
    ActivityKind("school_help", HELP, "困难职工子女助学帮扶", "人次", "7.G"),
    ActivityKind("legal_aid", HELP, "法律援助", "人次", "7.H"),
    ActivityKind("heating", HELP, "过冬取暖补贴", "户", "7.I/7.J", amount_label="补贴金额（元）",
                 count_label="户数"),
    ActivityKind("pairing", HELP, "与困难职工结对帮扶", "对", "7.K"),
    ActivityKind("rights_case", RIGHTS, "为权益受损职工开展维权", "人次", "8.A", part_label=NEW_GEN),
    ActivityKind("rights_education", RIGHTS, "权益维护知识宣传教育", "人次", "8.B", part_label=NEW_GEN),
    ActivityKind("wage_recovery", RIGHTS, "协助追讨欠薪", "人", "8.C/8.D", part_label="其中农民工（人）",
                 amount_label="追讨欠薪（元）", part_amount=True, count_label="职工人数"),
    ActivityKind("counselling", SERVICE, "心理咨询疏导", "人次", "9.B", part_label=NEW_GEN),
    ActivityKind("culture", SERVICE, "送文化活动", "人次", "9.C", part_label=NEW_GEN),
    ActivityKind("health_check", SERVICE, "医疗体检、健康咨询", "人次", "9.D", part_label=NEW_GEN),
    ActivityKind("other_service", SERVICE, "其他生活服务", "人次", "9.E", part_label=NEW_GEN),
    ActivityKind("trip_helped", TRIPS, "帮助农民工平安返乡", "人次", "10.A"),
    ActivityKind("train", TRIPS, "包专列", "列", "10.B/10.C", people=True),
    ActivityKind("carriage", TRIPS, "包火车车厢", "节", "10.D/10.E", people=True),
    ActivityKind("bus", TRIPS, "包汽车", "辆", "10.F/10.G", people=True),
    ActivityKind("ship", TRIPS, "包船", "艘", "10.H/10.I", people=True),
    ActivityKind("flight", TRIPS, "包机", "架", "10.J/10.K", people=True),
    ActivityKind("tickets", TRIPS, "帮助农民工购买车（船）票", "张", "10.L"),
    ActivityKind("ticket_centre", TRIPS, "开设购票窗口的帮扶中心", "个", "10.M"),
    ActivityKind("trip_subsidy", TRIPS, "与用人单位协商争取返乡补贴", "笔", "11.A", amount_label="补贴金额（元）",
                 count_label="笔数"),
)
KINDS = {k.code: k for k in ACTIVITY_KINDS}
ACTIVITY_CHOICES = [(k.code, k.label) for k in ACTIVITY_KINDS]


# --- the weekly wage-arrears report (004 附件4) ----------------------------------------------------------

class ArrearsRow(models.TextChoices):
    STATE = "state", "国有企业"
    COLLECTIVE = "collective", "集体企业"
    OTHER = "other", "其他类型企业"
    URBAN = "urban", "城镇职工"
    MIGRANT = "migrant", "农民工"
    CONSTRUCTION = "construction", "其中建筑业农民工"


BY_TYPE = (ArrearsRow.STATE, ArrearsRow.COLLECTIVE, ArrearsRow.OTHER)   # 企业类型
BY_SOURCE = (ArrearsRow.URBAN, ArrearsRow.MIGRANT)                       # 用工来源
ARREARS_COLUMNS = (("amount", "拖欠数额（万元）"), ("enterprises", "涉及企业数（户）"), ("people", "涉及人数（人）"))


class ArrearsStatus(models.TextChoices):
    DRAFT = "draft", "填报中"
    SUBMITTED = "submitted", "已报送"
