"""The closed lists of the 困难职工档案登记表 (seed 004 附件3 and its 填表说明), value = the official wording.

The stored value is the exact text the 填表说明 prescribes (so the printed form, the import template and the
export use one vocabulary); the member names are English. Where the form prints a field without a list
(民族, 残疾类别) the national standard is used and named. Where this file and a seed differ, the seed wins.
"""

from django.db import models


class HardshipCategory(models.TextChoices):
    """困难类别. The seeds' scheme (004 二.2, 000 附件1 item 3) and the current national standard."""

    DIBAO = "低保户", "低保户"
    DIBAO_EDGE = "低保边缘户", "低保边缘户"
    ACCIDENT = "意外致困户", "意外致困户"
    DEEP = "深度困难", "深度困难"
    RELATIVE = "相对困难", "相对困难"
    ACCIDENT_NEW = "意外致困", "意外致困"


SEED_SCHEME = (HardshipCategory.DIBAO, HardshipCategory.DIBAO_EDGE, HardshipCategory.ACCIDENT)
NATIONAL_SCHEME = (HardshipCategory.DEEP, HardshipCategory.RELATIVE, HardshipCategory.ACCIDENT_NEW)


class PoliticalStatus(models.TextChoices):  # 2
    PARTY = "中共党员", "中共党员"
    LEAGUE = "共青团员", "共青团员"
    MASSES = "群众", "群众"
    DEMOCRATIC = "民主党派", "民主党派"
    OTHER = "其他", "其他"


class Health(models.TextChoices):  # 4 (the form prints "其它" here)
    GOOD = "良好", "良好"
    ILL = "疾病", "疾病"
    DISABLED = "残病", "残病"
    OTHER = "其它", "其它"


class DisabilityType(models.TextChoices):
    """残疾类别: not listed on the form; the categories of GB/T 26341-2010 《残疾人残疾分类和分级》."""

    NONE = "无", "无"
    VISION = "视力残疾", "视力残疾"
    HEARING = "听力残疾", "听力残疾"
    SPEECH = "言语残疾", "言语残疾"
    LIMB = "肢体残疾", "肢体残疾"
    INTELLECT = "智力残疾", "智力残疾"
    MENTAL = "精神残疾", "精神残疾"
    MULTIPLE = "多重残疾", "多重残疾"


class Identity(models.TextChoices):  # 5 身份
    EMPLOYED = "在岗", "在岗"
    LAID_OFF = "下（待）岗", "下（待）岗"
    UNEMPLOYED = "失（无）业", "失（无）业"
    RETIRED = "退休", "退休"
    LIXIU = "离休", "离休"
    SICK_RETIRED = "病退", "病退"
    SICK_LEAVE = "病休", "病休"
    MIGRANT = "农民工", "农民工"


class ModelWorkerType(models.TextChoices):  # 6 劳模类型
    NONE = "非劳模", "非劳模"
    NATIONAL = "全国劳模", "全国劳模"
    PROVINCIAL = "省部级劳模", "省部级劳模"
    PREFECTURE = "地市级劳模", "地市级劳模"
    OTHER = "其他", "其他"


class HousingType(models.TextChoices):  # 7
    UNIT_PUBLIC = "承租单位公房", "承租单位公房"
    LOW_RENT = "政府廉租房", "政府廉租房"
    OWNED = "自购房", "自购房"
    NONE = "无房", "无房"
    RENTED = "租房", "租房"
    SELF_BUILT = "自建房", "自建房"
    OTHER = "其他", "其他"


class HousingArea(models.TextChoices):  # 8 建筑面积（平方米）
    UNDER_20 = "20以下", "20以下"
    FROM_20 = "20至50", "20至50"
    FROM_50 = "50至70", "50至70"
    OVER_70 = "70以上", "70以上"


class Industry(models.TextChoices):  # 10 所属行业
    AGRICULTURE = "农、林、牧、渔业", "农、林、牧、渔业"
    FINANCE = "金融保险业", "金融保险业"
    SOCIAL_SERVICE = "社会服务业", "社会服务业"
    EDUCATION = "教育", "教育"
    SCIENCE = "科技", "科技"
    CULTURE = "文化", "文化"
    SPORTS = "体育", "体育"
    RELIGION = "宗教", "宗教"
    HEALTHCARE = "医疗卫生", "医疗卫生"
    MILITARY = "军队", "军队"
    GOVERNMENT = "国家机关", "国家机关"
    TEXTILE = "纺织系统", "纺织系统"
    METALLURGY = "冶金系统", "冶金系统"
    COAL = "煤炭系统", "煤炭系统"
    MACHINERY = "机电系统", "机电系统"
    ELECTRONICS = "电子仪表", "电子仪表"
    CHEMICAL = "化工系统", "化工系统"
    DEFENCE = "国防系统", "国防系统"
    URBAN = "城建系统", "城建系统"
    PRECISION = "精工系统", "精工系统"
    TRADE = "财贸系统", "财贸系统"
    PHARMA = "医药系统", "医药系统"
    TRANSPORT = "交通系统", "交通系统"
    OTHER = "其他", "其他"


class MaritalStatus(models.TextChoices):  # 11
    SINGLE = "未婚", "未婚"
    MARRIED = "已婚", "已婚"
    DIVORCED = "离异", "离异"
    WIDOWED = "丧偶", "丧偶"


class HukouType(models.TextChoices):  # 12
    NON_AGRICULTURAL = "非农业", "非农业"
    AGRICULTURAL = "农业", "农业"
    CONVERTED = "农转居", "农转居"


class EmployerType(models.TextChoices):  # 13 单位性质
    STATE_ORGAN = "国有机关/事业单位", "国有机关/事业单位"
    STATE_ENTERPRISE = "国有企业", "国有企业"
    COLLECTIVE = "集体企业", "集体企业"
    PRIVATE = "民营/私营/个体企业", "民营/私营/个体企业"
    HK_MACAO_TAIWAN = "与港澳台合资/合作", "与港澳台合资/合作"
    FOREIGN_JV = "中外合资/合作", "中外合资/合作"
    OTHER = "其他", "其他"


class EnterpriseStatus(models.TextChoices):  # 14
    LOSS = "亏损企业", "亏损企业"
    RESTRUCTURED = "改制企业", "改制企业"
    BANKRUPT = "关闭破产企业", "关闭破产企业"
    NORMAL = "正常", "正常"
    OTHER = "其他", "其他"


class Relation(models.TextChoices):  # 18 关系
    FATHER = "父亲", "父亲"
    MOTHER = "母亲", "母亲"
    HUSBAND = "丈夫", "丈夫"
    WIFE = "妻子", "妻子"
    SON = "儿子", "儿子"
    DAUGHTER = "女儿", "女儿"
    OTHER = "其他", "其他"


class MemberIdentity(models.TextChoices):  # 18 家庭成员的身份 (its own, longer list)
    MODEL_WORKER = "劳模", "劳模"
    EMPLOYED = "在岗", "在岗"
    LAID_OFF = "下（待）岗", "下（待）岗"
    UNEMPLOYED = "失（无）业", "失（无）业"
    RETIRED = "退休", "退休"
    LIXIU = "离休", "离休"
    SICK_RETIRED = "病退", "病退"
    SICK_LEAVE = "病休", "病休"
    INTERNAL_RETIRED = "内退", "内退"
    MIGRANT = "农民工", "农民工"
    POSTGRADUATE = "研究生", "研究生"
    UNDERGRADUATE = "大学生", "大学生"
    VOCATIONAL = "中职中技", "中职中技"
    HIGH_SCHOOL = "高中", "高中"
    MIDDLE_SCHOOL = "初中", "初中"
    PRIMARY = "小学", "小学"
    INFANT = "幼儿", "幼儿"
    SOLDIER = "军人", "军人"
    FARMER = "农民", "农民"


class HardshipCause(models.TextChoices):  # 21 致困主要原因 (1 to 3 of these)
    OWN_ILLNESS = "本人大病", "本人大病"
    DEPENDANT_ILLNESS = "供养直系亲属大病", "供养直系亲属大病"
    DISASTER = "意外灾害", "意外灾害"
    SCHOOLING = "子女上学", "子女上学"
    DISABILITY = "残疾", "残疾"
    LOW_INCOME = "收入低无法维持基本生活", "收入低无法维持基本生活"
    UNEMPLOYMENT = "下岗失业", "下岗失业"
    OTHER = "其他", "其他"


class Sex(models.TextChoices):
    MALE = "男", "男"
    FEMALE = "女", "女"


class AttachmentKind(models.TextChoices):
    APPLICATION = "申请书", "申请书"
    CONSENT = "家庭经济状况核对授权委托书", "家庭经济状况核对授权委托书"
    DIAGNOSIS = "诊断证明", "诊断证明"
    DIBAO_CERT = "低保证", "低保证"
    ID_CARD = "身份证", "身份证"
    HUKOU_BOOK = "户口簿", "户口簿"
    EMPLOYER_PROOF = "单位证明", "单位证明"
    MEDICAL_BILLS = "医疗票据", "医疗票据"
    PUBLICITY = "公示材料", "公示材料"
    OTHER = "其他", "其他"


# 民族: the 56 ethnic groups of GB/T 3304-1991 (the form prints 民族 without a list), plus 其他.
ETHNICITIES = (
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族", "满族", "侗族", "瑶族",
    "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族", "拉祜族", "水族",
    "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族",
    "仡佬族", "锡伯族", "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族",
    "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族", "其他",
)
Ethnicity = models.TextChoices("Ethnicity", [(e, e) for e in ETHNICITIES])

YES_NO = (("是", True), ("否", False))


class ArchiveStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "初审"
    VERIFYING = "verifying", "入户核查"
    PUBLICIZING = "publicizing", "公示"
    APPROVING = "approving", "审批"
    ACTIVE = "active", "在档"
    EXIT_REVIEW = "exit_review", "退档审批"
    EXIT_PUBLICIZING = "exit_publicizing", "退档公示"
    EXITED = "exited", "已退档"
    REJECTED = "rejected", "未通过"


class ExitReason(models.TextChoices):
    RECOVERED = "脱困", "脱困（收入连续6个月高于低保标准）"
    MOVED_AWAY = "迁出本辖区", "迁出本辖区"
    NO_LONGER_ELIGIBLE = "不再符合条件", "不再符合条件"
    DECEASED = "死亡", "死亡"
    CORRECTION = "纠错注销", "纠错注销"


class ReviewResult(models.TextChoices):
    CONTINUE = "继续在档", "继续在档"
    ADJUST = "调整类别", "调整类别"
    SUGGEST_EXIT = "建议退档", "建议退档"
