from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "warmth.campaigns"
    verbose_name = "送温暖活动"
    default_auto_field = "django.db.models.BigAutoField"
