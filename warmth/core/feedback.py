"""Turning a service's refusal or a form's errors into one Chinese message line for the page."""

from django.core.exceptions import ValidationError
from django.db import transaction


def error_list(exc: Exception) -> list[str]:
    """Every line of a refusal: each message of a ValidationError (all fields), else the exception's text."""
    if isinstance(exc, ValidationError):
        return exc.messages
    return [str(exc) or "您无权执行此操作。"]


def messages_of(exc: Exception) -> str:
    return "；".join(error_list(exc))


def form_messages(form) -> str:
    """Every error of a form on one line, each naming its field once (a message that names it already, such
    as 请填写家庭住址, is not prefixed again)."""
    parts = []
    for name, errs in form.errors.items():
        label = str(form.fields[name].label or "") if name in form.fields else ""
        parts.extend(f"{label}：{e}" if label and label not in e else e for e in errs)
    return "；".join(parts)


class _Undo(Exception):
    """Thrown inside the savepoint of ``attempt`` to throw away a write the page must not keep."""


def add_errors(form, exc: ValidationError, *, alias: dict[str, str] | None = None) -> None:
    """A service's refusal onto the form: each field's messages under that field (``alias`` renames a service
    field to the form's), unless the form already said what is wrong there (its own message stands, so one
    field never shows two contradicting lines); the rest above the form, each line once."""
    if not hasattr(exc, "error_dict"):
        for m in exc.messages:
            if m not in form.non_field_errors():
                form.add_error(None, m)
        return
    for field, errs in exc.error_dict.items():
        target = (alias or {}).get(field, field)
        lines = [m for e in errs for m in e.messages]
        if target in form.fields:
            if not form.errors.get(target):
                form.add_error(target, lines)
        else:
            for m in lines:
                if m not in form.non_field_errors():
                    form.add_error(None, m)


def attempt(form, call, *, keep: bool, on_error=None):
    """Run the service ``call`` even when the page's own checks failed (``keep`` False), so that one response
    lists every problem: the form's and the service's together, each under its field with its label. It runs
    in a savepoint; unless ``keep`` holds and the service raised nothing, the savepoint is rolled back and
    nothing is written. The service's ValidationError goes onto the form (``on_error(form, exc)``, default
    ``add_errors``). Returns the service's result when it was kept, else None. A service that stumbles over
    input the form already refused (a value missing or of the wrong type) adds nothing: the form's errors stand."""
    try:
        with transaction.atomic():
            result = call()
            if not keep or form.errors:
                raise _Undo
        return result
    except _Undo:
        return None
    except ValidationError as exc:
        (on_error or add_errors)(form, exc)
        return None
    except (TypeError, ValueError, AttributeError, KeyError, LookupError):
        if keep:
            raise
        return None


def form_data(request):
    """The POST data to bind a form with, or None on a GET: ``request.POST or None`` would leave a form sent with no
    field at all unbound, and then neither valid nor showing any error."""
    return request.POST if request.method == "POST" else None


def form_files(request):
    return request.FILES if request.method == "POST" else None
