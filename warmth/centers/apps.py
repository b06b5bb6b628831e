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
