"""What ProConnect adds to an account: the link to its ProConnect identity, and the django-otp device that
marks a session whose second factor ProConnect has already checked."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, DeviceManager


class ProConnectIdentity(models.Model):
    """The account an identity of ProConnect (`sub`, unique for this client) logs into. Made at the first
    ProConnect login of an existing account, when the verified e-mail AND the organisation (SIRET) match."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proconnect_identity"
    )
    # An opaque identifier given by ProConnect (not a person of the data: a staff account).
    sub = models.CharField(_("identifiant ProConnect"), max_length=255, unique=True)
    linked_at = models.DateTimeField(_("relié le"))
    last_login_at = models.DateTimeField(_("dernière connexion"), null=True, blank=True)

    class Meta:
        verbose_name = _("identité ProConnect")


class UnlistedDeviceManager(DeviceManager):
    def devices_for_user(self, user, confirmed=None):
        return self.none()


class ProConnectDevice(Device):
    """ "Second factor checked by ProConnect": put in the session by `django_otp.login` when ProConnect says
    the login used several factors (amr "mfa", or an acr of PARCOURS_PROCONNECT_MFA_ACR). Confirmed (django-
    otp's middleware only accepts a confirmed device in a session) but never listed among the user's factors
    (`devices_for_user` answers none of them): the verification page never offers it, and an account whose
    only "device" is this one is not asked for a second step after a password. It verifies no code; it only
    stands, in one session, for the check ProConnect made: a password login afterwards asks for the user's
    own factor again."""

    objects = UnlistedDeviceManager()

    class Meta:
        verbose_name = _("vérification par ProConnect")

    def verify_token(self, token):
        return False
