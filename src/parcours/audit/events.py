"""The semantic event types of the journal: what happened, in words a head of service reads.

A domain service records its change with `audit.log.record_event(by, "note.update", note, person_id=...)`
inside its own transaction; the journal page then says « a modifié la note de suivi », not a URL name.
Each event maps to one of the coarse actions of models.Action (filters, statistics) and to a French label.
"""

from django.utils.translation import gettext_lazy as _

from .models import Action

# code: (action, label). The label completes "<user> …".
EVENTS: dict[str, tuple[str, object]] = {
    # people
    "person.create": (Action.CREATE, _("a créé la fiche de la personne")),
    "person.update": (Action.UPDATE, _("a modifié la fiche de la personne")),
    "other_name.add": (Action.CREATE, _("a ajouté un autre nom")),
    "other_name.remove": (Action.DELETE, _("a retiré un autre nom")),
    "consent.record": (Action.CREATE, _("a enregistré un consentement")),
    "consent.withdraw": (Action.UPDATE, _("a enregistré le retrait d'un consentement")),
    # followup
    "note.create": (Action.CREATE, _("a rédigé une note de suivi")),
    "note.update": (Action.UPDATE, _("a corrigé une note de suivi")),
    "action.create": (Action.CREATE, _("a ajouté une action")),
    "action.update": (Action.UPDATE, _("a mis à jour une action")),
    "appointment.schedule": (Action.CREATE, _("a fixé un rendez-vous")),
    "appointment.outcome": (Action.UPDATE, _("a noté l'issue d'un rendez-vous")),
    "referral.create": (Action.CREATE, _("a orienté la personne vers un partenaire")),
    "referral.outcome": (Action.UPDATE, _("a noté l'issue d'une orientation")),
    # records
    "document.upload": (Action.CREATE, _("a déposé une pièce")),
    "document.delete": (Action.DELETE, _("a supprimé une pièce")),
    "life_story.save": (Action.CREATE, _("a enregistré une version du récit de vie")),
    # rights
    "afis.save": (Action.UPDATE, _("a enregistré le dossier AFIS")),
    "aps.save": (Action.UPDATE, _("a enregistré le dossier APS")),
    # pathway
    "request.open": (Action.CREATE, _("a ouvert une demande de parcours")),
    "request.update": (Action.UPDATE, _("a modifié une demande de parcours")),
    "request.submit_for_validation": (Action.UPDATE, _("a soumis une demande de parcours à la validation")),
    "request.take_back": (Action.UPDATE, _("a repris en brouillon une demande soumise à la validation")),
    "request.validate": (Action.UPDATE, _("a validé une demande de parcours")),
    "request.return_to_draft": (Action.UPDATE, _("a renvoyé une demande en brouillon")),
    "request.submit": (Action.UPDATE, _("a transmis une demande à la commission")),
    "request.resubmit": (Action.UPDATE, _("a transmis de nouveau une demande à la commission")),
    "request.withdraw": (Action.UPDATE, _("a retiré une demande de parcours")),
    "request.schedule": (Action.UPDATE, _("a inscrit une demande à l'ordre du jour")),
    "request.unschedule": (Action.UPDATE, _("a retiré une demande de l'ordre du jour")),
    "session.create": (Action.CREATE, _("a créé une séance de commission")),
    "session.update": (Action.UPDATE, _("a modifié une séance de commission")),
    "session.cancel": (Action.UPDATE, _("a annulé une séance de commission")),
    "avis.record": (Action.CREATE, _("a enregistré l'avis de la commission")),
    "decision.authorise": (Action.CREATE, _("a enregistré l'autorisation du préfet")),
    "decision.refuse": (Action.CREATE, _("a enregistré le refus du préfet")),
    "pathway.exit": (Action.UPDATE, _("a enregistré la sortie du parcours")),
    "pathway.end_early": (Action.UPDATE, _("a enregistré la fin anticipée du parcours")),
    "pathway.expire": (Action.UPDATE, _("a clos une période échue")),
    # privacy
    "erasure.record": (Action.DELETE, _("a effacé les données de la personne")),
    # keys (one row per run of rotate_encryption_keys --wet-run, which rewrites every encrypted row)
    "keys.rotate": (Action.UPDATE, _("a rechiffré les données avec la clé courante")),
    # journal
    "journal.purge": (Action.PURGE, _("a purgé les lignes anciennes du journal")),
}


def action_of(event: str) -> str:
    return str(EVENTS[event][0])


def label_of(event: str) -> str:
    entry = EVENTS.get(event)
    return str(entry[1]) if entry else event
