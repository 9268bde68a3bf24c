"""Who sees which transfers: the staff of the sending and of the receiving association, nobody else."""

from django.db import models

from parcours.accounts import policy
from parcours.accounts.policy import scope_key
from parcours.core.compiled import Statements

_statements = Statements()


class TransferQuerySet(models.QuerySet):
    def visible_to(self, membership):
        if not policy.active(membership) or membership.role not in policy.roles("transfers"):
            return self.none()
        org = membership.organisation_id
        return self.filter(models.Q(from_association_id=org) | models.Q(to_association_id=org))

    def incoming(self, membership):
        return self.visible_to(membership).filter(to_association_id=membership.organisation_id)

    def outgoing(self, membership):
        return self.visible_to(membership).filter(from_association_id=membership.organisation_id)

    def pending_in_and_out(self, membership) -> tuple[list, list]:
        """The pending transfers other associations ask hers to take over, and hers waiting for an answer,
        read in one query (the to-do page, on every view: issue 15)."""
        org = membership.organisation_id
        # From the whole table, whatever queryset this is called on: the compiled check below is the same
        # for every caller of the membership.
        pending = self.model._default_manager.all().visible_to(membership).filter(status="pending")
        # Most views find none: whether there is one is asked first, in a statement compiled once per
        # membership (core/compiled.py), before the query over five tables (1.9 ms to build for no row).
        any_pending = _statements.get(("pending", scope_key(membership)), lambda: pending.values("pk")[:1])
        if any_pending is None or any_pending.first() is None:
            return [], []
        rows = list(pending.select_related("person", "from_association", "to_association", "to_departement"))
        return [t for t in rows if t.to_association_id == org], [
            t for t in rows if t.from_association_id == org
        ]
