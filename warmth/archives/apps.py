from django.apps import AppConfig


class ArchivesConfig(AppConfig):
    name = "warmth.archives"
    label = "archives"
    verbose_name = "困难职工档案"

    def ready(self):
        # Job handlers ("archives.import", "archives.export") register themselves on import.
        from warmth.archives import exporters, importing  # noqa: F401
