"""Turning a service's refusal or a form's errors into one Chinese message line for the page."""

from django.core.exceptions import ValidationError


def messages_of(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc) or "您无权执行此操作。"


def form_messages(form) -> str:
    parts = []
    for name, errs in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.extend(f"{label}：{e}" if label else e for e in errs)
    return "；".join(parts)
