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
    # personal API tokens (parcours.api)
    "api_token.create": (Action.CREATE, _("a créé un jeton d'API")),
    "api_token.revoke": (Action.UPDATE, _("a révoqué un jeton d'API")),
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
    "request.reconvene": (Action.UPDATE, _("a reporté une demande à une nouvelle séance")),
    "session.create": (Action.CREATE, _("a créé une séance de commission")),
    "session.update": (Action.UPDATE, _("a modifié une séance de commission")),
    "session.cancel": (Action.UPDATE, _("a annulé une séance de commission")),
    "avis.record": (Action.CREATE, _("a enregistré l'avis de la commission")),
    "member.appoint": (Action.CREATE, _("a nommé un membre de la commission")),
    "member.end": (Action.UPDATE, _("a clos le mandat d'un membre")),
    "session.attendance": (Action.UPDATE, _("a enregistré les présences d'une séance")),
    "session.convoke": (Action.CREATE, _("a envoyé une convocation")),
    "session.reconvene": (Action.CREATE, _("a convoqué une nouvelle séance")),
    "decision.authorise": (Action.CREATE, _("a enregistré l'autorisation du préfet")),
    "decision.refuse": (Action.CREATE, _("a enregistré le refus du préfet")),
    "pathway.exit": (Action.UPDATE, _("a enregistré la sortie du parcours")),
    "pathway.end_early": (Action.UPDATE, _("a enregistré la fin anticipée du parcours")),
    "pathway.expire": (Action.UPDATE, _("a clos une période échue")),
    # transfers of a file between associations (parcours.transfers)
    "transfer.request": (Action.CREATE, _("a demandé le transfert du dossier à une autre association")),
    "transfer.accept": (Action.UPDATE, _("a accepté le transfert du dossier dans son association")),
    "transfer.refuse": (Action.UPDATE, _("a refusé le transfert du dossier dans son association")),
    "transfer.cancel": (Action.UPDATE, _("a annulé la demande de transfert du dossier")),
    "transfer.denied": (Action.DENIED, _("a tenté une étape du transfert d'un dossier, qui a été refusée")),
    # notifications (the inbox, the e-mail preference, the personal calendar's secret address)
    "notification.done": (Action.UPDATE, _("a marqué une notification comme traitée")),
    "notification.preference": (Action.UPDATE, _("a changé la fréquence de ses résumés par courriel")),
    "calendar.renew": (Action.CREATE, _("a créé une nouvelle adresse pour son agenda personnel")),
    "calendar.revoke": (Action.DELETE, _("a révoqué l'adresse de son agenda personnel")),
    "calendar.read": (Action.EXPORT, _("a fait lire son agenda personnel par une application de calendrier")),
    # workshops (parcours.workshops): series, sessions, who is enrolled and her attendance
    "workshop_series.create": (Action.CREATE, _("a créé une série d'ateliers")),
    "workshop_session.create": (Action.CREATE, _("a programmé une séance d'atelier")),
    "workshop_session.cancel": (Action.UPDATE, _("a annulé une séance d'atelier")),
    "workshop_participant.enrol": (Action.CREATE, _("a inscrit la personne à une série d'ateliers")),
    "workshop_participant.withdraw": (Action.DELETE, _("a retiré la personne d'une série d'ateliers")),
    "workshop_attendance.record": (Action.UPDATE, _("a noté la présence de la personne à un atelier")),
    # directory (parcours.directory): the partners of a département
    "directory_entry.create": (Action.CREATE, _("a ajouté une fiche à l'annuaire")),
    "directory_entry.update": (Action.UPDATE, _("a corrigé une fiche de l'annuaire")),
    # employment (parcours.employment): projects, programmes, outcomes, agreements, supports
    "employment_project.save": (Action.UPDATE, _("a enregistré une version du projet professionnel")),
    "employment_programme.create": (Action.CREATE, _("a créé un programme emploi")),
    "employment_programme.update": (Action.UPDATE, _("a modifié un programme emploi")),
    "employment_cohort.create": (Action.CREATE, _("a créé une promotion d'un programme emploi")),
    "employment_step.create": (Action.CREATE, _("a ajouté une étape à une promotion")),
    "employment_participant.enrol": (Action.CREATE, _("a inscrit la personne à un programme emploi")),
    "employment_step_status.record": (Action.UPDATE, _("a noté le statut de la personne à une étape")),
    "employment_outcome.record": (Action.CREATE, _("a noté l'issue d'une étape pour la personne")),
    "employment_agreement.create": (Action.CREATE, _("a enregistré une convention de partenariat")),
    "employment_agreement.update": (Action.UPDATE, _("a modifié une convention de partenariat")),
    "employment_agreement.end": (Action.UPDATE, _("a terminé une convention de partenariat")),
    "employment_enrolment.create": (Action.CREATE, _("a inscrit la personne sous une convention")),
    "employment_enrolment.close": (Action.UPDATE, _("a noté sa situation en fin de convention")),
    "employment_support.record": (Action.CREATE, _("a enregistré une aide pour la personne")),
    # team meetings (parcours.followup.meetings): the agenda of people reviewed and each decision
    "meeting.create": (Action.CREATE, _("a créé une réunion d'équipe")),
    "meeting_item.add": (Action.CREATE, _("a inscrit la personne à l'ordre du jour d'une réunion d'équipe")),
    "meeting_item.remove": (
        Action.DELETE,
        _("a retiré la personne de l'ordre du jour d'une réunion d'équipe"),
    ),
    "meeting_item.decide": (Action.UPDATE, _("a noté la décision de la réunion d'équipe pour la personne")),
    # interns (accounts.InternProfile)
    "intern_profile.save": (Action.UPDATE, _("a enregistré l'école, le tuteur et les dates d'un stage")),
    # drop-in sessions, outreach rounds and their anonymous counter (parcours.outreach)
    "dropin.schedule": (Action.CREATE, _("a créé un planning de permanence")),
    "dropin.schedule_end": (Action.UPDATE, _("a arrêté un planning de permanence")),
    "dropin.generate": (Action.CREATE, _("a généré les permanences d'une période")),
    "dropin.extra": (Action.CREATE, _("a ajouté une permanence supplémentaire")),
    "dropin.cancel": (Action.UPDATE, _("a annulé une permanence")),
    "dropin.move": (Action.UPDATE, _("a déplacé une permanence")),
    "presence.record": (Action.UPDATE, _("a enregistré des heures de présence")),
    "presence.remove": (Action.DELETE, _("a retiré des heures de présence")),
    "visit.record": (Action.CREATE, _("a compté un passage anonyme")),
    "visit.link": (Action.UPDATE, _("a relié un passage au dossier de la personne")),
    "round.create": (Action.CREATE, _("a créé une maraude")),
    "round.material": (Action.UPDATE, _("a noté le matériel distribué en maraude")),
    "callback.create": (Action.CREATE, _("a noté une demande de rappel anonyme")),
    "callback.done": (Action.UPDATE, _("a traité une demande de rappel")),
    # funding of the association (parcours.funding): funders, grants, posts funded, charges
    "funder.create": (Action.CREATE, _("a enregistré un financeur")),
    "funder.update": (Action.UPDATE, _("a modifié un financeur")),
    "funder.close": (Action.UPDATE, _("a clos un financeur")),
    "funder.delete": (Action.DELETE, _("a supprimé un financeur")),
    "grant.create": (Action.CREATE, _("a enregistré une subvention")),
    "grant.update": (Action.UPDATE, _("a modifié une subvention")),
    "grant.delete": (Action.DELETE, _("a supprimé une subvention")),
    "funded_post.create": (Action.CREATE, _("a ajouté un poste financé à une subvention")),
    "funded_post.update": (Action.UPDATE, _("a modifié un poste financé")),
    "funded_post.delete": (Action.DELETE, _("a supprimé un poste financé")),
    "grant_charge.create": (Action.CREATE, _("a imputé une dépense à une subvention")),
    "grant_charge.update": (Action.UPDATE, _("a modifié une dépense imputée")),
    "grant_charge.delete": (Action.DELETE, _("a supprimé une dépense imputée")),
    "pathway.import": (Action.CREATE, _("a repris un parcours de l'historique de l'association (import)")),
    # import and full export of an association's data (parcours.portability)
    "data_import.check": (Action.CREATE, _("a déposé un fichier d'import des personnes (vérification)")),
    "data_import.run": (Action.CREATE, _("a lancé l'import des personnes d'un fichier")),
    "data_export.create": (Action.EXPORT, _("a lancé l'export complet des données de l'association")),
    "data_export.download": (
        Action.DOWNLOAD,
        _("a téléchargé l'export complet des données de l'association"),
    ),
    "data_export.delete": (Action.DELETE, _("a supprimé un export complet arrivé à expiration")),
    # privacy
    "erasure.record": (Action.DELETE, _("a effacé les données de la personne")),
    # keys (one row per run of rotate_encryption_keys --wet-run, which rewrites every encrypted row)
    "keys.rotate": (Action.UPDATE, _("a rechiffré les données avec la clé courante")),
    # ProConnect login (parcours/proconnect): the link made at a first login, and the refusals (no account is
    # ever created by ProConnect)
    "proconnect.link": (Action.UPDATE, _("a relié son compte à son identité ProConnect")),
    "proconnect.refuse_unknown": (
        Action.LOGIN_FAILED,
        _("a refusé une connexion ProConnect : aucun compte à cette adresse e-mail, aucun compte créé"),
    ),
    "proconnect.refuse_siret": (
        Action.LOGIN_FAILED,
        _("a vu sa connexion ProConnect refusée : organisation (SIRET) qui n'est pas la sienne"),
    ),
    "proconnect.refuse": (Action.LOGIN_FAILED, _("a vu sa connexion ProConnect refusée")),
    # onboarding and administration (parcours.onboarding)
    "organisation.create": (Action.CREATE, _("a créé une organisation")),
    "organisation.update": (Action.UPDATE, _("a modifié une organisation")),
    "letterhead.update": (
        Action.UPDATE,
        _("a modifié l'en-tête des documents officiels de son organisation"),
    ),
    "invitation.send": (Action.CREATE, _("a envoyé une invitation")),
    "invitation.revoke": (Action.UPDATE, _("a révoqué une invitation")),
    "invitation.accept": (Action.CREATE, _("a accepté une invitation")),
    "membership.role": (Action.UPDATE, _("a changé le rôle d'un membre")),
    "membership.deactivate": (Action.UPDATE, _("a désactivé l'accès d'un membre")),
    "membership.reactivate": (Action.UPDATE, _("a réactivé l'accès d'un membre")),
    "user.deactivate": (Action.UPDATE, _("a désactivé un compte")),
    "user.reactivate": (Action.UPDATE, _("a réactivé un compte")),
    # journal
    "journal.purge": (Action.PURGE, _("a purgé les lignes anciennes du journal")),
}


def action_of(event: str) -> str:
    return str(EVENTS[event][0])


def label_of(event: str) -> str:
    entry = EVENTS.get(event)
    return str(entry[1]) if entry else event


# --- Reads, downloads and refusals, recorded by the middleware under the page's URL name ------------------
# object_type of such a row: the URL name, ":" turned into "_" (audit.middleware). The label names the page
# as its title does; the journal says « a consulté le dossier de P-000085 — Entretiens ».
PAGES: dict[str, object] = {
    "core_home": _("Accueil"),
    "core_volunteer": _("Espace bénévoles"),
    "pathway_todo": _("À faire"),
    "people_caseload": _("Personnes suivies"),
    "people_person": _("Synthèse"),
    "people_person_create": _("Nouvelle personne"),
    "people_situation": _("Situation"),
    "people_situation_edit": _("Modification de la situation"),
    "people_other_name_add": _("Autres noms"),
    "people_other_name_remove": _("Autres noms"),
    "people_consent_add": _("Consentements"),
    "people_consent_withdraw": _("Consentements"),
    "followup_notes": _("Entretiens"),
    "followup_note": _("Note de suivi"),
    "followup_actions": _("Plan d'action"),
    "followup_action": _("Action du plan"),
    "followup_appointments": _("Rendez-vous"),
    "followup_appointment_outcome": _("Issue d'un rendez-vous"),
    "followup_referrals": _("Orientations"),
    "followup_referral": _("Orientation"),
    "followup_agenda": _("Agenda"),
    "followup_agenda_ics": _("Agenda (export calendrier)"),
    "pathway_request_create": _("Nouvelle demande de parcours"),
    "pathway_request": _("Demande de parcours"),
    "pathway_request_edit": _("Modification d'une demande de parcours"),
    "pathway_request_action": _("Étape d'une demande de parcours"),
    "pathway_decide": _("Décision du préfet"),
    "pathway_inbox": _("Demandes reçues"),
    "pathway_sessions": _("Séances de la commission"),
    "pathway_session": _("Séance de la commission"),
    "pathway_attendance": _("Présences à une séance"),
    "pathway_convoke": _("Convocation d'une séance"),
    "pathway_reconvene": _("Nouvelle séance sans quorum"),
    "pathway_session_paper": _("Papier de séance (PDF)"),
    "pathway_members": _("Composition de la commission"),
    "pathway_member_end": _("Fin du mandat d'un membre"),
    "pathway_decisions": _("Décisions"),
    "pathway_exit": _("Sortie du parcours"),
    "pathway_end_early": _("Fin anticipée du parcours"),
    "pathway_statistics": _("Statistiques"),
    "privacy_archives": _("Archives"),
    "privacy_person": _("Vie privée et droits de la personne"),
    "privacy_export_json": _("Export des données (JSON)"),
    "privacy_export_pdf": _("Export des données (PDF)"),
    "privacy_erase": _("Effacement des données"),
    "privacy_reactivate": _("Réactivation du dossier"),
    "records_documents": _("Pièces"),
    "records_document_download": _("Pièce"),
    "records_document_delete": _("Suppression d'une pièce"),
    "records_life_story": _("Récit de vie"),
    "records_life_story_diff": _("Versions du récit de vie"),
    "records_life_story_version": _("Version du récit de vie"),
    "records_life_story_pdf": _("Récit de vie (PDF)"),
    "rights_person": _("Droits (AFIS, APS)"),
    "papers_person_summary": _("Résumé pour la personne (PDF)"),
    "sharing_people": _("Personnes partagées"),
    "transfers_list": _("Transferts de dossiers"),
    "transfers_create": _("Demande de transfert du dossier"),
    "transfers_detail": _("Transfert de dossier"),
    "transfers_accept": _("Acceptation d'un transfert de dossier"),
    "transfers_refuse": _("Refus d'un transfert de dossier"),
    "transfers_cancel": _("Annulation d'un transfert de dossier"),
    "sharing_person": _("Dossier partagé"),
    "workshops_list": _("Ateliers"),
    "workshops_series_create": _("Nouvelle série d'ateliers"),
    "workshops_series": _("Série d'ateliers"),
    "workshops_session_add": _("Nouvelle séance d'atelier"),
    "workshops_participants": _("Participantes d'une série d'ateliers"),
    "workshops_attendance": _("Présences à une séance d'atelier"),
    "workshops_session_cancel": _("Annulation d'une séance d'atelier"),
    "employment_index": _("Emploi et formation"),
    "employment_programme_create": _("Nouveau programme emploi"),
    "employment_programme": _("Programme emploi"),
    "employment_programme_edit": _("Modification d'un programme emploi"),
    "employment_programme_export": _("Export d'un programme emploi"),
    "employment_cohort": _("Promotion d'un programme emploi"),
    "employment_step": _("Étape d'une promotion"),
    "employment_person": _("Emploi et formation de la personne"),
    "employment_agreement_create": _("Nouvelle convention de partenariat"),
    "employment_agreement": _("Convention de partenariat"),
    "employment_agreement_edit": _("Modification d'une convention de partenariat"),
    "employment_agreement_end": _("Fin anticipée d'une convention de partenariat"),
    "funding_home": _("Financements"),
    "funding_funder_create": _("Nouveau financeur"),
    "funding_funder_edit": _("Financeur"),
    "funding_funder_close": _("Clôture d'un financeur"),
    "funding_grant_create": _("Nouvelle subvention"),
    "funding_grant": _("Subvention"),
    "funding_grant_edit": _("Modification d'une subvention"),
    "funding_grant_delete": _("Suppression d'une subvention"),
    "funding_report_pdf": _("Rapport de subvention (PDF)"),
    "funding_report_sheet": _("Rapport de subvention (tableur)"),
    "funding_post_add": _("Nouveau poste financé"),
    "funding_post_edit": _("Poste financé"),
    "funding_post_delete": _("Suppression d'un poste financé"),
    "funding_charge_add": _("Nouvelle dépense imputée"),
    "funding_charge_edit": _("Dépense imputée"),
    "funding_charge_delete": _("Suppression d'une dépense imputée"),
    "followup_meetings": _("Réunions d'équipe"),
    "followup_meeting": _("Réunion d'équipe"),
    "followup_meeting_decision": _("Décision d'une réunion d'équipe"),
    "audit_journal": _("Journal des accès"),
    "audit_review": _("Revue des accès"),
    "journal": _("Journal des accès"),
    "accounts_organisation": _("Organisation"),
    "onboarding_organisations": _("Administration"),
    "onboarding_organisation_create": _("Nouvelle organisation"),
    "onboarding_organisation_edit": _("Modification d'une organisation"),
    "onboarding_members": _("Accès à une organisation"),
    "onboarding_invite": _("Invitation d'un membre"),
    "onboarding_invitation_revoke": _("Révocation d'une invitation"),
    "onboarding_membership": _("Accès d'un membre"),
    "onboarding_user_active": _("Activation d'un compte"),
    "onboarding_accept": _("Acceptation d'une invitation"),
    "invitation": _("Invitation"),
    "membership": _("Accès d'un membre"),
    "organisation": _("Organisation"),
    "provision": _("Provisionnement (commande provision)"),
    "accounts_security": _("Sécurité du compte"),
    "accounts_totp_setup": _("Application d'authentification"),
    "accounts_recovery_codes": _("Codes de secours"),
    "accounts_password_change": _("Changement de mot de passe"),
    # Official papers (parcours.papers): each PDF, and the letterhead page.
    "papers_decision_letter": _("Lettre de décision du préfet (PDF)"),
    "papers_early_end_letter": _("Lettre de fin anticipée du parcours (PDF)"),
    "papers_afis_certificate": _("Attestation pour la MSA (AFIS, PDF)"),
    "papers_aps_certificate": _("Attestation pour le service des étrangers (APS, PDF)"),
    "papers_request_file": _("Dossier de demande pour la commission (PDF)"),
    "papers_request_file_members": _("Dossier de demande pseudonymisé (PDF)"),
    "papers_pathway_document": _("Document formalisant le parcours (PDF)"),
    "papers_letterhead": _("En-tête des documents officiels"),
    # The JSON API (parcours.api): reads recorded by its operations, refusals under the API's URL names.
    "api_people": _("API — personnes"),
    "api_person": _("API — fiche de la personne"),
    "api_pathways": _("API — parcours"),
    "api_pathway": _("API — un parcours"),
    "api_requests": _("API — demandes"),
    "api_request": _("API — une demande"),
    "api_sessions": _("API — séances de la commission"),
    "api_session": _("API — une séance"),
    "api_avis_list": _("API — avis de la commission"),
    "api_avis": _("API — un avis"),
    "api_decisions": _("API — décisions du préfet"),
    "api_decision": _("API — une décision"),
    "api_appointments": _("API — rendez-vous"),
    "api_appointment": _("API — un rendez-vous"),
    "api_statistics": _("API — statistiques"),
    "api_tokens_list": _("Jetons d'API"),
    "api_tokens_revoke": _("Révocation d'un jeton d'API"),
}

# action → (sentence about a person's file, sentence about a page). The row's action (models.Action).
_ACCESS_SENTENCES: dict[str, tuple[object, object]] = {
    Action.READ: (_("a consulté le dossier de %(person)s — %(page)s"), _("a consulté la page « %(page)s »")),
    Action.DOWNLOAD: (
        _("a téléchargé un fichier du dossier de %(person)s — %(page)s"),
        _("a téléchargé un fichier de la page « %(page)s »"),
    ),
    Action.EXPORT: (_("a exporté le dossier de %(person)s — %(page)s"), _("a exporté « %(page)s »")),
    Action.PRINT: (_("a imprimé le dossier de %(person)s — %(page)s"), _("a imprimé « %(page)s »")),
    Action.UPDATE: (
        _("a envoyé un formulaire du dossier de %(person)s — %(page)s"),
        _("a envoyé un formulaire de la page « %(page)s »"),
    ),
    Action.DENIED: (
        _("s'est vu refuser l'accès au dossier de %(person)s — %(page)s"),
        _("s'est vu refuser l'accès à la page « %(page)s »"),
    ),
}


def page_label(object_type: str) -> str | None:
    label = PAGES.get(object_type)
    return str(label) if label is not None else None


def page_of_path(path: str) -> str | None:
    """The object type (URL name, "_" for ":") of the page at `path`, for refusals recorded as "page"."""
    from django.urls import Resolver404, resolve

    try:
        name = resolve(path.split("?", 1)[0]).view_name
    except Resolver404:
        return None
    return name.replace(":", "_").replace("-", "_")


def describe_access(action: str, object_type: str, person_reference: str, path: str = "") -> str | None:
    """The sentence of a row without semantic event (read, download, refusal…), or None when neither the
    action nor the page has words (logins: the action's label says it)."""
    sentences = _ACCESS_SENTENCES.get(action)
    if sentences is None:
        return None
    if object_type == "page" and path:
        object_type = page_of_path(path) or object_type
    page = page_label(object_type)
    if page is None:
        page = str(_("page %(path)s") % {"path": path}) if object_type == "page" and path else object_type
    about_person, about_page = sentences
    if person_reference:
        return str(about_person) % {"person": person_reference, "page": page}
    return str(about_page) % {"page": page}
