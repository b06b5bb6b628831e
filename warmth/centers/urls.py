"""Routes of the 帮扶中心 registry, mounted at /centers/ (``path("centers/", include("warmth.centers.urls"))``)."""

from django.urls import path

from warmth.centers import views

urlpatterns = [
    path("", views.center_list, name="center_list"),
    path("new/", views.center_create, name="center_create"),
    path("<int:pk>/", views.center_detail, name="center_detail"),
    path("<int:pk>/edit/", views.center_edit, name="center_edit"),
    path("<int:pk>/stations/new/", views.station_add, name="center_station_add"),
    path("<int:pk>/partners/new/", views.partner_add, name="center_partner_add"),
    path("<int:pk>/funding/new/", views.funding_add, name="center_funding_add"),
    path("stations/<int:sid>/close/", views.station_close, name="center_station_close"),
    path("partners/<int:pid>/close/", views.partner_close, name="center_partner_close"),
    path("funding/<int:fid>/correct/", views.funding_correct, name="center_funding_correct"),
]
