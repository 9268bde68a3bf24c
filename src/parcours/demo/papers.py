"""Official papers in the demo (docs/decisions/0040-official-papers.md): the letterheads and signatories of
the Gard and Bouches-du-Rhône préfectures and of two associations, saved through the service by their own
head of service or agent, so that the letters of every kind (authorisation, renewal, refusal, early end,
certificates for the MSA and the foreigners' service) print with a configured heading from the demo's
decisions. The other organisations keep the default heading (their name). Everything is fictional."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parcours.accounts.models import Letterhead
from parcours.papers import letterheads
from parcours.pathway.models import Decision, Exit

if TYPE_CHECKING:
    from .generator import Generator

# account of the organisation's head of service or agent -> the heading she sets (all invented).
LETTERHEADS = {
    "prefecture": {
        "authority": "Préfet du Gard (démonstration)",
        "service_lines": "Direction fictive des droits des femmes et de l'égalité\n"
        "Mission départementale fictive",
        "address": "1 place Imaginaire\n30000 Nîmes",
        "city": "Nîmes",
        "signatory_name": "Aurélien Démo-Signataire",
        "signatory_title": "Pour le préfet et par délégation, la secrétaire générale (fictive)",
    },
    "prefecture13": {
        "authority": "Préfet des Bouches-du-Rhône (démonstration)",
        "service_lines": "Délégation départementale fictive aux droits des femmes",
        "address": "2 boulevard Fictif\n13000 Marseille",
        "city": "Marseille",
        "signatory_name": "Maëlis Démo-Signataire",
        "signatory_title": "Pour le préfet et par délégation, le sous-préfet (fictif)",
    },
    "cheffe": {
        "authority": "Association Horizon Fictif",
        "service_lines": "Service d'accompagnement vers la sortie de la prostitution (fictif)",
        "address": "12 rue de l'Exemple\n30000 Nîmes",
        "city": "Nîmes",
        "signatory_name": "Morwéna Démo-Cheffe",
        "signatory_title": "La cheffe de service",
    },
    "cheffe13": {
        "authority": "Collectif Boussole Imaginaire",
        "service_lines": "Pôle accompagnement (fictif)",
        "address": "5 traverse Inventée\n13000 Marseille",
        "city": "Marseille",
        "signatory_name": "Brunaïs Démo-Boussole",
        "signatory_title": "La cheffe de service",
    },
}


def build(g: Generator) -> None:
    for username, values in LETTERHEADS.items():
        membership = g.members[username]
        row = letterheads.letterhead_of(membership.organisation)
        for name, value in values.items():
            setattr(row, name, value)
        letterheads.save_letterhead(membership, row, expected_version=row.version)


def summary(today) -> dict:
    return {
        "letterheads": Letterhead.objects.count(),
        "letters_authorisation": Decision.objects.filter(kind="authorised", request__kind="entry").count(),
        "letters_renewal": Decision.objects.filter(kind="authorised", request__kind="renewal").count(),
        "letters_refusal": Decision.objects.filter(kind="refused").count(),
        "letters_early_end": Exit.objects.filter(reason="ended_early").count(),
    }
