"""The journal is append-only and hash-chained: edits and deletions are refused, or at least detected."""

import datetime as dt
import threading
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction

from parcours.audit import conf, log
from parcours.audit.chain import purge, verify_chain
from parcours.audit.models import AccessLog, ChainHead, ImmutableLogError
from parcours.audit.tasks import purge_access_logs_task
from parcours.core import clock, network
from parcours.core.management.commands.enqueue_daily_tasks import DAILY_TASKS

from .conftest import on_postgresql, tamper

START = dt.datetime(2025, 1, 1, 9, 0, tzinfo=clock.PARIS)


def journal(n=5, start=START, step=dt.timedelta(days=1)):
    """n rows, one a day from `start`."""
    made = []
    for i in range(n):
        with clock.travel_to(start + i * step):
            made.append(log.record_system("read", "person", 100 + i, person_id=100 + i))
    return made


@pytest.mark.django_db
def test_an_untouched_journal_verifies():
    assert verify_chain() is None  # empty
    journal(20)
    assert verify_chain() is None


@pytest.mark.django_db
def test_an_edited_row_is_detected():
    made = journal(5)
    tamper("UPDATE audit_accesslog SET person_id = 999 WHERE id = %s", [made[2].pk])
    broken = verify_chain()
    assert broken is not None and broken.row.pk == made[2].pk and broken.seq == 3
    assert "modifié" in broken.reason


@pytest.mark.django_db
def test_an_edited_row_with_its_hash_recomputed_breaks_the_next_link():
    made = journal(5)
    forged = AccessLog.objects.get(pk=made[1].pk)
    forged.person_id = 999
    tamper(
        "UPDATE audit_accesslog SET person_id = 999, hash = %s WHERE id = %s",
        [forged.compute_hash(), forged.pk],
    )
    broken = verify_chain()
    assert broken is not None and broken.row.pk == made[2].pk


@pytest.mark.django_db
def test_a_deleted_row_in_the_middle_is_detected():
    made = journal(5)
    tamper("DELETE FROM audit_accesslog WHERE id = %s", [made[2].pk])
    broken = verify_chain()
    # Numbers have gaps between chains (decision 0062): the break is the row whose link no longer holds.
    assert broken is not None and broken.seq == 4 and broken.row.pk == made[3].pk
    assert "supprimée" in broken.reason and "avant le n° 4" in broken.reason


@pytest.mark.django_db
def test_deleted_last_rows_are_detected_by_the_head():
    made = journal(5)
    tamper("DELETE FROM audit_accesslog WHERE id >= %s", [made[3].pk])
    broken = verify_chain()
    assert broken is not None and broken.seq == 4 and broken.row is None


@pytest.mark.django_db
def test_a_deleted_first_row_is_detected():
    made = journal(3)
    tamper("DELETE FROM audit_accesslog WHERE id = %s", [made[0].pk])
    assert verify_chain().row.pk == made[1].pk


@pytest.mark.django_db
def test_the_orm_cannot_change_or_delete_rows():
    row = journal(1)[0]
    row = AccessLog.objects.get(pk=row.pk)
    row.person_id = 1
    with pytest.raises(ImmutableLogError):
        row.save()
    with pytest.raises(ImmutableLogError):
        row.delete()
    with pytest.raises(ImmutableLogError):
        AccessLog.objects.filter(pk=row.pk).update(person_id=1)
    with pytest.raises(ImmutableLogError):
        AccessLog.objects.all().delete()
    with pytest.raises(ImmutableLogError):
        AccessLog.objects.bulk_update([row], ["person_id"])
    # Rows enter only through the chain.
    with pytest.raises(ImmutableLogError):
        AccessLog.objects.create(seq=99, at=clock.now(), action="read", previous_hash="0", hash="0")
    with pytest.raises(ImmutableLogError):
        AccessLog.objects.bulk_create([AccessLog(seq=99, at=clock.now(), action="read")])
    assert AccessLog.objects.count() == 1 and verify_chain() is None


@pytest.mark.django_db
def test_a_user_with_journal_rows_cannot_be_deleted(personas):
    from django.db.models import ProtectedError

    log.record_system("read", "person", 1, user=personas.worker.user)
    with pytest.raises(ProtectedError):
        personas.worker.user.delete()


@on_postgresql
@pytest.mark.django_db
def test_postgresql_trigger_rejects_raw_update_and_delete():
    row = journal(2)[0]
    for sql in (
        "UPDATE audit_accesslog SET person_id = 1 WHERE id = %s",
        "DELETE FROM audit_accesslog WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="ajout seul"), transaction.atomic(), connection.cursor() as c:
            c.execute(sql, [row.pk])
    # Nor can the head be moved back to hide the last rows.
    with pytest.raises(DatabaseError, match="ne recule pas"), transaction.atomic(), connection.cursor() as c:
        c.execute("UPDATE audit_chainhead SET last_seq = last_seq - 1")
    with pytest.raises(DatabaseError, match="purge"), transaction.atomic(), connection.cursor() as c:
        c.execute("UPDATE audit_chainhead SET anchor_seq = 5")  # past the end of the chain
    assert AccessLog.objects.count() == 2 and verify_chain() is None


# --- Retention ------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_purge_deletes_rows_past_retention_and_keeps_the_chain_verifiable(settings):
    settings.PARCOURS_AUDIT_RETENTION_DAYS = 365
    today = dt.datetime(2026, 6, 1, 10, 0, tzinfo=clock.PARIS)
    ages = [400, 366, 365 + 1, 364, 300, 1]
    for age in ages:
        with clock.travel_to(today - dt.timedelta(days=age)):
            log.record_system("read", "person", age, person_id=age)
    with clock.travel_to(today):
        deleted = purge()
    assert deleted == 3
    kept = list(AccessLog.objects.order_by("seq").values_list("action", "object_id"))
    assert kept == [("read", "364"), ("read", "300"), ("read", "1"), ("purge", "1-3")]
    assert verify_chain() is None
    head = ChainHead.objects.get()
    assert head.anchor_seq == 4 and head.purged_at is not None
    # The chain goes on after the purge, and a second purge the same day deletes nothing.
    log.record_system("read", "person", 5)
    with clock.travel_to(today):
        assert purge() == 0
    assert verify_chain() is None


@pytest.mark.django_db
def test_purging_every_row_keeps_the_chain_verifiable(settings):
    settings.PARCOURS_AUDIT_RETENTION_DAYS = 180
    journal(3)
    with clock.travel_to(START + dt.timedelta(days=400)):
        assert purge() == 3
    assert list(AccessLog.objects.values_list("action", flat=True)) == ["purge"]
    assert verify_chain() is None
    tamper("DELETE FROM audit_accesslog")
    assert verify_chain() is not None


@pytest.mark.django_db
def test_a_tampered_row_is_still_detected_after_a_purge(settings):
    settings.PARCOURS_AUDIT_RETENTION_DAYS = 365
    made = journal(6, start=dt.datetime(2025, 1, 1, tzinfo=clock.PARIS), step=dt.timedelta(days=100))
    with clock.travel_to(dt.datetime(2026, 5, 1, tzinfo=clock.PARIS)):
        assert purge() == 2
    tamper("UPDATE audit_accesslog SET object_id = 'x' WHERE id = %s", [made[4].pk])
    assert verify_chain().row.pk == made[4].pk


@pytest.mark.django_db
def test_purge_task_runs_and_is_a_daily_task(settings):
    settings.PARCOURS_AUDIT_RETENTION_DAYS = 365
    assert "parcours.audit.tasks.purge_access_logs_task" in DAILY_TASKS
    journal(2)
    with clock.travel_to(START + dt.timedelta(days=500)):
        assert purge_access_logs_task.call() == 2
    assert verify_chain() is None


@pytest.mark.parametrize("value", [179, 1096, "abc", "", True, 365.5, -1])
def test_retention_outside_the_cnil_range_is_refused(settings, value):
    settings.PARCOURS_AUDIT_RETENTION_DAYS = value
    with pytest.raises(ImproperlyConfigured, match="PARCOURS_AUDIT_RETENTION_DAYS"):
        conf.retention_days()


@pytest.mark.parametrize(("value", "days"), [(180, 180), ("1095", 1095), (None, 365)])
def test_retention_in_range(settings, monkeypatch, value, days):
    monkeypatch.delenv("PARCOURS_AUDIT_RETENTION_DAYS", raising=False)
    settings.PARCOURS_AUDIT_RETENTION_DAYS = value
    assert conf.retention_days() == days


def test_a_malformed_proxy_list_is_refused(settings):
    settings.PARCOURS_TRUSTED_PROXIES = "127.0.0.1, proxy.example"
    with pytest.raises(ImproperlyConfigured, match="PARCOURS_TRUSTED_PROXIES"):
        network.trusted_proxies()


# --- The verification command ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_verify_audit_chain_command():
    made = journal(3)
    from parcours.audit.chain import checkpoint

    checkpoint()  # without one the command fails (test_keyed_chain.py::test_no_checkpoint_found…)
    out = StringIO()
    call_command("verify_audit_chain", stdout=out)
    assert "intègre : 3 ligne(s)" in out.getvalue() and made[2].hash in out.getvalue()
    tamper("UPDATE audit_accesslog SET path = '/x/' WHERE id = %s", [made[1].pk])
    with pytest.raises(CommandError, match="altéré au n° 2"):
        call_command("verify_audit_chain", stdout=StringIO())


# --- Concurrency ----------------------------------------------------------------------------------------
@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_do_not_fork_the_chain():
    workers, each = 4, 25
    barrier = threading.Barrier(workers)
    errors = []

    def write(n):
        try:
            barrier.wait()
            for i in range(each):
                log.record_system("read", "person", n * 1000 + i)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert list(AccessLog.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, workers * each + 1)
    )
    assert verify_chain() is None
