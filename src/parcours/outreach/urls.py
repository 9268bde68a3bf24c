"""Drop-in sessions and rounds (docs/decisions/0042). Not ABOUT_PEOPLE: the pages show counts and the
association's members, never a person; linking a visit to a file is journaled by its service, with the
person."""

from django.urls import path

from . import views

app_name = "outreach"

urlpatterns = [
    path("permanences/", views.sessions, name="sessions"),
    path("permanences/plannings/", views.schedules, name="schedules"),
    path("permanences/<int:pk>/", views.session, name="session"),
    path("permanences/<int:pk>/comptoir/", views.session_counter, name="session_counter"),
    path("permanences/<int:pk>/passage/", views.session_visit, name="session_visit"),
    path("maraudes/", views.rounds, name="rounds"),
    path("maraudes/<int:pk>/", views.round_page, name="round"),
    path("maraudes/<int:pk>/comptoir/", views.round_counter, name="round_counter"),
    path("maraudes/<int:pk>/contact/", views.round_contact, name="round_contact"),
    path("passages/<int:pk>/relier/", views.visit_link, name="visit_link"),
    path("rappels/", views.callbacks, name="callbacks"),
]
