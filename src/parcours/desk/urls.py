"""The desk's pages, mounted by parcours/urls.py in the namespaces their URL names always had."""

from django.urls import path

from . import views

core_patterns = [
    path("", views.home, name="home"),
    path("benevoles/", views.volunteer, name="volunteer"),
]
pathway_patterns = [
    path("a-faire/", views.todo, name="todo"),
]
people_patterns = [
    path("", views.caseload, name="caseload"),
    path("<int:pk>/", views.person_detail, name="person"),
]
