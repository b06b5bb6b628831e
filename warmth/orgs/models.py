"""The union tree, users, memberships and API tokens.

The tree is a materialized path (django-treebeard ``MP_Node``): an org's subtree is every row whose
``path`` starts with its own, one prefix query on an index: for the unique ``path`` column Django also
creates a ``varchar_pattern_ops`` index on PostgreSQL (``orgs_org_path_…_like``), so ``LIKE 'path%'`` is an
index range scan whatever the database collation.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from treebeard.mp_tree import MP_Node

from warmth.core import pii
from warmth.core.fields import BlindIndexField, EncryptedTextField


class OrgLevel(models.TextChoices):
    """Levels and kinds of union organization. To add one, add a member here (a migration follows)."""

    NATIONAL = "national", "全国总工会"
    PROVINCE = "province", "省总工会"
    CITY = "city", "市(州)总工会"
    COUNTY = "county", "县(区)总工会"
    INDUSTRY = "industry", "产业工会(工委)"
    DIRECT = "direct", "直属工会"
    GROUP = "group", "企业集团工会"
    TOWNSHIP = "township", "乡镇(街道)工会"
    GRASSROOTS = "grassroots", "基层工会"


_ANY = ("industry", "direct", "group", "grassroots")
# Which levels may stand directly under which (a closed rule, checked on create and move). 产业工会、直属工会、
# 企业集团工会 and 基层工会 hang under any level; a county may sit under a province (直辖市的区县).
ALLOWED_CHILDREN: dict[str, frozenset[str]] = {
    OrgLevel.NATIONAL: frozenset({"province", *_ANY}),
    OrgLevel.PROVINCE: frozenset({"city", "county", *_ANY}),
    OrgLevel.CITY: frozenset({"county", "township", *_ANY}),
    OrgLevel.COUNTY: frozenset({"township", *_ANY}),
    OrgLevel.TOWNSHIP: frozenset({"group", "grassroots"}),
    OrgLevel.INDUSTRY: frozenset({"industry", "group", "grassroots"}),
    OrgLevel.DIRECT: frozenset({"group", "grassroots"}),
    OrgLevel.GROUP: frozenset({"group", "grassroots"}),
    OrgLevel.GRASSROOTS: frozenset(),
}


class Org(MP_Node):
    steplen = 4
    node_order_by = None

    name = models.CharField("名称", max_length=100)
    code = models.CharField("组织代码", max_length=32, unique=True,
                            help_text="全系统唯一，命令行 --org 使用此代码")
    level = models.CharField("层级", max_length=16, choices=OrgLevel.choices)
    region_code = models.CharField("行政区划代码", max_length=6, blank=True, default="")
    parent = models.ForeignKey("self", verbose_name="上级组织", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        verbose_name = "工会组织"
        verbose_name_plural = "工会组织"

    def __str__(self) -> str:
        return self.name

    def subtree(self):
        """This org and every org below it (one index-backed prefix query)."""
        return Org.objects.filter(path__startswith=self.path)

    def is_within(self, other: Org) -> bool:
        """True if ``self`` is ``other`` or below it."""
        return self.path.startswith(other.path)

    @property
    def level_label(self) -> str:
        return OrgLevel(self.level).label

    @property
    def child_levels(self) -> list[tuple[str, str]]:
        allowed = ALLOWED_CHILDREN.get(self.level, frozenset())
        return [(v, label) for v, label in OrgLevel.choices if v in allowed]


class OrgMove(models.Model):
    """History of an org being moved to another parent (who, when, from, to)."""

    org = models.ForeignKey(Org, verbose_name="组织", on_delete=models.PROTECT, related_name="moves")
    from_parent = models.ForeignKey(Org, verbose_name="原上级", on_delete=models.PROTECT, related_name="+")
    to_parent = models.ForeignKey(Org, verbose_name="新上级", on_delete=models.PROTECT, related_name="+")
    moved_by = models.ForeignKey("orgs.User", verbose_name="操作人", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+",
                                 help_text="空：服务器运维人员在命令行操作")
    moved_at = models.DateTimeField("时间", default=timezone.now)
    reason = models.CharField("原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "组织调整记录"
        ordering = ["-moved_at"]

    def __str__(self) -> str:
        return f"{self.org} {self.from_parent} → {self.to_parent}"


class Role(models.TextChoices):
    HANDLER = "handler", "经办人"
    REVIEWER = "reviewer", "审核人"
    LEADER = "leader", "领导"
    FINANCE = "finance", "财务"
    AUDITOR = "auditor", "经审/纪检"
    ADMIN = "admin", "系统管理员"


class AccountStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    ACTIVE = "active", "正常"
    DISABLED = "disabled", "已停用"


class User(AbstractUser):
    full_name = models.CharField("姓名", max_length=50, blank=True)
    phone = EncryptedTextField("手机号", kind=pii.PHONE, blank=True)
    phone_bidx = BlindIndexField(source="phone")
    status = models.CharField("账户状态", max_length=16, choices=AccountStatus.choices,
                              default=AccountStatus.ACTIVE)
    created_by = models.ForeignKey("self", verbose_name="创建人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey("self", verbose_name="审批人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    must_change_password = models.BooleanField("须修改密码", default=False,
                                               help_text="管理员设置的初始密码，首次登录后必须修改")
    failed_logins = models.PositiveIntegerField("连续登录失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def is_locked(self, now=None) -> bool:
        return bool(self.locked_until and self.locked_until > (now or timezone.now()))

    def primary_org(self) -> Org | None:
        """The org of the user's first active membership (highest in the tree): where an event about the user
        is filed when nothing else says where (the audit log asks for it)."""
        m = (self.memberships.filter(is_active=True).select_related("org")
             .order_by("org__depth", "id").first())
        return m.org if m else None


class Membership(models.Model):
    """A user's role in an org; the user acts in that org's whole subtree, with that role's permissions."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.PROTECT, related_name="memberships")
    org = models.ForeignKey(Org, verbose_name="组织", on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField("角色", max_length=16, choices=Role.choices)
    is_active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        verbose_name = "任职"
        constraints = [
            models.UniqueConstraint(fields=["user", "org", "role"], condition=Q(is_active=True),
                                    name="membership_unique_active"),
        ]

    def __str__(self) -> str:
        return f"{self.org.name} · {self.get_role_display()}"


class ApiToken(models.Model):
    """A personal API token bound to one membership; only its SHA-256 is stored."""

    membership = models.ForeignKey(Membership, verbose_name="身份", on_delete=models.PROTECT,
                                   related_name="api_tokens")
    name = models.CharField("用途", max_length=100)
    prefix = models.CharField("前缀", max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        verbose_name = "API 令牌"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
