from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.journal, name="journal"),
    path("revue/", views.review, name="review"),
]
