"""Routes of the dashboard, mounted at /dashboard/."""

from django.urls import path

from warmth.dashboard import views

urlpatterns = [
    path("", views.home, name="dashboard"),
    path("season-panel/", views.season_panel, name="dashboard_season_panel"),
]
