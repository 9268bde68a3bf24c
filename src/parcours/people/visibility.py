"""Who may see which people: the one visibility rule every queryset that reaches a person is built from."""

from django.db import models

from parcours.accounts import policy
from parcours.accounts.roles import Role
from parcours.core import clock


class PersonQuerySet(models.QuerySet):
    def visible_to(self, membership):
        if not policy.active(membership):  # the one check of policy.py: an inactive membership sees nobody
            return self.none()
        role = membership.role
        if role in policy.roles("person_file"):
            return self.filter(association_id=membership.organisation_id)
        if role == Role.SECRETARIAT:
            # The identity needed to instruct requests submitted to her commission.
            return self.filter(pathways__requests__commission_id=membership.organisation_id).distinct()
        if role == Role.PREFECTURE_AGENT:
            return self.filter(
                pathways__requests__commission__departement_id=membership.organisation.departement_id,
                pathways__requests__status__in=["avis_given", "authorised", "refused"],
            ).distinct()
        if role == Role.PARTNER_COUNSELLOR:
            # Only the people whose consent to share with her organisation is in force today: a withdrawal
            # or an expiry cuts the access from the next request. What she sees of them is the consented
            # scopes only (parcours.sharing).
            # An archived file is shared with no one.
            return self.filter(
                models.Exists(
                    active_sharing_consents(membership.organisation_id).filter(person=models.OuterRef("pk"))
                ),
                archived_on__isnull=True,
            )
        # Volunteers, interns, commission members (pseudonymised agenda only), national administration.
        return self.none()


def active_sharing_consents(partner_id, on=None):
    """The consents to share with the partner organisation `partner_id` in force on `on` (today by default);
    the same dates as Consent.is_active: from the day given, through the day of expiry, until the day of
    withdrawal."""
    from .models import Consent, ConsentPurpose

    on = on or clock.today()
    return Consent.objects.filter(
        models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=on),
        models.Q(withdrawn_on__isnull=True) | models.Q(withdrawn_on__gt=on),
        purpose=ConsentPurpose.SHARING, partner_id=partner_id, given_on__lte=on,
    )  # fmt: skip
