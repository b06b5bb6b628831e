import re

from django.core.exceptions import ValidationError

_CLASSES = (
    ("大写字母", re.compile(r"[A-Z]")),
    ("小写字母", re.compile(r"[a-z]")),
    ("数字", re.compile(r"[0-9]")),
    ("特殊符号", re.compile(r"[^A-Za-z0-9]")),
)


class CharacterClassesValidator:
    """At least ``min_classes`` of: upper case, lower case, digits, symbols (等保三级 password rule)."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        present = sum(1 for _, rx in _CLASSES if rx.search(password or ""))
        if present < self.min_classes:
            raise ValidationError(
                f"密码须包含大写字母、小写字母、数字、特殊符号中的至少{self.min_classes}类，当前只有{present}类。",
                code="password_too_simple",
            )

    def get_help_text(self):
        return f"包含大写字母、小写字母、数字、特殊符号中的至少{self.min_classes}类。"


class MinimumLengthValidator:
    """At least ``min_length`` characters, with the message in Chinese whatever language is active."""

    def __init__(self, min_length: int = 8):
        self.min_length = min_length

    def validate(self, password, user=None):
        if len(password or "") < self.min_length:
            raise ValidationError(f"密码太短，至少需要{self.min_length}个字符。", code="password_too_short")

    def get_help_text(self):
        return f"密码至少{self.min_length}个字符。"


class UserAttributeSimilarityValidator:
    """Not too close to the username or name, with a Chinese message that fits an admin setting it too."""

    def __init__(self, max_similarity: float = 0.7):
        from django.contrib.auth.password_validation import UserAttributeSimilarityValidator as Base

        self._base = Base(user_attributes=("username", "full_name"), max_similarity=max_similarity)

    def validate(self, password, user=None):
        try:
            self._base.validate(password, user)
        except ValidationError:
            raise ValidationError("密码与用户名或姓名过于相近。", code="password_too_similar") from None

    def get_help_text(self):
        return "不能与用户名、姓名相近。"


class DifferentFromCurrentValidator:
    """A new password must differ from the one the account has now (a "change" to itself is no change).

    Compared with the stored hash without touching the user (``hashers.check_password``, no rehash on save)."""

    def validate(self, password, user=None):
        from django.contrib.auth.hashers import check_password

        current = getattr(user, "password", "") or ""
        if password and current and check_password(password, current):
            raise ValidationError("新密码不能与原密码相同。", code="password_unchanged")

    def get_help_text(self):
        return "不能与原密码相同。"
