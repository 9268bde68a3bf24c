from django.core.management.base import BaseCommand, CommandError

from parcours.audit.chain import chain_summary, verify_chain


class Command(BaseCommand):
    help = (
        "Vérifie le chaînage du journal des accès : toute ligne modifiée ou supprimée est signalée. "
        "Sort en erreur (code 1) au premier maillon rompu."
    )

    def handle(self, *args, **options):
        broken = verify_chain()
        if broken is not None:
            raise CommandError(f"Journal des accès altéré au n° {broken.seq} : {broken.reason}.")
        s = chain_summary()
        self.stdout.write(
            f"Journal des accès intègre : {s['rows']} ligne(s), n° {s['first_seq']} à {s['last_seq']}. "
            f"Empreinte de tête : {s['last_hash']} (à consigner hors du serveur)."
        )
