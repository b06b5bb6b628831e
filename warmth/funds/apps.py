from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "warmth.funds"
    label = "funds"
    verbose_name = "送温暖资金"
    default_auto_field = "django.db.models.BigAutoField"
