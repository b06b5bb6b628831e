from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "warmth.dashboard"
    verbose_name = "数据看板"
