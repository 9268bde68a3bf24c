"""Which pathways, requests and sessions each membership may reach (the visibility rule)."""

from django.db import models

from parcours.accounts import policy
from parcours.accounts.roles import Role

# Requests the préfecture sees: those the commission has given its avis on.
PREFECTURE_STATUSES = ("avis_given", "authorised", "refused")
# Requests the secretariat sees: every one transmitted to her commission (never drafts).
NOT_TRANSMITTED = ("draft", "ready", "validated")


class PathwayQuerySet(models.QuerySet):
    def visible_to(self, membership):
        if not policy.active(membership):
            return self.none()
        org = membership.organisation
        if membership.role in policy.roles("person_file"):
            return self.filter(association_id=org.pk)
        if membership.role == Role.SECRETARIAT:
            return self.filter(requests__commission_id=org.pk).distinct()
        if membership.role == Role.PREFECTURE_AGENT:
            return self.filter(
                requests__commission__departement_id=org.departement_id,
                requests__status__in=PREFECTURE_STATUSES,
            ).distinct()
        return self.none()


class RequestQuerySet(models.QuerySet):
    def visible_to(self, membership):
        if not policy.active(membership):
            return self.none()
        org = membership.organisation
        if membership.role in policy.roles("person_file"):
            return self.filter(pathway__association_id=org.pk)
        if membership.role == Role.SECRETARIAT:
            return self.filter(commission_id=org.pk).exclude(status__in=NOT_TRANSMITTED)
        if membership.role == Role.PREFECTURE_AGENT:
            return self.filter(commission__departement_id=org.departement_id, status__in=PREFECTURE_STATUSES)
        return self.none()

    def pseudonymised_visible_to(self, membership):
        """The requests whose pseudonymised file `membership` may read: those it sees, and for a commission
        member the requests on the agenda of her commission's sessions, never anything else."""
        if membership.role == Role.COMMISSION_MEMBER:
            if not policy.active(membership):
                return self.none()
            return self.filter(agenda_items__session__commission_id=membership.organisation_id).distinct()
        return self.visible_to(membership)


class SessionQuerySet(models.QuerySet):
    def visible_to(self, membership):
        if not policy.active(membership):
            return self.none()
        org = membership.organisation
        if membership.role in (Role.SECRETARIAT, Role.COMMISSION_MEMBER):
            return self.filter(commission_id=org.pk)
        if membership.role == Role.PREFECTURE_AGENT:
            return self.filter(commission__departement_id=org.departement_id)
        if membership.role in policy.roles("person_file"):
            return self.filter(commission__departement__in=org.departements_served.all())
        return self.none()


def identified_people(membership, person_ids) -> set[int]:
    """Among `person_ids`, the people whose identity `membership` may read on any page: exactly those its
    person visibility rule reaches (people/visibility.py), so that no page names someone whose own page
    answers 404. For the préfecture that is from the commission's avis on; for commission members, never
    (they read the pseudonymised fields only: reference, initials, birth year, nationality)."""
    from parcours.people.models import Person

    ids = set(person_ids)
    if not ids:
        return set()
    return set(Person.objects.visible_to(membership).filter(pk__in=ids).values_list("pk", flat=True))
