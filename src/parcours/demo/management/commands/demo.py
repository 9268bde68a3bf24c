"""`manage.py demo`: everything the demonstration needs, in one command.

Migrates the database, collects the static files (only when they changed: demo/staticfiles.py), creates
the fictional data set if the base holds nobody yet (`--reset --wet-run` starts again from an empty base and
an empty documents folder; `--reset` alone only says what it would destroy), prints the demo accounts,
enqueues the daily jobs, then runs the job worker in the background and the web server (gunicorn) in the
foreground. Ctrl-C or SIGTERM stops both. `--no-server` does everything but start the two processes.

While it runs, a background thread enqueues the daily jobs again every night at 03:15 (Paris), as the
systemd timer does in production (docs/decisions/0038-notifications-and-the-daily-pass.md): a demo left
running for days keeps its deadlines, notifications and digests current without any crontab.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from parcours.accounts.models import Organisation
from parcours.audit.chain import archive_checkpoints
from parcours.core import clock
from parcours.core.management.commands.enqueue_daily_tasks import enqueue_daily_tasks
from parcours.demo import generator
from parcours.demo.outreach import YEAR as YEAR_OF_OUTREACH
from parcours.demo.staticfiles import collect_if_changed
from parcours.pathway.models import Pathway
from parcours.people.models import Person
from parcours.records import files

WORKER_QUEUES = "default,deadlines"
STOP_TIMEOUT = 10  # seconds given to each process to stop before it is killed
DAILY_AT = dt.time(3, 15)  # Paris time, as deploy/systemd/parcours-daily.timer


def seconds_until_next(now: dt.datetime, at: dt.time = DAILY_AT) -> float:
    """Seconds from `now` to the next `at` (Paris time), strictly in the future."""
    local = now.astimezone(clock.PARIS)
    target = dt.datetime.combine(local.date(), at, tzinfo=clock.PARIS)
    if target <= local:
        target = dt.datetime.combine(local.date() + dt.timedelta(days=1), at, tzinfo=clock.PARIS)
    return (target.astimezone(dt.UTC) - now.astimezone(dt.UTC)).total_seconds()  # real seconds, across DST


class DailyPass(threading.Thread):
    """Enqueues the daily jobs every night while the demo runs; the worker started beside it runs them."""

    def __init__(self, say):
        super().__init__(name="parcours-daily-pass", daemon=True)
        self.stopped = threading.Event()
        self.say = say

    def run(self) -> None:
        while not self.stopped.wait(seconds_until_next(clock.now())):
            try:
                results = enqueue_daily_tasks()
                self.say(f"Passe quotidienne : {len(results)} tâches mises en file.")
            except Exception as exc:
                self.say(f"Passe quotidienne non mise en file : {exc}")
            finally:
                connection.close()

    def stop(self) -> None:
        self.stopped.set()


class Stop(Exception):
    """SIGTERM received: leave the foreground wait and stop the processes."""


class Command(BaseCommand):
    help = (
        "Prépare et lance la démonstration : base de données, fichiers statiques, données fictives, "
        "worker des tâches et serveur web."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="Port du serveur web (défaut : 8000).")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Vide la base et le dossier des documents, puis régénère les données fictives "
            "(avec --wet-run seulement).",
        )
        parser.add_argument(
            "--wet-run",
            action="store_true",
            help="Confirme --reset : sans elle, --reset n'efface rien et dit ce qu'il effacerait.",
        )
        parser.add_argument(
            "--no-server",
            action="store_true",
            help="Prépare tout sans démarrer le serveur ni le worker (utile pour les tests).",
        )
        parser.add_argument(
            "--seed", type=int, default=generator.DEFAULT_SEED, help="Graine des données fictives."
        )

    def handle(self, *args, port, reset, wet_run, no_server, seed, **options):
        if reset and not wet_run:
            raise CommandError(
                "--reset efface toute la base de données "
                f"({settings.DATABASES['default']['NAME']}) : personnes, parcours, comptes, journal des "
                f"accès, et tous les documents déposés dans {files.where()}. Rien n'a été "
                "effacé. Pour confirmer, relancez avec --reset --wet-run."
            )
        self.say("Mise à jour de la base de données…")
        call_command("migrate", interactive=False, verbosity=0)
        if collect_if_changed():
            self.say("Fichiers statiques préparés.")
        else:
            self.say("Fichiers statiques déjà à jour.")
        if reset:
            self.say("Effacement de la base et des documents déposés (--reset --wet-run)…")
            call_command("flush", interactive=False, verbosity=0)
            empty_documents_dir()
            archive_checkpoints()  # the journal starts again: its old checkpoints would say it was truncated
        self.prepare_data(seed)
        self.print_accounts()
        results = enqueue_daily_tasks()
        self.say(f"Tâches quotidiennes mises en file : {', '.join(r.task.name for r in results)}.")
        if no_server:
            self.say("Option --no-server : ni serveur ni worker démarrés.")
            return
        self.serve(port)

    def say(self, text: str, style=None) -> None:
        self.stdout.write(style(text) if style else text)

    # --- data ---
    def prepare_data(self, seed: int) -> None:
        if Person.objects.exists():
            self.say(
                f"Données existantes réutilisées : {Person.objects.count()} personnes, "
                f"{Pathway.objects.count()} parcours (--reset --wet-run pour les régénérer)."
            )
            return
        if Organisation.objects.exists():
            raise CommandError(
                "La base contient des organisations mais aucune personne : ce n'est pas une base de "
                "démonstration. Relancez avec --reset --wet-run pour l'effacer et créer les données "
                "fictives."
            )
        self.say("Création des données fictives…")
        started = time.perf_counter()
        result = generator.generate(seed)
        elapsed = time.perf_counter() - started
        counts = result["counts"]
        self.say(
            f"Données fictives créées en {elapsed:.1f} s : {counts['people']} personnes, "
            f"{counts['pathways']} parcours, {counts['requests']} demandes, "
            f"{counts['sessions_past'] + counts['sessions_coming']} séances de commission "
            f"(dont {counts['sessions_coming']} à venir), {counts['notes']} notes d'entretien, "
            f"{sum(counts['appointments_by_status'].values())} rendez-vous, {counts['documents']} documents.",
            self.style.SUCCESS,
        )
        outreach = result.get("outreach", {})
        self.say(
            f"Horizon Fictif en {YEAR_OF_OUTREACH} : {outreach.get('sessions_held', 0)} permanences tenues, "
            f"{outreach.get('visits', 0)} passages, {outreach.get('rounds', 0)} maraudes, "
            f"{outreach.get('contacts', 0)} contacts.",
            self.style.SUCCESS,
        )
        for anomaly in result["anomalies"]:
            self.say(f"Attention : {anomaly}", self.style.WARNING)

    def print_accounts(self) -> None:
        accounts = generator.demo_accounts()
        if not accounts:
            self.say("Aucun compte de démonstration dans cette base.", self.style.WARNING)
            return
        width = max(len(a["username"]) for a in accounts)
        role_width = max(len(a["role_label"]) for a in accounts)
        self.say("")
        self.say("Comptes de démonstration (identifiant — rôle — organisation) :", self.style.MIGRATE_HEADING)
        for a in accounts:
            self.say(f"  {a['username']:<{width}}  {a['role_label']:<{role_width}}  {a['organisation']}")
        self.say(f"Mot de passe commun à tous les comptes : {generator.DEMO_PASSWORD}", self.style.SUCCESS)
        self.say("Toutes les personnes et organisations sont fictives.")
        if not settings.PARCOURS_MFA_REQUIRED:
            self.say(
                "Démonstration : la seconde étape de connexion (application ou clé de sécurité) n'est pas "
                "imposée (PARCOURS_MFA_REQUIRED=0). En production, elle l'est pour les rôles qui voient "
                "l'identité des personnes ; chacun peut l'essayer depuis « Sécurité du compte ».",
                self.style.WARNING,
            )
        else:
            self.say(
                "La seconde étape de connexion est imposée aux rôles qui voient l'identité des personnes : "
                "à la première connexion, ils enregistrent une application d'authentification ou une clé. "
                "Pour une démonstration sans elle : PARCOURS_MFA_REQUIRED=0 (c'est ce que fait `make demo`).",
                self.style.WARNING,
            )
        self.say("")

    # --- processes ---
    def child_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.setdefault("DJANGO_SETTINGS_MODULE", "parcours.settings")
        src = str(settings.BASE_DIR.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH", "")) if p)
        env["PARCOURS_DATA_DIR"] = str(settings.DATA_DIR)
        return env

    def serve(self, port: int) -> None:
        env = self.child_env()
        worker_cmd = [
            sys.executable,
            "-m",
            "django",
            "db_worker",
            "--queue-name",
            WORKER_QUEUES,
            "--no-reload",
        ]
        server_cmd = [
            sys.executable, "-m", "gunicorn", "parcours.wsgi",
            "--bind", f"127.0.0.1:{port}", "--workers", "2", "--graceful-timeout", "5",
            "--no-control-socket",  # otherwise gunicorn 27 opens one in ~/.gunicorn, shared by instances
        ]  # fmt: skip
        previous_handler = signal.signal(signal.SIGTERM, _raise_stop)
        worker = server = None
        daily = DailyPass(self.say)
        try:
            worker = subprocess.Popen(worker_cmd, env=env)  # noqa: S603
            self.say(f"Worker des tâches démarré (files {WORKER_QUEUES}, processus {worker.pid}).")
            daily.start()
            self.say(
                f"Passe quotidienne : remise en file chaque nuit à {DAILY_AT:%H:%M} tant que la "
                "démonstration tourne."
            )
            server = subprocess.Popen(server_cmd, env=env)  # noqa: S603
            self.say(f"Serveur démarré : http://127.0.0.1:{port}/ — Ctrl-C pour arrêter.", self.style.SUCCESS)
            code = server.wait()
            if code:
                raise CommandError(
                    f"Le serveur web s'est arrêté (code {code}). Le port {port} est-il libre ?"
                )
        except (KeyboardInterrupt, Stop):
            self.say("\nArrêt de la démonstration…")
        finally:
            daily.stop()
            for process in (server, worker):
                _stop(process)
            signal.signal(signal.SIGTERM, previous_handler)
        self.say("Serveur et worker arrêtés.")


def empty_documents_dir() -> None:
    """Remove every file of the documents' storage (folder or object store): the rows that named them are
    gone with the flush."""
    files.remove_all()


def _raise_stop(signum, frame):
    raise Stop


def _stop(process: subprocess.Popen | None) -> None:
    """Ask a child process to stop (SIGTERM), then kill it if it is still there after the timeout."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except (subprocess.TimeoutExpired, KeyboardInterrupt, Stop):
        process.kill()
        process.wait()
