from django.urls import path

from . import views

app_name = "portability"

urlpatterns = [
    path("", views.home, name="home"),
    path("modele/", views.template, name="template"),
    path("imports/<int:pk>/", views.import_job, name="import_job"),
    path("exports/", views.export_start, name="export_start"),
    path("exports/<int:pk>/", views.export_job, name="export_job"),
    path("exports/<int:pk>/telecharger/", views.export_download, name="export_download"),
]
