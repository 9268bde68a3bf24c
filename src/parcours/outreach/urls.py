"""Drop-in sessions and rounds (docs/decisions/0042). Not ABOUT_PEOPLE: the pages show counts and the
association's members, never a person. The one page that shows which file a visit is linked to is in
visit_urls.py, which is (every read and refusal journaled, with the person)."""

from django.urls import include, path

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
    path("passages/", include("parcours.outreach.visit_urls")),
    path("rappels/", views.callbacks, name="callbacks"),
]
