from django.apps import AppConfig


class ArchivesConfig(AppConfig):
    name = "warmth.archives"
    label = "archives"
    verbose_name = "困难职工档案"
