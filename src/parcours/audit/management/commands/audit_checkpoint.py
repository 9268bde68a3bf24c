from django.core.management.base import BaseCommand

from parcours.audit.chain import checkpoint
from parcours.audit.conf import checkpoint_file


class Command(BaseCommand):
    help = (
        "Écrit un point de contrôle signé (numéro, empreinte de tête, HMAC) de chaque chaîne du journal des "
        "accès hors de la base : dans le journal applicatif « parcours.audit.checkpoint » et dans "
        "PARCOURS_AUDIT_CHECKPOINT_FILE."
    )

    def handle(self, *args, **options):
        points = checkpoint()
        where = checkpoint_file()
        common = next((p for p in points if "chain" not in p), None)
        self.stdout.write(
            f"Points de contrôle du journal : {len(points)} chaîne(s), jusqu'au n° "
            f"{max(p['seq'] for p in points)} ; chaîne commune : n° {common['seq'] if common else 0}"
            + (f", ajoutés à {where}." if where else " (journal applicatif seulement).")
        )
