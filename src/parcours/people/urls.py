from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    # "" (people:caseload) and "<int:pk>/" (people:person) are pages of parcours.desk, mounted here by
    # parcours/urls.py
    path("nouvelle/", views.person_create, name="person_create"),
    path("<int:pk>/situation/", views.situation, name="situation"),
    path("<int:pk>/situation/modifier/", views.situation_edit, name="situation_edit"),
    path("<int:pk>/autres-noms/", views.other_name_add, name="other_name_add"),
    path("<int:pk>/autres-noms/<int:name_pk>/retirer/", views.other_name_remove, name="other_name_remove"),
    path("<int:pk>/consentements/nouveau/", views.consent_add, name="consent_add"),
    path("<int:pk>/consentements/<int:consent_pk>/retirer/", views.consent_withdraw, name="consent_withdraw"),
]
