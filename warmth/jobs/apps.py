from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "warmth.jobs"
    label = "jobs"
    verbose_name = "后台任务"

    def ready(self):
        # Job handlers register themselves on import.
        from warmth.audit import exporters  # noqa: F401
