"""The 活动方案's 职责分工 (seed 003 附件3 二) as the default duties: every department of the seed, in its order and
its words (the seed's "集中放工作" is a dropped 发, kept out)."""

from warmth.campaigns.choices import DEFAULT_DUTIES, Department

SEED_003_DUTIES = [  # 003 附件3 二、职责分工, lines 1–8
    "保障部负责整个活动的协调指导",
    "帮扶中心负责组织市各产业、直属企业困难职工帮扶专项资金集中发放及入户慰问工作",
    "市各产业工会负责协助帮扶中心做好所属单位困难职工帮扶专项资金集中发放工作",
    "办公室负责活动的车辆安排",
    "宣教部负责活动的宣传报道",
    "生产部负责筛选省市领导看望的困难劳模先进人物",
    "财务部负责活动的资金准备；协助帮扶中心及产业工会做好集中发放工作",
    "经审办负责对活动专项资金的发放监督",
]


def test_the_default_duties_are_the_seeds_eight_lines_in_order():
    assert [f"{dept}{duty}" for dept, duty in DEFAULT_DUTIES.items()] == SEED_003_DUTIES
    assert Department.INDUSTRY in DEFAULT_DUTIES and Department.PRODUCTION in DEFAULT_DUTIES
    assert set(DEFAULT_DUTIES) == set(Department.values)
