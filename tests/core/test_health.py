"""The health endpoint /sante/ (core/health.py, docs/deploy/monitoring.md): database, documents storage, the
task worker and the daily pass; anonymous, 200 or 503, reasons only with the token."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from parcours.core.management.commands.enqueue_daily_tasks import DAILY_TASKS, enqueue_daily_tasks

URL = "/sante/"
TOKEN = "jeton-de-supervision-canari"


def lines(response) -> dict[str, str]:
    return dict(line.split(" : ", 1) for line in response.content.decode().splitlines())


def run_daily_pass():
    # db_worker calls close_old_connections(), which closes a connection left inside a transaction: on
    # PostgreSQL these tests therefore run outside the test transaction (transaction=True; serialized_rollback
    # puts back the départements and content types the flush empties, as the other transactional tests do).
    enqueue_daily_tasks()
    call_command("db_worker", queue_name="*", batch=True, no_startup_delay=True, verbosity=0)


@pytest.fixture
def health(settings, tmp_path):
    settings.PARCOURS_HEALTH_TOKEN = TOKEN
    settings.MEDIA_ROOT = str(tmp_path / "documents")
    return settings


def test_the_url_is_sante():
    assert reverse("health") == URL


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_healthy_after_the_daily_pass_and_no_login_needed(client, health):
    before = client.get(URL)
    assert before.status_code == 503
    assert lines(before) == {
        "statut": "KO",
        "base": "OK",
        "stockage": "OK",
        "taches": "OK",
        "passe_quotidienne": "KO",
    }
    run_daily_pass()
    assert set(DBTaskResult.objects.values_list("task_path", flat=True)) == set(DAILY_TASKS)
    after = client.get(URL)
    assert after.status_code == 200, after.content
    assert set(lines(after).values()) == {"OK"}
    assert "no-cache" in after.headers["Cache-Control"] or "max-age=0" in after.headers["Cache-Control"]
    as_json = client.get(URL, HTTP_ACCEPT="application/json")
    assert as_json.json() == {
        "statut": "OK",
        "verifications": {"base": "OK", "stockage": "OK", "taches": "OK", "passe_quotidienne": "OK"},
    }
    # The storage probe left no file behind.
    assert [p for p in Path(health.MEDIA_ROOT).rglob("*") if p.is_file()] == []
    assert client.post(URL).status_code == 405


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_stopped_worker_fails_the_check_and_the_reason_needs_the_token(client, health):
    run_daily_pass()
    result = enqueue_daily_tasks()[0]
    assert client.get(URL).status_code == 200  # just enqueued: the worker has time
    DBTaskResult.objects.filter(pk=result.id).update(enqueued_at=timezone.now() - dt.timedelta(minutes=16))
    anonymous = client.get(URL)
    assert anonymous.status_code == 503
    assert lines(anonymous)["taches"] == "KO"
    assert "db_worker" not in anonymous.content.decode()
    wrong_token = client.get(URL, HTTP_AUTHORIZATION="Bearer autre-chose")
    assert lines(wrong_token)["taches"] == "KO"
    detailed = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert detailed.status_code == 503
    assert lines(detailed)["taches"].startswith("KO : 1 tâche(s) en attente depuis plus de 15 minutes")
    # The worker runs it: healthy again.
    call_command("db_worker", queue_name="*", batch=True, no_startup_delay=True, verbosity=0)
    assert client.get(URL).status_code == 200


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_daily_pass_older_than_26_hours_or_failed_fails(client, health):
    run_daily_pass()
    assert client.get(URL).status_code == 200
    DBTaskResult.objects.update(finished_at=timezone.now() - dt.timedelta(hours=27))
    response = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 503
    assert "expire_periods_task sans succès depuis plus de 26 h" in lines(response)["passe_quotidienne"]
    run_daily_pass()
    assert client.get(URL).status_code == 200
    # The last run of one daily task failed.
    last = DBTaskResult.objects.filter(task_path=DAILY_TASKS[0]).order_by("-finished_at").first()
    DBTaskResult.objects.create(
        task_path=last.task_path,
        args_kwargs=last.args_kwargs,
        queue_name=last.queue_name,
        backend_name=last.backend_name,
        run_after=last.run_after,
        status="FAILED",
        finished_at=timezone.now(),
    )
    response = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 503
    assert lines(response)["passe_quotidienne"].endswith(
        "expire_periods_task a échoué à sa dernière exécution"
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_unusable_storage_fails_without_saying_where(client, health, tmp_path):
    run_daily_pass()
    blocker = tmp_path / "un-fichier"
    blocker.write_text("x")
    health.PARCOURS_DOCUMENTS_DIR = blocker / "documents"  # a folder cannot be made under a file
    response = client.get(URL)
    assert response.status_code == 503
    assert lines(response)["stockage"] == "KO"
    assert str(tmp_path) not in response.content.decode()
    detailed = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert lines(detailed)["stockage"].startswith("KO")
    assert str(tmp_path) not in detailed.content.decode()
