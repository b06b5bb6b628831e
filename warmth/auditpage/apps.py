from django.apps import AppConfig


class AuditPageConfig(AppConfig):
    name = "warmth.auditpage"
    label = "auditpage"
    verbose_name = "审计日志查询"

    def ready(self):
        # the export job registers its handler into the jobs registry on import
        from warmth.auditpage import exporters  # noqa: F401
