"""``{{ amount|yuan }}``: an amount of yuan with thousands separators and two places (1,234.50)."""

from django import template

from warmth.core.money import AmountError, format_yuan

register = template.Library()


@register.filter
def yuan(value) -> str:
    if value is None or value == "":
        return ""
    try:
        return format_yuan(value)
    except AmountError:
        return str(value)
