from django.urls import path

from . import views

app_name = "proconnect"
urlpatterns = [
    path("connexion/", views.start, name="start"),
    path("retour/", views.callback, name="callback"),
]
