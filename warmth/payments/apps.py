from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "warmth.payments"
    verbose_name = "实名制发放"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from warmth.payments import batch, bulk, exporters  # noqa: F401 (registers the jobs)
