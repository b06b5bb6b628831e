"""Model fields for personal data: an encrypted value and its keyed blind index.

Usage on a model::

    phone = EncryptedTextField("手机号", kind=pii.PHONE, blank=True)
    phone_bidx = BlindIndexField(source="phone")

The encrypted column holds only ciphertext; the index column is filled on save from the plaintext and is
what exact lookups and unique constraints use (``Model.objects.filter(phone_bidx=bidx(PHONE, "138…"))``).
"""

from __future__ import annotations

import functools

from django.core import checks
from django.db import models

from warmth.core import crypto, pii


class EncryptedTextField(models.TextField):
    description = "Encrypted text (AES-GCM)"

    def __init__(self, *args, kind: str, **kwargs):
        if kind not in pii.KINDS:
            raise ValueError(f"unknown personal data kind {kind!r}")
        self.kind = kind
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        return name, path, args, kwargs

    @functools.cached_property
    def aad(self) -> bytes:
        """Associated data binding a ciphertext to its table and column: a value copied into another row's
        column of another kind, or another table, does not decrypt. (Read only once the field is on its
        model, so caching it is safe.)"""
        return f"warmth:{self.model._meta.db_table}.{self.column}".encode()

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value, aad=self.aad)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(pii.normalize(self.kind, value), aad=self.aad)

    def bulk_prep(self):
        """``get_prep_value`` for a bulk writer: one sealer (key looked up once) for every row of a batch; the
        values must be strings, as this column's are."""
        seal, kind, normalize = crypto.sealer(self.aad), self.kind, pii.normalize

        def prep(value: str) -> str:
            return seal(normalize(kind, value)) if value else value
        return prep

    def get_lookup(self, lookup_name):
        # Ciphertext is randomized, so comparing it in SQL can never match: only ``isnull`` is allowed;
        # exact lookups go through the blind index (``<field>_bidx=bidx(kind, value)``).
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        models.signals.pre_save.connect(_guard_update_fields, sender=cls, weak=False,
                                        dispatch_uid=f"warmth-pii-{cls._meta.label}")


class BlindIndexField(models.CharField):
    description = "Keyed blind index (HMAC) of another field"

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["db_index"] = self.db_index  # always explicit: the field's default (True) is not Field's (False)
        for key in ("max_length", "blank", "default", "editable"):
            kwargs.pop(key, None)
        return name, path, args, kwargs

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        try:
            source = self.model._meta.get_field(self.source)
        except Exception:
            source = None
        if not isinstance(source, EncryptedTextField):
            errors.append(checks.Error(f"{self.name}: source {self.source!r} is not an EncryptedTextField",
                                       obj=self, id="warmth.E001"))
        return errors

    def pre_save(self, model_instance, add):
        source = model_instance._meta.get_field(self.source)
        plain = getattr(model_instance, self.source)
        value = bidx(source.kind, plain) if plain else ""
        setattr(model_instance, self.attname, value)
        return value


def _guard_update_fields(sender, instance, update_fields=None, **kwargs):
    """``save(update_fields=[...])`` must name an encrypted field and its blind index together, or the index
    would go stale (lookups would find the old value)."""
    if not update_fields:
        return
    for f in sender._meta.get_fields():
        if isinstance(f, BlindIndexField) and (f.source in update_fields) != (f.name in update_fields):
            raise ValueError(f"update_fields must name both {f.source!r} and {f.name!r}")


def bidx(kind: str, value: str) -> str:
    """The blind index of ``value`` as stored by a ``BlindIndexField`` whose source is of ``kind``."""
    normalized = pii.normalize(kind, value)
    return crypto.blind_index(kind, normalized) if normalized else ""


@BlindIndexField.register_lookup
class AnyOf(models.Lookup):
    """``<index>__any=[…]`` on PostgreSQL: ``= ANY(%s)`` with the whole list as one array parameter, for a
    lookup of thousands of people at once (``__in`` would build and parse one placeholder each)."""

    lookup_name = "any"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, [str(v) for v in self.rhs]]



class MoneyField(models.DecimalField):
    """An amount in yuan: ``Decimal`` with 2 places, up to 999,999,999,999.99 (14 digits) — the one money column
    of every app. Migrations see a plain ``DecimalField(max_digits=14, decimal_places=2)``, so using it changes
    no schema and no migration state."""

    MAX_DIGITS, DECIMAL_PLACES = 14, 2

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", self.MAX_DIGITS)
        kwargs.setdefault("decimal_places", self.DECIMAL_PLACES)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs
