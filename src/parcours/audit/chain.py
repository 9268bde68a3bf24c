"""The keyed chains of the access journal: append, verify, checkpoint, purge.

- The journal is split into chains (decision 0062): each organisation's rows form its own chain (key: the
  organisation's primary key), the rows of no organisation and every row written before the split form the
  common chain (key 0). Each row carries `previous_hash` (the hash of its chain's row before it, or the
  chain's anchor) and `hash` = HMAC-SHA256(PARCOURS_AUDIT_KEY, canonical serialisation), `previous_hash` and
  the chain included. Without the key, which lives outside the database (core.crypto.audit_key), nobody can
  re-seal a row edited, inserted, moved to another chain, or a chain rewritten from row N.
- `seq` numbers the rows of the whole journal (unique, increasing within each chain; on PostgreSQL taken
  from a sequence, so chains interleave and a rolled-back append leaves a gap).
- A `ChainHead` per chain keeps its end (last_seq, last_hash) and its start since the last purge (anchor),
  sealed by an HMAC that names the chain: cutting a tail or moving an anchor needs the key.
- Checkpoints (chain, seq, hash, anchor, time, HMAC) are written OUTSIDE the database, to the logger
  `parcours.audit.checkpoint` and to the file PARCOURS_AUDIT_CHECKPOINT_FILE: every chain daily and after
  each purge, a new chain once its first row has committed, and a row's chain every
  PARCOURS_AUDIT_CHECKPOINT_EVERY numbers (once the row's transaction has committed): a head put back to an
  older, consistently sealed state (tail truncated), a chain deleted whole or a journal emptied is detected
  against them.
- The purge (the only deletion) moves each chain's anchor forward, then deletes the rows below it, then
  appends a keyed `journal.purge` row naming the range deleted, and a checkpoint. Verification fails when an
  anchor is not justified by its chain's last such row. On PostgreSQL the triggers of migrations 0004 and
  0007 refuse every UPDATE of a row and every DELETE of a row at or above its chain's anchor.

Appending locks the chain's head (SELECT … FOR UPDATE on PostgreSQL; on SQLite the IMMEDIATE transaction
mode of settings.py takes the write lock at BEGIN), so two processes never fork a chain; the unique `seq` is
a second guard. Two organisations' appends do not wait on each other. A transaction appends to one chain
only, the chain of its first row (a later row naming another organisation joins it; its `organisation`
field still says whose it is): a transaction that held two heads could deadlock against one taking them in
the other order.
"""

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass
from functools import cache, partial

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction
from django.db.models import Min

from parcours.core import clock

from . import conf
from .models import COMMON_CHAIN, SYSTEM_ROLE, AccessLog, Action, ChainHead, Outcome

PURGE_EVENT = "journal.purge"
checkpoint_logger = logging.getLogger("parcours.audit.checkpoint")

# The next number of the journal: a sequence on PostgreSQL; on SQLite, whose IMMEDIATE transaction already
# holds the database's write lock, the largest plus one.
NEXT_SEQ = {
    "postgresql": "nextval('audit_accesslog_number')",
    "sqlite": "(SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_accesslog)",
}
# The head locked, with the next number, in one statement (built from the constants above, no input). On
# PostgreSQL the sequence is read after the lock is granted (the locking CTE is materialised first), so
# that numbers increase along each chain.
LOCKED_HEAD_SQL = {
    "postgresql": (
        "WITH head AS MATERIALIZED (SELECT * FROM audit_chainhead WHERE id = %s FOR UPDATE) "  # noqa: S608
        f"SELECT head.*, {NEXT_SEQ['postgresql']} AS next_seq FROM head"
    ),
    "sqlite": f"SELECT *, {NEXT_SEQ['sqlite']} AS next_seq FROM audit_chainhead WHERE id = %s",  # noqa: S608
}


def chain_of(fields: dict) -> int:
    """The chain of a row about to be written: its organisation's, or the common chain."""
    organisation = fields.get("organisation")
    key = fields.get("organisation_id", getattr(organisation, "pk", None))
    return key or COMMON_CHAIN


def _locked(key: int) -> ChainHead | None:
    heads = list(ChainHead.objects.raw(LOCKED_HEAD_SQL[connection.vendor], [key]))
    return heads[0] if heads else None


def _next_seq() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {NEXT_SEQ[connection.vendor]}")
        return cursor.fetchone()[0]


class ChainTamperedError(RuntimeError):
    """A chain's head does not carry a valid seal: it was written outside the application. Nothing more is
    appended to that chain (its next append would seal the forged state again)."""


def trusted(head: ChainHead) -> bool:
    """The head's seal is valid, or it is the common chain's head of a journal never written to."""
    if head.pk == COMMON_CHAIN and head.is_genesis() and not head.seal:
        return True
    return hmac.compare_digest(head.seal, head.compute_seal())


def _locked_head(key: int) -> ChainHead:
    """The chain's head, locked until the transaction ends, with `next_seq` set. An organisation's chain is
    opened on its first row: its head created, and a checkpoint of it written once the row has committed,
    so that a chain deleted whole (head and rows) is missed against the checkpoints from its first day."""
    head = _locked(key)
    if head is None:
        head = _opened(key)
    if not trusted(head) and not _empty_origin(head):
        raise ChainTamperedError(
            f"Journal des accès : la tête de la {chain_label(key)} ne porte pas un sceau valide (modifiée "
            "hors de l'application). Lancez manage.py verify_audit_chain."
        )
    return head


def _empty_origin(head: ChainHead) -> bool:
    """A head at its chain's origin over a chain without rows, whatever its seal says (planted by hand for
    an organisation that had no chain yet): it hides nothing, and the append seals it. Refusing it would let
    whoever can insert a head lock an organisation out of the journal. Checked only when the seal fails."""
    return head.is_genesis() and not AccessLog.objects.filter(chain=head.pk).exists()


def _opened(key: int) -> ChainHead:
    head = ChainHead(pk=key)
    head.seal = head.compute_seal()
    try:
        with transaction.atomic():
            head.save(force_insert=True)
    except IntegrityError:  # created by another process since our read: lock it
        head = _locked(key)
        if head is None:
            raise
        return head
    if key != COMMON_CHAIN:
        transaction.on_commit(partial(checkpoint, key), robust=True)
    head.next_seq = _next_seq()
    return head


def _transaction_chain(wanted: int) -> int:
    """The chain this transaction appends to: the chain of its first row (see the module's docstring).

    The transaction is told by a marker callback registered with on_commit on its first append, which
    Django drops when the transaction commits or rolls back, or when a savepoint holding it rolls back
    (releasing the head's lock with it). Under a test case's atomic blocks, which never commit, the
    transaction is the test's own outermost block, told by its savepoint's id (a savepoint rolled back
    inside it is not seen there: production's marker is). Manual transactions (set_autocommit(False), used
    nowhere here) keep their on_commit callbacks until autocommit returns: the marker would outlive them."""
    depth = next(i for i, block in enumerate(connection.atomic_blocks) if not block._from_testcase)
    if depth:
        token = connection.savepoint_ids[depth - 1]
        if token is None:  # a block without a savepoint under a test case: nothing to tell it by
            return wanted
    else:
        token = _pending_marker()
    held = getattr(connection, "_audit_chain", None)
    if held is not None and held[0] == token:
        return held[1]
    connection._audit_chain = (token, wanted)
    return wanted


def _pending_marker():
    """The current transaction's marker callback, registered on its first append."""
    for _savepoints, callback, _robust in connection.run_on_commit:
        if getattr(callback, "audit_chain_marker", False):
            return callback

    def marker():
        """Nothing to do: its presence in the transaction's on_commit list is the mark."""

    marker.audit_chain_marker = True
    transaction.on_commit(marker)
    return marker


def _save_head(head: ChainHead, fields: list[str]) -> None:
    head.seal = head.compute_seal()
    head.save(update_fields=[*fields, "seal"])


@cache
def _row_columns() -> tuple[list, str]:
    """The journal's columns but its key, and their names quoted for an INSERT (built from the model)."""
    fields = [field for field in AccessLog._meta.concrete_fields if not field.primary_key]
    filled = [field.name for field in fields if field.has_db_default() or field.generated]
    if filled:  # Django's own INSERT leaves out columns the database fills; this one would write them
        raise ImproperlyConfigured(
            f"Journal des accès : colonnes remplies par la base {filled}, voir chain._write."
        )
    return fields, ", ".join(connection.ops.quote_name(field.column) for field in fields)


HEAD_MOVE = "UPDATE audit_chainhead SET last_seq = %s, last_hash = %s, appended = %s, seal = %s WHERE id = %s"


def _write(row: AccessLog, head: ChainHead) -> None:
    """Insert `row` and move `head` onto it, without the ORM's save (issue 15: every journaled page pays
    this). On PostgreSQL in one statement (the INSERT in a data-modifying CTE, the UPDATE returning the
    row's key); on SQLite, which has none, in two. The head's seal is computed here; `row` gets its key."""
    fields, columns = _row_columns()
    values = [field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields]
    insert = f"INSERT INTO audit_accesslog ({columns}) VALUES ({', '.join(['%s'] * len(values))})"  # noqa: S608
    head.seal = head.compute_seal()
    move = [head.last_seq, head.last_hash, head.appended, head.seal, head.pk]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH inserted AS ({insert} RETURNING id) {HEAD_MOVE} RETURNING (SELECT id FROM inserted)",  # noqa: S608
                [*values, *move],
            )
            found = cursor.fetchone()
            moved = found is not None
            row.pk = found[0] if moved else None
        else:
            cursor.execute(insert, values)
            row.pk = cursor.lastrowid
            cursor.execute(HEAD_MOVE, move)
            moved = cursor.rowcount == 1
    if not moved:  # the head vanished since it was locked: the exception rolls the row back
        raise ChainTamperedError(f"Journal des accès : la tête de la {chain_label(head.pk)} a disparu.")
    row._state.adding, row._state.db = False, connection.alias


def _append(head: ChainHead, fields: dict) -> AccessLog:
    row = AccessLog(seq=head.next_seq, chain=head.pk, at=clock.now(), previous_hash=head.last_hash, **fields)
    row.hash = row.compute_hash(keyed=row.seq >= head.keyed_from)
    head.last_seq, head.last_hash = row.seq, row.hash
    head.appended += 1
    _write(row, head)
    if head.appended % conf.checkpoint_every() == 0:
        # After the commit only: a checkpoint of a row rolled back would later look like a truncation.
        # robust: a checkpoint that cannot be written is logged (django.db.backends, ERROR) and does not
        # turn the committed change into an error page; the daily task and verification still run.
        transaction.on_commit(partial(checkpoint, head.pk), robust=True)
    return row


def append(**fields) -> AccessLog:
    """Add one row at the end of its chain (callers: audit.log.record / record_event / record_system)."""
    with transaction.atomic():
        head = _locked_head(_transaction_chain(chain_of(fields)))
        return _append(head, fields)


@dataclass(frozen=True)
class ChainBreak:
    """Where the journal is broken: the chain, the number there, why, and the first row that does not fit
    (None when the break is in a head, an anchor or against a checkpoint)."""

    seq: int
    reason: str
    row: AccessLog | None
    chain: int = COMMON_CHAIN


def chain_label(key: int) -> str:
    return "chaîne commune" if key == COMMON_CHAIN else f"chaîne de l'organisation n° {key}"


# --- checkpoints ------------------------------------------------------------------------------------------
def _checkpoint_mac(seq: int, hash_: str, anchor_seq: int, at: str, chain: int = COMMON_CHAIN) -> str:
    from parcours.core.crypto import audit_key

    named = f"chain={chain}|" if chain != COMMON_CHAIN else ""  # the common chain's lines, as before 0062
    message = f"checkpoint|{named}{seq}|{hash_}|{anchor_seq}|{at}"
    return hmac.new(audit_key(), message.encode(), hashlib.sha256).hexdigest()


def checkpoint(key: int | None = None) -> list[dict]:
    """Write a signed checkpoint of a chain's head (every chain's when `key` is None) outside the database:
    one JSON line per chain to the logger `parcours.audit.checkpoint` and, when configured, appended to
    PARCOURS_AUDIT_CHECKPOINT_FILE. An empty journal gets a checkpoint of its common chain."""
    heads = ChainHead.objects.order_by("pk")
    heads = list(heads.filter(pk=key) if key is not None else heads)
    if not heads and key in (None, COMMON_CHAIN):
        heads = [ChainHead(pk=COMMON_CHAIN)]
    at = clock.now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    points, lines = [], []
    for head in heads:
        point = {"seq": head.last_seq, "hash": head.last_hash, "anchor_seq": head.anchor_seq, "at": at}
        if head.pk != COMMON_CHAIN:
            point["chain"] = head.pk
        point["mac"] = _checkpoint_mac(head.last_seq, head.last_hash, head.anchor_seq, at, head.pk)
        line = json.dumps(point, sort_keys=True, separators=(",", ":"))
        checkpoint_logger.info("audit-checkpoint %s", line)
        points.append(point)
        lines.append(line)
    path = conf.checkpoint_file()
    if path is not None and lines:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a") as handle:
            handle.write("".join(line + "\n" for line in lines))
    return points


def read_checkpoints() -> list[dict]:
    """The checkpoints of the file, each with its `chain` (0 for the lines written before the chains were
    split) and `valid` False when its HMAC does not match (forged line)."""
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
            key = int(point.get("chain", COMMON_CHAIN))
            mac = _checkpoint_mac(seq, hash_, anchor, at, key)
            valid = key >= 0 and hmac.compare_digest(str(point["mac"]), mac)
            point["chain"] = key
        except (ValueError, KeyError, TypeError, AttributeError):
            point, valid = {"seq": 0, "chain": COMMON_CHAIN, "line": number}, False
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
            # One snapshot for the heads and every row, so concurrent appends and purges cause no false alarm.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        return _verify()


def _verify() -> ChainBreak | None:
    stored = {head.pk: head for head in ChainHead.objects.all()}
    heads = {COMMON_CHAIN: ChainHead(pk=COMMON_CHAIN), **stored}
    points = read_checkpoints()
    for point in points:
        if not point["valid"]:
            return ChainBreak(0, f"point de contrôle falsifié (ligne {point['line']} du fichier)", None)
    wanted: dict[int, set] = {}
    for point in points:
        wanted.setdefault(point["chain"], set()).add(point["seq"])
    walks = {}
    for key, head in sorted(heads.items()):
        broken, walks[key] = _walk(head, wanted.get(key, set()))
        if broken is not None:
            return broken
    stray = AccessLog.objects.exclude(chain__in=list(heads)).order_by("seq").first()
    if stray is not None:
        return ChainBreak(stray.seq, f"ligne d'une chaîne sans tête ({chain_label(stray.chain)})", stray,
                          stray.chain)  # fmt: skip
    for point in points:
        key, seq = point["chain"], point["seq"]
        head = heads.get(key)
        if head is None:
            return ChainBreak(seq, f"la {chain_label(key)}, attestée par le point de contrôle du "
                                   f"{point['at']}, a disparu", None, key)  # fmt: skip
        if seq > head.last_seq:
            return ChainBreak(
                head.last_seq + 1,
                f"{chain_label(key)} : le journal s'arrête au n° {head.last_seq} alors qu'un point de "
                f"contrôle signé du {point['at']} atteste le n° {seq} (fin tronquée)",
                None,
                key,
            )
        if point["anchor_seq"] > head.anchor_seq:
            return ChainBreak(
                head.anchor_seq,
                f"{chain_label(key)} : le début du journal a reculé depuis un point de contrôle",
                None,
                key,
            )
        if seq >= head.anchor_seq and seq > 0 and walks[key].get(seq) != point["hash"]:
            return ChainBreak(
                seq,
                f"{chain_label(key)} : la ligne n° {seq} ne correspond plus au point de contrôle du "
                f"{point['at']}",
                None,
                key,
            )
    return None


def _walk(head: ChainHead, wanted: set) -> tuple[ChainBreak | None, dict]:
    """Verify one chain against its head: seal, links, hashes, end, anchor; with the hashes found at the
    numbers `wanted` (the checkpoints')."""
    key, found = head.pk, {}
    label = chain_label(key)
    if not trusted(head):
        reason = f"{label} : la tête du journal a été modifiée sans la clé (fin ou début déplacé)"
        return ChainBreak(head.last_seq, reason, None, key), found
    last_purge = None
    end_seq, end_hash = head.anchor_seq - 1, head.anchor_hash
    rows = AccessLog.objects.filter(chain=key).order_by("seq").iterator(chunk_size=2000)
    for row in rows:
        if row.seq < head.anchor_seq:
            reason = f"{label} : ligne n° {row.seq} antérieure au début de la chaîne (insérée ou non purgée)"
            return ChainBreak(row.seq, reason, row, key), found
        if row.previous_hash != end_hash:
            reason = (
                f"{label} : l'empreinte précédente ne correspond pas (ligne supprimée, insérée ou remplacée "
                f"avant le n° {row.seq})"
            )
            return ChainBreak(row.seq, reason, row, key), found
        if not hmac.compare_digest(row.compute_hash(keyed=row.seq >= head.keyed_from), row.hash):
            return ChainBreak(row.seq, f"{label} : le contenu de la ligne a été modifié", row, key), found
        if row.seq in wanted:
            found[row.seq] = row.hash
        if row.event == PURGE_EVENT:
            last_purge = row
        end_seq, end_hash = row.seq, row.hash
    if head.last_seq != end_seq or head.last_hash != end_hash:
        reason = (
            f"{label} : le journal s'arrête au n° {end_seq} alors que sa tête indique le n° {head.last_seq}"
        )
        return ChainBreak(end_seq + 1, reason, None, key), found
    if head.anchor_seq > 1:
        if last_purge is not None:
            justified = last_purge.object_id.rpartition("-")[2] == str(head.anchor_seq - 1)
        else:
            justified = head.anchor_seq < head.keyed_from  # a purge from before the chain was keyed
        if not justified:
            reason = (
                f"{label} : les lignes avant le n° {head.anchor_seq} manquent sans purge signée qui les "
                "couvre"
            )
            return ChainBreak(1, reason, None, key), found
    return None, found


def chain_summary() -> dict:
    heads = list(ChainHead.objects.order_by("pk")) or [ChainHead(pk=COMMON_CHAIN)]
    points = read_checkpoints()
    attested = {point["chain"] for point in points if point["valid"]}
    return {
        "rows": AccessLog.objects.count(),
        "chains": len(heads),
        "heads": [(head.pk, head.last_seq, head.last_hash) for head in heads],
        "first_seq": AccessLog.objects.aggregate(first=Min("seq"))["first"] or 0,
        "last_seq": max(head.last_seq for head in heads),
        "checkpoints": len(points),
        # Chains with rows that no checkpoint of the file names (its opening checkpoint could not be
        # written): deleted whole, such a chain would not be missed.
        "unattested": [head.pk for head in heads if head.last_seq and head.pk not in attested],
    }


# --- purge ------------------------------------------------------------------------------------------------
def purge(now: dt.datetime | None = None) -> int:
    """Delete the rows older than the retention period and re-anchor each chain; returns the number deleted.

    Each chain is cut at its start only: the first row recorded on or after the cut-off and every row after
    it are kept, so a row dated earlier by a clock step back waits for the next purge rather than leaving a
    hole. Chain by chain, in its own transaction: the anchor moves first (sealed with the key; the PostgreSQL
    trigger lets only rows below it be deleted), then the rows go, then a keyed `journal.purge` row says
    which range of the chain went. The daily task then writes a checkpoint of every chain.
    """
    cutoff = (now or clock.now()) - dt.timedelta(days=conf.retention_days())
    keys = list(ChainHead.objects.order_by("pk").values_list("pk", flat=True))
    return sum(_purge_chain(key, cutoff) for key in keys)


def _purge_chain(key: int, cutoff: dt.datetime) -> int:
    with transaction.atomic():
        head = _locked_head(key)
        rows = AccessLog.objects.filter(chain=key)
        first_kept = rows.filter(at__gte=cutoff).order_by("seq").values_list("seq", "previous_hash")
        boundary, anchor_hash = first_kept.first() or (head.last_seq + 1, head.last_hash)
        if boundary <= head.anchor_seq:
            return 0
        first_purged = head.anchor_seq
        head.anchor_seq, head.anchor_hash = boundary, anchor_hash
        head.purged_at = clock.now()
        _save_head(head, ["anchor_seq", "anchor_hash", "purged_at"])
        deleted = rows.filter(seq__lt=boundary)._purge_delete()
        _append(
            head,
            {
                "role": SYSTEM_ROLE,
                "action": Action.PURGE,
                "event": PURGE_EVENT,
                "object_type": "access_log",
                "object_id": f"{first_purged}-{boundary - 1}",
                "outcome": Outcome.ALLOWED,
            },
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
