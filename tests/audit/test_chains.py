"""The journal is chained per organisation (decision 0062): two associations' appends do not wait on each
other, and every tampering the single chain detected is still detected, chain by chain."""

import datetime as dt
import hashlib
import hmac
import json
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, OperationalError, connection, connections, transaction
from django.db.models import OuterRef

from parcours.audit import log
from parcours.audit.chain import (
    ChainTamperedError,
    _purge_chain,
    checkpoint,
    purge,
    read_checkpoints,
    verify_chain,
)
from parcours.core import clock, crypto
from parcours.people.models import Person

from .conftest import on_postgresql, tamper

START = dt.datetime(2025, 1, 1, 9, 0, tzinfo=clock.PARIS)


def _record(membership, person_id):
    return log.record_system(
        "read", "person", person_id, person_id=person_id, organisation=membership.organisation,
        user=membership.user, role=membership.role,
    )  # fmt: skip


def raw(sql, params=()):
    """What is stored, read with SQL: an oracle independent of the model's code."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def interleaved(personas, n=3):
    """n rows of each association and of the system, interleaved: A, B, system, A, B, system…"""
    made = []
    for i in range(n):
        with clock.travel_to(START + dt.timedelta(days=i)):
            made.append(_record(personas.worker, 100 + i))
            made.append(_record(personas.outsider, 200 + i))
            made.append(log.record_system("read", "person", 300 + i, person_id=300 + i))
    return made


@pytest.mark.django_db
def test_each_association_links_its_rows_into_its_own_chain(personas):
    a, b = personas.association.pk, personas.other_association.pk
    interleaved(personas)
    rows = raw("SELECT seq, chain, previous_hash, hash FROM audit_accesslog ORDER BY seq")
    assert [chain for _seq, chain, _p, _h in rows] == [a, b, 0] * 3
    for key in (a, b, 0):
        own = [row for row in rows if row[1] == key]
        # Each row names the hash of its own chain's row before it, not of the row written just before it.
        assert [previous for _s, _c, previous, _h in own[1:]] == [h for _s, _c, _p, h in own[:-1]]
        assert own[0][2] == "0" * 64  # the chain's genesis
    heads = raw("SELECT id, last_seq, last_hash FROM audit_chainhead ORDER BY id")
    assert heads == sorted((key, rows[i][0], rows[i][3]) for i, key in ((6, a), (7, b), (8, 0)))
    assert verify_chain() is None


@pytest.mark.django_db
def test_a_transaction_appends_to_the_chain_of_its_first_row(personas):
    """A second head locked in the same transaction could deadlock against a transaction taking the two
    in the other order: the rows of one transaction share one chain, each still naming its organisation."""
    with transaction.atomic():
        first = _record(personas.worker, 1)
        second = _record(personas.outsider, 2)
        third = log.record_system("update", "pathway", 3)
    stored = raw("SELECT chain, organisation_id FROM audit_accesslog WHERE id IN (%s, %s, %s) ORDER BY seq",
                 [first.pk, second.pk, third.pk])  # fmt: skip
    a = personas.association.pk
    assert stored == [(a, a), (a, personas.other_association.pk), (a, None)]
    after = _record(personas.outsider, 4)  # a new transaction: its own chain again
    b = personas.other_association.pk
    assert raw("SELECT chain FROM audit_accesslog WHERE id = %s", [after.pk]) == [(b,)]
    assert verify_chain() is None


@pytest.mark.django_db
def test_an_edited_row_of_an_association_chain_is_detected(personas):
    made = interleaved(personas)
    tamper("UPDATE audit_accesslog SET person_id = 999 WHERE id = %s", [made[3].pk])
    broken = verify_chain()
    assert broken.row.pk == made[3].pk and broken.chain == personas.association.pk
    assert "modifié" in broken.reason and f"organisation n° {personas.association.pk}" in broken.reason


@pytest.mark.django_db
def test_a_row_moved_to_another_chain_is_detected(personas):
    made = interleaved(personas)
    tamper("UPDATE audit_accesslog SET chain = %s WHERE id = %s", [personas.other_association.pk, made[6].pk])
    broken = verify_chain()
    assert broken is not None and broken.chain in (personas.association.pk, personas.other_association.pk)


@pytest.mark.django_db
def test_a_deleted_row_of_an_association_chain_is_detected(personas):
    made = interleaved(personas)
    tamper("DELETE FROM audit_accesslog WHERE id = %s", [made[4].pk])  # the second row of B
    broken = verify_chain()
    assert broken.row.pk == made[7].pk and "supprimée" in broken.reason


@pytest.mark.django_db
def test_the_cut_tail_of_an_association_chain_is_detected_by_its_head(personas):
    made = interleaved(personas)
    tamper("DELETE FROM audit_accesslog WHERE id = %s", [made[7].pk])  # B's last row
    broken = verify_chain()
    assert broken.chain == personas.other_association.pk and broken.row is None
    assert f"s'arrête au n° {made[4].seq}" in broken.reason


@pytest.mark.django_db
def test_one_chain_head_cannot_be_passed_off_as_another(personas):
    """Each head's seal names its chain: B's head given A's sealed values (as if A's rows were B's) fails."""
    interleaved(personas)
    [(last_seq, last_hash, seal)] = raw(
        "SELECT last_seq, last_hash, seal FROM audit_chainhead WHERE id = %s", [personas.association.pk]
    )
    tamper("UPDATE audit_chainhead SET last_seq = %s, last_hash = %s, seal = %s WHERE id = %s",
           [last_seq, last_hash, seal, personas.other_association.pk])  # fmt: skip
    broken = verify_chain()
    assert broken.chain == personas.other_association.pk and "sans la clé" in broken.reason


@pytest.mark.django_db
def test_a_chain_deleted_whole_is_detected_against_its_first_checkpoint(
    personas, settings, tmp_path, django_capture_on_commit_callbacks
):
    """Its rows and its head gone: nothing inside the database says it existed, but the checkpoint written
    once its first row committed does."""
    settings.PARCOURS_AUDIT_CHECKPOINT_FILE = str(tmp_path / "points.jsonl")
    b = personas.other_association.pk
    with django_capture_on_commit_callbacks(execute=True):
        interleaved(personas, n=1)
    assert {point["chain"] for point in read_checkpoints()} == {personas.association.pk, b}
    assert verify_chain() is None
    tamper("DELETE FROM audit_accesslog WHERE chain = %s", [b])
    tamper("DELETE FROM audit_chainhead WHERE id = %s", [b])
    broken = verify_chain()
    assert broken is not None and broken.chain == b and "disparu" in broken.reason


@pytest.mark.django_db
def test_the_purge_cuts_each_chain_and_leaves_each_a_signed_record(personas, settings):
    settings.PARCOURS_AUDIT_RETENTION_DAYS = 180
    made = interleaved(personas, n=3)  # days 0, 1, 2
    later = []
    with clock.travel_to(START + dt.timedelta(days=300)):
        later += [_record(personas.worker, 7), _record(personas.outsider, 8)]
    with clock.travel_to(START + dt.timedelta(days=400)):
        assert purge() == 9
    kept = raw("SELECT chain, action, object_id FROM audit_accesslog ORDER BY seq")
    a, b = personas.association.pk, personas.other_association.pk
    # A chain's purge names the numbers below its first row kept (or up to its end): other chains' numbers
    # fall in the range, but only the chain's own rows went.
    ranges = {a: f"1-{later[0].seq - 1}", b: f"1-{later[1].seq - 1}", 0: f"1-{made[8].seq}"}
    assert kept == [
        (a, "read", "7"), (b, "read", "8"),
        (0, "purge", ranges[0]), (a, "purge", ranges[a]), (b, "purge", ranges[b]),
    ]  # fmt: skip
    anchors = dict(raw("SELECT id, anchor_seq FROM audit_chainhead"))
    assert anchors[a] == later[0].seq and anchors[b] == later[1].seq
    assert verify_chain() is None
    checkpoint()
    assert verify_chain() is None


@pytest.mark.django_db
def test_the_person_stamp_moves_whatever_order_the_chains_commit_in(personas):
    """The stamp of a person's changes counts them: a row numbered below the largest (another chain's
    transaction that committed later) still changes it. The largest number alone would not move."""
    person = personas.person()
    people = Person.objects.filter(pk=person.pk)

    def stamp():
        return people.annotate(s=log.last_change_of(OuterRef("pk"))).get().s

    with transaction.atomic():
        log.record_event(personas.agent, "person.update", person, person_id=person.pk)
    high = stamp()
    # A change numbered below the largest, as a transaction of another chain that took its number first
    # and committed after, is written here by hand (the numbers are the sequence's, not the row order).
    with transaction.atomic():
        low = log.record_event(personas.worker, "person.update", person, person_id=person.pk)
    tamper("UPDATE audit_accesslog SET seq = 0 WHERE id = %s", [low.pk])
    assert stamp() != high


# --- PostgreSQL: the locks ------------------------------------------------------------------------------
@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_associations_do_not_wait_on_each_other(personas):
    """While a transaction of A holds A's head, B appends at once; a second writer for A waits (it gives up
    here after 1 s of lock_timeout). With the single head of before, B waited too."""
    holding, release, results = threading.Event(), threading.Event(), {}

    def hold_a():
        try:
            with transaction.atomic():
                _record(personas.worker, 1)
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    def append(name, membership):
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '1s'")
                _record(membership, 2)
            results[name] = "written"
        except OperationalError as exc:
            results[name] = "waited" if "lock timeout" in str(exc) else str(exc)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_a)
    holder.start()
    assert holding.wait(10)
    for name, membership in (("B", personas.outsider), ("A", personas.head)):
        writer = threading.Thread(target=append, args=(name, membership))
        writer.start()
        writer.join(15)
    release.set()
    holder.join(15)
    assert results == {"B": "written", "A": "waited"}
    assert verify_chain() is None


@on_postgresql
@pytest.mark.django_db
def test_postgresql_deletes_only_below_the_anchor_of_the_rows_own_chain(personas, settings):
    settings.PARCOURS_AUDIT_RETENTION_DAYS = 180
    made = interleaved(personas, n=2)
    with clock.travel_to(START + dt.timedelta(days=300)):
        _record(personas.worker, 9)
    # A's anchor moves past B's rows' numbers; B's rows stay protected by B's own anchor.
    with transaction.atomic(), clock.travel_to(START + dt.timedelta(days=400)):
        _purge_chain(personas.association.pk, clock.now() - dt.timedelta(days=180))
    with pytest.raises(DatabaseError, match="ajout seul"), transaction.atomic(), connection.cursor() as c:
        c.execute("DELETE FROM audit_accesslog WHERE id = %s", [made[1].pk])
    assert verify_chain() is None


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_of_several_chains_keep_each_chain_in_order(personas):
    """Two writers on A, one on B, one on the common chain, at once: every chain's numbers follow its links
    (verification walks each chain by number and checks each link), and no row is lost."""
    barrier, errors = threading.Barrier(4), []

    def write(membership, base):
        try:
            barrier.wait()
            for i in range(25):
                if membership is None:
                    log.record_system("read", "person", base + i)
                else:
                    _record(membership, base + i)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    writers = [(personas.worker, 1000), (personas.head, 2000), (personas.outsider, 3000), (None, 4000)]
    threads = [threading.Thread(target=write, args=w) for w in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    counts = dict(raw("SELECT chain, count(*) FROM audit_accesslog GROUP BY chain"))
    assert counts == {personas.association.pk: 50, personas.other_association.pk: 25, 0: 25}
    assert verify_chain() is None


@on_postgresql
@pytest.mark.django_db
def test_postgresql_numbers_come_from_a_sequence_owned_by_the_column(personas):
    interleaved(personas, n=1)
    [(owner,)] = raw(
        "SELECT d.refobjid::regclass::text FROM pg_depend d JOIN pg_class c ON c.oid = d.objid "
        "WHERE c.relname = 'audit_accesslog_number' AND d.deptype = 'a'"
    )
    assert owner == "audit_accesslog"  # owned by the column: a dump and its restore carry it


@on_postgresql
@pytest.mark.django_db
def test_postgresql_refuses_a_head_planted_with_another_state_than_its_origin(personas):
    """The application's role may insert a head (a chain's opening does), but only at its origin: a head
    planted unkeyed, or already advanced, is refused."""
    columns = "id, last_seq, last_hash, anchor_seq, anchor_hash, keyed_from, appended, seal"
    for last_seq, keyed_from in ((0, 9000000000), (5, 1)):
        with pytest.raises(DatabaseError, match="origine"), transaction.atomic(), connection.cursor() as c:
            c.execute(
                f"INSERT INTO audit_chainhead ({columns}) VALUES (%s, %s, %s, 1, %s, %s, 0, '')",  # noqa: S608
                [personas.other_association.pk, last_seq, "0" * 64, "0" * 64, keyed_from],
            )


@pytest.mark.django_db
def test_a_head_planted_without_the_key_is_refused_and_reported(personas):
    """A head for an association that has none yet, put there by hand (unkeyed: its rows would be plain
    SHA-256 that anyone can forge): nothing is appended to it, and verification names it."""
    b = personas.other_association.pk
    tamper(
        "INSERT INTO audit_chainhead (id, last_seq, last_hash, anchor_seq, anchor_hash, keyed_from, "
        "appended, seal, purged_at) VALUES (%s, 0, %s, 1, %s, 9000000000, 0, '', NULL)",
        [b, "0" * 64, "0" * 64],
    )
    with pytest.raises(ChainTamperedError, match="sceau"):
        _record(personas.outsider, 1)
    assert raw("SELECT count(*) FROM audit_accesslog WHERE chain = %s", [b]) == [(0,)]
    broken = verify_chain()
    assert broken is not None and broken.chain == b and "sans la clé" in broken.reason


@pytest.mark.django_db
def test_a_head_planted_at_its_origin_locks_nobody_out(personas):
    """The one head PostgreSQL lets the application's role insert: at the origin of a chain without rows,
    with a made-up seal. It hides nothing: the verification reports it until the next append seals it,
    and the association goes on journaling."""
    b = personas.other_association.pk
    tamper(
        "INSERT INTO audit_chainhead (id, last_seq, last_hash, anchor_seq, anchor_hash, keyed_from, "
        "appended, seal, purged_at) VALUES (%s, 0, %s, 1, %s, 1, 0, %s, NULL)",
        [b, "0" * 64, "0" * 64, "f" * 64],
    )
    assert "sans la clé" in verify_chain().reason
    row = _record(personas.outsider, 1)
    assert raw("SELECT chain FROM audit_accesslog WHERE id = %s", [row.pk]) == [(b,)]
    assert verify_chain() is None


@pytest.mark.django_db
def test_a_head_put_back_to_its_origin_over_rows_is_refused(personas):
    """The same origin values over a chain that has rows (its head reset by hand, as a superuser could):
    sealing it would launder the reset, so nothing is appended."""
    interleaved(personas, n=2)
    a = personas.association.pk
    tamper(
        "UPDATE audit_chainhead SET last_seq = 0, last_hash = %s, appended = 0, seal = %s WHERE id = %s",
        ["0" * 64, "f" * 64, a],
    )
    with pytest.raises(ChainTamperedError):
        _record(personas.worker, 9)
    assert verify_chain().chain == a


@transaction.atomic
def decorated_service(membership, person_id):
    """Like the project's services: one Atomic instance serves every call of the decorated function."""
    return _record(membership, person_id)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_calls_of_a_decorated_service_are_two_transactions_with_their_own_chains(personas):
    """Real transactions (no test case's block around them): the path production takes."""
    first = decorated_service(personas.worker, 1)
    second = decorated_service(personas.outsider, 2)
    with transaction.atomic():  # one transaction: both rows in the chain of its first
        third = _record(personas.outsider, 3)
        fourth = _record(personas.worker, 4)
    rows = [first.pk, second.pk, third.pk, fourth.pk]
    stored = dict(raw("SELECT id, chain FROM audit_accesslog WHERE id IN (%s, %s, %s, %s)", rows))
    a, b = personas.association.pk, personas.other_association.pk
    assert stored == {first.pk: a, second.pk: b, third.pk: b, fourth.pk: b}


@pytest.mark.django_db
def test_the_chain_is_part_of_the_signed_row(personas):
    """Recomputed here from the stored columns with the key (json and hmac, not the model's code)."""
    row = _record(personas.worker, 1)
    [(seq, previous, stored)] = raw(
        "SELECT seq, previous_hash, hash FROM audit_accesslog WHERE id = %s", [row.pk]
    )
    at = row.at  # the time as written (SQLite stores it as text)
    a = personas.association.pk
    data = {
        "seq": seq, "at": at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "user": personas.worker.user.pk, "organisation": a, "role": "social_worker",
        "action": "read", "object_type": "person", "object_id": "1", "person_id": 1, "ip": None, "path": "",
        "status_code": None, "outcome": "allowed", "previous_hash": previous, "chain": a,
    }  # fmt: skip
    message = b"row|" + json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    assert stored == hmac.new(crypto.audit_key(), message, hashlib.sha256).hexdigest()


@pytest.mark.django_db
def test_each_chain_is_checkpointed_every_n_of_its_own_rows(
    personas, settings, tmp_path, django_capture_on_commit_callbacks
):
    """Before, a checkpoint fell on every N-th number of the whole journal, in whichever chain held it: with
    rows written A, B, common in turn and N = 3, A and B were never checkpointed after their opening."""
    settings.PARCOURS_AUDIT_CHECKPOINT_FILE = str(tmp_path / "points.jsonl")
    settings.PARCOURS_AUDIT_CHECKPOINT_EVERY = 3
    made = []
    for i in range(6):  # each row its own transaction, its checkpoint written once it commits
        for write in (
            lambda i=i: _record(personas.worker, 100 + i),
            lambda i=i: _record(personas.outsider, 200 + i),
            lambda i=i: log.record_system("read", "person", 300 + i),
        ):
            with django_capture_on_commit_callbacks(execute=True):
                made.append(write())
    a, b = personas.association.pk, personas.other_association.pk
    points = [(point["chain"], point["seq"]) for point in read_checkpoints()]
    # The opening checkpoints of A and B, then each chain at its 3rd and 6th rows.
    assert sorted(points) == sorted([
        (a, made[0].seq), (b, made[1].seq),
        (a, made[6].seq), (b, made[7].seq), (0, made[8].seq),
        (a, made[15].seq), (b, made[16].seq), (0, made[17].seq),
    ])  # fmt: skip


@pytest.mark.django_db
def test_the_command_warns_of_a_chain_no_checkpoint_names(personas, settings, tmp_path):
    settings.PARCOURS_AUDIT_CHECKPOINT_FILE = str(tmp_path / "points.jsonl")
    log.record_system("read", "person", 1)
    checkpoint()  # the common chain only: A's opening checkpoint, on commit, never ran in this test
    _record(personas.worker, 2)
    out, err = StringIO(), StringIO()
    call_command("verify_audit_chain", stdout=out, stderr=err)
    assert "intègre" in out.getvalue()
    assert f"n'atteste chaîne de l'organisation n° {personas.association.pk}" in err.getvalue()
