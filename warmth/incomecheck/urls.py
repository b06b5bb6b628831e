"""Routes of 收入核对, mounted at /incomecheck/."""

from django.urls import path

from warmth.incomecheck import views

urlpatterns = [
    path("", views.overview, name="incomecheck_overview"),
    path("archives/<int:pk>/", views.archive_authorization, name="incomecheck_archive"),
    path("authorizations/<int:pk>/file/", views.authorization_file, name="incomecheck_authorization_file"),
    path("batches/<int:pk>/", views.batch_detail, name="incomecheck_batch"),
    path("batches/<int:pk>/export/", views.batch_export, name="incomecheck_export"),
    path("batches/<int:pk>/answers/", views.batch_answers, name="incomecheck_answers"),
    path("checks/<int:pk>/decide/", views.check_decide, name="incomecheck_decide"),
]
