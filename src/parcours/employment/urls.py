from django.urls import path

from . import views

app_name = "employment"
# The pages name the people of the programmes and agreements: the journal records every read and refusal
# under them (parcours.audit.scope).
ABOUT_PEOPLE = True
PERSON_ARGUMENT = {"person": "pk"}
urlpatterns = [
    path("", views.index, name="index"),
    path("programmes/nouveau/", views.programme_create, name="programme_create"),
    path("programmes/<int:pk>/", views.programme, name="programme"),
    path("programmes/<int:pk>/modifier/", views.programme_edit, name="programme_edit"),
    path("programmes/<int:pk>/export/<str:fmt>/", views.programme_export, name="programme_export"),
    path("promotions/<int:pk>/", views.cohort, name="cohort"),
    path("etapes/<int:pk>/", views.step, name="step"),
    path("personnes/<int:pk>/", views.person, name="person"),
    path("conventions/nouvelle/", views.agreement_create, name="agreement_create"),
    path("conventions/<int:pk>/", views.agreement, name="agreement"),
    path("conventions/<int:pk>/modifier/", views.agreement_edit, name="agreement_edit"),
    path("conventions/<int:pk>/clore/", views.agreement_end, name="agreement_end"),
]
