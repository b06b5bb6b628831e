"""Forms of the money pages. Amounts are read as text and parsed by the services (``parse_amount``), so a
page and the API refuse the same inputs with the same Chinese messages."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from warmth.archives.choices import ArchiveStatus
from warmth.core.validation import DateField, TextField
from warmth.funds.choices import DecisionKind, FundSource, PayMethod, Purpose, RuleMode

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})  # ISO, as type=date needs
AMOUNT = forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "如 1000.00", "autocomplete": "off"})


def _amount_field(label: str = "金额（元）") -> TextField:
    return TextField(label=label, max_length=20, widget=AMOUNT)


def this_year() -> int:
    return timezone.localdate().year


class StatementForm(forms.Form):
    org = TextField(label="组织代码", max_length=32, required=False,
                          widget=forms.TextInput(attrs={"list": "org-codes", "placeholder": "本单位"}))
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, required=False)


class RaiseForm(forms.Form):
    org = TextField(label="筹集单位（组织代码）", max_length=32,
                          widget=forms.TextInput(attrs={"list": "org-codes"}))
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, initial=this_year)
    source = forms.ChoiceField(label="资金来源", choices=FundSource.choices)
    purpose = forms.ChoiceField(label="用途", choices=Purpose.choices)
    amount = _amount_field()
    received_on = DateField(label="到账日期", widget=DATE, initial=timezone.localdate)
    doc_no = TextField(label="文号/凭证号", max_length=60, required=False)
    donor = TextField(label="捐助单位或个人（社会捐助必填）", max_length=100, required=False)
    is_goods = forms.BooleanField(label="物资折款（捐赠物资按价值入账）", required=False)
    goods_description = TextField(label="物资名称与数量", max_length=200, required=False)
    spend_by = DateField(label="使用期限（可不填）", widget=DATE, required=False)
    note = TextField(label="备注", max_length=200, required=False)


class AllocationForm(forms.Form):
    to_org = forms.ChoiceField(label="接收单位（直接下级）")
    amount = _amount_field()
    doc_no = TextField(label="文号", max_length=60,
                             widget=forms.TextInput(attrs={"placeholder": "如 厦工[2011]104号"}))
    allocated_on = DateField(label="下拨日期", widget=DATE, initial=timezone.localdate)
    spend_by = DateField(label="使用期限（中央财政资金不填为本年度送温暖活动结束之日）", widget=DATE, required=False)
    note = TextField(label="备注", max_length=200, required=False)

    def __init__(self, *args, children=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_org"].choices = [("", "请选择")] + [(c.code, f"{c.name}（{c.code}）") for c in children]


class PlanForm(forms.Form):
    total = _amount_field("下拨总额（元）")
    doc_no = TextField(label="文号", max_length=60)
    allocated_on = DateField(label="下拨日期", widget=DATE, initial=timezone.localdate)
    spend_by = DateField(label="使用期限（中央财政资金不填为本年度送温暖活动结束之日）", widget=DATE, required=False)


class ReasonForm(forms.Form):
    reason = TextField(label="理由", max_length=200)


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(label="决策事项", choices=DecisionKind.choices)
    meeting = TextField(label="会议名称", max_length=100,
                              widget=forms.TextInput(attrs={"placeholder": "如 2026年第12次主席办公会议"}))
    held_on = DateField(label="会议日期", widget=DATE)
    summary = TextField(label="决定内容", max_length=4000, multiline=True, rows=4)
    pots = forms.MultipleChoiceField(label="适用资金", widget=forms.CheckboxSelectMultiple)
    minutes = forms.FileField(label="会议纪要（PDF、JPG 或 PNG）")

    def __init__(self, *args, pots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.pot_objects = {str(p.pk): p for p in pots}
        self.fields["pots"].choices = [(str(p.pk), f"{p.label}（余额 {p.balance} 元）") for p in pots]

    def clean_pots(self):
        return [self.pot_objects[v] for v in self.cleaned_data["pots"]]


class ConvertForm(forms.Form):
    amount = _amount_field("转为日常帮扶的金额（元）")
    decision = forms.ChoiceField(label="集体研究决定")
    on_date = DateField(label="日期", widget=DATE, initial=timezone.localdate)

    def __init__(self, *args, decisions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.decision_objects = {str(d.pk): d for d in decisions}
        self.fields["decision"].choices = [("", "请选择")] + [
            (str(d.pk), f"{d.meeting}（{d.held_on:%Y-%m-%d}）") for d in decisions]

    def clean_decision(self):
        d = self.decision_objects.get(self.cleaned_data["decision"])
        if d is None:
            raise ValidationError("请选择集体研究决定")
        return d


class RuleSettingForm(forms.Form):
    code = TextField(label="规则", max_length=40, widget=forms.HiddenInput)
    mode = forms.ChoiceField(label="设置", choices=RuleMode.choices)
    max = TextField(label="限额（元）", max_length=20, required=False, widget=AMOUNT)
    reason = TextField(label="调整理由", max_length=200)


ARCHIVE_CHOICES = [("", "未建档（非在档对象）")] + [(s.value, s.label) for s in ArchiveStatus]


class CheckForm(forms.Form):
    """A proposed payment, to see every rule's verdict before anything is submitted."""

    amount = _amount_field()
    method = forms.ChoiceField(label="发放方式", choices=PayMethod.choices)
    purpose = forms.ChoiceField(label="发放用途", choices=Purpose.choices)
    on_visit = forms.BooleanField(label="慰问团入户当面发放", required=False)
    archive_status = forms.ChoiceField(label="对象档案状态", choices=ARCHIVE_CHOICES, required=False)
    paid_on = DateField(label="发放日期", widget=DATE, initial=timezone.localdate)
