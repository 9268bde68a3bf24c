"""Who sees what of employment: the staff of the association see its programmes, cohorts and agreements
(`AssociationQuerySet`) and the rows about the people they may see (`PersonRowQuerySet`, through the
visibility rule of people). A partner's counsellor sees the employment part of a person only through
`sharing.py` (a consent in force that includes SharingScope.EMPLOYMENT)."""

from django.db import models

from parcours.accounts import policy


class AssociationQuerySet(models.QuerySet):
    def visible_to(self, membership):
        if not policy.active(membership) or membership.role not in policy.roles("employment"):
            return self.none()
        path = getattr(self.model, "association_path", "association_id")
        return self.filter(**{path: membership.organisation_id})


class PersonRowQuerySet(models.QuerySet):
    def visible_to(self, membership):
        from parcours.people.models import Person

        if not policy.active(membership) or membership.role not in policy.roles("employment"):
            return self.none()
        return self.filter(person__in=Person.objects.visible_to(membership))
