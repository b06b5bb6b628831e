from django.apps import AppConfig


class CentersConfig(AppConfig):
    name = "warmth.centers"
    verbose_name = "帮扶中心"
    default_auto_field = "django.db.models.BigAutoField"
