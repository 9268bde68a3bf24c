from django.urls import path

from . import views

app_name = "directory"
# Organisations only (employers, agencies, training bodies, social partners): no page names a person.
urlpatterns = [
    path("", views.entry_list, name="list"),
    path("nouvelle/", views.entry_create, name="create"),
    path("<int:pk>/", views.entry_edit, name="edit"),
]
