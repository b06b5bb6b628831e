"""Turning a service's refusal or a form's errors into one Chinese message line for the page."""

from django.core.exceptions import ValidationError


def error_list(exc: Exception) -> list[str]:
    """Every line of a refusal: each message of a ValidationError (all fields), else the exception's text."""
    if isinstance(exc, ValidationError):
        return exc.messages
    return [str(exc) or "您无权执行此操作。"]


def messages_of(exc: Exception) -> str:
    return "；".join(error_list(exc))


def form_messages(form) -> str:
    parts = []
    for name, errs in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.extend(f"{label}：{e}" if label else e for e in errs)
    return "；".join(parts)
