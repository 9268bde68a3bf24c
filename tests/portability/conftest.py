import datetime as dt

import pytest

from parcours.core import clock

TODAY = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _tasks_run_at_once_and_files_in_a_temporary_folder(settings, tmp_path):
    """The background tasks run inside the request (django_tasks' immediate backend); the sealed files go to
    a temporary documents' folder."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                                  "QUEUES": ["default", "deadlines"]}}  # fmt: skip
    settings.PARCOURS_DOCUMENTS_DIR = tmp_path / "documents"


@pytest.fixture(autouse=True)
def _today():
    with clock.travel_to(TODAY):
        yield
