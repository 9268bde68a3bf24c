"""Who sees the funding of an association: the members whose role has the rule `funding` (its head of
service), of their own association only. Nothing here is about a person followed."""

from django.db import models

from parcours.accounts import policy


def _allowed(membership) -> bool:
    return policy.active(membership) and membership.role in policy.roles("funding")


class FunderQuerySet(models.QuerySet):
    def visible_to(self, membership):
        if not _allowed(membership):
            return self.none()
        return self.filter(association_id=membership.organisation_id)


class GrantQuerySet(models.QuerySet):
    def visible_to(self, membership):
        if not _allowed(membership):
            return self.none()
        return self.filter(funder__association_id=membership.organisation_id)


class GrantPartQuerySet(models.QuerySet):
    """Posts and charges of a grant."""

    def visible_to(self, membership):
        if not _allowed(membership):
            return self.none()
        return self.filter(grant__funder__association_id=membership.organisation_id)
