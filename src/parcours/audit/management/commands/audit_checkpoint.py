from django.core.management.base import BaseCommand

from parcours.audit.chain import checkpoint
from parcours.audit.conf import checkpoint_file


class Command(BaseCommand):
    help = (
        "Écrit un point de contrôle signé (numéro, empreinte de tête, HMAC) du journal des accès hors de la "
        "base : dans le journal applicatif « parcours.audit.checkpoint » et dans "
        "PARCOURS_AUDIT_CHECKPOINT_FILE."
    )

    def handle(self, *args, **options):
        point = checkpoint()
        where = checkpoint_file()
        self.stdout.write(
            f"Point de contrôle du journal : n° {point['seq']}, empreinte {point['hash']}"
            + (f", ajouté à {where}." if where else " (journal applicatif seulement).")
        )
