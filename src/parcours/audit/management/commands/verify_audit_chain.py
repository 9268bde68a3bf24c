from django.core.management.base import BaseCommand, CommandError

from parcours.audit.chain import chain_summary, verify_chain


class Command(BaseCommand):
    help = (
        "Vérifie le journal des accès avec la clé PARCOURS_AUDIT_KEY et contre les points de contrôle signés "
        "écrits hors de la base : toute ligne modifiée, insérée ou supprimée, une fin tronquée ou une purge "
        "faite hors de la tâche de purge est signalée. Sort en erreur (code 1) à la première anomalie."
    )

    def handle(self, *args, **options):
        broken = verify_chain()
        if broken is not None:
            raise CommandError(f"Journal des accès altéré au n° {broken.seq} : {broken.reason}.")
        s = chain_summary()
        self.stdout.write(
            f"Journal des accès intègre : {s['rows']} ligne(s), n° {s['first_seq']} à {s['last_seq']}, "
            f"{s['checkpoints']} point(s) de contrôle concordant(s). Empreinte de tête : {s['last_hash']}."
        )
