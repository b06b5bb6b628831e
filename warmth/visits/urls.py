"""Routes of the visit and coverage pages, mounted at /campaigns/ beside the season's (campaigns/urls.py)."""

from django.urls import path

from warmth.visits import views

urlpatterns = [
    path("coverage/", views.season_coverage, name="season_coverage"),
    path("visits/<int:vid>/void/", views.visit_void, name="campaign_visit_void"),
    path("<int:pk>/visits/", views.visit_list, name="campaign_visits"),
    path("<int:pk>/visits/new/", views.visit_create, name="campaign_visit_create"),
    path("<int:pk>/coverage/", views.coverage, name="campaign_coverage"),
    path("never-helped/", views.never_helped, name="never_helped"),
]
