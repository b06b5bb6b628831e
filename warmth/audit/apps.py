from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "warmth.audit"
    label = "audit"
    verbose_name = "审计"
