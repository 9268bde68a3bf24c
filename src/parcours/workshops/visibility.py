"""Who sees which workshops: the members of the association that runs them (staff, volunteers, interns) see
the series and their sessions; only its staff see who takes part (`ParticipationQuerySet`), through the
visibility rule of people."""

from django.db import models

from parcours.accounts import policy


class SeriesQuerySet(models.QuerySet):
    def visible_to(self, membership):
        if not policy.active(membership) or membership.role not in policy.roles("workshops"):
            return self.none()
        return self.filter(association_id=membership.organisation_id)


class SessionQuerySet(models.QuerySet):
    def visible_to(self, membership):
        if not policy.active(membership) or membership.role not in policy.roles("workshops"):
            return self.none()
        return self.filter(series__association_id=membership.organisation_id)


class ParticipationQuerySet(models.QuerySet):
    """Enrolments and attendances: rows about a person, for the staff who may see her file only."""

    def visible_to(self, membership):
        from parcours.people.models import Person

        if not policy.active(membership) or membership.role not in policy.roles("workshop_participants"):
            return self.none()
        return self.filter(person__in=Person.objects.visible_to(membership))
