"""Daily job of the retention of files, run by the django-tasks database worker (`manage.py db_worker`)."""

from django_tasks import task

from . import retention


@task(queue_name="default")
def retention_task() -> dict[str, int]:
    """Daily: archive the closed files, anonymise the archived files that are due (idempotent)."""
    return retention.apply_retention()
