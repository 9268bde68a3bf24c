from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "parcours.onboarding"
    verbose_name = "Accueil des organisations et des comptes"
