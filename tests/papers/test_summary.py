"""The person's own summary (papers/summary.py): what the paper says, in each of its seven languages, read by
poppler's pdftotext (an oracle independent of WeasyPrint and of the catalogues: the expected phrases are
written here, literally), who may download it, and how the download is journaled.

The world: a person of the Gard association whose entry was authorised on 10 February 2025 (period 10
February – 9 August 2025), with her plan, her commitments, an AFIS paid since 1 March 2025, an APS valid
until 19 August 2025 and appointments around « today », 3 March 2025; another person of the same
association whose data must never appear on her paper.
"""

import datetime as dt

import pytest
from django.urls import reverse

from parcours.audit.models import AccessLog
from parcours.core import clock
from parcours.followup import services as followup
from parcours.pathway import transitions as t
from parcours.people.models import Person
from parcours.rights import services as rights

from ..conftest import complete_content, pathway_in_state
from ..tools import pdf_fonts, pdf_text, require_cjk_font

TODAY = dt.date(2025, 3, 3)
ACTION = "Inscription fictive à la formation d'agente de propreté"
COMMITMENT = "Venir aux rendez-vous fictifs de l'association"
OTHER_ACTION = "Action fictive d'une autre personne"
OTHER_NAME = "Autrepersonne"
SENSITIVE_PLACE = "Tribunal judiciaire fictif"
PLACE = "Locaux fictifs de l'association"


def url(person, language=None):
    base = reverse("papers:person_summary", kwargs={"pk": person.pk})
    return f"{base}?langue={language}" if language else base


def authorise(personas, person, actions, commitments, *, session_on=dt.date(2025, 2, 3)):
    with clock.travel_to(dt.date(2025, 1, 6)):
        content = complete_content(signed_on=dt.date(2025, 1, 6), actions=actions, commitments=commitments)
        req = t.open_request(person, "entry", personas.worker, content)
        t.validate_request(req, personas.head)
        t.submit_request(req, personas.worker)
        session = t.create_session(personas.secretariat, session_on)
        t.schedule_request(req, session, personas.secretariat)
    with clock.travel_to(session_on):
        t.record_avis(req, session, "favourable", personas.secretariat)
    with clock.travel_to(dt.date(2025, 2, 10)):
        t.authorise(req, personas.agent, dt.date(2025, 2, 10))


def appointment(personas, person, start, purpose, place, hours=1):
    starts = dt.datetime.combine(start.date(), start.time(), tzinfo=clock.PARIS)
    return followup.schedule_appointment(
        person, personas.worker, worker=personas.worker.user, purpose=purpose, place=place,
        starts_at=starts, ends_at=starts + dt.timedelta(hours=hours),
    )  # fmt: skip


@pytest.fixture
def world(personas):
    worker = personas.worker.user
    worker.first_name, worker.last_name = "Maëlle", "Démo-Travailleuse"
    worker.save()
    with clock.travel_to(dt.date(2025, 1, 6)):
        person = personas.person(first_name="Chiamaka", last_name="Démo-Okonkwo", referent=worker,
                                 languages="pidgin, anglais, français")  # fmt: skip
        other = personas.person(first_name=OTHER_NAME, last_name="Démo-Autre", referent=worker)
    authorise(personas, person, [t.PlanLine("employment", ACTION, dt.date(2025, 5, 15))], [COMMITMENT])
    authorise(
        personas, other, [t.PlanLine("housing", OTHER_ACTION, dt.date(2025, 4, 1))], ["Autre engagement"]
    )
    with clock.travel_to(TODAY):
        rights.save_afis(person, personas.worker, rights.AfisDates(
            requested_on=dt.date(2025, 2, 12), first_payment_on=dt.date(2025, 3, 1)))  # fmt: skip
        rights.save_aps(person, personas.worker, rights.ApsDates(
            requested_on=dt.date(2025, 2, 11), issued_on=dt.date(2025, 2, 20),
            expires_on=dt.date(2025, 8, 19)))  # fmt: skip
    with clock.travel_to(dt.date(2025, 2, 20)):
        appointment(personas, person, dt.datetime(2025, 2, 25, 9), "housing", "Salle fictive passée")
        appointment(
            personas, person, dt.datetime(2025, 3, 10, 14), "employment", "Locaux fictifs de l'association"
        )
        appointment(personas, person, dt.datetime(2025, 3, 12, 10), "justice", SENSITIVE_PLACE)
        cancelled = appointment(
            personas, person, dt.datetime(2025, 3, 14, 11), "housing", "Salle fictive annulée"
        )
        appointment(personas, other, dt.datetime(2025, 3, 11, 9), "housing", "Salle fictive de l'autre")
    with clock.travel_to(dt.date(2025, 2, 21)):
        followup.record_appointment_outcome(cancelled, personas.worker, "cancelled")
    return person, other


def squash(text: str) -> str:
    """pdftotext breaks lines where the page does (and drops the hyphen of a word cut at a hyphen): compare
    texts without white space and hyphens."""
    return "".join(text.split()).replace("-", "")


def download(client, personas, person, language):
    client.force_login(personas.worker.user)
    with clock.travel_to(TODAY):
        response = client.get(url(person, language))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return response


# Per language: the heading, the authorised period with its dates, the AFIS paid since 1 March 2025 (no
# « 1er » outside French), the APS validity, the next appointment's date and time, the translated note
# (None in French: the paper is in the language of what was typed).
EXPECTED = {
    "fr": ["Votre parcours : résumé personnel",
           "Votre parcours est autorisé du 10 février 2025 au 9 août 2025 (période n° 1).",
           "Versée depuis le 1er mars 2025.", "Montant : 343,20 € par mois.",
           "Votre APS est valable jusqu'au 19 août 2025.", "10 mars 2025", "14:00 – 15:00",
           "Emploi, formation", None],
    "en": ["Your pathway: personal summary",
           "Your pathway is authorised from Feb. 10, 2025 to Aug. 9, 2025 (period no. 1).",
           "Paid since March 1, 2025.", "Amount: €343.20 a month.", "Your APS is valid until Aug. 19, 2025.",
           "March 10, 2025", "2 p.m. – 3 p.m.", "Employment, training",
           "Your actions and commitments are copied as the association wrote them, in French."],
    "es": ["Su itinerario: resumen personal",
           "Su itinerario está autorizado del 10 de febrero de 2025 al 9 de agosto de 2025 (período n.º 1).",
           "Se paga desde el 1 de marzo de 2025.", "Importe: 343,20 € al mes.",
           "Su APS es válida hasta el 19 de agosto de 2025.", "10 de marzo de 2025", "14:00 – 15:00",
           "Empleo, formación",
           "Sus acciones y compromisos se reproducen tal como la asociación los escribió, en francés."],
    "pt": ["O seu percurso: resumo pessoal",  # Django's Portuguese months are capitalised
           "O seu percurso está autorizado de 10 de Fevereiro de 2025 a 9 de Agosto de 2025 (período n.º 1).",
           "Paga desde 1 de Março de 2025.", "Valor: 343,20 € por mês.",
           "A sua APS é válida até 19 de Agosto de 2025.", "10 de Março de 2025", "14:00 – 15:00",
           "Emprego, formação",
           "As suas ações e os seus compromissos são reproduzidos tal como a associação os escreveu, "
           "em francês."],
    "ro": ["Parcursul dumneavoastră: rezumat personal",
           "Parcursul dumneavoastră este autorizat de la 10 Februarie 2025 până la 9 August 2025 "
           "(perioada nr. 1).",
           "Plătit din 1 Martie 2025.", "Suma: 343,20 € pe lună.",
           "Autorizația dumneavoastră (APS) este valabilă până la 19 August 2025.", "10 Martie 2025",
           "14:00 – 15:00", "Loc de muncă, formare profesională",
           "Acțiunile și angajamentele dumneavoastră sunt reproduse așa cum le-a scris asociația, "
           "în limba franceză."],
    "bg": ["Вашата програма: лично резюме",
           "Вашата програма е разрешена от 10 Февруари 2025 до 09 Август 2025 (период № 1).",
           "Изплаща се от 01 Март 2025.", "Сума: 343,20 € на месец.",
           "Вашето APS е валидно до 19 Август 2025.", "10 Март 2025", "14:00 – 15:00", "Работа, обучение",
           "Вашите действия и ангажименти са възпроизведени така, както сдружението ги е написало, "
           "на френски език."],
    "zh-hans": ["您的项目：个人摘要", "您的项目获批期限为2025年2月10日至2025年8月9日（第1期）。",
                "自2025年3月1日起发放。", "金额：每月343.20欧元。", "您的APS有效期至2025年8月19日。",
                "2025年3月10日", "14:00 – 15:00", "就业、培训",
                "您的行动和承诺按协会所写的原文照录，为法语。"],
}  # fmt: skip
# French words that must not be left untranslated on a paper in another language (the headings).
FRENCH_HEADINGS = ["Votre plan d'action", "Vos engagements", "Vos droits", "Vos prochains rendez-vous"]


@pytest.mark.parametrize("language", list(EXPECTED))
def test_the_summary_says_her_plan_rights_and_appointments_in_her_language(client, personas, world, language):
    if language == "zh-hans":
        require_cjk_font()
    person, _ = world
    response = download(client, personas, person, language)
    disposition = f'attachment; filename="resume-{person.reference}-{language}.pdf"'
    assert response["Content-Disposition"] == disposition
    text = pdf_text(response.content)
    flat = squash(text)
    *phrases, note = EXPECTED[language]
    missing = [p for p in phrases if squash(p) not in flat]
    assert missing == [], text
    # What the association typed, as typed (in French), whatever the language of the paper.
    assert squash(ACTION) in flat and squash(COMMITMENT) in flat
    assert squash("Chiamaka DÉMO-OKONKWO") in flat and person.reference in text
    assert squash("Maëlle Démo-Travailleuse") in flat
    if note is None:
        assert "en français" not in text
    else:
        assert squash(note) in flat
        assert [h for h in FRENCH_HEADINGS if squash(h) in flat] == []
    # No other person's data; no past or cancelled appointment; nothing of the sensitive appointment but its
    # date (neither its subject « Plainte, justice » nor its place).
    for absent in (OTHER_NAME, OTHER_ACTION, "Autre engagement", "Salle fictive", SENSITIVE_PLACE, "justice"):
        assert squash(absent) not in flat, absent
    assert squash(PLACE) in flat


def test_chinese_is_drawn_with_a_chinese_font_and_bulgarian_with_dejavu(client, personas, world):
    """A missing font does not fail the rendering: it draws empty boxes. The fonts embedded say it."""
    require_cjk_font()
    person, _ = world
    chinese = pdf_fonts(download(client, personas, person, "zh-hans").content)
    assert "WenQuanYi" in chinese or "NotoSansCJK" in chinese, chinese
    bulgarian = pdf_fonts(download(client, personas, person, "bg").content)
    assert "DejaVu-Sans" in bulgarian, bulgarian


def test_the_default_language_is_her_first_language_that_the_paper_speaks(client, personas, world):
    person, _ = world  # « pidgin, anglais, français »: pidgin is not offered, English is
    client.force_login(personas.worker.user)
    with clock.travel_to(TODAY):
        page = client.get(reverse("people:person", kwargs={"pk": person.pk})).content.decode()
        response = client.get(url(person))
    assert '<option value="en" selected>English (anglais)</option>' in page
    assert 'name="langue"' in page
    # The commission's secretariat opens her page (her request reached it) but is offered no summary.
    client.force_login(personas.secretariat.user)
    with clock.travel_to(TODAY):
        answer = client.get(reverse("people:person", kwargs={"pk": person.pk}))
    assert answer.status_code == 200 and "Résumé pour la personne" not in answer.content.decode()
    client.force_login(personas.worker.user)
    assert response["Content-Disposition"].endswith(f'-{person.reference}-en.pdf"')
    assert "Your pathway: personal summary" in pdf_text(response.content)


@pytest.mark.parametrize(
    ("languages", "expected"),
    [("mandarin, cantonais", "zh-hans"), ("Roumain, romani", "ro"), ("edo, pidgin", "fr"), ("", "fr"),
     ("Bulgare; turc", "bg"), ("portugais, espagnol", "pt"), ("espagnol", "es")],
)  # fmt: skip
def test_the_default_language_reads_the_languages_as_typed_in_her_file(personas, languages, expected):
    from parcours.papers.summary import default_language

    assert default_language(Person(languages=languages)) == expected


def test_a_language_outside_the_list_is_refused_with_a_french_message(client, personas, world):
    person, _ = world
    client.force_login(personas.worker.user)
    before = AccessLog.objects.count()
    response = client.get(url(person, "de"), follow=True)
    assert response.redirect_chain[0][0] == reverse("people:person", kwargs={"pk": person.pk})
    assert "Langue du résumé inconnue" in response.content.decode()
    assert not any(r.object_type == "papers_person_summary" and r.action == "read"
                   for r in AccessLog.objects.order_by("seq")[before:])  # fmt: skip


def test_without_pathway_nor_appointment_the_summary_says_so(client, personas):
    person = personas.person(first_name="Sansparcours", last_name="Démo-Seule", referent=personas.worker.user)
    text = squash(pdf_text(download(client, personas, person, "fr").content))
    for phrase in ("Aucune période de parcours n'est autorisée pour le moment.",
                   "Aucune action n'est inscrite pour le moment.",
                   "Aucune demande d'AFIS n'a été faite pour le moment.",
                   "Aucun rendez-vous n'est prévu pour le moment."):  # fmt: skip
        assert squash(phrase) in text, phrase


def test_a_plan_not_yet_decided_says_it_applies_if_accepted(client, personas):
    person = personas.person(referent=personas.worker.user)
    with clock.travel_to(dt.date(2025, 1, 6)):
        content = complete_content(actions=[t.PlanLine("housing", "Plan fictif proposé", None)])
        req = t.open_request(person, "entry", personas.worker, content)
        t.validate_request(req, personas.head)
        t.submit_request(req, personas.worker)
    text = squash(pdf_text(download(client, personas, person, "en").content))
    assert squash("Plan fictif proposé") in text
    assert (
        squash("This plan is the one in your application: it will apply if the application is accepted.")
        in text
    )
    assert squash("Your application to enter the pathway has been sent and is being examined.") in text


# --- Who may download it, and the journal -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("persona", "status"),
    [("worker", 200), ("head", 200), ("volunteer", 404), ("intern", 404), ("secretariat", 403),
     ("member", 403), ("agent", 403), ("national", 403), ("outsider", 404)],
)  # fmt: skip
def test_only_the_staff_of_her_association_download_it(client, personas, world, persona, status):
    person, _ = world
    client.force_login(getattr(personas, persona).user)
    before = AccessLog.objects.count()
    with clock.travel_to(TODAY):
        response = client.get(url(person, "fr"))
    assert response.status_code == status
    rows = list(AccessLog.objects.order_by("seq")[before:])
    assert [(r.action, r.outcome, r.person_id) for r in rows] == [
        ("read" if status == 200 else "denied", "allowed" if status == 200 else "denied", person.pk)
    ]
    if status == 200:
        assert rows[0].object_type == "papers_person_summary"
    else:
        assert b"Chiamaka" not in response.content


def test_the_journal_page_names_the_summary(client, personas, world):
    person, _ = world
    download(client, personas, person, "ro")
    client.force_login(personas.head.user)
    page = client.get(reverse("audit:journal")).content.decode()
    assert f"A consulté le dossier de {person.reference} — Résumé pour la personne (PDF)" in page


def test_without_a_chinese_font_the_paper_is_refused_with_the_package_to_install(client, personas, world):
    from parcours.papers import summary

    person, _ = world
    client.force_login(personas.worker.user)
    summary.font_available.cache_clear()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(summary.shutil, "which", lambda name: "/bin/true" if name == "fc-list" else None)
            response = client.get(url(person, "zh-hans"), follow=True)  # /bin/true lists no font
    finally:
        summary.font_available.cache_clear()
    assert response.redirect_chain[0][0] == reverse("people:person", kwargs={"pk": person.pk})
    assert "fonts-wqy-microhei" in response.content.decode()
    # French, with DejaVu, never asks for a font.
    assert summary.font_available("fr") is True


@pytest.mark.parametrize(
    ("state", "on", "expected"),
    [
        ("lapsed", dt.date(2025, 8, 11), "Votre dernière période autorisée a pris fin le 9 août 2025."),
        ("exited", dt.date(2025, 3, 21), "Votre parcours a pris fin le 20 mars 2025."),
        ("preparing", dt.date(2025, 1, 7),
         "Votre demande d'entrée dans le parcours est en préparation avec l'association."),
    ],
)  # fmt: skip
def test_the_pathway_paragraph_follows_its_state(client, personas, state, on, expected):
    person = personas.person(referent=personas.worker.user)
    pathway_in_state(personas, state, person=person)
    client.force_login(personas.worker.user)
    with clock.travel_to(on):
        response = client.get(url(person, "fr"))
    text = squash(pdf_text(response.content))
    assert squash(expected) in text
    # Once the pathway is over, no plan is current; before it is authorised, the plan applies if accepted.
    applies = squash("Ce plan est celui de votre demande : il s'appliquera si elle est acceptée.")
    assert (applies in text) == (state == "preparing")
    assert (squash("Accès à un hébergement stable") in text) == (state != "exited")
