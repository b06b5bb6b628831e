from django.apps import AppConfig


class DemoConfig(AppConfig):
    # installed for its management commands (``warmth demo``, ``warmth seed-demo``); it has no models
    name = "warmth.demo"
    label = "demo"
    verbose_name = "演示数据"
