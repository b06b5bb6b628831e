from django import forms

from warmth.audit.actions import action_choices, object_choices
from warmth.core.validation import DateField, TextField


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label="操作", required=False)
    actor_name = TextField(label="操作人", max_length=50, required=False)
    object_type = forms.ChoiceField(label="对象类型", required=False)
    object_id = TextField(label="对象编号", max_length=40, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "全部"), *action_choices()]
        self.fields["object_type"].choices = [("", "全部"), *object_choices()]
    date_from = DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
