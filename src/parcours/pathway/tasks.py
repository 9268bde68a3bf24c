"""Background jobs of the pathway, run by the django-tasks database worker (`manage.py db_worker`)."""

from django_tasks import task

from . import transitions


@task(queue_name="deadlines")
def expire_periods_task() -> int:
    """Daily: pathways whose period ended without a renewal become "période échue"."""
    return transitions.expire_periods()
