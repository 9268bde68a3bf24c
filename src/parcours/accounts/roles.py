"""Kinds of organisation and the roles people hold in them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    ASSOCIATION = "association", _("Association agréée")
    COMMISSION = "commission", _("Commission départementale")
    PREFECTURE = "prefecture", _("Préfecture")
    PARTNER = "partner", _("Partenaire")
    NATIONAL = "national", _("Administration nationale")


class Role(models.TextChoices):
    SOCIAL_WORKER = "social_worker", _("Travailleuse sociale")
    HEAD_OF_SERVICE = "head_of_service", _("Cheffe de service")
    VOLUNTEER = "volunteer", _("Bénévole")
    INTERN = "intern", _("Stagiaire")
    SECRETARIAT = "secretariat", _("Secrétariat de la commission")
    COMMISSION_MEMBER = "commission_member", _("Membre de la commission")
    PREFECTURE_AGENT = "prefecture_agent", _("Agent de la préfecture")
    NATIONAL_ADMIN = "national_admin", _("Administration nationale")
    # A counsellor of a partner (France Travail, a training body, another service): sees only the people who
    # consented to share with her organisation, and only the scopes they consented to (parcours.sharing).
    PARTNER_COUNSELLOR = "partner_counsellor", _("Conseiller·e d'un partenaire")


ASSOCIATION_STAFF = frozenset({Role.SOCIAL_WORKER, Role.HEAD_OF_SERVICE})
ASSOCIATION_ROLES = ASSOCIATION_STAFF | {Role.VOLUNTEER, Role.INTERN}

# Which roles an organisation of each kind can give.
ROLES_BY_KIND = {
    OrganisationKind.ASSOCIATION: ASSOCIATION_ROLES,
    OrganisationKind.COMMISSION: frozenset({Role.SECRETARIAT, Role.COMMISSION_MEMBER}),
    OrganisationKind.PREFECTURE: frozenset({Role.PREFECTURE_AGENT}),
    OrganisationKind.PARTNER: frozenset({Role.PARTNER_COUNSELLOR}),
    OrganisationKind.NATIONAL: frozenset({Role.NATIONAL_ADMIN}),
}

# Roles that can see who a person is (name, birth date, contact): they must use a second factor at every
# login (settings.PARCOURS_MFA_REQUIRED). The other roles may enrol one but are not forced to: volunteers
# and interns see no individual file, commission members see pseudonymised agendas, and the national
# administration sees statistics only. A partner's counsellor sees the identity of the people who consented
# to it.
IDENTITY_ROLES = frozenset(
    {
        Role.SOCIAL_WORKER,
        Role.HEAD_OF_SERVICE,
        Role.SECRETARIAT,
        Role.PREFECTURE_AGENT,
        Role.PARTNER_COUNSELLOR,
    }
)
