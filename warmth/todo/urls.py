"""Routes of the 待办 pages, mounted at /todo/."""

from django.urls import path

from warmth.todo import views

urlpatterns = [
    path("", views.todo_list, name="todo"),
    path("count/", views.todo_count, name="todo_count"),
    path("panel/", views.todo_panel, name="todo_panel"),
]
