"""Forms of the archive pages. They parse and shape input only; every rule is in the services, whose
ValidationError is mapped back onto these fields (``apply_errors``)."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.urls import reverse
from django.utils import timezone

from warmth.archives.choices import (
    AttachmentKind,
    ExitReason,
    HardshipCategory,
    HardshipCause,
    ReviewResult,
    Sex,
)
from warmth.archives.models import Archive, FamilyMember
from warmth.archives.services import HEAD_FIELDS, MEMBER_FIELDS, ArchiveInput
from warmth.core import pii
from warmth.core.validation import LONG_TEXT, DateField, TextField

MAX_MEMBERS = 8
BLANK = [("", "请选择")]


class ClosedChoiceField(forms.ChoiceField):
    """A select over one closed list of the 登记表; anything else is refused with a Chinese message."""

    default_error_messages = {"invalid_choice": "“%(value)s”不是可选的值，请从列表中选择"}


def _closed(model, name: str, *, required: bool = True, blank: bool | None = None, **kwargs) -> ClosedChoiceField:
    f = model._meta.get_field(name)
    initial = kwargs.pop("initial", f.default if f.has_default() and f.default != "" else None)
    label = kwargs.pop("label", f.verbose_name)
    with_blank = blank if blank is not None else initial is None
    return ClosedChoiceField(label=label, choices=(BLANK if with_blank else []) + list(f.choices),
                             required=required, initial=initial, **kwargs)


def _text_field(name: str, *, model=Archive, required: bool | None = None, **kwargs) -> TextField:
    f = model._meta.get_field(name)
    return TextField(label=f.verbose_name, max_length=f.max_length,
                     required=(not f.blank) if required is None else required, **kwargs)


def _money(name: str, *, required: bool, model=Archive, **kwargs) -> forms.CharField:
    f = model._meta.get_field(name)
    attrs = {"inputmode": "decimal", "autocomplete": "off", "class": "money"}
    return TextField(label=f"{f.verbose_name}（元）", required=required, max_length=20,
                           widget=forms.TextInput(attrs=attrs), help_text=f.help_text, **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _date(label: str, *, required: bool, **kwargs) -> DateField:
    return DateField(label=label, required=required, widget=DateInput(), **kwargs)


def _yes(name: str) -> forms.BooleanField:
    return forms.BooleanField(label=Archive._meta.get_field(name).verbose_name, required=False)


# The paper 登记表's sections, in its order; the template renders one fieldset per group.
GROUPS = (
    ("户主基本情况", ("name", "id_number", "ethnicity", "political_status", "marital_status", "health",
                     "disability_type", "identity", "model_worker_type", "hukou_type", "hukou_region_code",
                     "phone", "postcode", "address")),
    ("工作情况", ("work_start_date", "employer", "industry", "employer_type", "enterprise_status")),
    ("住房情况", ("housing_type", "housing_area")),
    ("家庭经济状况", ("monthly_income", "household_annual_income", "household_size", "rigid_expenses",
                     "hardship_costs", "dibao_monthly", "dibao_from", "dibao_to", "single_parent",
                     "zero_employment", "in_medical_insurance", "self_help_capable")),
    ("困难类别与致困原因", ("category", "cause_1", "cause_2", "cause_3", "remarks")),
)
CAUSE_FIELDS = ("cause_1", "cause_2", "cause_3")


class ArchiveForm(forms.Form):
    """登记表: the head of household and the household's figures. ``archive`` given = editing it."""

    org_code = TextField(label="建档单位（组织代码）", max_length=32,
                               help_text="本级或下级组织的代码，默认为当前组织",
                               widget=forms.TextInput(attrs={"list": "org-codes", "autocomplete": "off"}))
    is_temporary = forms.BooleanField(label="临时救助档案", required=False,
                                      help_text="遭遇突发困难、需先行救助的，先建临时救助档案，在档后可转正")
    name = _text_field("name")
    id_number = TextField(label="身份证号", max_length=24,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                                              "class": "idno", "data-id-head": "1"}),
                                help_text="出生日期、性别由身份证号自动得出")
    ethnicity = _closed(Archive, "ethnicity")
    political_status = _closed(Archive, "political_status")
    marital_status = _closed(Archive, "marital_status")
    health = _closed(Archive, "health")
    disability_type = _closed(Archive, "disability_type")
    identity = _closed(Archive, "identity")
    model_worker_type = _closed(Archive, "model_worker_type")
    hukou_type = _closed(Archive, "hukou_type")
    hukou_region_code = TextField(
        label="户口所在地行政区划代码", max_length=6, help_text="6位县（区）级代码，例如 110105（北京市朝阳区）",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "class": "code6"}))
    phone = TextField(label="联系电话", max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    postcode = TextField(label="邮政编码", max_length=6, required=False,
                               widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    address = _text_field("address")
    work_start_date = _date("工作时间", required=False)
    employer = _text_field("employer")
    industry = _closed(Archive, "industry")
    employer_type = _closed(Archive, "employer_type")
    enterprise_status = _closed(Archive, "enterprise_status")
    housing_type = _closed(Archive, "housing_type")
    housing_area = _closed(Archive, "housing_area", label="建筑面积（平方米）")
    monthly_income = _money("monthly_income", required=True)
    household_annual_income = _money("household_annual_income", required=True)
    household_size = forms.IntegerField(label="家庭人口", min_value=1, max_value=99,
                                        help_text="含户主本人",
                                        error_messages={"min_value": "家庭人口至少为1人",
                                                        "max_value": "家庭人口不能超过99人",
                                                        "invalid": "家庭人口应为整数"})
    rigid_expenses = _money("rigid_expenses", required=False)
    hardship_costs = _money("hardship_costs", required=False)
    single_parent = _yes("single_parent")
    zero_employment = _yes("zero_employment")
    in_medical_insurance = _yes("in_medical_insurance")
    self_help_capable = _yes("self_help_capable")
    dibao_monthly = _money("dibao_monthly", required=False)
    dibao_from = _date("低保起始", required=False)
    dibao_to = _date("低保截止", required=False)
    category = _closed(Archive, "category", help_text="由经办人认定；可点“建议困难类别”参考系统建议")
    cause_1 = _closed(Archive, "cause_1")
    cause_2 = _closed(Archive, "cause_2", required=False, blank=True)
    cause_3 = _closed(Archive, "cause_3", required=False, blank=True)
    remarks = TextField(label="备注", max_length=LONG_TEXT, required=False, multiline=True,
                        help_text=f"最多 {LONG_TEXT} 字")

    def __init__(self, *args, archive: Archive | None = None, **kwargs):
        self.archive = archive
        if archive is not None:
            kwargs.setdefault("initial", initial_from(archive))
        super().__init__(*args, **kwargs)
        self.fields["cause_1"].label = "致困主要原因（一）"
        self.fields["cause_2"].label = "致困主要原因（二）"
        self.fields["cause_3"].label = "致困主要原因（三）"
        self.fields["hukou_region_code"].widget.attrs.update({  # the region's name as a hint (HTMX)
            "hx-get": reverse("archive_region"), "hx-trigger": "input changed delay:300ms",
            "hx-target": "#region-hint", "hx-sync": "this:replace"})
        if archive is not None:  # the org changes by transfer only; temporary is chosen when filing
            del self.fields["org_code"]
            del self.fields["is_temporary"]
            self.fields["id_number"].help_text = "显示为脱敏号码；不修改则保持原号码，修改请输入完整的18位号码"
            if archive.phone:
                self.fields["phone"].help_text = "显示为脱敏号码；不修改则保持原号码"

    def groups(self):
        return [(title, [self[n] for n in names]) for title, names in GROUPS]

    def _keep_masked(self, name: str, kind: str) -> str:
        value = (self.cleaned_data.get(name) or "").strip()
        if "*" in value:
            stored = getattr(self.archive, name, "") if self.archive else ""
            if stored and value == pii.mask(kind, stored):
                return stored
            raise ValidationError("请填写完整的号码（不要保留“*”）")
        return value

    def clean_id_number(self):
        return self._keep_masked("id_number", pii.ID_NUMBER)

    def clean_hukou_region_code(self):
        code = self.cleaned_data.get("hukou_region_code") or ""
        if not re.fullmatch(r"\d{6}", code, flags=re.ASCII):
            raise ValidationError("户口所在地行政区划代码应为6位数字")
        return code

    def clean_phone(self):
        return self._keep_masked("phone", pii.PHONE)

    def head_fields(self) -> dict:
        d = self.cleaned_data
        fields = {k: d.get(k) for k in HEAD_FIELDS if k in self.fields}
        for k in ("rigid_expenses", "hardship_costs", "dibao_monthly"):
            fields[k] = (fields.get(k) or "").strip()
        fields["causes"] = [d.get(c) for c in CAUSE_FIELDS if d.get(c)]
        return fields


def initial_from(archive: Archive) -> dict:
    data = {k: getattr(archive, k) for k in HEAD_FIELDS if k not in ("causes",)}
    data["id_number"] = pii.mask_id_number(archive.id_number)
    data["phone"] = pii.mask_phone(archive.phone)
    for k in ("monthly_income", "household_annual_income", "rigid_expenses", "hardship_costs", "dibao_monthly"):
        data[k] = "" if data[k] is None else str(data[k])
    for i, c in enumerate(CAUSE_FIELDS):
        data[c] = [*archive.causes, "", "", ""][i]
    return data


class MemberForm(forms.Form):
    """One row of 家庭成员 (户主 not included). Empty extra rows are skipped."""

    name = _text_field("name", model=FamilyMember)
    relation = _closed(FamilyMember, "relation")
    id_number = TextField(label="身份证号", max_length=24, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                                              "class": "idno"}))
    sex = ClosedChoiceField(label="性别", choices=BLANK + list(Sex.choices), required=False)
    birth_date = _date("出生日期", required=False)
    political_status = _closed(FamilyMember, "political_status")
    health = _closed(FamilyMember, "health")
    identity = _closed(FamilyMember, "identity")
    monthly_income = TextField(label="月收入（元）", max_length=20, required=False, initial="0",
                                     widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "money"}))
    school_or_employer = _text_field("school_or_employer", model=FamilyMember)

    def __init__(self, *args, known_ids: dict[str, str] | None = None, **kwargs):
        self.known_ids = known_ids or {}
        super().__init__(*args, **kwargs)

    def clean_id_number(self):
        value = (self.cleaned_data.get("id_number") or "").strip()
        if "*" in value:
            if value in self.known_ids:
                return self.known_ids[value]
            raise ValidationError("请填写完整的身份证号（不要保留“*”）")
        return value

    def member(self) -> dict:
        m = {k: self.cleaned_data.get(k) for k in MEMBER_FIELDS}
        m["monthly_income"] = (m.get("monthly_income") or "0").strip()
        return m


class _BaseMemberFormSet(forms.BaseFormSet):
    def members(self) -> list[dict]:
        """Rows kept: every existing row not marked 删除, and the extra rows that were filled in."""
        n = self.initial_form_count()
        return [f.member() for i, f in enumerate(self.forms)
                if (i < n or f.has_changed()) and f.cleaned_data and not f.cleaned_data.get("DELETE")]


MemberFormSet = formset_factory(MemberForm, formset=_BaseMemberFormSet, extra=1, max_num=MAX_MEMBERS,
                                validate_max=True, absolute_max=MAX_MEMBERS + 2, can_delete=True)


def member_formset(data=None, *, archive: Archive | None = None) -> _BaseMemberFormSet:
    initial, known = [], {}
    if archive is not None:
        for m in archive.members.all():
            masked = pii.mask_id_number(m.id_number)
            if m.id_number:
                known[masked] = m.id_number
            initial.append({k: getattr(m, k) for k in MEMBER_FIELDS} | {
                "id_number": masked, "monthly_income": str(m.monthly_income)})
    fs = MemberFormSet(data, initial=initial or None, prefix="members", form_kwargs={"known_ids": known},
                       error_messages={"too_many_forms": f"家庭成员最多登记{MAX_MEMBERS}位（户主除外）"})
    if len(initial) >= MAX_MEMBERS:
        fs.extra = 0
    return fs


def archive_input(form: ArchiveForm, formset: _BaseMemberFormSet) -> ArchiveInput:
    return ArchiveInput(fields=form.head_fields(), members=formset.members())


def apply_errors(form: forms.Form, exc: ValidationError, member_errors: list[str]) -> None:
    """A service's ValidationError onto the form's fields (causes → the first cause select; derived birth
    date and sex → the ID number); family member problems go to ``member_errors``."""
    alias = {"causes": "cause_1", "birth_date": "id_number", "sex": "id_number"}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errs in exc.error_dict.items():
        messages = [m for e in errs for m in e.messages]
        if field == "members":
            member_errors.extend(m for m in messages if m not in member_errors)
            continue
        target = alias.get(field, field)
        if target in form.fields and form.errors.get(target):
            continue  # the form already said what is wrong with this field
        form.add_error(target if target in form.fields else None, messages)


# --- the archive page's small forms ------------------------------------------------------------------

def _area(label: str, *, required: bool = True, rows: int = 2) -> TextField:
    return TextField(label=label, max_length=LONG_TEXT, required=required, multiline=True, rows=rows)


class NoteForm(forms.Form):
    note = _area("说明", required=False)


class ReasonForm(forms.Form):
    reason = _area("原因")


class PublicityForm(forms.Form):
    """The 公示's start; one earlier than today needs a reason and the 公示 record (checked by the service)."""

    publicity_start = _date("公示开始日期", required=False, help_text="不填则从今天开始，公示5个工作日")
    publicity_reason = TextField(label="公示开始日期早于今天的理由", max_length=200, required=False,
                                 help_text="公示开始日期早于今天时必填，并须上传公示记录；审核人会看到此标注")
    publicity_record = forms.FileField(label="公示记录（公示照片或扫描件）", required=False,
                                       help_text="PDF、JPG、PNG，不超过10MB；公示开始日期早于今天时必传",
                                       error_messages={"empty": "上传的文件是空的"},
                                       widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))


class VerifyForm(PublicityForm):
    visited_on = _date("核查日期", required=True)
    visitors = TextField(label="核查人员", max_length=100)
    findings = _area("核查情况")

    field_order = ["visited_on", "visitors", "findings", "publicity_start", "publicity_reason", "publicity_record"]


class ExitRequestForm(forms.Form):
    reason = ClosedChoiceField(label="退档原因", choices=BLANK + list(ExitReason.choices))
    note = _area("退档说明", required=False)


class PlanForm(forms.Form):
    needs = _area("主要需求", rows=3)
    measures = _area("帮扶措施", rows=3)
    contact_name = TextField(label="帮扶联系人", max_length=50)
    contact_phone = TextField(label="联系人电话", max_length=20, required=False)
    next_visit_date = _date("下次入户走访", required=True, help_text="今天起6个月之内")


class AttachmentForm(forms.Form):
    kind = ClosedChoiceField(label="附件类型", choices=BLANK + list(AttachmentKind.choices))
    file = forms.FileField(label="文件", help_text="PDF、JPG、PNG，不超过10MB",
                           error_messages={"required": "请选择要上传的文件", "empty": "上传的文件是空的"},
                           widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))


class ReviewForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    result = ClosedChoiceField(label="复核结果", choices=BLANK + list(ReviewResult.choices))
    notes = _area("复核意见", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year


class DuplicateResolveForm(forms.Form):
    resolution = ClosedChoiceField(label="处理结论", choices=[*BLANK, ("not_duplicate", "不是同一人"),
                                                             ("duplicate", "确为重复")])
    note = _area("说明", required=False)


class ObjectionForm(forms.Form):
    received_on = _date("收到日期", required=True)
    raised_by = TextField(label="反映人", max_length=100, required=False)
    content = _area("异议内容")


class ObjectionResolveForm(forms.Form):
    resolution = _area("处理结果")


class TransferForm(forms.Form):
    to_org = TextField(label="转入单位（组织代码）", max_length=32)
    reason = _area("转出原因")


class TransferDecideForm(forms.Form):
    decision = ClosedChoiceField(label="决定", choices=[("accept", "接收"), ("refuse", "拒收")])
    note = TextField(label="说明", required=False, max_length=500)


class ArchiveFilterForm(forms.Form):
    q = TextField(label="查找", required=False, max_length=40)
    status = ClosedChoiceField(label="状态", required=False, choices=[("", "全部状态"),
                                                                     *Archive._meta.get_field("status").choices])
    category = ClosedChoiceField(label="困难类别", required=False,
                                 choices=[("", "全部类别"), *HardshipCategory.choices])
    cause = ClosedChoiceField(label="致困原因", required=False, choices=[("", "全部致困原因"), *HardshipCause.choices])
    org = TextField(label="组织代码", required=False, max_length=32,
                          widget=forms.TextInput(attrs={"list": "org-codes", "placeholder": "组织代码",
                                                        "title": "该组织及其下级", "autocomplete": "off"}))
    model_worker = forms.BooleanField(label="劳模", required=False)
    migrant = forms.BooleanField(label="农民工", required=False)
    review_due = forms.BooleanField(label="本年度待复核", required=False)


class SampleForm(forms.Form):
    seed = TextField(label="抽样种子", max_length=40, help_text="同一种子得到同一批样本，可供复核重抽")


class ImportForm(forms.Form):
    file = forms.FileField(label="导入文件（.xlsx，用本系统下载的模板填写）")
    org = TextField(label="导入到组织（代码）", max_length=32)
    dry_run = forms.BooleanField(label="试导入：只检查、不写入", required=False, initial=True)
    valid_only = forms.BooleanField(label="只导入没有问题的行（默认全部无误才导入）", required=False)
