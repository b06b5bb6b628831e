"""Routes of 结对帮扶, mounted at /pairing/."""

from django.urls import path

from warmth.pairing import views

urlpatterns = [
    path("", views.overview, name="pairing_overview"),
    path("archive/<int:pk>/", views.archive_pairing, name="pairing_archive"),
    path("<int:pk>/visit/", views.visit_new, name="pairing_visit"),
    path("visits/<int:pk>/photos/<int:n>/", views.visit_photo, name="pairing_photo"),
]
