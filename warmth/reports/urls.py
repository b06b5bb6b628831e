"""Routes of the statistics-report pages, mounted at /reports/."""

from django.urls import path

from warmth.reports import formviews, views

urlpatterns = [
    # the forms page of the system admin, before the report routes ("forms/1/" would read as a form and year)
    path("forms/", formviews.report_forms, name="report_forms"),
    path("forms/<int:pk>/", formviews.report_form, name="report_form"),
    path("forms/<int:pk>/preview/", formviews.report_form_preview, name="report_form_preview"),
    path("forms/<int:pk>/publish/", formviews.report_form_publish, name="report_form_publish"),
    path("forms/<int:pk>/retire/", formviews.report_form_retire, name="report_form_retire"),
    path("", views.report_index, name="report_index"),
    path("<str:form>/<int:year>/", views.report_detail, name="report_detail"),
    path("<str:form>/<int:year>/cell/<str:code>/", views.report_cell, name="report_cell"),
    path("<str:form>/<int:year>/board/", views.report_board, name="report_board"),
    path("<str:form>/<int:year>/download/<str:fmt>/", views.report_download, name="report_download"),
]
