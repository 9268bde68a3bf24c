from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "parcours.people"
    verbose_name = "Personnes accompagnées"
