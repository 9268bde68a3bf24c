"""Issue 7, finding 4: the journal could be rewritten, truncated or purged by hand and still verify as intact.

Each test below plays the attack as someone with write access to the database but not to the key
(PARCOURS_AUDIT_KEY, outside the database) nor to the checkpoint file, and asserts that verification fails.
Before the keyed chain (unkeyed SHA-256, unsealed head, no checkpoints, purge behind a session flag), every
one of these scenarios verified as intact: the forged hashes below are exactly what the old code computed, and
the head was a plain row any session could set.
"""

import base64
import datetime as dt
import hashlib
import json
import logging
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from parcours.audit import chain, log
from parcours.audit.chain import checkpoint, purge, verify_chain
from parcours.audit.models import GENESIS_HASH, AccessLog, ChainHead
from parcours.audit.tasks import audit_checkpoint_task, purge_access_logs_task
from parcours.core import clock, crypto
from parcours.core.management.commands.enqueue_daily_tasks import DAILY_TASKS

from .conftest import on_postgresql, tamper

START = dt.datetime(2025, 1, 1, 9, 0, tzinfo=clock.PARIS)


def journal(n=5, start=START, step=dt.timedelta(days=1)):
    made = []
    for i in range(n):
        with clock.travel_to(start + i * step):
            made.append(log.record_system("read", "person", 100 + i, person_id=100 + i))
    return made


def head_values():
    with connection.cursor() as c:
        c.execute(
            "SELECT last_seq, last_hash, anchor_seq, anchor_hash, seal, appended FROM audit_chainhead "
            "WHERE id = 0"
        )
        return c.fetchone()


def set_head(last_seq, last_hash, anchor_seq, anchor_hash, seal, appended):
    """The whole head row put back (an attacker replaying an earlier state replays every column)."""
    tamper(
        "UPDATE audit_chainhead SET last_seq = %s, last_hash = %s, anchor_seq = %s, anchor_hash = %s, "
        "seal = %s, appended = %s WHERE id = 0",
        [last_seq, last_hash, anchor_seq, anchor_hash, seal, appended],
    )


def raw_rows():
    """The rows as stored, read with SQL (an independent oracle, not the model's own code)."""
    with connection.cursor() as c:
        c.execute("SELECT id, seq, hash FROM audit_accesslog ORDER BY seq")
        return c.fetchall()


def unkeyed_sha256(row: AccessLog) -> str:
    """What the old code stored as the row's hash, and what anyone can compute without the key."""
    return hashlib.sha256(row.canonical()).hexdigest()


# --- The key --------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_row_hash_is_an_hmac_under_the_audit_key_not_a_plain_sha256():
    row = journal(1)[0]
    stored = raw_rows()[0][2]
    assert stored != unkeyed_sha256(row)
    import hmac

    assert stored == hmac.new(crypto.audit_key(), b"row|" + row.canonical(), hashlib.sha256).hexdigest()


def test_audit_key_from_the_setting(settings):
    key = base64.b64encode(b"k" * 32).decode()
    settings.PARCOURS_AUDIT_KEY = key
    crypto.audit_key.cache_clear()
    try:
        assert crypto.audit_key() == b"k" * 32
    finally:
        crypto.audit_key.cache_clear()


@pytest.mark.parametrize("value", [base64.b64encode(b"short").decode(), "pas du base64 !"])
def test_a_malformed_audit_key_is_refused(settings, value):
    settings.PARCOURS_AUDIT_KEY = value
    crypto.audit_key.cache_clear()
    try:
        with pytest.raises(ImproperlyConfigured, match="PARCOURS_AUDIT_KEY"):
            crypto.audit_key()
    finally:
        crypto.audit_key.cache_clear()


def test_outside_demo_mode_a_missing_audit_key_is_an_error_not_generated(settings, tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path
    settings.PARCOURS_DEMO = False
    settings.PARCOURS_AUDIT_KEY = None
    monkeypatch.delenv("PARCOURS_AUDIT_KEY", raising=False)
    crypto.audit_key.cache_clear()
    try:
        with pytest.raises(ImproperlyConfigured, match="PARCOURS_AUDIT_KEY"):
            crypto.audit_key()
        assert not (tmp_path / "keys" / "audit.key").exists()
        settings.PARCOURS_DEMO = True
        key = crypto.audit_key()
        path = tmp_path / "keys" / "audit.key"
        assert len(key) == 32 and base64.b64decode(path.read_text()) == key
        assert path.stat().st_mode & 0o077 == 0
    finally:
        crypto.audit_key.cache_clear()


# --- Rewrite from row N ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_chain_rewritten_from_row_n_with_a_recomputed_hash_is_detected():
    """The attacker changes row 3 and re-seals rows 3 to 5 and the head as the old code would (SHA-256): the
    old verification followed the new chain and said intact."""
    journal(5)
    previous = AccessLog.objects.get(seq=2).hash
    for row in AccessLog.objects.filter(seq__gte=3).order_by("seq"):
        if row.seq == 3:
            row.person_id = 999
        row.previous_hash = previous
        row.hash = unkeyed_sha256(row)
        tamper(
            "UPDATE audit_accesslog SET person_id = %s, previous_hash = %s, hash = %s WHERE id = %s",
            [row.person_id, row.previous_hash, row.hash, row.pk],
        )
        previous = row.hash
    tamper("UPDATE audit_chainhead SET last_hash = %s WHERE id = 0", [previous])
    broken = verify_chain()
    assert broken is not None and broken.seq in (3, 5)


@pytest.mark.django_db
def test_a_chain_rewritten_with_another_key_is_detected(settings):
    journal(4)
    stolen = AccessLog.objects.get(seq=4)
    import hmac

    stolen.object_id = "999"
    forged = hmac.new(b"x" * 32, b"row|" + stolen.canonical(), hashlib.sha256).hexdigest()
    tamper("UPDATE audit_accesslog SET object_id = '999', hash = %s WHERE id = %s", [forged, stolen.pk])
    tamper("UPDATE audit_chainhead SET last_hash = %s WHERE id = 0", [forged])
    assert verify_chain() is not None


# --- Truncated tail -------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_tail_truncated_back_to_an_older_consistent_head_is_detected_against_the_checkpoint():
    """Rows 4 and 5 deleted and the head put back as it was after row 3 (its seal included: an old but
    genuine state). Nothing inside the database can tell; the checkpoint written outside it can. Before: the
    old verification compared the rows with the head only, and said intact."""
    journal(3)
    old_head = head_values()
    journal(2, start=START + dt.timedelta(days=10))
    checkpoint()
    tamper("DELETE FROM audit_accesslog WHERE seq > 3")
    set_head(*old_head)
    broken = verify_chain()
    assert broken is not None and "tronquée" in broken.reason and broken.seq == 4
    with pytest.raises(CommandError, match="altéré"):
        call_command("verify_audit_chain", stdout=StringIO())


@pytest.mark.django_db
def test_a_tail_cut_with_the_head_moved_back_without_the_key_is_detected():
    made = journal(5)
    tamper("DELETE FROM audit_accesslog WHERE seq > 3")
    tamper("UPDATE audit_chainhead SET last_seq = 3, last_hash = %s WHERE id = 0", [made[2].hash])
    broken = verify_chain()
    assert broken is not None and "tête" in broken.reason


@pytest.mark.django_db
def test_an_emptied_journal_is_detected_against_the_checkpoint():
    journal(3)
    checkpoint()
    tamper("DELETE FROM audit_accesslog")
    tamper("DELETE FROM audit_chainhead")
    broken = verify_chain()
    assert broken is not None and "n° 3" in broken.reason


@pytest.mark.django_db
def test_a_forged_or_edited_checkpoint_line_is_detected(settings):
    journal(2)
    checkpoint()
    path = chain.conf.checkpoint_file()
    point = json.loads(path.read_text().splitlines()[0])
    point["seq"] = 1  # a checkpoint moved back to make room for a truncation
    path.write_text(json.dumps(point) + "\n")
    broken = verify_chain()
    assert broken is not None and "falsifié" in broken.reason


@pytest.mark.django_db
def test_a_row_rewritten_below_a_checkpoint_no_longer_matches_it(settings):
    journal(3)
    checkpoint()
    journal(2, start=START + dt.timedelta(days=10))
    assert verify_chain() is None
    row3 = AccessLog.objects.get(seq=3)
    tamper("UPDATE audit_accesslog SET hash = %s WHERE id = %s", ["f" * 64, row3.pk])
    assert verify_chain() is not None


@pytest.mark.django_db
def test_checkpoints_go_to_their_logger_and_file(caplog):
    made = journal(2)
    with caplog.at_level(logging.INFO, logger="parcours.audit.checkpoint"):
        call_command("audit_checkpoint", stdout=StringIO())
    [record] = [r for r in caplog.records if r.name == "parcours.audit.checkpoint"]
    assert made[1].hash in record.getMessage()
    [line] = chain.conf.checkpoint_file().read_text().splitlines()
    point = json.loads(line)
    assert (point["seq"], point["hash"]) == (2, made[1].hash) and len(point["mac"]) == 64
    assert chain.conf.checkpoint_file().stat().st_mode & 0o077 == 0
    out = StringIO()
    call_command("verify_audit_chain", stdout=out)
    assert "1 point(s) de contrôle concordant(s)" in out.getvalue()


@pytest.mark.django_db
def test_the_checkpoint_is_a_daily_task():
    assert "parcours.audit.tasks.audit_checkpoint_task" in DAILY_TASKS
    journal(2)
    assert audit_checkpoint_task.call() == 1  # one chain: the common one
    [point] = chain.read_checkpoints()
    assert (point["chain"], point["seq"]) == (0, 2)


# --- Purge outside the purge job ------------------------------------------------------------------------
@pytest.mark.django_db
def test_rows_purged_by_hand_with_the_anchor_moved_are_detected():
    """The oldest rows deleted and the anchor moved to the first kept row, as the old purge did: before, the
    old verification said intact with the same head hash."""
    made = journal(5)
    tamper("DELETE FROM audit_accesslog WHERE seq < 3")
    tamper("UPDATE audit_chainhead SET anchor_seq = 3, anchor_hash = %s WHERE id = 0", [made[1].hash])
    broken = verify_chain()
    assert broken is not None


@pytest.mark.django_db
def test_rows_purged_by_hand_with_an_old_sealed_head_replayed_are_detected():
    """Even with a genuine seal (the attacker replays the head of an earlier state with a different anchor,
    which cannot exist), no keyed purge row covers the missing rows."""
    made = journal(4)
    last_seq, last_hash, _anchor_seq, _anchor_hash, _seal, appended = head_values()
    tamper("DELETE FROM audit_accesslog WHERE seq < 3")
    forged = ChainHead(
        last_seq=last_seq, last_hash=last_hash, anchor_seq=3, anchor_hash=made[1].hash, appended=appended
    )
    # Suppose the attacker somehow had a valid seal for this head: the missing purge record still tells.
    set_head(last_seq, last_hash, 3, made[1].hash, forged.compute_seal(), appended)
    broken = verify_chain()
    assert broken is not None and "purge signée" in broken.reason


@pytest.mark.django_db
def test_the_purge_job_leaves_a_signed_record_and_a_checkpoint_and_verifies(settings):
    settings.PARCOURS_AUDIT_RETENTION_DAYS = 180
    journal(4)
    with clock.travel_to(START + dt.timedelta(days=400)):
        assert purge_access_logs_task.call() == 4
    [purge_row] = AccessLog.objects.filter(event="journal.purge")
    assert purge_row.object_id == "1-4" and purge_row.action == "purge"
    [point] = chain.read_checkpoints()
    assert point["valid"] and point["seq"] == purge_row.seq
    assert verify_chain() is None
    # A second purge later moves the anchor again, with its own record.
    journal(2, start=START + dt.timedelta(days=401))
    with clock.travel_to(START + dt.timedelta(days=1000)):
        assert purge() == 3
    assert AccessLog.objects.filter(event="journal.purge").get().object_id == "5-7"
    assert verify_chain() is None


@pytest.mark.django_db
def test_a_fresh_journal_verifies_and_its_head_is_sealed():
    assert verify_chain() is None
    journal(1)
    head = ChainHead.objects.get()
    assert head.seal == head.compute_seal() and head.last_hash != GENESIS_HASH


# --- PostgreSQL: no flag lifts the triggers -------------------------------------------------------------
@on_postgresql
@pytest.mark.django_db
def test_postgresql_session_flag_no_longer_allows_deleting_rows():
    """Before: `SET parcours.audit_purge = 'on'` in any session of the application's user let it delete the
    oldest rows (and move the anchor), and verify_audit_chain still said intact."""
    journal(4)
    for scope in ("true", "false"):  # transaction-local or for the whole session
        with pytest.raises(DatabaseError, match="ajout seul"), transaction.atomic(), connection.cursor() as c:
            c.execute(f"SELECT set_config('parcours.audit_purge', 'on', {scope})")
            c.execute("DELETE FROM audit_accesslog WHERE seq < 3")
    with connection.cursor() as c:
        c.execute("SELECT set_config('parcours.audit_purge', 'off', false)")
    assert [r[1] for r in raw_rows()] == [1, 2, 3, 4] and verify_chain() is None


@on_postgresql
@pytest.mark.django_db
def test_postgresql_anchor_moved_forward_by_hand_then_rows_deleted_is_detected():
    """The trigger lets the application's user move the anchor forward (the purge needs it) and then delete
    the rows below it: the seal of the head and the missing signed purge record detect it."""
    made = journal(4)
    with connection.cursor() as c:
        c.execute("UPDATE audit_chainhead SET anchor_seq = 3, anchor_hash = %s WHERE id = 0", [made[1].hash])
        c.execute("DELETE FROM audit_accesslog WHERE seq < 3")
    assert [r[1] for r in raw_rows()] == [3, 4]
    assert verify_chain() is not None


@on_postgresql
@pytest.mark.django_db
def test_postgresql_head_and_rows_cannot_go_back():
    journal(3)
    for sql in (
        "UPDATE audit_chainhead SET last_seq = 2",
        "UPDATE audit_chainhead SET anchor_seq = 5",  # past the end
        "UPDATE audit_chainhead SET keyed_from = 1000",
        "DELETE FROM audit_chainhead",
        "UPDATE audit_accesslog SET person_id = 1",
        "DELETE FROM audit_accesslog WHERE seq = 3",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
            c.execute(sql)
    assert verify_chain() is None


# --- Review of issue 7, B1: checkpoints that reach somewhere, often enough; TRUNCATE refused ---------------
def _saved_state():
    """The rows and the head as an attacker with a console would save them (SELECT *)."""
    with connection.cursor() as c:
        c.execute("SELECT * FROM audit_accesslog ORDER BY seq")
        row_columns, saved_rows = [d[0] for d in c.description], c.fetchall()
        c.execute("SELECT * FROM audit_chainhead")
        head_columns, saved_head = [d[0] for d in c.description], c.fetchall()
    return (row_columns, saved_rows), (head_columns, saved_head)


def _truncate_and_reinsert(state):
    """The review's probe: empty both tables, put back the rows saved earlier and their genuine sealed head.
    On PostgreSQL with TRUNCATE, as the test database's superuser can (the application's user cannot, see
    test_postgresql_truncate_is_refused_to_the_application_user), and the head put back with the triggers
    off (a head inserted in another state than its chain's origin is refused otherwise, decision 0062); on
    SQLite with DELETE."""
    (row_columns, saved_rows), (head_columns, saved_head) = state
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            # The test's transaction holds the deferred foreign-key checks of the rows: run them first.
            c.execute("SET CONSTRAINTS ALL IMMEDIATE")
            c.execute("TRUNCATE audit_accesslog, audit_chainhead")
        else:
            c.execute("DELETE FROM audit_accesslog")
            c.execute("DELETE FROM audit_chainhead")
        for table, columns, values in (
            ("audit_accesslog", row_columns, saved_rows),
            ("audit_chainhead", head_columns, saved_head),
        ):
            marks = ", ".join(["%s"] * len(columns))
            if connection.vendor == "postgresql":
                c.execute("SELECT set_config('session_replication_role', 'replica', true)")
            for value in values:
                c.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", list(value))  # noqa: S608
            if connection.vendor == "postgresql":
                c.execute("SELECT set_config('session_replication_role', 'origin', true)")


@pytest.mark.django_db
def test_checkpoints_reach_the_console_with_the_production_logging_configuration():
    """Before: the INFO line went to a logger with no handler of its own, under a root at WARNING: written
    nowhere. No caplog here: the handler configured by settings.LOGGING receives the line."""
    logger = logging.getLogger("parcours.audit.checkpoint")
    [handler] = [h for h in logger.handlers if type(h) is logging.StreamHandler]  # not pytest's capture
    stream = StringIO()
    previous = handler.setStream(stream)
    try:
        made = journal(2)
        checkpoint()
    finally:
        handler.setStream(previous)
    assert logger.getEffectiveLevel() <= logging.INFO
    assert "audit-checkpoint" in stream.getvalue() and made[1].hash in stream.getvalue()


@pytest.mark.django_db
def test_a_checkpoint_every_n_rows_once_committed(settings, django_capture_on_commit_callbacks):
    settings.PARCOURS_AUDIT_CHECKPOINT_EVERY = 2
    for day in range(5):  # each row in its own committed transaction, as record_system outside a service
        with django_capture_on_commit_callbacks(execute=True):
            journal(1, start=START + dt.timedelta(days=day))
    assert [p["seq"] for p in chain.read_checkpoints()] == [2, 4]
    # A row rolled back leaves no checkpoint (it would later look like a truncation).
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        journal(1)
        raise RuntimeError
    assert [p["seq"] for p in chain.read_checkpoints()] == [2, 4]
    assert verify_chain() is None


@pytest.mark.django_db
def test_the_review_truncate_and_reinsert_probe_is_detected_by_the_row_count_checkpoints(
    settings, django_capture_on_commit_callbacks
):
    """Review B1: write 3 rows, save table and head; write 4 more; empty both tables; put back the 3 rows and
    the old head with its genuine seal. Before: verify_chain() said intact, with or without the daily
    checkpoint taken at row 3. Now a checkpoint every N rows (here 2) attests row 6."""
    settings.PARCOURS_AUDIT_CHECKPOINT_EVERY = 2
    for day in range(7):
        with django_capture_on_commit_callbacks(execute=True):
            journal(1, start=START + dt.timedelta(days=day))
        if day == 2:
            state = _saved_state()
    assert [p["seq"] for p in chain.read_checkpoints()] == [2, 4, 6]
    _truncate_and_reinsert(state)
    broken = verify_chain()
    assert broken is not None and "tronquée" in broken.reason


@pytest.mark.django_db
def test_no_checkpoint_found_is_a_failure_of_the_verification_command(settings):
    """The same probe with no checkpoint at all: nothing inside the database can tell (an honest limit, the
    rows and head are genuine), so the command refuses to call a journal without checkpoints intact.
    Before: « intègre », exit code 0."""
    journal(3)
    state = _saved_state()
    journal(4, start=START + dt.timedelta(days=10))
    _truncate_and_reinsert(state)
    assert verify_chain() is None  # the limit, stated in docs/security/audit.md
    with pytest.raises(CommandError, match="aucun point de contrôle"):
        call_command("verify_audit_chain", stdout=StringIO())
    # An operator who chose the logger only (PARCOURS_AUDIT_CHECKPOINT_FILE=log) is told to compare by hand.
    settings.PARCOURS_AUDIT_CHECKPOINT_FILE = "log"
    err = StringIO()
    call_command("verify_audit_chain", stdout=StringIO(), stderr=err)
    assert "syslog" in err.getvalue()
    assert chain.conf.checkpoint_file() is None


@on_postgresql
@pytest.mark.django_db
def test_postgresql_truncate_is_refused_to_the_application_user():
    """Review B1: the application's user could TRUNCATE both tables (row triggers do not fire on TRUNCATE).
    An ordinary role, with every privilege on the tables (TRUNCATE included), is now refused by the
    statement trigger of migration audit/0005; the rows are still there."""
    journal(3)
    role = "parcours_audit_probe_app"
    for tables in ("audit_accesslog, audit_chainhead", "audit_accesslog", "audit_chainhead"):
        with (
            pytest.raises(DatabaseError, match="TRUNCATE refusé"),
            transaction.atomic(),
            connection.cursor() as c,
        ):
            c.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the rows' deferred checks, pending in the test
            c.execute(f"CREATE ROLE {role} NOLOGIN")
            c.execute(f"GRANT ALL ON {tables} TO {role}")
            c.execute(f"SET LOCAL ROLE {role}")
            c.execute(f"TRUNCATE {tables}")
    assert [r[1] for r in raw_rows()] == [1, 2, 3] and verify_chain() is None
