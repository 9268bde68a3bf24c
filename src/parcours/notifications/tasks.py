"""The daily notification pass, run by the django-tasks database worker (enqueued by enqueue_daily_tasks)."""

from django_tasks import task

from . import services


@task(queue_name="deadlines")
def notify_task() -> dict:
    """Daily: write in each inbox what fell due, then send the digests due today (idempotent)."""
    return services.daily_pass()
