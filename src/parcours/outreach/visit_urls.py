"""The page that links a visit to a person's file and shows the file it is linked to (by reference): about a
person, so every read and refusal under /terrain/passages/ is journaled (audit/scope.py); the view names the
person (request.audit_person_id)."""

from django.urls import path

from . import views

ABOUT_PEOPLE = True

urlpatterns = [
    path("<int:pk>/relier/", views.visit_link, name="visit_link"),
]
