from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("verification/", views.mfa_verify, name="mfa_verify"),
    path("organisation/", views.organisation, name="organisation"),
    path("securite/", views.security, name="security"),
    path("securite/application/", views.totp_setup, name="totp_setup"),
    path("securite/codes-de-secours/", views.recovery_codes, name="recovery_codes"),
    path("securite/retirer/<str:kind>/<int:pk>/", views.device_remove, name="device_remove"),
    path("securite/mot-de-passe/", views.password_change, name="password_change"),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
]
