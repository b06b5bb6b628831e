"""MoneyField: the one money column (Decimal, 2 places, 14 digits), invisible to migrations."""

from decimal import Decimal

from django.apps import apps
from django.db import models

from warmth.core.fields import MoneyField


def test_a_money_field_is_a_plain_two_place_decimal_to_migrations():
    field = MoneyField("金额（元）", null=True, blank=True)
    field.set_attributes_from_name("amount")
    _name, path, _args, kwargs = field.deconstruct()
    assert path == "django.db.models.DecimalField"
    assert (kwargs["max_digits"], kwargs["decimal_places"], kwargs["null"]) == (14, 2, True)
    assert field.to_python("1234.5") == Decimal("1234.50")


def test_every_yuan_column_of_the_apps_is_a_money_field():
    copies = [f"{m._meta.label}.{f.name}" for m in apps.get_models() if m.__module__.startswith("warmth.")
              for f in m._meta.get_fields()
              if isinstance(f, models.DecimalField) and (f.max_digits, f.decimal_places) == (14, 2)
              and not isinstance(f, MoneyField)]
    assert copies == []
    money = [f for m in apps.get_models() for f in m._meta.get_fields() if isinstance(f, MoneyField)]
    assert len(money) >= 18
