"""``{{ field|select }}`` renders what Django's Select widget renders: the same options and labels in order, the
chosen one selected (also a value given in the query string), names and ids, text escaped."""

import re

from django import forms

from warmth.archives.forms import ArchiveFilterForm
from warmth.core.templatetags.fields import select


def options(html: str) -> list[tuple[str, bool, str]]:
    return [(v, bool(s), label) for v, s, label in
            re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', html)]


def tag_attrs(html: str) -> set[str]:
    return set(re.findall(r'(\S+?)="[^"]*"', re.match(r"<select([^>]*)>", html).group(1)))


def test_the_filter_and_django_render_the_same_options_and_choice():
    for data in (None, {"status": "active", "category": "", "cause": "残疾"}, {"status": "no-such"}):
        form = ArchiveFilterForm(data)
        for name in ("status", "category", "cause"):
            mine, django = select(form[name]), str(form[name])
            assert options(mine) == options(django), (data, name)
            assert f'name="{name}"' in mine and f'id="id_{name}"' in mine
            assert tag_attrs(mine) <= tag_attrs(django), (data, name)  # aria-invalid on a bad value, as Django
            assert ('aria-invalid' in mine) == ('aria-invalid' in django), (data, name)
    chosen = [o for o in options(select(ArchiveFilterForm({"cause": "残疾"})["cause"])) if o[1]]
    assert chosen == [("残疾", True, "残疾")]


def test_labels_and_values_are_escaped():
    class F(forms.Form):
        pick = forms.ChoiceField(choices=[('"><script>', "<b>x</b>")])

    html = select(F({"pick": '"><script>'})["pick"])
    assert "<script>" not in html and "<b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert 'value="&quot;&gt;&lt;script&gt;" selected' in html
