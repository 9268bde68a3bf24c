from django.urls import path

from . import views

app_name = "rights"
urlpatterns = [
    path("personnes/<int:pk>/", views.person_rights, name="person"),
]
