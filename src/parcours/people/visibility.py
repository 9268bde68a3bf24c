"""Who may see which people: the one visibility rule every queryset that reaches a person is built from."""

from django.db import models

from parcours.accounts.roles import ASSOCIATION_STAFF, Role


class PersonQuerySet(models.QuerySet):
    def visible_to(self, membership):
        if membership is None:
            return self.none()
        role = membership.role
        if role in ASSOCIATION_STAFF:
            return self.filter(association_id=membership.organisation_id)
        if role == Role.SECRETARIAT:
            # The identity needed to instruct requests submitted to her commission.
            return self.filter(pathways__requests__commission_id=membership.organisation_id).distinct()
        if role == Role.PREFECTURE_AGENT:
            return self.filter(
                pathways__requests__commission__departement_id=membership.organisation.departement_id,
                pathways__requests__status__in=["avis_given", "authorised", "refused"],
            ).distinct()
        # Volunteers, interns, commission members (pseudonymised agenda only), national administration.
        return self.none()
