"""The access journal: who read or changed what, when, for which organisation, from which address.

Rows are append-only and chained with a keyed hash, HMAC-SHA256 under PARCOURS_AUDIT_KEY (see chain.py).
They hold pseudonymous identifiers only: the primary key of the person concerned, never a name; the journal
page shows it as the person's reference (P-000123).
"""

import datetime as dt
import hashlib
import hmac
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcours.accounts.roles import Role

GENESIS_HASH = "0" * 64
SYSTEM_ROLE = "system"
# The journal is chained per organisation (decision 0062): the rows an organisation's members write form
# its own chain, numbered by its primary key; the common chain holds the rows of no organisation (jobs,
# logins, refusals before a membership is known) and every row written before the chains were split.
COMMON_CHAIN = 0


class ImmutableLogError(Exception):
    """Raised on any attempt to change or delete journal rows outside the retention purge."""


class Action(models.TextChoices):
    READ = "read", _("Consultation")
    CREATE = "create", _("Création")
    UPDATE = "update", _("Modification")
    DELETE = "delete", _("Suppression")
    EXPORT = "export", _("Export")
    DOWNLOAD = "download", _("Téléchargement")
    PRINT = "print", _("Impression")
    DENIED = "denied", _("Accès refusé")
    LOGIN = "login", _("Connexion")
    LOGIN_FAILED = "login_failed", _("Échec de connexion")
    LOGOUT = "logout", _("Déconnexion")
    PURGE = "purge", _("Purge du journal")


# The actions that change something: the partial index audit_person_change and log.last_change_of.
CHANGE_ACTIONS = (Action.CREATE, Action.UPDATE, Action.DELETE)


class Outcome(models.TextChoices):
    ALLOWED = "allowed", _("Autorisé")
    DENIED = "denied", _("Refusé")


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableLogError("Le journal des accès ne se modifie pas.")

    def delete(self):
        raise ImmutableLogError("Le journal des accès ne s'efface que par la purge de conservation.")

    def bulk_create(self, *args, **kwargs):
        raise ImmutableLogError("Les lignes du journal s'ajoutent une à une par audit.log.record().")

    def bulk_update(self, *args, **kwargs):
        raise ImmutableLogError("Le journal des accès ne se modifie pas.")

    def _purge_delete(self) -> int:
        """The purge's own path (chain.purge): the only deletion the application performs."""
        return models.QuerySet.delete(self)[0]


class AccessLog(models.Model):
    # The row's number in the whole journal: unique and increasing in the order of the rows of each chain;
    # numbers between chains interleave, and a rolled-back append leaves a gap (a PostgreSQL sequence).
    seq = models.PositiveBigIntegerField(_("numéro"), unique=True)
    # The chain the row is linked into: its organisation's primary key, or COMMON_CHAIN.
    chain = models.PositiveBigIntegerField(_("chaîne"), default=COMMON_CHAIN)
    at = models.DateTimeField(_("date et heure"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur·rice"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    role = models.CharField(_("rôle"), max_length=30, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    # The semantic event a domain service recorded (events.EVENTS, e.g. "note.update"); empty for reads,
    # refusals and logins recorded by the middleware and the signals.
    event = models.CharField(_("événement"), max_length=40, blank=True, default="")
    object_type = models.CharField(_("type d'objet"), max_length=30, blank=True)
    object_id = models.CharField(_("identifiant de l'objet"), max_length=64, blank=True)
    # Not a foreign key: the journal outlives the person's file (anonymisation, deletion) and is never joined
    # to names.
    person_id = models.PositiveBigIntegerField(_("personne concernée"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    path = models.CharField(_("adresse de la page"), max_length=500, blank=True)
    status_code = models.PositiveSmallIntegerField(_("code HTTP"), null=True, blank=True)
    outcome = models.CharField(_("résultat"), max_length=10, choices=Outcome.choices, default=Outcome.ALLOWED)
    previous_hash = models.CharField(_("empreinte précédente"), max_length=64)
    hash = models.CharField(_("empreinte"), max_length=64)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("accès journalisé")
        verbose_name_plural = _("journal des accès")
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["organisation", "-seq"], name="audit_org_seq"),
            models.Index(fields=["person_id"], name="audit_person"),
            # The last change about a person (log.last_change_of), read on every view of her page: the reads,
            # most of her rows, stay out of it (decision 0059).
            models.Index(
                fields=["person_id", "seq"],
                name="audit_person_change",
                condition=models.Q(action__in=CHANGE_ACTIONS),
            ),
            models.Index(fields=["at"], name="audit_at"),
            # Verification and purge walk one chain at a time, in order.
            models.Index(fields=["chain", "seq"], name="audit_chain_seq"),
        ]

    def __str__(self) -> str:
        return f"n° {self.seq} {self.action} {self.object_type} {self.object_id}"

    # --- append-only ---
    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableLogError("Le journal des accès ne se modifie pas.")
        if not getattr(self, "_chained", False):
            raise ImmutableLogError("Les lignes du journal s'ajoutent par audit.log.record().")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableLogError("Le journal des accès ne s'efface que par la purge de conservation.")

    # --- chain ---
    def canonical(self) -> bytes:
        """The row as hashed: every recorded field, the previous hash included, in a stable serialisation."""
        at = self.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        data = {
            "seq": self.seq,
            "at": at,
            "user": self.user_id,
            "organisation": self.organisation_id,
            "role": self.role,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "person_id": self.person_id,
            "ip": self.ip,
            "path": self.path,
            "status_code": self.status_code,
            "outcome": self.outcome,
            "previous_hash": self.previous_hash,
        }
        if self.event:  # rows written before the field existed serialise as they did
            data["event"] = self.event
        if self.chain != COMMON_CHAIN:  # likewise rows of the common chain (decision 0062)
            data["chain"] = self.chain
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()

    def compute_hash(self, keyed: bool = True) -> str:
        """HMAC-SHA256 under the journal key; rows written before the chain was keyed (`keyed=False`, see
        ChainHead.keyed_from) kept their plain SHA-256, which the first keyed row seals in turn."""
        if not keyed:
            return hashlib.sha256(self.canonical()).hexdigest()
        from parcours.core.crypto import audit_key

        return hmac.new(audit_key(), b"row|" + self.canonical(), hashlib.sha256).hexdigest()

    @property
    def event_label(self) -> str:
        from .events import label_of

        return label_of(self.event) if self.event else ""

    # --- display ---
    @property
    def person_reference(self) -> str:
        return f"P-{self.person_id:06d}" if self.person_id is not None else ""

    @property
    def role_label(self) -> str:
        if self.role == SYSTEM_ROLE:
            return str(_("Système"))
        return str(Role(self.role).label) if self.role in Role.values else self.role


class ChainHead(models.Model):
    """One row per chain (its key: COMMON_CHAIN, or the organisation's primary key): the end of the chain
    (number and hash of its last row) and its start since the last purge (anchor). Appending locks the
    chain's row, so that two processes never give the same predecessor; chains do not wait on each other."""

    id = models.PositiveBigIntegerField(primary_key=True, default=COMMON_CHAIN)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    anchor_seq = models.PositiveBigIntegerField(default=1)
    anchor_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    purged_at = models.DateTimeField(null=True, blank=True)
    # Rows numbered from keyed_from on are HMAC-chained; earlier ones (written before migration 0003) keep
    # their SHA-256 and are sealed by the first keyed row, whose HMAC covers their hash.
    keyed_from = models.PositiveBigIntegerField(default=1)
    # Rows appended to this chain: a checkpoint of the chain every PARCOURS_AUDIT_CHECKPOINT_EVERY of them.
    appended = models.PositiveBigIntegerField(default=0)
    # HMAC of the fields above and of the chain's key: the head cannot be moved (tail cut, anchor moved),
    # passed off as another chain's, nor its count of rows reset, without the key.
    seal = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("tête de chaîne du journal")

    def is_genesis(self) -> bool:
        return (self.last_seq, self.last_hash, self.anchor_seq, self.anchor_hash, self.keyed_from) == (
            0,
            GENESIS_HASH,
            1,
            GENESIS_HASH,
            1,
        )

    def compute_seal(self) -> str:
        return head_seal(
            self.last_seq,
            self.last_hash,
            self.anchor_seq,
            self.anchor_hash,
            self.keyed_from,
            chain=self.pk,
            appended=self.appended,
        )


def head_seal(last_seq, last_hash, anchor_seq, anchor_hash, keyed_from, chain=None, appended=None) -> str:
    """HMAC of a chain head. Since decision 0062 it names the chain and its count of rows appended, so that
    one head cannot be passed off as another's; migration 0003 sealed the one head of the time without them
    (`chain` and `appended` None), and migration 0007 sealed it again with them."""
    from parcours.core.crypto import audit_key

    named = f"chain={chain}|appended={appended}|" if chain is not None else ""
    message = f"head|{named}{last_seq}|{last_hash}|{anchor_seq}|{anchor_hash}|{keyed_from}"
    return hmac.new(audit_key(), message.encode(), hashlib.sha256).hexdigest()
