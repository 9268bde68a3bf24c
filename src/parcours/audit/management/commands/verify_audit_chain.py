from django.core.management.base import BaseCommand, CommandError

from parcours.audit import conf
from parcours.audit.chain import chain_label, chain_summary, verify_chain


class Command(BaseCommand):
    help = (
        "Vérifie le journal des accès avec la clé PARCOURS_AUDIT_KEY et contre les points de contrôle signés "
        "écrits hors de la base : toute ligne modifiée, insérée ou supprimée, une fin tronquée ou une purge "
        "faite hors de la tâche de purge est signalée. Sort en erreur (code 1) à la première anomalie, "
        "ou quand aucun point de contrôle n'est trouvé."
    )

    def handle(self, *args, **options):
        broken = verify_chain()
        if broken is not None:
            raise CommandError(f"Journal des accès altéré au n° {broken.seq} : {broken.reason}.")
        s = chain_summary()
        if s["last_seq"] > 0 and s["checkpoints"] == 0:
            if conf.logger_only():
                self.stderr.write(
                    "Attention : les points de contrôle ne vont qu'au journal applicatif "
                    "(PARCOURS_AUDIT_CHECKPOINT_FILE=log) ; comparez les têtes ci-dessous avec les "
                    "derniers points de contrôle reçus par le syslog distant : une fin tronquée ne se voit "
                    "pas autrement."
                )
            else:
                raise CommandError(
                    "Journal des accès non vérifiable : aucun point de contrôle signé n'a été trouvé "
                    f"({conf.checkpoint_file() or 'aucun fichier'}) alors que le journal compte "
                    f"{s['last_seq']} ligne(s) ; une fin tronquée ou un journal vidé ne se détecte que "
                    "par eux (manage.py audit_checkpoint, tâche quotidienne audit_checkpoint_task)."
                )
        unattested = s["unattested"] if s["checkpoints"] else []
        if unattested:
            self.stderr.write(
                "Attention : aucun point de contrôle du fichier n'atteste "
                + ", ".join(chain_label(key) for key in unattested)
                + " ; supprimée entière, une telle chaîne ne se verrait pas (manage.py audit_checkpoint)."
            )
        self.stdout.write(
            f"Journal des accès intègre : {s['rows']} ligne(s) en {s['chains']} chaîne(s), "
            f"n° {s['first_seq']} à {s['last_seq']}, {s['checkpoints']} point(s) de contrôle concordant(s). "
            "Têtes des chaînes (à comparer avec les derniers points de contrôle) :"
        )
        for key, last_seq, last_hash in s["heads"]:
            self.stdout.write(f"  {chain_label(key)} : n° {last_seq}, empreinte {last_hash}")
