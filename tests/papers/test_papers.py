"""The official papers (docs/decisions/0040): every template rendered from data built through the services,
read back with pdftotext (an oracle independent of WeasyPrint): names only where the reader may see them,
dates, amounts, the avis, the remedies; a paper that does not exist is a 404; each download is journaled."""

import datetime as dt

import pytest
from django.urls import reverse

from parcours.accounts.models import Letterhead
from parcours.audit.models import AccessLog
from parcours.core import clock
from parcours.pathway import transitions as t

from ..conftest import request_in_state
from ..tools import pdf_text

CANARY_FIRST = "Canaripapier"
CANARY_LAST = "Nomcanaripapier"


@pytest.fixture
def person(personas):
    return personas.person(first_name=CANARY_FIRST, last_name=CANARY_LAST, dependent_children=2)


def get_pdf(client, membership, name, pk):
    client.force_login(membership.user)
    response = client.get(reverse(name, kwargs={"pk": pk}))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    assert CANARY_LAST not in response["Content-Disposition"]
    return " ".join(pdf_text(response.content).split())


def status(client, membership, name, pk):
    client.force_login(membership.user)
    return client.get(reverse(name, kwargs={"pk": pk})).status_code


# --- The préfet's letters ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_authorisation_letter_gives_the_period_the_avis_and_goes_through_the_association(
    client, personas, person
):
    req = request_in_state(personas, "authorised", person=person)
    text = get_pdf(client, personas.agent, "papers:decision_letter", req.decision.pk)
    assert "Objet : autorisation d'engagement" in text
    assert f"Madame {CANARY_FIRST} {CANARY_LAST.upper()}" in text
    assert "aux bons soins de Association fictive du Gard" in text
    assert "pour une durée de 6 mois, du 10 février 2025 au 9 août 2025 inclus" in text
    assert "Vu l'avis favorable de la commission départementale" in text
    assert "séance du 3 février 2025" in text
    assert "le 10 février 2025" in text  # the letter is dated of the decision
    assert "CESEDA, art. L425-4" in text  # a Nigerian national: the APS is mentioned
    assert "Recours gracieux" not in text  # no remedies on an authorisation


@pytest.mark.django_db
def test_the_renewal_letter_gives_the_number_and_dates_of_the_new_period(client, personas, person):
    req = request_in_state(personas, "authorised", kind="renewal", person=person)
    text = get_pdf(client, personas.worker, "papers:decision_letter", req.decision.pk)
    assert "Objet : renouvellement de l'autorisation" in text
    # Requested before the first period ended (9 August 2025): continues it without a gap.
    assert "pour une période n° 2 de 6 mois, du 10 août 2025 au 9 février 2026 inclus" in text
    assert "le 10 juillet 2025" in text


@pytest.mark.django_db
def test_the_refusal_letter_gives_the_reasons_and_every_remedy_with_its_deadline(client, personas, person):
    req = request_in_state(personas, "refused", person=person)
    text = get_pdf(client, personas.head, "papers:decision_letter", req.decision.pk)
    assert "Objet : refus d'engagement" in text
    assert "Projet d'insertion insuffisamment construit" in text
    assert "Motif fictif" in text
    assert "Vu l'avis favorable" in text
    assert "Recours gracieux adressé au préfet" in text
    assert "Recours hiérarchique adressé au ministre chargé des droits des femmes" in text
    assert "Recours contentieux devant le tribunal administratif" in text
    assert text.count("dans un délai de deux mois") >= 4
    # The articles of the remedies, read in their consolidated versions (papers/rules.py).
    assert "Code de justice administrative, art. R421-1" in text
    assert "Code des relations entre le public et l'administration, art. L411-2" in text
    assert "art. R421-2" in text
    assert "R421-1 — référence « à vérifier »" not in text
    assert "pour une durée de" not in text


@pytest.mark.django_db
def test_the_early_end_letter_gives_the_date_the_reasons_the_end_of_the_afis_and_the_remedies(
    client, personas, person
):
    req = request_in_state(personas, "authorised", person=person)
    with clock.travel_to(dt.date(2025, 3, 20)):
        t.end_early(req.pathway, personas.agent, dt.date(2025, 3, 20), "Engagements non tenus (fictif)")
    text = get_pdf(client, personas.agent, "papers:early_end_letter", req.pathway.pk)
    assert "mettre fin de manière anticipée à compter du 20 mars 2025" in text
    assert "Engagements non tenus (fictif)" in text
    assert "période n° 1 du 10 février 2025 au 9 août 2025" in text
    assert "cesse d'être due à compter du 1er avril 2025" in text
    assert "Recours contentieux devant le tribunal administratif" in text


@pytest.mark.django_db
def test_a_letter_for_a_decision_or_an_early_end_that_does_not_exist_is_a_404(client, personas, person):
    pending = request_in_state(personas, "avis_given", person=person)
    assert status(client, personas.agent, "papers:decision_letter", 999_999) == 404
    assert status(client, personas.agent, "papers:early_end_letter", pending.pathway.pk) == 404
    authorised = request_in_state(personas, "authorised")
    assert status(client, personas.agent, "papers:early_end_letter", authorised.pathway.pk) == 404
    refused = request_in_state(personas, "refused")
    assert status(client, personas.agent, "papers:afis_certificate", refused.decision.pk) == 404
    assert status(client, personas.agent, "papers:aps_certificate", refused.decision.pk) == 404
    # Another département's préfecture and another association reach nothing of it.
    assert status(client, personas.other_agent, "papers:decision_letter", authorised.decision.pk) == 404
    assert status(client, personas.outsider, "papers:decision_letter", authorised.decision.pk) == 404
    assert status(client, personas.secretariat, "papers:decision_letter", authorised.decision.pk) == 403


# --- Certificates -----------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_msa_certificate_gives_the_period_and_the_afis_amount_for_her_children(client, personas, person):
    req = request_in_state(personas, "authorised", person=person)
    text = get_pdf(client, personas.worker, "papers:afis_certificate", req.decision.pk)
    assert "caisse de mutualité sociale agricole (MSA)" in text
    assert f"{CANARY_FIRST} {CANARY_LAST.upper()}" in text
    assert "17 mai 1995" in text
    assert (
        "décision du préfet du 10 février 2025, pour la période n° 1 du 10 février 2025 au 9 août 2025"
        in text
    )
    # 343,20 € + 2 × 106,08 € (décret n° 2022-1340, in force on 10 February 2025).
    assert "2 enfants à charge est de 555,36 €" in text
    assert "D121-12-15" in text


@pytest.mark.django_db
def test_the_aps_certificate_cites_ceseda_l425_4_and_exists_for_foreigners_only(client, personas, person):
    req = request_in_state(personas, "authorised", person=person)
    text = get_pdf(client, personas.agent, "papers:aps_certificate", req.decision.pk)
    assert "service des étrangers" in text
    assert "L425-4" in text
    assert "Nigeria" in text
    assert "du 10 février 2025 au 9 août 2025" in text
    french = request_in_state(personas, "authorised", person=personas.person(nationality="FR"))
    assert status(client, personas.agent, "papers:aps_certificate", french.decision.pk) == 404
    assert status(client, personas.agent, "papers:afis_certificate", french.decision.pk) == 200


# --- The request file -------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_full_request_file_names_the_person_for_the_secretariat_and_the_prefecture(
    client, personas, person
):
    req = request_in_state(personas, "avis_given", person=person)
    for reader in (personas.secretariat, personas.agent, personas.worker):
        text = get_pdf(client, reader, "papers:request_file", req.pk)
        assert f"{CANARY_FIRST} {CANARY_LAST.upper()}" in text
        assert "17 mai 1995" in text
        assert "Accès à un hébergement stable" in text
        assert "Suivre les cours de français" in text
        assert "3 février 2025 Favorable" in text
    assert status(client, personas.member, "papers:request_file", req.pk) == 403


@pytest.mark.django_db
def test_the_pseudonymised_file_never_names_the_person(client, personas, person):
    req = request_in_state(personas, "scheduled", person=person)
    with clock.travel_to(dt.date(2025, 2, 1)):
        for reader in (personas.member, personas.secretariat):
            text = get_pdf(client, reader, "papers:request_file_members", req.pk)
            assert CANARY_FIRST not in text and CANARY_LAST.upper() not in text.upper()
            assert "17 mai 1995" not in text
            assert f"P-{person.pk:06d}" in text
            assert "C. N." in text
            assert "25-34 ans" in text  # born 17 May 1995: 29 years old on 1 February 2025
            assert "Nigeria" in text
            assert "Accès à un hébergement stable" in text
            assert "Version pseudonymisée" in text


@pytest.mark.django_db
def test_a_member_reads_only_the_requests_on_her_commission_s_agenda(client, personas, person):
    submitted = request_in_state(personas, "submitted", person=person)
    assert status(client, personas.member, "papers:request_file_members", submitted.pk) == 404
    scheduled = request_in_state(personas, "scheduled")
    assert status(client, personas.member, "papers:request_file_members", scheduled.pk) == 200


# --- The document that formalises the pathway -----------------------------------------------------------
@pytest.mark.django_db
def test_the_pathway_document_of_an_entry_is_annex_6_with_plan_commitments_and_signatures(
    client, personas, person
):
    req = request_in_state(personas, "validated", person=person)
    text = get_pdf(client, personas.worker, "papers:pathway_document", req.pk)
    assert "annexe 6 de la circulaire DGCS/B2/2017/18 du 31 janvier 2017" in text
    assert "Accès à un hébergement stable" in text
    assert "1er juin 2025" in text
    assert "La personne s'engage à :" in text and "Suivre les cours de français" in text
    assert "La personne accompagnée" in text and "Pour l'association" in text
    assert f"{CANARY_FIRST} {CANARY_LAST.upper()}" in text


@pytest.mark.django_db
def test_the_pathway_document_of_a_renewal_is_annex_7_with_the_evaluation_and_the_periods(
    client, personas, person
):
    req = request_in_state(personas, "submitted", kind="renewal", person=person)
    text = get_pdf(client, personas.head, "papers:pathway_document", req.pk)
    assert "annexe 7 de la circulaire" in text
    assert "Évaluation fictive." in text
    assert "n° 1 10 février 2025 9 août 2025 6" in text
    assert "Mois de parcours autorisés à ce jour : 6 sur 24." in text


# --- Journal and letterheads -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_each_download_is_journaled_as_a_download_of_the_person_s_file(client, personas, person):
    req = request_in_state(personas, "authorised", person=person)
    before = AccessLog.objects.count()
    get_pdf(client, personas.agent, "papers:decision_letter", req.decision.pk)
    get_pdf(client, personas.member, "papers:request_file_members", req.pk)
    rows = list(AccessLog.objects.exclude(action="login").order_by("seq")[before:])
    assert [(r.action, r.person_id, r.object_type) for r in rows] == [
        ("download", person.pk, "papers_decision_letter"),
        ("download", person.pk, "papers_request_file_members"),
    ]


@pytest.mark.django_db
def test_the_prefecture_s_letterhead_and_signatory_are_printed_on_its_letters(client, personas, person):
    req = request_in_state(personas, "authorised", person=person)
    Letterhead.objects.create(
        organisation=personas.prefecture, authority="Préfet du Gard (fictif)",
        service_lines="Direction fictive des droits des femmes", address="1 rue Fictive\n30000 Nîmes",
        city="Nîmes", signatory_name="Dominique Signataire",
        signatory_title="Pour le préfet, la sous-préfète",
    )  # fmt: skip
    text = get_pdf(client, personas.agent, "papers:decision_letter", req.decision.pk)
    assert "PRÉFET DU GARD (FICTIF)" in text.upper()
    assert "Nîmes, le 10 février 2025" in text
    assert "Pour le préfet, la sous-préfète" in text and "Dominique Signataire" in text
