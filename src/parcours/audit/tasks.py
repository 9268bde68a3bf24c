"""Background jobs of the journal, run by the django-tasks database worker (`manage.py db_worker`)."""

from django_tasks import task

from . import chain


@task(queue_name="default")
def purge_access_logs_task() -> int:
    """Daily: delete the journal rows older than PARCOURS_AUDIT_RETENTION_DAYS, re-anchor each chain, and
    write a signed checkpoint of every chain outside the database."""
    deleted = chain.purge()
    chain.checkpoint()
    return deleted


@task(queue_name="default")
def audit_checkpoint_task() -> int:
    """Daily: a signed checkpoint of every chain's head, written outside the database (logger and file);
    returns the number of chains."""
    return len(chain.checkpoint())
