"""Migration audit/0007 (decision 0062) on a journal written before it: the rows, the head and a checkpoint
line as the code before the split wrote them (written here in SQL with the hashes recomputed by hand), then
the migration, then the same journal verifies, goes on in the common chain and opens organisations' chains.
"""

import datetime as dt
import hashlib
import hmac
import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from parcours.audit import log
from parcours.audit.chain import verify_chain
from parcours.audit.models import GENESIS_HASH
from parcours.core import crypto

BEFORE = [("audit", "0006_person_change_index")]


def mac(message: str) -> str:
    return hmac.new(crypto.audit_key(), message.encode(), hashlib.sha256).hexdigest()


def old_row(seq: int, previous: str, person: int) -> tuple:
    at = dt.datetime(2026, 1, seq, 9, 0, tzinfo=dt.UTC)
    data = {
        "seq": seq, "at": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "user": None, "organisation": None,
        "role": "system", "action": "read", "object_type": "person", "object_id": str(person),
        "person_id": person, "ip": None, "path": "", "status_code": None, "outcome": "allowed",
        "previous_hash": previous,
    }  # fmt: skip
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return seq, at, person, previous, mac("row|" + canonical)


def write_old_journal(seal=None, anchor=None) -> str:
    """Rows 1-3 and the head as the code before the split wrote them; returns the last row's hash. `seal`
    and `anchor` (seq, hash) change the head as someone without the key would."""
    rows, previous = [], GENESIS_HASH
    for seq in (1, 2, 3):
        rows.append(old_row(seq, previous, 100 + seq))
        previous = rows[-1][-1]
    anchor_seq, anchor_hash = anchor or (1, GENESIS_HASH)
    with connection.cursor() as cursor:
        for seq, at, person, before, hash_ in rows:
            if seq < anchor_seq:
                continue
            cursor.execute(
                "INSERT INTO audit_accesslog (seq, at, role, action, event, object_type, object_id, "
                "person_id, path, outcome, previous_hash, hash) VALUES (%s, %s, 'system', 'read', '', "
                "'person', %s, %s, '', 'allowed', %s, %s)",
                [seq, at, str(person), person, before, hash_],
            )
        # The seal of migration 0003's format, unless forged.
        seal = seal or mac(f"head|3|{previous}|{anchor_seq}|{anchor_hash}|1")
        cursor.execute(
            "INSERT INTO audit_chainhead (id, last_seq, last_hash, anchor_seq, anchor_hash, keyed_from, "
            "seal) VALUES (1, 3, %s, %s, %s, 1, %s)",
            [previous, anchor_seq, anchor_hash, seal],
        )
    return previous


def to_the_latest():
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_journal_written_before_the_split_verifies_and_goes_on(settings, tmp_path, personas):
    points = tmp_path / "points.jsonl"
    settings.PARCOURS_AUDIT_CHECKPOINT_FILE = str(points)
    MigrationExecutor(connection).migrate(BEFORE)
    try:
        previous = write_old_journal()
        at = "2026-01-03T10:00:00.000000Z"
        line = {"seq": 3, "hash": previous, "anchor_seq": 1, "at": at}
        line["mac"] = mac(f"checkpoint|3|{previous}|1|{at}")  # the format of the lines written before
        points.write_text(json.dumps(line) + "\n")
    finally:
        to_the_latest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, last_seq, last_hash FROM audit_chainhead")
        assert cursor.fetchall() == [(0, 3, previous)]  # the one head is the common chain's
    assert verify_chain() is None  # old rows, resealed head and the old checkpoint line all agree
    system = log.record_system("read", "person", 104, person_id=104)
    association = log.record_system("read", "person", 105, person_id=105, organisation=personas.association)
    assert (system.seq, system.chain, system.previous_hash) == (4, 0, previous)  # numbers follow the old
    assert (association.seq, association.chain) == (5, personas.association.pk)
    assert verify_chain() is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_split_refuses_a_head_changed_without_the_key():
    """Rows 1-2 deleted and the anchor moved past them, the seal made up: the verification of before
    caught it by the seal alone. Sealing the head again in the new format would launder it: the migration
    stops instead."""
    MigrationExecutor(connection).migrate(BEFORE)
    try:
        second = old_row(2, old_row(1, GENESIS_HASH, 101)[-1], 102)[-1]
        write_old_journal(seal="f" * 64, anchor=(3, second))
        with pytest.raises(RuntimeError, match="sceau valide"):
            to_the_latest()
    finally:
        with connection.cursor() as cursor:  # the tampered journal out of the way (as a superuser could)
            if connection.vendor == "postgresql":
                cursor.execute("SELECT set_config('session_replication_role', 'replica', false)")
            cursor.execute("DELETE FROM audit_accesslog")
            cursor.execute("DELETE FROM audit_chainhead")
            if connection.vendor == "postgresql":
                cursor.execute("SELECT set_config('session_replication_role', 'origin', false)")
        to_the_latest()
