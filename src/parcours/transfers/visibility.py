"""Who sees which transfers: the staff of the sending and of the receiving association, nobody else."""

from django.db import models

from parcours.accounts import policy


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
        rows = list(
            self.visible_to(membership)
            .filter(status="pending")
            .select_related("person", "from_association", "to_association", "to_departement")
        )
        return [t for t in rows if t.to_association_id == org], [
            t for t in rows if t.from_association_id == org
        ]
