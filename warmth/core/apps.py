from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "warmth.core"
    label = "core"
    verbose_name = "基础"

    def ready(self):
        from warmth.core import checks  # noqa: F401  (registers the system checks)
        from warmth.core.validation import install_plain_messages

        install_plain_messages()  # Django's default messages in plain Chinese, with the field's label
