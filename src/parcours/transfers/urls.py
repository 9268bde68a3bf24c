from django.urls import path

from . import views

app_name = "transfers"
# Pages about people: the journal records every read and refusal under them (parcours.audit.scope).
ABOUT_PEOPLE = True
# URL name -> the argument that is the person (the other views set request.audit_person_id).
PERSON_ARGUMENT = {"create": "pk"}
urlpatterns = [
    path("", views.transfer_list, name="list"),
    path("personne/<int:pk>/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/accepter/", views.accept, name="accept"),
    path("<int:pk>/refuser/", views.refuse, name="refuse"),
    path("<int:pk>/annuler/", views.cancel, name="cancel"),
]
