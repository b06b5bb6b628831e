from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "warmth.reports"
    verbose_name = "统计表"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from warmth.reports import bulk  # noqa: F401 (registers the jobs)
