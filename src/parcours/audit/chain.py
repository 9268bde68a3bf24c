"""The hash chain of the access journal: append, verify, purge.

Each row carries `previous_hash` (the hash of the row before it, or the anchor) and `hash` = sha256 of its
canonical serialisation, `previous_hash` included. Editing a row changes its hash; deleting one leaves a gap
in the numbers and a `previous_hash` that no longer matches; deleting the last rows leaves the chain shorter
than its head. The purge deletes the oldest rows and records where the chain now starts (the anchor).

Appending locks the one-row `ChainHead` (SELECT … FOR UPDATE on PostgreSQL; on SQLite the IMMEDIATE
transaction mode of settings.py takes the write lock at BEGIN), so two processes never fork the chain; the
unique `seq` is a second guard.
"""

import contextlib
import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction

from parcours.core import clock

from . import conf
from .models import SYSTEM_ROLE, AccessLog, Action, ChainHead, Outcome

HEAD_PK = 1


def _locked_head() -> ChainHead:
    head, _created = ChainHead.objects.select_for_update().get_or_create(pk=HEAD_PK)
    return head


def append(**fields) -> AccessLog:
    """Add one row at the end of the chain (callers: audit.log.record / record_system)."""
    with transaction.atomic():
        head = _locked_head()
        row = AccessLog(seq=head.last_seq + 1, at=clock.now(), previous_hash=head.last_hash, **fields)
        row.hash = row.compute_hash()
        row._chained = True
        row.save()
        head.last_seq, head.last_hash = row.seq, row.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return row


@dataclass(frozen=True)
class ChainBreak:
    """Where the chain is broken: the number expected there, why, and the first row that does not fit
    (None when rows are missing at the end of the chain)."""

    seq: int
    reason: str
    row: AccessLog | None


def verify_chain() -> ChainBreak | None:
    """None when the journal is intact; otherwise the first break, in chain order."""
    if connection.in_atomic_block:
        return _verify()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # One snapshot for the head and every row, so concurrent appends and purges cause no false alarm.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        return _verify()


def _verify() -> ChainBreak | None:
    head = ChainHead.objects.filter(pk=HEAD_PK).first() or ChainHead(pk=HEAD_PK)
    expected_seq, expected_previous = head.anchor_seq, head.anchor_hash
    for row in AccessLog.objects.order_by("seq").iterator(chunk_size=2000):
        if row.seq != expected_seq:
            return ChainBreak(expected_seq, f"ligne(s) n° {expected_seq} à {row.seq - 1} supprimée(s)", row)
        if row.previous_hash != expected_previous:
            return ChainBreak(
                row.seq, "l'empreinte précédente ne correspond pas (ligne insérée ou remplacée)", row
            )
        if row.compute_hash() != row.hash:
            return ChainBreak(row.seq, "le contenu de la ligne a été modifié", row)
        expected_seq, expected_previous = row.seq + 1, row.hash
    if head.last_seq != expected_seq - 1 or head.last_hash != expected_previous:
        return ChainBreak(
            expected_seq,
            f"le journal s'arrête au n° {expected_seq - 1} alors que sa tête indique le n° {head.last_seq}",
            None,
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
    }


@contextlib.contextmanager
def _purge_allowed():
    """On PostgreSQL, the triggers of migration 0002 let rows be deleted and the anchor move only while this
    transaction-local flag is on (it is switched off again at once, and in any case at the end of the
    transaction)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('parcours.audit_purge', 'on', true)")
        yield
        cursor.execute("SELECT set_config('parcours.audit_purge', 'off', true)")


def purge(now: dt.datetime | None = None) -> int:
    """Delete the rows older than the retention period and re-anchor the chain; returns the number deleted.

    The chain is cut at its start only: the first row recorded on or after the cut-off and every row after it
    are kept, so a row dated earlier by a clock step back waits for the next purge rather than leaving a hole.
    """
    cutoff = (now or clock.now()) - dt.timedelta(days=conf.retention_days())
    with transaction.atomic():
        head = _locked_head()
        first_kept = (
            AccessLog.objects.filter(at__gte=cutoff).order_by("seq").values_list("seq", "previous_hash")
        )
        boundary, anchor_hash = first_kept.first() or (head.last_seq + 1, head.last_hash)
        with _purge_allowed():
            deleted = AccessLog.objects.filter(seq__lt=boundary)._purge_delete()
            if (head.anchor_seq, head.anchor_hash) != (boundary, anchor_hash):
                head.anchor_seq, head.anchor_hash = boundary, anchor_hash
                head.purged_at = clock.now()
                head.save(update_fields=["anchor_seq", "anchor_hash", "purged_at"])
        if deleted:
            append(
                role=SYSTEM_ROLE,
                action=Action.PURGE,
                object_type="access_log",
                object_id=str(deleted),
                outcome=Outcome.ALLOWED,
            )
    return deleted
