from django.urls import path

from . import views

app_name = "rights"
# Pages about people: the journal records every read and refusal under them (parcours.audit.scope).
ABOUT_PEOPLE = True
# URL name -> the argument that is the person (the other views set request.audit_person_id).
PERSON_ARGUMENT = {"person": "pk"}
urlpatterns = [
    path("personnes/<int:pk>/", views.person_rights, name="person"),
]
