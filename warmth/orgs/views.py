import time

from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.dispatch import receiver
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from warmth.audit.services import audit_record
from warmth.core import pii
from warmth.core.errors import refuse
from warmth.core.feedback import form_data
from warmth.core.validation import integer
from warmth.orgs import services
from warmth.orgs.access import (
    manageable_users,
    membership_for_actor,
    memberships_visible_to,
    org_for_actor,
    user_for_actor,
    visible_orgs,
    visible_users,
)
from warmth.orgs.decorators import actor_required
from warmth.orgs.forms import (
    LockoutPasswordChangeForm,
    LoginForm,
    OrgCreateForm,
    OrgMoveForm,
    TokenCreateForm,
    UserCreateForm,
)
from warmth.orgs.middleware import LOGIN_AT_KEY, SESSION_KEY
from warmth.orgs.models import AccountStatus, ApiToken, Membership, Org, OrgMove, Role
from warmth.orgs.permissions import MATRIX, PERM_LABELS, Perm


class LoginView(auth_views.LoginView):
    template_name = "orgs/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_redirect_url(self):
        url = super().get_redirect_url()
        return "" if url.split("?")[0] == self.request.path else url  # ?next=/login/ would loop


@receiver(user_logged_in)
def _audit_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT_KEY] = int(time.time())
    audit_record(actor=user, action="login", object_type="user", object_id=user.pk)


@require_POST
def logout(request):
    if request.user.is_authenticated:
        audit_record(actor=request.actor or request.user, action="logout", object_type="user",
                     object_id=request.user.pk)
    auth_logout(request)
    messages.info(request, "您已安全退出。")
    return redirect("login")


def _form_error(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.error_dict.items():
            for e in errs:
                form.add_error(field if field in form.fields else None, e.messages)
    else:
        form.add_error(None, exc.messages)


@actor_required()
def home(request):
    actor = request.actor
    children = actor.org.children.filter(is_active=True).order_by("path")[:50]
    subtree = visible_orgs(actor).aggregate(total=Count("id"))
    return render(request, "orgs/home.html", {
        "children": children, "subtree_total": subtree["total"],
        "memberships": Membership.objects.filter(user=request.user, is_active=True).select_related("org"),
        "perms": sorted((PERM_LABELS[p] for p in MATRIX[actor.role]), key=len),
    })


@require_POST
@actor_required()
def switch(request):
    try:
        pk = integer(request.POST.get("membership"), label="要切换的身份", min_value=1)
    except ValidationError:
        return refuse(request, "请从页面顶部的列表中选择要切换的身份（任职）。")
    m = membership_for_actor(request.actor, pk)
    request.session[SESSION_KEY] = m.pk
    audit_record(actor=request.user, action="membership.switch", object_type="membership", object_id=m.pk,
                 org=m.org)
    messages.success(request, f"已切换到：{m.org.name} · {m.get_role_display()}")
    return redirect("home")


@actor_required()
def org_list(request):
    actor = request.actor
    q = request.GET.get("q", "").strip()
    parent = org_for_actor(actor, request.GET["parent"]) if request.GET.get("parent") else actor.org
    if q:
        orgs = visible_orgs(actor).filter(Q(name__contains=q) | Q(code=q)).order_by("path")
    else:
        orgs = parent.children.order_by("path")
    page = Paginator(orgs, 50).get_page(request.GET.get("page"))
    ancestors = [a for a in Org.objects.get_ancestors(parent) if a.path.startswith(actor.org.path)]
    return render(request, "orgs/org_list.html", {"parent": parent, "page": page, "q": q,
                                                  "ancestors": ancestors})


@actor_required()
def org_detail(request, code):
    org = org_for_actor(request.actor, code)
    return render(request, "orgs/org_detail.html", {
        "org": org, "children": org.children.order_by("path")[:100],
        "moves": OrgMove.objects.filter(org=org).select_related("from_parent", "to_parent", "moved_by"),
        "members": Membership.objects.filter(org=org, is_active=True).select_related("user"),
    })


@actor_required(Perm.ORG_MANAGE)
def org_create(request, code):
    parent = org_for_actor(request.actor, code, write=True)
    form = OrgCreateForm(form_data(request), parent=parent)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.org_create(actor=request.actor, parent=parent, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"已新增组织：{org.name}")
            return redirect("org_detail", code=org.code)
    return render(request, "orgs/org_form.html", {"form": form, "parent": parent})


@actor_required(Perm.ORG_MANAGE)
def org_move(request, code):
    org = org_for_actor(request.actor, code, write=True)
    form = OrgMoveForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            target = org_for_actor(request.actor, form.cleaned_data["new_parent"])
            services.org_move(actor=request.actor, org=org, new_parent=target, reason=form.cleaned_data["reason"])
        except Http404:
            form.add_error("new_parent", "该组织代码不存在或不在您的管辖范围内")
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"已将 {org.name} 调整到 {target.name} 之下")
            return redirect("org_detail", code=org.code)
    return render(request, "orgs/org_move.html", {"form": form, "org": org})


@actor_required()
def user_list(request):
    users = (visible_users(request.actor).order_by("username")
             .prefetch_related(Prefetch("memberships", to_attr="visible_memberships",
                                        queryset=Membership.objects.filter(
                                            is_active=True, org__path__startswith=request.actor.org.path)
                                        .select_related("org"))))
    status = request.GET.get("status", "")
    if status in AccountStatus.values:
        users = users.filter(status=status)
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "orgs/user_list.html", {"page": page, "status": status,
                                                   "statuses": AccountStatus.choices})


@actor_required()
def user_detail(request, pk):
    actor = request.actor
    user = user_for_actor(actor, pk)
    phone = pii.mask_phone(user.phone)
    if request.GET.get("reveal") == "phone" and user.phone:
        actor.require(Perm.PII_FULL)
        audit_record(actor=actor, action="pii.view", object_type="user", object_id=user.pk,
                     org=user.primary_org(), after={"field": "phone"})
        phone = user.phone
    return render(request, "orgs/user_detail.html", {
        "u": user, "phone": phone, "is_creator": user.created_by_id == actor.user.pk,
        "memberships": memberships_visible_to(actor, user),
        "can_manage": manageable_users(actor).filter(pk=user.pk).exists(),
    })


@actor_required(Perm.USER_MANAGE)
def user_create(request):
    actor = request.actor
    form = UserCreateForm(form_data(request), orgs=visible_orgs(actor).order_by("path"),
                          base_depth=actor.org.depth)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"已创建账户 {user.username}，待另一位管理员审批后生效。")
            return redirect("user_detail", pk=user.pk)
    return render(request, "orgs/user_form.html", {"form": form})


def _user_action(service, success):
    @require_POST
    @actor_required(Perm.USER_MANAGE)
    def view(request, pk):
        user = user_for_actor(request.actor, pk, write=True)
        try:
            service(actor=request.actor, user=user)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, success.format(user=user))
        return redirect("user_detail", pk=user.pk)

    return view


user_approve = _user_action(services.user_approve, "账户 {user.username} 已审批生效。")
user_disable = _user_action(services.user_disable, "账户 {user.username} 已停用。")
user_unlock = _user_action(services.user_unlock, "账户 {user.username} 已解除锁定。")


NEW_TOKEN_KEY = "warmth_new_token"  # noqa: S105 (a session key name)


@actor_required()
def token_list(request):
    form = TokenCreateForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        _, raw = services.token_create(actor=request.actor, name=form.cleaned_data["name"])
        request.session[NEW_TOKEN_KEY] = raw  # shown once on the next page, then gone (refresh = no new token)
        return redirect("token_list")
    raw = request.session.pop(NEW_TOKEN_KEY, None)
    tokens = ApiToken.objects.filter(membership__user=request.user).select_related("membership__org")
    return render(request, "orgs/token_list.html", {"form": form, "tokens": tokens, "raw": raw})


@require_POST
@actor_required()
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, membership__user=request.user)
    services.token_revoke(actor=request.actor, token=token)
    messages.success(request, f"令牌 {token.prefix}… 已吊销。")
    return redirect("token_list")


@actor_required()
def permissions(request):
    rows = [(PERM_LABELS[p], [p in MATRIX[r] for r in Role.values]) for p in Perm]
    return render(request, "orgs/permissions.html", {"roles": Role.labels, "rows": rows})


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "orgs/password_change.html"
    form_class = LockoutPasswordChangeForm
    success_url = "/"

    def form_invalid(self, form):
        self.request.user.refresh_from_db(fields=["locked_until"])
        if self.request.user.is_locked():
            auth_logout(self.request)
            messages.error(self.request, "原密码连续输错，账户已锁定，请稍后重新登录。")
            return redirect("login")
        return super().form_invalid(form)

    @transaction.atomic
    def form_valid(self, form):
        response = super().form_valid(form)
        user = self.request.user
        if user.must_change_password:
            user.must_change_password = False
            user.save(update_fields=["must_change_password"])
        audit_record(actor=self.request.actor or user, action="user.password", object_type="user",
                     object_id=user.pk)
        messages.success(self.request, "密码已修改。")
        return response
