from django.urls import path

from . import views

app_name = "records"
# Pages about people: the journal records every read and refusal under them (parcours.audit.scope).
ABOUT_PEOPLE = True
# URL name -> the argument that is the person (the other views set request.audit_person_id).
PERSON_ARGUMENT = {
    "documents": "pk",
    "life_story": "pk",
    "life_story_version": "pk",
    "life_story_diff": "pk",
    "life_story_pdf": "pk",
}
urlpatterns = [
    path("personnes/<int:pk>/documents/", views.documents, name="documents"),
    path("documents/<int:pk>/telecharger/", views.document_download, name="document_download"),
    path("documents/<int:pk>/supprimer/", views.document_delete, name="document_delete"),
    path("personnes/<int:pk>/recit/", views.life_story, name="life_story"),
    path("personnes/<int:pk>/recit/comparer/", views.life_story_diff, name="life_story_diff"),
    path(
        "personnes/<int:pk>/recit/versions/<int:number>/", views.life_story_version, name="life_story_version"
    ),
    path("personnes/<int:pk>/recit/versions/<int:number>/pdf/", views.life_story_pdf, name="life_story_pdf"),
]
