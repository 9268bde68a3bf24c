from django.urls import path

from . import views

app_name = "sharing"
urlpatterns = [
    path("", views.shared_people, name="people"),
    path("<int:pk>/", views.shared_person, name="person"),
]
