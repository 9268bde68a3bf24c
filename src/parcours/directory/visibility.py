"""Who sees the directory: the members of an association see the entries of its département."""

from django.db import models

from parcours.accounts import policy


class EntryQuerySet(models.QuerySet):
    def visible_to(self, membership):
        if not policy.active(membership) or membership.role not in policy.roles("directory"):
            return self.none()
        departement_id = membership.organisation.departement_id
        if departement_id is None:
            return self.none()
        return self.filter(departement_id=departement_id)
