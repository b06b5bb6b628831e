from django.apps import AppConfig


class CentersConfig(AppConfig):
    name = "warmth.centers"
    verbose_name = "帮扶中心"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # the centre forms' sources (帮扶中心工作统计表) plug into the statistics forms' registry
        from warmth.centers.sources import SOURCES
        from warmth.reports.sources import register

        register(SOURCES)

        # the audit log's words: action names, the centre's records' fields and closed lists
        from warmth.audit.actions import register as audit_words
        from warmth.centers import models

        audit_words(actions={
            "center.create": "新建帮扶中心", "center.update": "修改帮扶中心", "center.station_add": "新增站点",
            "center.station_close": "撤销站点", "center.partner_add": "新增协作单位",
            "center.partner_close": "终止协作单位", "center.funding_add": "登记帮扶中心经费",
            "center.funding_correct": "更正帮扶中心经费",
        }, objects={"center": models.Center, "center_station": models.Station, "center_partner": models.Partner,
                    "center_funding": models.CenterFunding}, fields={"center": "帮扶中心"})
