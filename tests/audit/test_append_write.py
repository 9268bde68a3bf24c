"""The journal's append writes its row and moves its chain's head without the ORM's save (issue 15): on
PostgreSQL in one statement after the lock, on SQLite in two. What is stored is what the caller gets back,
and a head that vanished after its lock leaves no row behind. (With the review of the change: every kind of
append verifies, and its columns are stored as the ORM's save stored them.)"""

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from parcours.audit import chain, log
from parcours.audit.models import AccessLog, ChainHead, ImmutableLogError
from parcours.core import clock

from .test_record import NOON, request_as

FIELDS = [
    *("seq", "chain", "at", "user_id", "organisation_id", "role", "action", "event", "object_type"),
    *("object_id", "person_id", "ip", "path", "status_code", "outcome", "previous_hash", "hash"),
]

START = dt.datetime(2025, 1, 1, 23, 30, 0, 654321, tzinfo=clock.PARIS)  # the UTC date differs
ALL_FIELDS = [f.attname for f in AccessLog._meta.concrete_fields]


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@pytest.mark.django_db
def test_the_row_returned_is_the_row_stored_field_by_field(personas):
    request = request_as(personas.worker)
    request.META["REMOTE_ADDR"] = "192.0.2.7"
    with clock.travel_to(NOON):
        log.record(request, "read", "person", 12, person_id=12)
        row = log.record(request, "update", "note", 7, person_id=12, status_code=200)
    stored = AccessLog.objects.get(pk=row.pk)
    assert {name: getattr(row, name) for name in FIELDS} == {name: getattr(stored, name) for name in FIELDS}
    assert (stored.ip, stored.at, stored.status_code, stored.object_id) == ("192.0.2.7", NOON, 200, "7")
    assert stored.organisation_id == personas.association.pk == stored.chain
    # The hash stored is the one the row's stored columns give (what verification recomputes).
    assert stored.hash == stored.compute_hash(keyed=True)
    head = ChainHead.objects.get(pk=stored.chain)
    assert (head.last_seq, head.last_hash, head.appended) == (stored.seq, stored.hash, 2)
    assert chain.trusted(head)
    assert not chain.verify_chain()


@pytest.mark.django_db
def test_an_append_costs_the_lock_and_one_statement_on_postgresql(personas):
    request = request_as(personas.worker)
    log.record(request, "read", "person", 12, person_id=12)  # the chain opened: its head exists
    with CaptureQueriesContext(connection) as queries:
        log.record(request, "read", "person", 13, person_id=13)
    captured = [query["sql"] for query in queries.captured_queries]
    statements = [sql for sql in captured if not sql.startswith(("SAVEPOINT", "RELEASE"))]
    assert len(statements) == (2 if connection.vendor == "postgresql" else 3), statements
    assert "FOR UPDATE" in statements[0] or connection.vendor == "sqlite"
    assert AccessLog.objects.filter(person_id=13).count() == 1


@pytest.mark.django_db
def test_every_kind_of_append_verifies(personas, settings, tmp_path):
    settings.PARCOURS_AUDIT_CHECKPOINT_FILE = str(tmp_path / "points.jsonl")
    settings.PARCOURS_AUDIT_CHECKPOINT_EVERY = 2
    made = []
    with clock.travel_to(START):
        req = request_as(personas.worker, REMOTE_ADDR="2001:DB8:0:0::1")  # upper-case, uncompressed
        made.append(log.record(req, "read", "person", 12, person_id=12))  # opens the association's chain
        req6 = request_as(personas.worker, REMOTE_ADDR="::ffff:192.0.2.9")
        made.append(log.record(req6, "read", "person", 13, person_id=13, status_code=200))
        with transaction.atomic():
            made.append(log.record_event(personas.worker, "person.create", 14, person_id=14))
            made.append(log.record_event(None, "person.create", 15, person_id=15))
            made.append(log.record_event(personas.worker.user, "person.create", 16))
        made.append(log.record_system("read", "person", 17, person_id=17))  # common chain
        made.append(log.record_system("read", "person", 18, organisation=personas.other_association))
        anonymous = request_as(None, REMOTE_ADDR="")
        made.append(log.record(anonymous, "denied", "person", 19, outcome="denied"))
        made.append(log.record_refusal(personas.worker, "transfer.denied", 20, person_id=20))
    for row in made:
        stored = AccessLog.objects.get(pk=row.pk)
        assert {f: getattr(row, f) for f in ALL_FIELDS} == {f: getattr(stored, f) for f in ALL_FIELDS}, (
            row.seq
        )
        assert stored.hash == stored.compute_hash(keyed=True)
        assert not row._state.adding and row._state.db == "default"
        with pytest.raises(ImmutableLogError):
            row.save()
    assert made[0].ip == "2001:db8::1" and made[1].ip == "192.0.2.9" and made[7].ip is None
    with clock.travel_to(START + dt.timedelta(days=4000)):
        assert chain.purge() > 0  # purge's own append
    assert not chain.verify_chain()
    chain.checkpoint()  # on_commit checkpoints never run under the test's transaction
    out = StringIO()
    call_command("verify_audit_chain", stdout=out, stderr=StringIO())
    assert "intègre" in out.getvalue()


@pytest.mark.django_db
def test_several_rows_in_one_transaction_get_their_own_keys(personas):
    with transaction.atomic():
        made = [log.record_event(personas.worker, "person.create", i, person_id=i) for i in range(1, 6)]
        assert len({row.pk for row in made}) == 5
        for row in made:
            assert AccessLog.objects.get(pk=row.pk).seq == row.seq
    assert not chain.verify_chain()


@pytest.mark.django_db
def test_a_head_gone_after_its_lock_stops_the_append_and_leaves_no_row(personas, monkeypatch):
    """Through append() itself: its transaction rolls the row back, the connection stays usable."""
    log.record_system("read", "person", 1)
    before = AccessLog.objects.count()
    real = chain._locked_head

    def ghost(key):
        head = real(key)
        head.pk = 10**9  # a head not in the table
        return head

    monkeypatch.setattr(chain, "_locked_head", ghost)
    with pytest.raises(chain.ChainTamperedError):
        log.record_system("read", "person", 2, person_id=2)
    monkeypatch.setattr(chain, "_locked_head", real)
    assert AccessLog.objects.count() == before
    log.record_system("read", "person", 3)  # the connection is usable, the chain intact
    assert not chain.verify_chain()
    assert ChainHead.objects.get(pk=0).appended == 2


@pytest.mark.django_db
def test_the_columns_stored_are_those_the_orms_save_stores(personas):
    """Oracle: a twin of each row saved by the ORM (AccessLog.save, as before 4353a27), compared column by
    column as the database holds them (read with raw SQL, not through the model's converters)."""
    with clock.travel_to(START):
        made = [
            log.record(
                request_as(personas.worker, REMOTE_ADDR="2001:DB8::1"), "read", "person", 1, person_id=1
            ),
            log.record(request_as(None, REMOTE_ADDR=""), "denied", "person", 2, outcome="denied"),
            log.record_system("read", "person", 3),
        ]
    columns = [f.column for f in AccessLog._meta.concrete_fields if f.column not in ("id", "seq")]
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    select = f"SELECT {names} FROM audit_accesslog WHERE id = %s"  # noqa: S608 (the model's own columns)
    for row in made:
        twin = AccessLog(
            **{
                f.attname: getattr(row, f.attname)
                for f in AccessLog._meta.concrete_fields
                if not f.primary_key
            }
        )
        twin.seq = row.seq + 10**6
        twin._chained = True
        twin.save()
        assert raw(select, [row.pk]) == raw(select, [twin.pk]), row.seq


def test_a_journal_column_filled_by_the_database_stops_the_write(monkeypatch):
    """Decision 0063: the raw INSERT writes every column; one the database fills (db_default, generated)
    would be written by it, not by the database, so the journal refuses to write rather than guess."""
    field = AccessLog._meta.get_field("event")
    monkeypatch.setattr(field, "has_db_default", lambda: True)
    chain._row_columns.cache_clear()
    try:
        with pytest.raises(ImproperlyConfigured, match="event"):
            chain._row_columns()
    finally:
        monkeypatch.undo()
        chain._row_columns.cache_clear()
    assert chain._row_columns()[1].startswith('"seq"')
