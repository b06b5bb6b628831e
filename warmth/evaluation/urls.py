"""Routes of 第三方评估, mounted at /evaluation/."""

from django.urls import path

from warmth.evaluation import views

urlpatterns = [
    path("", views.sample_list, name="evaluation_list"),
    path("<int:pk>/", views.sample_detail, name="evaluation_detail"),
    path("<int:pk>/export/", views.sample_export, name="evaluation_export"),
    path("<int:pk>/findings/", views.sample_findings, name="evaluation_findings"),
]
