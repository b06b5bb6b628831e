"""The one input policy: every text, number and date a person or a client sends goes through here, on the
web (Django forms and the views' own reads) and on the API (django-ninja schemas) alike.

Text
    Valid Unicode only (a lone surrogate such as "\\ud800" cannot be stored or encoded); no control
    characters (category Cc: NUL, ESC, …), except a line break or a tab in multi-line fields (remarks,
    findings), where "\\r\\n" becomes "\\n"; surrounding white space trimmed; not blank where required; the
    field's maximum length enforced with its Chinese label in the message. Nothing is ever cut short.
Numbers
    Amounts are exact ``Decimal`` yuan (``core.money.parse_amount``), whole numbers are whole numbers within
    their bounds; the messages are plain Chinese with the label, never a Python repr.
Dates
    Within sense per field: not before 1900-01-01, and not later than today plus a margin (a birth date not
    after today; an event not in the far future).

A form's problems are collected, all of them, and raised once as one ``ValidationError`` keyed by field
(``Errors``). ``warmth.core.feedback.error_list`` turns any refusal into the list of lines a page shows.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Any, get_args

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import (
    DecimalValidator,
    MaxLengthValidator,
    MaxValueValidator,
    MinLengthValidator,
    MinValueValidator,
    ProhibitNullCharactersValidator,
    RegexValidator,
)
from django.db import models
from django.utils import timezone
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from ninja.schema import DjangoGetter
from pydantic import BeforeValidator, field_validator, model_validator
from pydantic_core import PydanticCustomError

from warmth.core.money import AmountError, parse_amount

#: The longest free text of a multi-line field (remarks, findings, notes); the 登记表 PDF lays it out.
LONG_TEXT = 2000
#: The earliest date any field accepts.
EARLIEST = date(1900, 1, 1)
#: How far ahead a date may lie by default (an event, an end date): ten years.
FUTURE_DAYS = 3653
#: API paging bounds.
MAX_LIMIT = 1000
MAX_OFFSET = 10_000_000
#: The largest whole number any field accepts unless it says otherwise (fits a PostgreSQL integer).
MAX_INT = 2 ** 31 - 1

_ALLOWED_IN_MULTILINE = frozenset("\n\t")


# --- text ------------------------------------------------------------------------------------------------

def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """What is wrong with the characters of ``value`` (without a label), or None."""
    for ch in value:
        code = ord(ch)
        if 0xD800 <= code <= 0xDFFF:
            return "含有无法识别的字符（不是有效的文字编码），请删除后重新填写"
        if (code < 0x20 or 0x7F <= code <= 0x9F) and not (multiline and ch in _ALLOWED_IN_MULTILINE):
            if ch in "\n\r\t":
                return "只能填写一行，不能含有换行或制表符"
            return "含有不可见的控制字符，请删除后重新填写"
    return None


def clean_text(value: Any, *, label: str, max_length: int, required: bool = False,
               multiline: bool = False) -> str:
    """The policy for one text value: the cleaned text, or ValidationError with one labelled message."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(f"{label}须为文字")
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    problem = text_problem(value, multiline=multiline)
    if problem:
        raise ValidationError(f"{label}{problem}")
    value = value.strip()
    if required and not value:
        raise ValidationError(f"请填写{label}")
    if len(value) > max_length:
        raise ValidationError(f"{label}不能超过 {max_length} 个字（现有 {len(value)} 个字）")
    return value


def text(value: Any, field: str, label: str, errors: dict | None = None, *, max_length: int,
         required: bool = False, multiline: bool = False) -> str:
    """``clean_text`` for a service: with ``errors`` the problem is recorded under ``field`` (and the form's
    other fields are still checked), without it ``ValidationError({field: …})`` is raised at once. The value
    returned is never shortened: a refused value comes back trimmed, for the form to show again."""
    try:
        return clean_text(value, label=label, max_length=max_length, required=required, multiline=multiline)
    except ValidationError as exc:
        if errors is None:
            raise ValidationError({field: exc.messages}) from None
        add(errors, field, exc.messages[0])
        return value.strip() if isinstance(value, str) and not text_problem(value, multiline=True) else ""


# --- numbers and dates --------------------------------------------------------------------------------

def amount(value: Any, *, label: str, allow_zero: bool = False) -> Decimal:
    """Exact yuan (2 places at most) or ValidationError naming the field."""
    if isinstance(value, str) and text_problem(value):
        raise ValidationError(f"{label}{text_problem(value)}")
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError(f"请填写{label}")
    try:
        return parse_amount(value, allow_zero=allow_zero)
    except AmountError as exc:
        raise ValidationError(f"{label}：{exc}") from None


def integer(value: Any, *, label: str, min_value: int = 0, max_value: int = MAX_INT) -> int:
    """A whole number within bounds (a numeric string is accepted, a float or a bool is not)."""
    if value is None:
        raise ValidationError(f"请填写{label}")
    if isinstance(value, bool | float):
        raise ValidationError(f"{label}须为整数")
    if isinstance(value, str):
        raw = value.strip().replace(",", "")
        if not raw:
            raise ValidationError(f"请填写{label}")
        if len(raw) > 20 or not (raw.isascii() and raw.lstrip("+-").isdigit()):
            raise ValidationError(f"{label}须为整数")
        value = int(raw)
    if not isinstance(value, int):
        raise ValidationError(f"{label}须为整数")
    if value < min_value:
        raise ValidationError(f"{label}不能小于 {min_value}")
    if value > max_value:
        raise ValidationError(f"{label}不能大于 {max_value}")
    return value


def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def check_date(value: date | None, *, label: str, earliest: date = EARLIEST, latest: date | None = None,
               future_days: int = FUTURE_DAYS) -> date | None:
    """``value`` when it lies between ``earliest`` and ``latest`` (default: today + ``future_days``)."""
    if value is None:
        return None
    if latest is None:
        latest = timezone.localdate() + timedelta(days=future_days)
    if value < earliest:
        raise ValidationError(f"{label}不能早于{_day(earliest)}")
    if value > latest:
        raise ValidationError(f"{label}不能晚于{_day(latest)}")
    return value


# --- collecting a form's errors -----------------------------------------------------------------------

def add(errors: dict, field: str, message: str) -> None:
    """Record one more problem of ``field`` (a field keeps every message it was given)."""
    have = errors.get(field)
    if have is None:
        errors[field] = message
    elif isinstance(have, list):
        have.append(message)
    else:
        errors[field] = [have, message]


class Errors(dict):
    """Every problem of one form, keyed by field; ``raise_if_any`` raises them together.

    >>> e = Errors(); name = e.text("name", " 张三 ", label="姓名", max_length=30)
    >>> with e.field("amount"): amount("abc", label="金额")
    """

    def add(self, field: str, message: str) -> None:
        add(self, field, message)

    def text(self, field: str, value: Any, *, label: str, max_length: int, required: bool = False,
             multiline: bool = False) -> str:
        return text(value, field, label, self, max_length=max_length, required=required, multiline=multiline)

    @contextmanager
    def field(self, field: str) -> Iterator[None]:
        """Run a check; its ValidationError is recorded under ``field`` (or under its own keys)."""
        try:
            yield
        except ValidationError as exc:
            self.merge(exc, field=field)

    def merge(self, exc: ValidationError, *, field: str = "__all__") -> None:
        if hasattr(exc, "error_dict"):
            for key, messages in exc.message_dict.items():
                for m in messages:
                    self.add(key, m)
        else:
            for m in exc.messages:
                self.add(field, m)

    def raise_if_any(self) -> None:
        if self:
            raise ValidationError(dict(self))


# --- Django forms -------------------------------------------------------------------------------------

class TextField(forms.CharField):
    """A form's text field under the policy: the label in every message; no silent cut (no ``maxlength``
    attribute either: a browser would cut a long paste without a word)."""

    def __init__(self, *, label: str, max_length: int, required: bool = True, multiline: bool = False,
                 rows: int = 2, **kwargs):
        if multiline:
            kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows}))
        super().__init__(label=label, max_length=max_length, required=required, strip=False, **kwargs)
        self.multiline = multiline
        self.validators = [v for v in self.validators
                           if not isinstance(v, MaxLengthValidator | ProhibitNullCharactersValidator)]
        self.error_messages["required"] = f"请填写{label}"

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs

    def to_python(self, value):
        return clean_text(value, label=str(self.label), max_length=self.max_length, multiline=self.multiline)


class DateField(forms.DateField):
    """A form's date within sense (``check_date``)."""

    def __init__(self, *, earliest: date = EARLIEST, future_days: int = FUTURE_DAYS, **kwargs):
        self.earliest, self.future_days = earliest, future_days
        kwargs.setdefault("error_messages", {"invalid": with_label(str(kwargs.get("label") or ""),
                                                                   "格式不对，请按 2025-01-31 的样式填写")})
        super().__init__(**kwargs)

    def to_python(self, value):
        day = super().to_python(value)
        return check_date(day, label=str(self.label), earliest=self.earliest, future_days=self.future_days)


# --- Django's own messages in plain Chinese ---------------------------------------------------------------
# Django's translations speak to programmers ("确保该变量包含不超过 50 字符", "值 'x' 不是有效选项", "这个值不能为
# null", "必须为True或False") and name no field. ``install_plain_messages`` (run once from ``CoreConfig.ready``)
# replaces those defaults, for forms, model validation (a service's ``full_clean``) and validators alike, and
# gives every form field messages that carry its label ("请填写家庭住址", "家庭人口不能大于 99"). A message a
# form or field set for itself is kept.

REQUIRED = "必须填写"
CHOOSE = "所选的值不在可选范围内，请从列表中选择"

_FORM_MESSAGES = {
    forms.Field: {"required": REQUIRED},
    forms.IntegerField: {"invalid": "须为整数"},
    forms.DecimalField: {"invalid": "须为数字"},
    forms.FloatField: {"invalid": "须为数字"},
    forms.DateField: {"invalid": "格式不对，请按 2025-01-31 的样式填写"},
    forms.DateTimeField: {"invalid": "格式不对，请按 2025-01-31 09:30 的样式填写"},
    forms.ChoiceField: {"invalid_choice": CHOOSE},
    forms.MultipleChoiceField: {"invalid_choice": CHOOSE, "invalid_list": "请从列表中选择"},
    forms.FileField: {"invalid": "没有收到文件，请重新选择", "missing": "没有收到文件，请重新选择",
                      "empty": "所选的文件是空的"},
}
_MODEL_MESSAGES = {
    models.Field: {"invalid_choice": CHOOSE, "null": REQUIRED, "blank": REQUIRED,
                   "unique": "已有相同%(field_label)s的%(model_name)s，不能重复"},
    models.IntegerField: {"invalid": "须为整数"},
    models.DecimalField: {"invalid": "须为数字"},
    models.DateField: {"invalid": "格式不对，请按 2025-01-31 的样式填写", "invalid_date": "不是有效的日期"},
    models.DateTimeField: {"invalid": "格式不对，请按 2025-01-31 09:30 的样式填写", "invalid_date": "不是有效的日期",
                           "invalid_datetime": "不是有效的日期和时间"},
    models.BooleanField: {"invalid": "须为“是”或“否”", "invalid_nullable": "须为“是”、“否”或不填"},
    models.ForeignKey: {"invalid": "所选的记录不存在或已不可用"},
}
_VALIDATOR_MESSAGES = {
    MaxLengthValidator: "最多 %(limit_value)d 个字（现有 %(show_value)d 个字）",
    MinLengthValidator: "至少 %(limit_value)d 个字（现有 %(show_value)d 个字）",
    MaxValueValidator: "不能大于 %(limit_value)s",
    MinValueValidator: "不能小于 %(limit_value)s",
    RegexValidator: "格式不对",
    ProhibitNullCharactersValidator: "含有不可见的控制字符，请删除后重新填写",
}
_DECIMAL_MESSAGES = {"invalid": "须为数字", "max_digits": "位数太多（最多 %(max)s 位）",
                     "max_decimal_places": "最多 %(max)s 位小数", "max_whole_digits": "整数部分最多 %(max)s 位"}


_PLAIN_DEFAULTS = frozenset(m for table in (_FORM_MESSAGES,) for ms in table.values() for m in ms.values())


def _plain_label(field) -> str:
    return str(field.label or "").strip().rstrip("*：:").strip()


def label_messages(form) -> None:
    """Put each field's label into the messages it still has from the defaults above."""
    for name, field in form.fields.items():
        label = _plain_label(field) or name
        em = field.error_messages
        if em.get("required") == REQUIRED:
            choose = isinstance(field, forms.ChoiceField | forms.FileField | forms.ModelChoiceField)
            em["required"] = f"请选择{label}" if choose else f"请填写{label}"
        for key in ("invalid", "invalid_choice", "invalid_list", "missing", "empty"):
            message = em.get(key)
            if message in _PLAIN_DEFAULTS:  # one of ours, not a message the form or field chose
                em[key] = with_label(label, message)
        for i, v in enumerate(field.validators):
            plain = _VALIDATOR_MESSAGES.get(type(v))
            if plain is not None and v.message == plain:
                labelled = copy.copy(v)
                labelled.message = f"{label}{plain}"
                field.validators[i] = labelled


def install_plain_messages() -> None:
    for table in (_FORM_MESSAGES, _MODEL_MESSAGES):
        for cls, messages in table.items():
            cls.default_error_messages = {**cls.__dict__.get("default_error_messages", {}), **messages}
    for cls, message in _VALIDATOR_MESSAGES.items():
        cls.message = message
    DecimalValidator.messages = dict(_DECIMAL_MESSAGES)
    # no ``required`` attribute from a form: the browser would stop at the first empty field with its own bubble,
    # one per submit; the server lists them all (the pages mark required fields with *), and the large forms
    # carry ``novalidate`` for the browser's other checks (numbers' min/max)
    forms.BaseForm.use_required_attribute = False
    if getattr(forms.BaseForm.__init__, "_labels_messages", False):
        return
    original = forms.BaseForm.__init__

    @functools.wraps(original)
    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        label_messages(self)

    __init__._labels_messages = True
    forms.BaseForm.__init__ = __init__

    clean = models.Field.clean

    @functools.wraps(clean)
    def model_clean(self, value, model_instance):
        """A model field's refusal (a service's ``full_clean``) names the field by its ``verbose_name``."""
        try:
            return clean(self, value, model_instance)
        except ValidationError as exc:
            label = str(self.verbose_name or self.name)
            raise ValidationError([ValidationError(with_label(label, m), code=e.code)
                                   for e in exc.error_list for m in e]) from None

    models.Field.clean = model_clean


def with_label(label: str, message: str) -> str:
    """``message`` with the field's label in front, unless it names the field already."""
    if not label or message.startswith(label):
        return message
    return f"{label}：{message}" if message in (CHOOSE, "请从列表中选择") else f"{label}{message}"


# --- the API (django-ninja / pydantic) -------------------------------------------------------------------

def _walk(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str):
                yield f"{where}（键）" if where else "键", k
            yield from _walk(v, f"{where}.{k}" if where else str(k))
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            yield from _walk(v, f"{where}[{i}]")


def refuse_bad_characters(data: Any) -> None:
    """The part of the policy every API input gets whatever its schema: no lone surrogate, no control
    character other than a line break or a tab. Raises pydantic's error (a 422 naming the field)."""
    for where, s in _walk(data, ""):
        problem = text_problem(s, multiline=True)
        if problem:
            raise PydanticCustomError("text_characters", "{where}{problem}",
                                      {"where": f"“{where}”" if where else "", "problem": problem})


def Text(label: str, max_length: int, *, required: bool = False, multiline: bool = False):
    """An API text field under the whole policy (trimmed, length with the label, …): ``name: Text("姓名", 50)``.
    ``None`` passes through for the optional fields of an update."""

    def check(value):
        if value is None:
            return None
        try:
            return clean_text(value, label=label, max_length=max_length, required=required, multiline=multiline)
        except ValidationError as exc:
            raise PydanticCustomError("text", exc.messages[0]) from None

    check.text_rule = True
    return Annotated[str, BeforeValidator(check)]


def LongText(label: str, max_length: int = LONG_TEXT, *, required: bool = False):
    """A multi-line API text field (line breaks and tabs allowed): ``note: LongText("说明") = ""``."""
    return Text(label, max_length, required=required, multiline=True)


def _types(annotation) -> set:
    args = get_args(annotation)
    return set().union(*(_types(a) for a in args)) if args else {annotation}


def _whole_number_field(annotation) -> bool:
    """An int field (or a list of ints), which a database integer column must hold; not an amount (an amount
    may also be written as a string and is bounded by ``parse_amount``)."""
    kinds = _types(annotation)
    return int in kinds and str not in kinds


class InputSchema(Schema):
    """The base of every API request body: refuses bad characters anywhere in it (keys included) and dates
    outside 1900-01-01 … today + ten years; each field's own rule comes on top."""

    @model_validator(mode="before")
    @classmethod
    def _characters(cls, data):
        raw = data._obj if isinstance(data, DjangoGetter) else data
        if isinstance(raw, dict):  # a field with its own text rule reports with its label
            own = {k for k, f in cls.model_fields.items()
                   if any(getattr(getattr(m, "func", None), "text_rule", False) for m in f.metadata)}
            raw = {k: v for k, v in raw.items() if k not in own}
        refuse_bad_characters(raw)
        return data

    @field_validator("*", mode="after")
    @classmethod
    def _dates_and_numbers(cls, value, info):
        if isinstance(value, date):
            try:
                check_date(value, label="日期")
            except ValidationError as exc:
                raise PydanticCustomError("date_range", "{field}：{problem}",
                                          {"field": info.field_name, "problem": exc.messages[0]}) from None
        if _whole_number_field(cls.model_fields[info.field_name].annotation):
            for n in value if isinstance(value, list | tuple | set) else [value]:
                if isinstance(n, int) and not isinstance(n, bool) and not -MAX_INT <= n <= MAX_INT:
                    raise PydanticCustomError("int_range", "{field}：数字超出范围（绝对值不能超过 {limit}）",
                                              {"field": info.field_name, "limit": MAX_INT})
        return value


class BoundedPagination(LimitOffsetPagination):
    """``limit`` 1…1000 and ``offset`` 0…10,000,000, refused with a Chinese 422 beyond them (a huge offset
    would reach the database as a number it cannot hold)."""

    class Input(Schema):
        limit: int = Field(100)
        offset: int = Field(0)

        @field_validator("limit", "offset", mode="before")
        @classmethod
        def _bounded(cls, value, info):
            name = "每页条数 limit" if info.field_name == "limit" else "起始位置 offset"
            low, high = (1, MAX_LIMIT) if info.field_name == "limit" else (0, MAX_OFFSET)
            try:
                return integer(value, label=name, min_value=low, max_value=high)
            except ValidationError as exc:
                raise PydanticCustomError("paging", exc.messages[0]) from None

    def __init__(self, **kwargs):
        super().__init__(max_limit=MAX_LIMIT, **kwargs)
