from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "warmth.core"
    label = "core"
    verbose_name = "基础"

    def ready(self):
        from warmth.core import checks  # noqa: F401  (registers the system checks)
