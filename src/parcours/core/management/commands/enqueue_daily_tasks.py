"""Enqueue the daily jobs. Run once a day by cron or a systemd timer in production; `manage.py demo` runs it
once at start. The worker runs the jobs: `manage.py db_worker --queue-name default,deadlines`.

django-tasks has no periodic scheduling: this command is the scheduler's entry point. It only enqueues; every
daily job is idempotent (running it twice the same day changes nothing the second time).
"""

from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

DAILY_TASKS = (
    "parcours.pathway.tasks.expire_periods_task",
    "parcours.audit.tasks.purge_access_logs_task",
    "parcours.audit.tasks.audit_checkpoint_task",
    "parcours.privacy.tasks.retention_task",
    "parcours.notifications.tasks.notify_task",
    "parcours.portability.tasks.purge_task",
)


def enqueue_daily_tasks() -> list:
    """Enqueue every daily job; returns the task results (their ids and queues)."""
    return [import_string(path).enqueue() for path in DAILY_TASKS]


class Command(BaseCommand):
    help = "Met en file d'attente les tâches quotidiennes (échéances des parcours)."

    def handle(self, *args, **options):
        for result in enqueue_daily_tasks():
            self.stdout.write(
                f"Tâche {result.task.name} mise en file « {result.task.queue_name} » ({result.id})."
            )
