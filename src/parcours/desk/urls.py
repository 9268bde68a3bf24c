"""The desk's pages, mounted by parcours/urls.py in the namespaces their URL names always had."""

from django.urls import path

from . import home, views

core_patterns = [
    path("", home.home, name="home"),
    path("benevoles/", home.volunteer, name="volunteer"),
]
pathway_patterns = [
    path("a-faire/", views.todo, name="todo"),
]
people_patterns = [
    path("", views.caseload, name="caseload"),
    path("<int:pk>/", views.person_detail, name="person"),
]
