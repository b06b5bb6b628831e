from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.utils import timezone

from warmth.orgs.models import Org, OrgLevel, Role, User


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误。连续失败%(limit)s次将锁定账户%(minutes)s分钟。",
        "inactive": "该账户尚未审批或已停用，请联系系统管理员。",
        "locked": "账户已锁定，请于%(until)s后再试，或联系系统管理员解锁。",
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        user = User.objects.filter(username=username).first() if username else None
        if user is not None and user.is_locked():
            until = timezone.localtime(user.locked_until).strftime("%H:%M")
            raise forms.ValidationError(self.error_messages["locked"], code="locked", params={"until": until})
        try:
            return super().clean()
        except forms.ValidationError:
            if user is not None:
                user.refresh_from_db(fields=["locked_until", "is_active", "status"])
                password = self.cleaned_data.get("password") or ""
                if not user.is_active and not user.is_locked() and user.check_password(password):
                    message = ("该账户正在等待审批，请联系系统管理员。" if user.status == "pending"
                               else "该账户已停用，请联系系统管理员。")
                    raise forms.ValidationError(message, code="inactive") from None
                if user.is_locked():
                    until = timezone.localtime(user.locked_until).strftime("%H:%M")
                    raise forms.ValidationError(self.error_messages["locked"], code="locked",
                                                params={"until": until}) from None
            raise

    def get_invalid_login_error(self):
        return forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login",
                                     params={"limit": settings.WARMTH_LOCKOUT_FAILURES,
                                             "minutes": settings.WARMTH_LOCKOUT_MINUTES})


class LockoutPasswordChangeForm(PasswordChangeForm):
    """The old password counts towards the same lock-out as the login form."""

    def clean_old_password(self):
        from warmth.orgs.auth import attempt_claim, attempt_failed, attempt_succeeded

        old = self.cleaned_data.get("old_password") or ""
        if not attempt_claim(self.user):
            raise forms.ValidationError("账户已锁定，请稍后再试。", code="locked")
        if not self.user.check_password(old):
            attempt_failed(self.user, action="password.failed")
            raise forms.ValidationError("原密码不正确。", code="password_incorrect")
        attempt_succeeded(self.user)
        return old


class OrgCreateForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100)
    code = forms.CharField(label="组织代码", max_length=32)
    level = forms.ChoiceField(label="层级", choices=OrgLevel.choices)
    region_code = forms.CharField(label="行政区划代码", max_length=6, required=False)


class OrgMoveForm(forms.Form):
    new_parent = forms.CharField(label="新上级组织代码", max_length=32)
    reason = forms.CharField(label="调整原因", max_length=200)


class UserCreateForm(forms.Form):
    username = forms.RegexField(label="用户名", max_length=150, regex=r"^[A-Za-z0-9_.@-]+$",
                                error_messages={"invalid": "用户名只能包含字母、数字和 _ . @ -"})
    full_name = forms.CharField(label="姓名", max_length=50)
    phone = forms.RegexField(label="手机号", regex=r"^1\d{10}$", required=False,
                             error_messages={"invalid": "手机号应为以1开头的11位数字"})
    org = forms.ModelChoiceField(label="所属组织", queryset=Org.objects.none(), to_field_name="code")
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput,
                               help_text=" ".join(password_validators_help_texts()))

    def __init__(self, *args, orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        if orgs is not None:
            self.fields["org"].queryset = orgs


class TokenCreateForm(forms.Form):
    name = forms.CharField(label="用途", max_length=100)


class AuditFilterForm(forms.Form):
    action = forms.CharField(label="操作", required=False)
    actor_name = forms.CharField(label="操作人", required=False)
    object_type = forms.CharField(label="对象类型", required=False)
    object_id = forms.CharField(label="对象编号", required=False)
    date_from = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
