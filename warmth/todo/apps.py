from django.apps import AppConfig


class TodoConfig(AppConfig):
    name = "warmth.todo"
    verbose_name = "待办"
