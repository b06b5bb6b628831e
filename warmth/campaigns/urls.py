"""Routes of the campaign pages, mounted at /campaigns/ (the visit and coverage pages beside them: visits/urls.py)."""

from django.urls import path

from warmth.campaigns import views

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("new/", views.campaign_create, name="campaign_create"),
    path("activities/", views.activity_list, name="campaign_activities"),
    path("activities/<int:aid>/void/", views.activity_void, name="campaign_activity_void"),
    path("groups/<int:gid>/", views.group_detail, name="campaign_group"),
    path("groups/<int:gid>/plan/", views.group_plan, name="campaign_group_plan"),
    path("groups/<int:gid>/checklist/", views.group_checklist, name="campaign_group_checklist"),
    path("households/<int:hid>/drop/", views.group_drop, name="campaign_household_drop"),
    path("duty/<int:sid>/cancel/", views.duty_cancel, name="campaign_duty_cancel"),
    path("<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("<int:pk>/groups/new/", views.group_create, name="campaign_group_create"),
    path("<int:pk>/groups/export/", views.group_export, name="campaign_group_export"),
    path("<int:pk>/arrears/", views.arrears, name="campaign_arrears"),
    path("<int:pk>/duty/", views.duty, name="campaign_duty"),
]
