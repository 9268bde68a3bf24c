"""Personal API tokens (docs/decisions/0050-json-api.md).

A token belongs to one user acting under one membership (her role and organisation at the time of the
call: the same policy and visibility rules as her pages). Only a SHA-256 digest of the secret is stored; the
secret is shown once, when the token is created. Every token expires (at most TOKEN_MAX_DAYS after its
creation) and can be revoked; an expired, revoked or inactive-membership token is refused at the next call.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Membership
from parcours.core import clock


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("nom"), max_length=100)
    # The first characters of the secret, shown in the list so that its holder recognises it.
    prefix = models.CharField(_("début du jeton"), max_length=16, db_index=True)
    # SHA-256 (hex) of the whole secret: the secret itself is never stored.
    digest = models.CharField(max_length=64, unique=True)
    # Resource codes ("people", "appointments"…) readable, and writable, with this token.
    read_scopes = models.JSONField(_("lecture"), default=list, blank=True)
    write_scopes = models.JSONField(_("écriture"), default=list, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    expires_at = models.DateTimeField(_("expire le"))
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    # The throttling's count (api/auth.TokenThrottle): calls in the clock minute starting at window_start.
    window_start = models.DateTimeField(null=True, blank=True, editable=False)
    window_calls = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("jeton d'API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None) -> bool:
        now = now or clock.now()
        return self.revoked_at is None and self.expires_at > now and self.membership.is_active
