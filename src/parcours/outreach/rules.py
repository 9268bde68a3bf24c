"""The fixed lists of the counter (anonymous tallies, services, material) and the kinds of rounds. Codes are
stored, labels are French."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("lundi")
    TUESDAY = 1, _("mardi")
    WEDNESDAY = 2, _("mercredi")
    THURSDAY = 3, _("jeudi")
    FRIDAY = 4, _("vendredi")
    SATURDAY = 5, _("samedi")
    SUNDAY = 6, _("dimanche")


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("Prévue")
    CANCELLED = "cancelled", _("Annulée")


class RoundKind(models.TextChoices):
    STREET = "street", _("Maraude de rue")
    ONLINE = "online", _("Maraude numérique")


class VisitorGender(models.TextChoices):
    """Gender as the person presents or says, never asked insistently."""

    WOMAN = "woman", _("Femme")
    MAN = "man", _("Homme")
    TRANS_WOMAN = "trans_woman", _("Femme trans")
    TRANS_MAN = "trans_man", _("Homme trans")
    NON_BINARY = "non_binary", _("Non binaire")


class AgeBand(models.TextChoices):
    UNDER_18 = "under_18", _("Moins de 18 ans")
    AGE_18_25 = "18_25", _("18–25 ans")
    AGE_26_40 = "26_40", _("26–40 ans")
    AGE_41_60 = "41_60", _("41–60 ans")
    OVER_60 = "over_60", _("Plus de 60 ans")


class Language(models.TextChoices):
    FRENCH = "fr", _("Français")
    ENGLISH = "en", _("Anglais")
    SPANISH = "es", _("Espagnol")
    PORTUGUESE = "pt", _("Portugais")
    ROMANIAN = "ro", _("Roumain")
    BULGARIAN = "bg", _("Bulgare")
    CHINESE = "zh", _("Chinois")
    ARABIC = "ar", _("Arabe")
    OTHER = "other", _("Autre langue")


class Service(models.TextChoices):
    COFFEE = "coffee", _("Café et échange")
    HEALTH = "health", _("Orientation santé")
    RIGHTS = "rights", _("Information sur les droits")
    PREVENTION = "prevention", _("Préservatifs et matériel de prévention")
    CLOTHES = "clothes", _("Vêtements")
    REFERRAL = "referral", _("Orientation vers une travailleuse sociale")


class Material(models.TextChoices):
    CONDOMS = "condoms", _("Préservatifs")
    LUBRICANT = "lubricant", _("Gels lubrifiants")
    LEAFLETS = "leaflets", _("Brochures et cartes de contact")
    HYGIENE = "hygiene", _("Kits d'hygiène")
    FOOD = "food", _("Boissons et collations")


class CallbackStatus(models.TextChoices):
    WAITING = "waiting", _("À rappeler")
    DONE = "done", _("Traitée")


STAFF_ROLES = ("social_worker", "head_of_service")
