from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "warmth.reports"
    verbose_name = "统计表"
    default_auto_field = "django.db.models.BigAutoField"
