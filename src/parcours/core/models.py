from django.db import models
from django.utils.translation import gettext_lazy as _


class Departement(models.Model):
    """A French département, keyed by its official code (01…95, 2A, 2B, 971…976)."""

    code = models.CharField(_("code"), max_length=3, primary_key=True)
    name = models.CharField(_("nom"), max_length=60)

    class Meta:
        ordering = ["code"]
        verbose_name = _("département")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
