"""The person's own summary (papers/summary_views.py), included by papers/urls.py under « personnes/ »."""

from django.urls import path

from . import summary_views

# Pages about people: the journal records every read and refusal under them (parcours.audit.scope).
ABOUT_PEOPLE = True
PERSON_ARGUMENT = {"person_summary": "pk"}
urlpatterns = [
    path("<int:pk>/resume/", summary_views.person_summary, name="person_summary"),
]
