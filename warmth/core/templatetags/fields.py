"""Fast rendering of a bound field's ``<select>`` for pages viewed all day (the archive list's filters): Django's
widget renderer runs a template include per option, about 0.1 ms each, so a filter bar of long closed lists cost
a few milliseconds a page. Same markup as ``Select`` (name, id, the chosen option ``selected``), escaped."""

from django import template
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.filter
def select(bound_field) -> str:
    value = bound_field.value()
    chosen = "" if value is None else str(value)
    options = format_html_join("", '<option value="{}"{}>{}</option>',
                               ((str(v), " selected" if str(v) == chosen else "", label)
                                for v, label in bound_field.field.choices))
    attrs = bound_field.build_widget_attrs({"id": bound_field.auto_id, **bound_field.field.widget.attrs})
    if bound_field.errors:  # as Django's BoundField.as_widget marks an invalid field
        attrs["aria-invalid"] = "true"
    return format_html('<select name="{}"{}>{}</select>', bound_field.html_name, flatatt(attrs), options)
