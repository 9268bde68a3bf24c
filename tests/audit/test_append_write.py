"""The journal's append writes its row and moves its chain's head without the ORM's save (issue 15): on
PostgreSQL in one statement after the lock, on SQLite in two. What is stored is what the caller gets back,
and a head that vanished after its lock leaves no row behind."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from parcours.audit import chain, log
from parcours.audit.models import AccessLog, ChainHead
from parcours.core import clock

from .test_record import NOON, request_as

FIELDS = [
    *("seq", "chain", "at", "user_id", "organisation_id", "role", "action", "event", "object_type"),
    *("object_id", "person_id", "ip", "path", "status_code", "outcome", "previous_hash", "hash"),
]


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
def test_a_head_gone_after_its_lock_stops_the_append_and_leaves_no_row(personas):
    request = request_as(personas.worker)
    log.record(request, "read", "person", 12, person_id=12)
    rows = AccessLog.objects.count()
    head = ChainHead.objects.get(pk=personas.association.pk)
    gone = ChainHead(pk=10**9, last_seq=head.last_seq, last_hash=head.last_hash)  # a head not in the table
    gone.next_seq = head.last_seq + 1000
    with pytest.raises(chain.ChainTamperedError, match="a disparu"), transaction.atomic():
        chain._append(gone, {"action": "read", "object_type": "person", "object_id": "14", "person_id": 14})
    assert AccessLog.objects.count() == rows
    assert not AccessLog.objects.filter(person_id=14).exists()
