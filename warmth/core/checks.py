"""System checks: production needs its keys; the blind index key must be present wherever data exists."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def personal_data_keys(app_configs, **kwargs):
    errors = []
    if not settings.WARMTH_FIELD_KEYS:
        errors.append(checks.Error("WARMTH_FIELD_KEY is not set", id="warmth.E010",
                                   hint="KID:BASE64 of 32 random bytes; see docs/deployment.md"))
    if settings.WARMTH_INDEX_KEY is None:
        errors.append(checks.Error("WARMTH_INDEX_KEY is not set", id="warmth.E011",
                                   hint="KID:BASE64 of 32 random bytes; never change it without reindexing"))
    return errors
