"""The JSON API root (django-ninja). Each app adds a router; every route reaches its objects through the
same access helpers as the HTML views. Authentication: ``Authorization: Bearer wt_…`` (a personal token,
bound to one membership) or the browser session (with CSRF for writes)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from warmth.auditpage.api import router as audit_router
from warmth.jobs.api import router as jobs_router
from warmth.orgs.access import actor_for
from warmth.orgs.api import router as orgs_router
from warmth.orgs.services import token_authenticate


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        t = token_authenticate(token)
        if t is None:
            return None
        # the same rule as a session (actor_for): the membership must still be one the user may act through
        # (active, in an active org); an account that must first change its password reaches nothing
        actor = actor_for(t.membership.user, t.membership_id)
        if actor is None or actor.membership.pk != t.membership_id or t.membership.user.must_change_password:
            return None
        request.actor = actor
        return actor


class SessionActorAuth(SessionAuth):
    """The logged-in browser session (CSRF-checked), acting through the membership chosen in the UI."""

    def authenticate(self, request, key):
        if request.user.is_authenticated:
            return getattr(request, "actor", None)
        return None


class ChineseDocs(Swagger):
    """The docs page (Swagger UI from the package's own static files, no CDN) under a Chinese heading that says
    how to call the API and what Swagger's English buttons do."""

    template = "api_docs.html"


api = NinjaAPI(
    title="送温暖管理系统接口（API）",
    version="1",
    description="工会送温暖与困难职工帮扶管理系统接口。使用个人 API 令牌：Authorization: Bearer wt_…",
    docs=ChineseDocs(),
    auth=[TokenAuth(), SessionActorAuth()],
    urls_namespace="api",
    docs_decorator=login_required,
)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(request, {"detail": "未登录或令牌无效（请使用 Authorization: Bearer wt_…）"},
                               status=401)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": str(exc) or "不存在或不在您的管辖范围内"}, status=404)


@api.exception_handler(PermissionDenied)
def _denied(request, exc):
    return api.create_response(request, {"detail": str(exc) or "无权执行此操作"}, status=403)


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": "数据校验未通过", "errors": errors}, status=422)


def _register_routers() -> None:
    api.add_router("/", orgs_router)
    api.add_router("/archives/", "warmth.archives.api.router")
    api.add_router("/funds/", "warmth.funds.api.router")
    api.add_router("/payments/", "warmth.payments.api.router")
    api.add_router("/campaigns/", "warmth.campaigns.api.router")
    api.add_router("/campaigns/", "warmth.visits.api.router")  # visits and coverage, beside the season's routes
    api.add_router("/reports/", "warmth.reports.api.router")
    api.add_router("/evaluation/", "warmth.evaluation.api.router")
    api.add_router("/incomecheck/", "warmth.incomecheck.api.router")
    api.add_router("/pairing/", "warmth.pairing.api.router")
    api.add_router("/audit/", audit_router)
    api.add_router("/jobs/", jobs_router)
    api.add_router("/todo/", "warmth.todo.api.router")


_register_routers()
