"""Routes of the statistics-report pages, mounted at /reports/."""

from django.urls import path

from warmth.reports import views

urlpatterns = [
    path("", views.report_index, name="report_index"),
    path("<str:form>/<int:year>/", views.report_detail, name="report_detail"),
    path("<str:form>/<int:year>/cell/<str:code>/", views.report_cell, name="report_cell"),
    path("<str:form>/<int:year>/board/", views.report_board, name="report_board"),
    path("<str:form>/<int:year>/download/<str:fmt>/", views.report_download, name="report_download"),
]
