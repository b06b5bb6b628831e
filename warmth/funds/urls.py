"""Routes of the money pages, mounted at /funds/."""

from django.urls import path

from warmth.funds import views

urlpatterns = [
    path("", views.funds_home, name="funds_home"),
    path("export/", views.funds_export, name="funds_export"),
    path("pots/", views.pot_list, name="funds_pots"),
    path("pots/<int:pk>/", views.pot_detail, name="funds_pot"),
    path("pots/<int:pk>/allocate/", views.pot_allocate, name="funds_pot_allocate"),
    path("pots/<int:pk>/plan/", views.pot_plan, name="funds_pot_plan"),
    path("pots/<int:pk>/convert/", views.pot_convert, name="funds_pot_convert"),
    path("pots/<int:pk>/check/", views.pot_check, name="funds_pot_check"),
    path("entries/<int:pk>/reverse/", views.entry_reverse, name="funds_entry_reverse"),
    path("raises/", views.raise_list, name="funds_raises"),
    path("allocations/", views.allocation_list, name="funds_allocations"),
    path("plans/<int:pk>/", views.plan_detail, name="funds_plan"),
    path("plans/<int:pk>/confirm/", views.plan_confirm, name="funds_plan_confirm"),
    path("plans/<int:pk>/cancel/", views.plan_cancel, name="funds_plan_cancel"),
    path("decisions/", views.decision_list, name="funds_decisions"),
    path("decisions/<int:pk>/minutes/", views.decision_minutes, name="funds_decision_minutes"),
    path("rules/", views.rule_list, name="funds_rules"),
]
