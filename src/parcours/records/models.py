"""The pieces of a person's file (documents kept on disk outside the web root) and her life story in versions.

Every change goes through `services.py`; models hold data and the invariants that never depend on who acts.
What may name or describe the person (titles, file names, the life story) is encrypted at rest
(core/fields.py), and so are the files themselves (files.py).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcours.core import clock
from parcours.core.fields import EncryptedCharField, EncryptedTextField
from parcours.people.models import Person


class DocumentKind(models.TextChoices):
    IDENTITY = "identity", _("Pièce d'identité")
    PASSPORT = "passport", _("Passeport")
    RESIDENCE = "residence", _("Titre de séjour, récépissé ou APS")
    CERTIFICATE = "certificate", _("Attestation")
    MEDICAL = "medical", _("Certificat médical")
    ADMIN_DECISION = "admin_decision", _("Décision administrative")
    COURT_DECISION = "court_decision", _("Décision de justice")
    OTHER = "other", _("Autre")


class Document(models.Model):
    """A file about the person. On disk it has a random name (`storage_name`); the name it was uploaded under
    is kept, sanitised, for display and download only."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("type de document"), max_length=20, choices=DocumentKind.choices)
    title = EncryptedCharField(_("intitulé"), max_length=200)
    expires_on = models.DateField(_("fin de validité"), null=True, blank=True)
    storage_name = models.CharField(max_length=32, unique=True, editable=False)
    original_name = EncryptedCharField(_("nom du fichier"), max_length=150)
    size = models.PositiveIntegerField(_("taille (octets)"))
    content_type = models.CharField(_("type de contenu"), max_length=50)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("document")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class LifeStory(models.Model):
    """The person's life story (récit de vie) for the asylum office: one per person, written in versions."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="life_story")
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("récit de vie")

    def __str__(self) -> str:
        return f"LifeStory {self.pk}"


class LifeStoryVersion(models.Model):
    """A saved state of the life story. Versions are never changed nor deleted: the history is the file."""

    life_story = models.ForeignKey(LifeStory, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    text = EncryptedTextField(_("texte"))
    comment = EncryptedCharField(_("commentaire"), max_length=300, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("version du récit de vie")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["life_story", "number"], name="life_story_version_unique_number"),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="life_story_version_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.number}"
