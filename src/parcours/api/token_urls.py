from django.urls import path

from . import views

app_name = "api_tokens"
urlpatterns = [
    path("", views.tokens_page, name="list"),
    path("<int:pk>/revoquer/", views.revoke, name="revoke"),
]
