from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("organisation/", views.organisation, name="organisation"),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
]
