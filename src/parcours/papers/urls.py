from django.urls import include, path

from . import summary_urls

app_name = "papers"

urlpatterns: list = [
    path("personnes/", include(summary_urls)),  # the person's own summary (docs/decisions/0041)
]
