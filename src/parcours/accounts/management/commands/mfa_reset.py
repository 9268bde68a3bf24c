"""`manage.py mfa_reset <identifiant>`: remove every second factor of a user who lost them all."""

from django.core.management.base import BaseCommand, CommandError

from parcours.accounts import mfa
from parcours.accounts.models import User


class Command(BaseCommand):
    help = (
        "Retire les applications, clés et codes de secours d'un compte (téléphone et clés perdus) ; "
        "la personne en enregistrera de nouveaux à sa prochaine connexion. Vérifiez son identité avant."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="Identifiant de connexion du compte.")

    def handle(self, *args, username, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"Aucun compte avec l'identifiant « {username} ».") from exc
        count = mfa.reset(user)
        self.stdout.write(
            self.style.SUCCESS(
                f"Seconde étape réinitialisée pour « {username} » ({count} élément(s) retiré(s)). "
                "Elle en enregistrera une nouvelle à sa prochaine connexion."
            )
        )
