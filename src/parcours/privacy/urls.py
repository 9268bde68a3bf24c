from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("archives/", views.archives, name="archives"),
    path("<int:pk>/", views.person_privacy, name="person"),
    path("<int:pk>/export.json", views.export_json, name="export_json"),
    path("<int:pk>/export.pdf", views.export_pdf, name="export_pdf"),
    path("<int:pk>/effacer/", views.erase, name="erase"),
    path("<int:pk>/reactiver/", views.reactivate, name="reactivate"),
]
