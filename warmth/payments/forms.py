"""Forms of the payment pages; amounts are text, parsed by the services (the same refusals as the API)."""

from django import forms

from warmth.core.validation import DateField, TextField
from warmth.funds.choices import PayMethod
from warmth.funds.forms import AMOUNT, DATE
from warmth.payments.choices import AidType, RecipientKind


class PaymentForm(forms.Form):
    pot = forms.ChoiceField(label="资金", error_messages={"invalid_choice": "请选择资金（已过使用期限的资金不再列出）",
                                                       "required": "请选择资金"})
    campaign = forms.ChoiceField(label="送温暖活动", required=False)
    archive_no = TextField(label="档案编号（在档困难职工）", max_length=40, required=False)
    recipient_kind = forms.ChoiceField(label="对象类别（无档案时）", choices=RecipientKind.choices[1:], required=False)
    name = TextField(label="姓名（无档案时）", max_length=30, required=False)
    id_number = TextField(label="身份证号（无档案时）", max_length=20, required=False)
    unit_or_address = TextField(label="工作单位或家庭住址（无档案时）", max_length=200, required=False)
    phone = TextField(label="联系电话（无档案时）", max_length=20, required=False)
    aid_type = forms.ChoiceField(label="帮扶项目", choices=AidType.choices, initial=AidType.WARMTH)
    amount = TextField(label="金额（元）", max_length=20, widget=AMOUNT)
    method = forms.ChoiceField(label="发放方式", choices=PayMethod.choices)
    bank_account = TextField(label="银行账号（银行卡转账）", max_length=40, required=False)
    bank_name = TextField(label="开户银行", max_length=60, required=False)
    on_visit = forms.BooleanField(label="慰问团入户当面发放", required=False)
    goods_items = TextField(label="实物名称、数量和价值（实物发放）", max_length=200, required=False)
    repeat_reason = TextField(label="重复发放理由（本年度同一帮扶项目再次发放时）", max_length=200,
                                    required=False)
    note = TextField(label="其它帮扶措施 / 备注", max_length=200, required=False)

    def __init__(self, *args, pots=(), campaigns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign_objects = {str(c.pk): c for c in campaigns}
        self.fields["campaign"].choices = [("", "不属于某次活动")] + [
            (str(c.pk), f"{c.org.name} {c}") for c in campaigns]
        self.pot_objects = {str(p.pk): p for p in pots}
        self.fields["pot"].choices = [("", "请选择")] + [
            (str(p.pk), getattr(p, "choice_label", f"{p.org.name} {p.label}（余额 {p.balance} 元）")) for p in pots]

    def clean_campaign(self):
        return self.campaign_objects.get(self.cleaned_data.get("campaign") or "")

    def clean_pot(self):
        pot = self.pot_objects.get(self.cleaned_data["pot"])
        if pot is None:
            raise forms.ValidationError("请选择资金（已过使用期限的资金不再列出）")
        return pot


class PaymentEditForm(forms.Form):
    """修改 a draft or returned payment: the fields ``services.EDITABLE`` (the recipient and the money stay)."""

    aid_type = forms.ChoiceField(label="帮扶项目", choices=AidType.choices)
    amount = TextField(label="金额（元）", max_length=20, widget=AMOUNT)
    method = forms.ChoiceField(label="发放方式", choices=PayMethod.choices)
    bank_account = TextField(label="银行账号（银行卡转账；留空则不变）", max_length=40, required=False)
    bank_name = TextField(label="开户银行", max_length=60, required=False)
    on_visit = forms.BooleanField(label="慰问团入户当面发放", required=False)
    goods_items = TextField(label="实物名称、数量和价值（实物发放）", max_length=200, required=False)
    repeat_reason = TextField(label="重复发放理由", max_length=200, required=False)
    note = TextField(label="其它帮扶措施 / 备注", max_length=200, required=False)


class NoteForm(forms.Form):
    note = TextField(label="意见", max_length=200, required=False)


class ReasonForm(forms.Form):
    reason = TextField(label="理由", max_length=200)


class BankFailForm(forms.Form):
    reason = TextField(label="银行退回原因", max_length=100)


class RepayForm(forms.Form):
    bank_account = TextField(label="更正后的银行账号", max_length=40)
    bank_name = TextField(label="开户银行", max_length=60, required=False)


class PaidForm(forms.Form):
    paid_on = DateField(label="发放日期", widget=DATE)
    note = TextField(label="说明", max_length=200, required=False)
