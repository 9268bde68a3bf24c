"""Background job of the journal, run by the django-tasks database worker (`manage.py db_worker`)."""

from django_tasks import task

from . import chain


@task(queue_name="default")
def purge_access_logs_task() -> int:
    """Daily: delete the journal rows older than PARCOURS_AUDIT_RETENTION_DAYS and re-anchor the chain."""
    return chain.purge()
