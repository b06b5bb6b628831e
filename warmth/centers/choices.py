"""Closed lists of the 困难职工帮扶中心 registry, worded as the 帮扶中心工作统计表 print them (2013 version: seed 003
附件2; 2014 version: seed 000 附件2). Values are stable English codes (they name the statistics sources, e.g.
``centers.stations:township``); labels are the printed wording. ``tests/centers/test_sources.py`` pins every
label to the printed forms."""

from __future__ import annotations

from django.db import models

from warmth.orgs.models import OrgLevel


class CenterLevel(models.TextChoices):
    """Item 1 and 2 of both forms: 省级, 地市级, 县级 (the 2014 form's item 8 says 区县级 for the same level)."""

    PROVINCIAL = "provincial", "省级"
    CITY = "city", "地市级"
    COUNTY = "county", "县级"


#: A centre's level is its org's level; only these three levels have a 帮扶中心 (DOMAIN: 省/地市/县).
LEVEL_OF_ORG: dict[str, CenterLevel] = {
    OrgLevel.PROVINCE: CenterLevel.PROVINCIAL,
    OrgLevel.CITY: CenterLevel.CITY,
    OrgLevel.COUNTY: CenterLevel.COUNTY,
}


class StationKind(models.TextChoices):
    """帮扶站点 (2014 item 4, in its print order; 2013 item 3). The 2013 form prints the park line as
    “开发区（工业园区）帮扶中心或帮扶站点”, the 2014 form as “工业园区工会帮扶工作站”: one kind, the newer wording."""

    TOWNSHIP = "township", "乡镇（街道）工会帮扶工作站"
    PARK = "park", "工业园区工会帮扶工作站"
    COMMUNITY = "community", "社区（村）工会帮扶站点"
    ENTERPRISE = "enterprise", "企业帮扶站点"


#: The two 其中 lines of 企业帮扶站点 (2014 4.E and 4.F, 2013 3.C-2 and 3.C-3): flags of an enterprise station.
ABOVE_SCALE_LABEL = "规模以上企业帮扶站点"
NON_PUBLIC_LABEL = "非公企业帮扶站点"


class PartnerKind(models.TextChoices):
    """定点帮扶机构 (2014 item 14, 2013 item 12), in print order. The forms print them as “工会共有自建或联建爱心医院”,
    “工会共有定点爱心学校”, “帮扶中心开设心理咨询室或窗口”, …; the label is the institution as printed."""

    HOSPITAL = "hospital", "爱心医院"
    PHARMACY = "pharmacy", "爱心药店"
    SUPERMARKET = "supermarket", "扶贫超市"
    SCHOOL = "school", "爱心学校"
    COUNSELLING = "counselling", "心理咨询室或窗口"
    TRAINING = "training", "职业技能培训机构"
    EMPLOYMENT = "employment", "职业介绍机构"


class CenterFundSource(models.TextChoices):
    """帮扶中心资金来源 (2014 item 5, 2013 item 4): the lines of ``funds.choices.FORM_LINES[FormVersion.CENTER]``,
    in that order and wording (a test keeps them equal)."""

    CENTRAL = "central", "中央财政拨款"
    LOCAL = "local", "地方财政拨款"
    UNION = "union", "工会拨款"
    DONATION = "donation", "各界捐助"
    OTHER = "other", "其他收入"


#: The yes/no questions of the financial set-up (2014 items 6–8, 2013 items 5–7), as printed.
IN_BUDGET_LABEL = "资金是否纳入财政预算"
MATCHED_PROPORTIONAL_LABEL = "配套资金达到与上级拨款额同比例配套要求"  # asked of 地市级 centres
MATCHED_EQUAL_LABEL = "地方财政按上级拨款等额配套"              # asked of 县级 (区县级) centres
SPECIAL_FUND_LABEL = "财政建立帮扶中心专项帮扶资金"               # a 地方财政拨款 row may be the 专项帮扶资金
