"""The keyed chain of the access journal: append, verify, checkpoint, purge.

- Each row carries `previous_hash` (the hash of the row before it, or the anchor) and `hash` =
  HMAC-SHA256(PARCOURS_AUDIT_KEY, canonical serialisation), `previous_hash` included. Without the key, which
  lives outside the database (core.crypto.audit_key), nobody can re-seal a row edited, inserted, or a chain
  rewritten from row N.
- The one-row `ChainHead` keeps the end (last_seq, last_hash) and the start since the last purge (anchor),
  sealed by an HMAC too: cutting the tail or moving the anchor needs the key.
- Checkpoints (seq, hash, anchor, time, HMAC) are written OUTSIDE the database, to the logger
  `parcours.audit.checkpoint` and to the file PARCOURS_AUDIT_CHECKPOINT_FILE, daily, after each purge and
  every PARCOURS_AUDIT_CHECKPOINT_EVERY rows appended (once the row's transaction has committed):
  a head put back to an older, consistently sealed state (tail truncated) or a journal emptied is detected
  against them.
- The purge (the only deletion) moves the anchor forward, then deletes the rows below it, then appends a
  keyed `journal.purge` row naming the range deleted, and a checkpoint. Verification fails when the anchor
  is not justified by the last such row. On PostgreSQL the triggers of migration 0004 refuse every UPDATE of
  a row and every DELETE of a row at or above the anchor: there is no session flag any more.

Appending locks the head (SELECT … FOR UPDATE on PostgreSQL; on SQLite the IMMEDIATE transaction mode of
settings.py takes the write lock at BEGIN), so two processes never fork the chain; the unique `seq` is a
second guard.
"""

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass

from django.db import connection, transaction

from parcours.core import clock

from . import conf
from .models import SYSTEM_ROLE, AccessLog, Action, ChainHead, Outcome

HEAD_PK = 1
PURGE_EVENT = "journal.purge"
checkpoint_logger = logging.getLogger("parcours.audit.checkpoint")


def _locked_head() -> ChainHead:
    head, _created = ChainHead.objects.select_for_update().get_or_create(pk=HEAD_PK)
    return head


def _save_head(head: ChainHead, fields: list[str]) -> None:
    head.seal = head.compute_seal()
    head.save(update_fields=[*fields, "seal"])


def append(**fields) -> AccessLog:
    """Add one row at the end of the chain (callers: audit.log.record / record_event / record_system)."""
    with transaction.atomic():
        head = _locked_head()
        row = AccessLog(seq=head.last_seq + 1, at=clock.now(), previous_hash=head.last_hash, **fields)
        row.hash = row.compute_hash(keyed=row.seq >= head.keyed_from)
        row._chained = True
        row.save()
        head.last_seq, head.last_hash = row.seq, row.hash
        _save_head(head, ["last_seq", "last_hash"])
        if row.seq % conf.checkpoint_every() == 0:
            # After the commit only: a checkpoint of a row rolled back would later look like a truncation.
            # robust: a checkpoint that cannot be written is logged (django.db.backends, ERROR) and does not
            # turn the committed change into an error page; the daily task and verification still run.
            transaction.on_commit(checkpoint, robust=True)
    return row


@dataclass(frozen=True)
class ChainBreak:
    """Where the chain is broken: the number expected there, why, and the first row that does not fit
    (None when the break is in the head, the anchor or against a checkpoint)."""

    seq: int
    reason: str
    row: AccessLog | None


# --- checkpoints ------------------------------------------------------------------------------------------
def _checkpoint_mac(seq: int, hash_: str, anchor_seq: int, at: str) -> str:
    from parcours.core.crypto import audit_key

    message = f"checkpoint|{seq}|{hash_}|{anchor_seq}|{at}"
    return hmac.new(audit_key(), message.encode(), hashlib.sha256).hexdigest()


def checkpoint() -> dict:
    """Write a signed checkpoint of the head outside the database: one JSON line to the logger
    `parcours.audit.checkpoint` and, when configured, appended to PARCOURS_AUDIT_CHECKPOINT_FILE."""
    head = ChainHead.objects.filter(pk=HEAD_PK).first() or ChainHead(pk=HEAD_PK)
    at = clock.now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    point = {"seq": head.last_seq, "hash": head.last_hash, "anchor_seq": head.anchor_seq, "at": at}
    point["mac"] = _checkpoint_mac(head.last_seq, head.last_hash, head.anchor_seq, at)
    line = json.dumps(point, sort_keys=True, separators=(",", ":"))
    checkpoint_logger.info("audit-checkpoint %s", line)
    path = conf.checkpoint_file()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a") as handle:
            handle.write(line + "\n")
    return point


def read_checkpoints() -> list[dict]:
    """The checkpoints of the file, each with `valid` False when its HMAC does not match (forged line)."""
    path = conf.checkpoint_file()
    if path is None or not path.exists():
        return []
    points = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            point = json.loads(line)
            seq, hash_, anchor, at = (
                int(point["seq"]),
                str(point["hash"]),
                int(point["anchor_seq"]),
                point["at"],
            )
            valid = hmac.compare_digest(str(point["mac"]), _checkpoint_mac(seq, hash_, anchor, at))
        except (ValueError, KeyError, TypeError):
            point, valid = {"seq": 0, "line": number}, False
        point["valid"], point["line"] = valid, number
        points.append(point)
    return points


# --- verification -----------------------------------------------------------------------------------------
def verify_chain() -> ChainBreak | None:
    """None when the journal is intact; otherwise the first break found."""
    if connection.in_atomic_block:
        return _verify()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # One snapshot for the head and every row, so concurrent appends and purges cause no false alarm.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        return _verify()


def _verify() -> ChainBreak | None:
    stored = ChainHead.objects.filter(pk=HEAD_PK).first()
    head = stored or ChainHead(pk=HEAD_PK)
    sealed = stored is not None and not (head.is_genesis() and not head.seal)
    if sealed and not hmac.compare_digest(head.seal, head.compute_seal()):
        return ChainBreak(
            head.last_seq, "la tête du journal a été modifiée sans la clé (fin ou début déplacé)", None
        )
    points = read_checkpoints()
    for point in points:
        if not point["valid"]:
            return ChainBreak(0, f"point de contrôle falsifié (ligne {point['line']} du fichier)", None)
    wanted = {p["seq"] for p in points}
    seen: dict[int, str] = {}
    last_purge = None
    expected_seq, expected_previous = head.anchor_seq, head.anchor_hash
    for row in AccessLog.objects.order_by("seq").iterator(chunk_size=2000):
        if row.seq != expected_seq:
            return ChainBreak(expected_seq, f"ligne(s) n° {expected_seq} à {row.seq - 1} supprimée(s)", row)
        if row.previous_hash != expected_previous:
            return ChainBreak(
                row.seq, "l'empreinte précédente ne correspond pas (ligne insérée ou remplacée)", row
            )
        if not hmac.compare_digest(row.compute_hash(keyed=row.seq >= head.keyed_from), row.hash):
            return ChainBreak(row.seq, "le contenu de la ligne a été modifié", row)
        if row.seq in wanted:
            seen[row.seq] = row.hash
        if row.event == PURGE_EVENT:
            last_purge = row
        expected_seq, expected_previous = row.seq + 1, row.hash
    if head.last_seq != expected_seq - 1 or head.last_hash != expected_previous:
        return ChainBreak(
            expected_seq,
            f"le journal s'arrête au n° {expected_seq - 1} alors que sa tête indique le n° {head.last_seq}",
            None,
        )
    if head.anchor_seq > 1:
        if last_purge is not None:
            justified = last_purge.object_id.rpartition("-")[2] == str(head.anchor_seq - 1)
        else:
            justified = head.anchor_seq < head.keyed_from  # a purge from before the chain was keyed
        if not justified:
            return ChainBreak(
                1,
                f"les lignes n° 1 à {head.anchor_seq - 1} manquent sans purge signée qui les couvre",
                None,
            )
    for point in points:
        seq = point["seq"]
        if seq > head.last_seq:
            return ChainBreak(
                head.last_seq + 1,
                f"le journal s'arrête au n° {head.last_seq} alors qu'un point de contrôle signé du "
                f"{point['at']} atteste le n° {seq} (fin tronquée)",
                None,
            )
        if point["anchor_seq"] > head.anchor_seq:
            return ChainBreak(
                head.anchor_seq, "le début du journal a reculé depuis un point de contrôle", None
            )
        if seq >= head.anchor_seq and seq > 0 and seen.get(seq) != point["hash"]:
            return ChainBreak(
                seq, f"la ligne n° {seq} ne correspond plus au point de contrôle du {point['at']}", None
            )
    return None


def chain_summary() -> dict:
    head = ChainHead.objects.filter(pk=HEAD_PK).first() or ChainHead(pk=HEAD_PK)
    return {
        "rows": AccessLog.objects.count(),
        "first_seq": head.anchor_seq,
        "last_seq": head.last_seq,
        "last_hash": head.last_hash,
        "anchor_hash": head.anchor_hash,
        "checkpoints": len(read_checkpoints()),
    }


# --- purge ------------------------------------------------------------------------------------------------
def purge(now: dt.datetime | None = None) -> int:
    """Delete the rows older than the retention period and re-anchor the chain; returns the number deleted.

    The chain is cut at its start only: the first row recorded on or after the cut-off and every row after it
    are kept, so a row dated earlier by a clock step back waits for the next purge rather than leaving a hole.
    The anchor moves first (sealed with the key; the PostgreSQL trigger lets only rows below it be deleted),
    then the rows go, then a keyed `journal.purge` row says which range went, then a checkpoint.
    """
    cutoff = (now or clock.now()) - dt.timedelta(days=conf.retention_days())
    with transaction.atomic():
        head = _locked_head()
        first_kept = (
            AccessLog.objects.filter(at__gte=cutoff).order_by("seq").values_list("seq", "previous_hash")
        )
        boundary, anchor_hash = first_kept.first() or (head.last_seq + 1, head.last_hash)
        if boundary <= head.anchor_seq:
            return 0
        first_purged = head.anchor_seq
        head.anchor_seq, head.anchor_hash = boundary, anchor_hash
        head.purged_at = clock.now()
        _save_head(head, ["anchor_seq", "anchor_hash", "purged_at"])
        deleted = AccessLog.objects.filter(seq__lt=boundary)._purge_delete()
        append(
            role=SYSTEM_ROLE,
            action=Action.PURGE,
            event=PURGE_EVENT,
            object_type="access_log",
            object_id=f"{first_purged}-{boundary - 1}",
            outcome=Outcome.ALLOWED,
        )
    return deleted


def archive_checkpoints() -> None:
    """When a demo database is emptied on purpose (`demo --reset`), set the checkpoint file aside (renamed,
    never deleted): the new journal starts from zero and the old checkpoints would say it was truncated."""
    path = conf.checkpoint_file()
    if path is not None and path.exists():
        stamp = clock.now().astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        path.rename(path.with_name(f"{path.name}.{stamp}"))
        checkpoint_logger.warning("audit-checkpoints archived to %s.%s (journal reset)", path.name, stamp)
