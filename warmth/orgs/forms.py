from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils import timezone

from warmth.core.validation import TextField
from warmth.orgs.auth import attempt_claim, attempt_failed, attempt_succeeded
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = PASSWORD_RULE + "不能与原密码相同。"

    def clean_old_password(self):
        old = self.cleaned_data.get("old_password") or ""
        if not attempt_claim(self.user):
            raise forms.ValidationError("账户已锁定，请稍后再试。", code="locked")
        if not self.user.check_password(old):
            attempt_failed(self.user, action="password.failed")
            raise forms.ValidationError("原密码不正确。", code="password_incorrect")
        attempt_succeeded(self.user)
        return old


class OrgCreateForm(forms.Form):
    name = TextField(label="名称", max_length=100)
    code = forms.RegexField(label="组织代码", max_length=32, regex=r"^[A-Za-z0-9][A-Za-z0-9_-]*$",
                            help_text="全系统唯一；字母、数字、- 和 _，例如 510107-0012",
                            error_messages={"invalid": "组织代码只能由字母、数字、- 和 _ 组成，且以字母或数字开头"})
    level = forms.ChoiceField(label="层级", choices=OrgLevel.choices)
    region_code = forms.RegexField(label="行政区划代码", regex=r"^\d{6}$", required=False,
                                   help_text="6位数字，可不填", error_messages={"invalid": "行政区划代码应为6位数字"})

    def __init__(self, *args, parent=None, **kwargs):
        super().__init__(*args, **kwargs)
        if parent is not None:
            self.fields["level"].choices = [("", "请选择"), *parent.child_levels]


class OrgMoveForm(forms.Form):
    new_parent = TextField(label="新上级组织代码", max_length=32)
    reason = TextField(label="调整原因", max_length=200)


PASSWORD_RULE = "至少8位，包含大写字母、小写字母、数字、特殊符号中的至少3类；不能与用户名、姓名相近，不能是常见密码。"  # noqa: S105 (help text, not a password)


class OrgChoiceField(forms.ModelChoiceField):
    """Orgs of the actor's subtree, indented by depth, with their codes."""

    def __init__(self, *args, base_depth: int = 1, **kwargs):
        self.base_depth = base_depth
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return "\u3000" * max(obj.depth - self.base_depth, 0) + f"{obj.name}（{obj.code}）"


class UserCreateForm(forms.Form):
    username = forms.RegexField(label="用户名", max_length=150, regex=r"^[A-Za-z0-9_.@-]+$",
                                error_messages={"invalid": "用户名只能包含字母、数字和 _ . @ -"})
    full_name = TextField(label="姓名", max_length=50)
    phone = forms.RegexField(label="手机号", regex=r"^1\d{10}$", required=False,
                             error_messages={"invalid": "手机号应为以1开头的11位数字"})
    org = OrgChoiceField(label="所属组织", queryset=Org.objects.none(), to_field_name="code", empty_label="请选择组织")
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput,
                               help_text=PASSWORD_RULE + "新用户首次登录后须自行修改。")

    def __init__(self, *args, orgs=None, base_depth: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        if orgs is not None:
            self.fields["org"].queryset = orgs
            self.fields["org"].base_depth = base_depth


class TokenCreateForm(forms.Form):
    name = TextField(label="用途", max_length=100)
