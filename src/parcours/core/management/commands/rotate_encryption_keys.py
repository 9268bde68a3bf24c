"""Re-encrypt every encrypted column, and every file sealed with the envelope (the uploaded documents, through
the rewrappers the apps register in core/crypto.py), with the current (first) key. Resumable: rows and files
already under the current key are skipped, so the command can be run again after an interruption. Nothing
is written without --wet-run. When the simulation announces 0 rows and 0 files, the old key can go."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from parcours.core import crypto
from parcours.core.fields import EncryptedMixin


def encrypted_columns():
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedMixin)]
        if fields:
            yield model, fields


class Command(BaseCommand):
    help = "Rechiffre les champs chiffrés avec la clé courante (rotation des clés)."

    def add_arguments(self, parser):
        parser.add_argument("--wet-run", action="store_true", help="Écrire réellement (sinon : simulation).")
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args, wet_run=False, batch=500, **options):
        kid = crypto.current_kid()
        if wet_run:
            # One journal row per run, before any row is rewritten (the updates bypass the services and
            # their rows): the journal (audit/signals.py) listens, core never imports the apps above it.
            with transaction.atomic():
                crypto.keys_rotated.send(sender=self.__class__, kid=kid)
        total = 0
        for model, fields in encrypted_columns():
            table = connection.ops.quote_name(model._meta.db_table)
            pk = connection.ops.quote_name(model._meta.pk.column)
            cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {pk}, {cols} FROM {table}")  # noqa: S608 (names from the models)
                stale = [
                    row[0]
                    for row in cursor.fetchall()
                    if any(v and crypto.key_id_of(v) not in (None, kid) for v in row[1:])
                ]
            for start in range(0, len(stale), batch):
                chunk = stale[start : start + batch]
                if wet_run:
                    with transaction.atomic():
                        for obj in model._default_manager.filter(pk__in=chunk):
                            # Reading decrypts with whichever key; the update encrypts with the current one.
                            model._default_manager.filter(pk=obj.pk).update(
                                **{f.name: getattr(obj, f.attname) for f in fields}
                            )
            total += len(stale)
            self.stdout.write(f"{model._meta.label} : {len(stale)} ligne(s) à rechiffrer")
        files = 0
        for label, rewrap in crypto.REWRAPPERS.items():
            stale = rewrap(wet_run=wet_run)
            files += stale
            self.stdout.write(f"{label} : {stale} fichier(s) à rechiffrer")
        verb = "rechiffré(e)s" if wet_run else "à rechiffrer (simulation, ajoutez --wet-run)"
        self.stdout.write(
            self.style.SUCCESS(f"{total} ligne(s) et {files} fichier(s) {verb} avec la clé « {kid} ».")
        )
