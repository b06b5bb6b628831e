from django.http import JsonResponse
from django.urls import include, path

from warmth.api import api
from warmth.auditpage import views as audit_views
from warmth.jobs import views as job_views
from warmth.orgs import holidays
from warmth.orgs import views as org_views


def healthz(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("", org_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("login/", org_views.LoginView.as_view(), name="login"),
    path("logout/", org_views.logout, name="logout"),
    path("switch/", org_views.switch, name="switch"),
    path("password/", org_views.PasswordChangeView.as_view(), name="password_change"),
    path("permissions/", org_views.permissions, name="permissions"),
    path("holidays/", holidays.holidays, name="holidays"),
    path("holidays/<int:pk>/withdraw/", holidays.holiday_withdraw, name="holiday_withdraw"),
    path("orgs/", org_views.org_list, name="org_list"),
    path("orgs/<str:code>/", org_views.org_detail, name="org_detail"),
    path("orgs/<str:code>/new/", org_views.org_create, name="org_create"),
    path("orgs/<str:code>/move/", org_views.org_move, name="org_move"),
    path("users/", org_views.user_list, name="user_list"),
    path("users/new/", org_views.user_create, name="user_create"),
    path("users/<int:pk>/", org_views.user_detail, name="user_detail"),
    path("users/<int:pk>/approve/", org_views.user_approve, name="user_approve"),
    path("users/<int:pk>/disable/", org_views.user_disable, name="user_disable"),
    path("users/<int:pk>/unlock/", org_views.user_unlock, name="user_unlock"),
    path("tokens/", org_views.token_list, name="token_list"),
    path("tokens/<int:pk>/revoke/", org_views.token_revoke, name="token_revoke"),
    path("audit/", audit_views.event_list, name="audit_list"),
    path("audit/export/", audit_views.event_export, name="audit_export"),
    path("archives/", include("warmth.archives.urls")),
    path("funds/", include("warmth.funds.urls")),
    path("payments/", include("warmth.payments.urls")),
    path("campaigns/", include("warmth.campaigns.urls")),
    path("campaigns/", include("warmth.visits.urls")),
    path("centers/", include("warmth.centers.urls")),
    path("reports/", include("warmth.reports.urls")),
    path("evaluation/", include("warmth.evaluation.urls")),
    path("incomecheck/", include("warmth.incomecheck.urls")),
    path("pairing/", include("warmth.pairing.urls")),
    path("dashboard/", include("warmth.dashboard.urls")),
    path("todo/", include("warmth.todo.urls")),
    path("jobs/", job_views.job_list, name="job_list"),
    path("jobs/<int:pk>/", job_views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/progress/", job_views.job_progress, name="job_progress"),
    path("jobs/<int:pk>/download/", job_views.job_download, name="job_download"),
    path("api/", api.urls),
]

handler400 = "warmth.core.errors.bad_request"
handler403 = "warmth.core.errors.permission_denied"
handler404 = "warmth.core.errors.page_not_found"
handler500 = "warmth.core.errors.server_error"
