"""The health endpoint /sante/ for the operator's monitoring and the load balancer
(docs/deploy/monitoring.md).

Checks, with django-health-check's classes where it has one:
- `base` : the database answers `SELECT 1` (health_check.checks.Database);
- `stockage` : a probe file is written, read back and deleted in the file storage
  (health_check.checks.Storage; the alias "documents" when the settings define it, else "default", whose
  folder is the documents folder);
- `taches` : the task worker runs: no task ready for more than PARCOURS_HEALTH_QUEUE_MINUTES waits in the
  django-tasks database queue (a stopped `db_worker` leaves them there);
- `passe_quotidienne` : every daily task (core/management/commands/enqueue_daily_tasks.DAILY_TASKS) has
  succeeded within PARCOURS_HEALTH_DAILY_HOURS and its last run did not fail (the systemd timer ran, the
  worker ran the pass).

No login is needed and nothing is revealed but each check's name and OK or KO: the reasons (which can name a
host or a task) only to `Authorization: Bearer <PARCOURS_HEALTH_TOKEN>`. The answer is 200 when every check
passes, 503 otherwise, never cached. Plain text by default, JSON with `Accept: application/json`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hmac
import logging

from django.conf import settings
from django.db.models import Max, Q
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.views.decorators.http import require_safe
from health_check.base import HealthCheck
from health_check.checks import Database, Storage
from health_check.exceptions import HealthCheckException, ServiceUnavailable

logger = logging.getLogger("parcours.health")


@dataclasses.dataclass
class TaskQueue(HealthCheck):
    """Ready tasks waiting for longer than PARCOURS_HEALTH_QUEUE_MINUTES: the worker is not running."""

    def run(self) -> None:
        from django_tasks_db.models import DBTaskResult, get_date_max

        limit = timezone.now() - dt.timedelta(minutes=settings.PARCOURS_HEALTH_QUEUE_MINUTES)
        # Ready since it was enqueued, or since its run_after when it was scheduled for later.
        late = (
            DBTaskResult.objects.ready()
            .filter(enqueued_at__lt=limit)
            .filter(Q(run_after=get_date_max()) | Q(run_after__lt=limit))
        )
        if count := late.count():
            raise ServiceUnavailable(
                f"{count} tâche(s) en attente depuis plus de "
                f"{settings.PARCOURS_HEALTH_QUEUE_MINUTES} minutes : "
                "le worker (manage.py db_worker) ne tourne pas"
            )


@dataclasses.dataclass
class DailyPass(HealthCheck):
    """Every daily task succeeded within PARCOURS_HEALTH_DAILY_HOURS, and its last run did not fail."""

    def run(self) -> None:
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        from parcours.core.management.commands.enqueue_daily_tasks import DAILY_TASKS

        hours = settings.PARCOURS_HEALTH_DAILY_HOURS
        since = timezone.now() - dt.timedelta(hours=hours)
        finished = DBTaskResult.objects.filter(task_path__in=DAILY_TASKS, finished_at__isnull=False)
        succeeded = dict(
            finished.filter(status=TaskResultStatus.SUCCESSFUL)
            .values("task_path")
            .annotate(last=Max("finished_at"))
            .values_list("task_path", "last")
        )
        last_failed = dict(
            finished.filter(status=TaskResultStatus.FAILED)
            .values("task_path")
            .annotate(last=Max("finished_at"))
            .values_list("task_path", "last")
        )
        problems = []
        for path in DAILY_TASKS:
            name = path.rsplit(".", 1)[-1]
            success = succeeded.get(path)
            if success is None or success < since:
                problems.append(f"{name} sans succès depuis plus de {hours} h")
            elif (failure := last_failed.get(path)) and failure > success:
                problems.append(f"{name} a échoué à sa dernière exécution")
        if problems:
            raise ServiceUnavailable("passe quotidienne (enqueue_daily_tasks) : " + " ; ".join(problems))


def documents_storage_alias() -> str:
    return "documents" if "documents" in settings.STORAGES else "default"


def checks() -> dict[str, HealthCheck]:
    return {
        "base": Database(),
        "stockage": Storage(alias=documents_storage_alias()),
        "taches": TaskQueue(),
        "passe_quotidienne": DailyPass(),
    }


def run_checks() -> dict[str, str | None]:
    """Each check's name and None (passed) or its reason (failed)."""
    results: dict[str, str | None] = {}
    for name, check in checks().items():
        try:
            check.run()
        except HealthCheckException as exc:
            results[name] = str(exc.message)
        except Exception:
            results[name] = "erreur inattendue (voir le journal applicatif)"
            logger.exception("Vérification %s en erreur", name)
        else:
            results[name] = None
    return results


def _authorised(request) -> bool:
    token = settings.PARCOURS_HEALTH_TOKEN
    given = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@require_safe
def status(request):
    results = run_checks()
    healthy = all(reason is None for reason in results.values())
    detailed = _authorised(request)

    def shown(reason: str | None) -> str:
        if reason is None:
            return "OK"
        return f"KO : {reason}" if detailed else "KO"

    code = 200 if healthy else 503
    if "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse(
            {"statut": "OK" if healthy else "KO", "verifications": {n: shown(r) for n, r in results.items()}},
            status=code,
        )
    else:
        lines = [f"statut : {'OK' if healthy else 'KO'}", *(f"{n} : {shown(r)}" for n, r in results.items())]
        response = HttpResponse(
            "\n".join(lines) + "\n", content_type="text/plain; charset=utf-8", status=code
        )
    add_never_cache_headers(response)
    patch_vary_headers(response, ["Accept", "Authorization"])
    return response
