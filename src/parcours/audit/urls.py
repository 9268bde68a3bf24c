from django.urls import path

from . import views

app_name = "audit"
# Pages about people: the journal records every read and refusal under them (parcours.audit.scope).
ABOUT_PEOPLE = True
urlpatterns = [
    path("", views.journal, name="journal"),
    path("revue/", views.review, name="review"),
]
