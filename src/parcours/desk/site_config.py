"""django-dsfr's `SITE_CONFIG`, cached (issue 15): `dsfr.context_processors.site_config` reads the
DsfrConfig table twice on every page (there is usually no row). Same value, read once per language and
CACHE_SECONDS, and dropped when a DsfrConfig row is saved or deleted (`connect`, from DeskConfig.ready)."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.utils.translation import get_language
from dsfr.models import DsfrConfig

CACHE_SECONDS = 60  # other processes see an edit within a minute; this one at once
KEY = "parcours:dsfr-site-config"  # {language: DsfrConfig | None}


def _read(language):
    """What dsfr.context_processors.site_config returns: the row of `language`, else the first row."""
    return DsfrConfig.objects.filter(language=language).first() or DsfrConfig.objects.first()


def site_config(request):
    language = get_language()
    configs = cache.get(KEY) or {}
    if language not in configs:
        configs = {**configs, language: _read(language)}
        cache.set(KEY, configs, CACHE_SECONDS)
    return {"SITE_CONFIG": configs[language]}


def forget(**kwargs):
    cache.delete(KEY)


def connect():
    post_save.connect(forget, sender=DsfrConfig, dispatch_uid="parcours-dsfr-site-config-save")
    post_delete.connect(forget, sender=DsfrConfig, dispatch_uid="parcours-dsfr-site-config-delete")
