"""Background jobs of the import and the full export, run by the django-tasks database worker."""

from django_tasks import task

from . import export, services


@task(queue_name="default")
def check_task(job_pk: int) -> None:
    """The dry run of an uploaded file: every row checked, nothing written but the report."""
    services.run_check(job_pk)


@task(queue_name="default")
def import_task(job_pk: int) -> None:
    services.run_import(job_pk)


@task(queue_name="default")
def export_task(job_pk: int) -> None:
    export.run_export(job_pk)


@task(queue_name="default")
def purge_task() -> int:
    """Daily: delete the expired exports and the files of imports left unconfirmed."""
    return export.purge()
