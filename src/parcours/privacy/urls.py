from django.urls import path

from . import views

app_name = "privacy"
# Pages about people: the journal records every read and refusal under them (parcours.audit.scope).
ABOUT_PEOPLE = True
# URL name -> the argument that is the person (the other views set request.audit_person_id).
PERSON_ARGUMENT = {"person": "pk", "export_json": "pk", "export_pdf": "pk", "erase": "pk", "reactivate": "pk"}
urlpatterns = [
    path("archives/", views.archives, name="archives"),
    path("<int:pk>/", views.person_privacy, name="person"),
    path("<int:pk>/export.json", views.export_json, name="export_json"),
    path("<int:pk>/export.pdf", views.export_pdf, name="export_pdf"),
    path("<int:pk>/effacer/", views.erase, name="erase"),
    path("<int:pk>/reactiver/", views.reactivate, name="reactivate"),
]
