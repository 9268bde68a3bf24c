"""The commission's session through the browser (docs/decisions/0039): the secretariat sends the convocation,
records the attendance on the day (quorum reached), records the avis with its vote on an item where the
member of the association that prepared the request is recused, and downloads the minutes, whose text lists
the recusal and the avis. The recused member sees the item as « récusé »."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from parcours.core import clock
from parcours.pathway import commission as body
from parcours.pathway import transitions as t
from parcours.pathway.models import CommissionSession

from ..conftest import complete_content
from ..tools import pdf_text
from .test_request_journey import expect_message, log_in, log_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def seat(personas, name, college, **kw):
    return body.appoint_member(
        personas.secretariat,
        body.MemberData(college=college, name=name, function=f"Fonction fictive {name}",
                        appointed_on=dt.date(2024, 1, 1), email=f"{name.lower()}@example.org", **kw),
    )  # fmt: skip


def test_convocation_attendance_avis_with_a_recusal_and_the_minutes(page, personas, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    today = clock.today()
    members = [
        seat(personas, "Démo-Préfète", "state"),
        seat(personas, "Démo-Juge", "justice"),
        seat(personas, "Démo-Santé", "health", substitute_name="Démo-Suppléante"),
        seat(
            personas,
            "Démo-Asso",
            "associations",
            association=personas.association,
            user_id=personas.member.user_id,
        ),
    ]
    person = personas.person(first_name="Séancia", last_name="Démo-Examinée")
    req = t.open_request(person, "entry", personas.worker, complete_content(signed_on=today))
    t.validate_request(req, personas.head)
    t.submit_request(req, personas.worker)
    session = t.create_session(personas.secretariat, today + dt.timedelta(days=6))
    t.schedule_request(req, session, personas.secretariat)
    session_url = f"/parcours/seances/{session.pk}/"

    # --- Six days before: the convocation goes, with a link and no identity -------------------------------
    log_in(page, "secretariat")
    page.goto(session_url)
    page.get_by_role("button", name="Envoyer la convocation").click()
    expect_message(page, "La convocation est envoyée à 4 adresse(s)")
    assert len(mail.outbox) == 4 and session_url in mail.outbox[0].body
    assert "Séancia" not in mail.outbox[0].body

    # --- The day of the session (the live server's clock cannot travel: the session is moved to today) ----
    CommissionSession.objects.filter(pk=session.pk).update(date=today)
    page.goto(session_url)
    page.get_by_role("link", name="Enregistrer les présences").click()
    for m, presence in zip(members, ("present", "absent", "substitute", "present"), strict=True):
        page.locator(f"label[for=presence-{m.pk}-{presence}]").click()
    page.get_by_role("button", name="Enregistrer les présences").click()
    expect_message(page, "quorum atteint (3 sur 4)")
    expect(page.get_by_text("récusé : Démo-Asso")).to_be_visible()

    # A vote counting the recused member is refused; then the avis with its vote is recorded.
    page.get_by_role("combobox", name=re.compile("^Avis")).select_option(label="Favorable")
    page.get_by_role("spinbutton", name=re.compile("^Voix pour")).fill("3")
    page.get_by_role("spinbutton", name=re.compile("^Voix contre")).fill("0")
    page.get_by_role("spinbutton", name=re.compile("^Abstentions")).fill("0")
    page.get_by_role("button", name="Enregistrer les avis").click()
    expect(page.get_by_text("Récusé(s), ne votent pas : Démo-Asso").first).to_be_visible()
    page.get_by_role("spinbutton", name=re.compile("^Voix pour")).fill("2")
    page.get_by_role("button", name="Enregistrer les avis").click()
    expect_message(page, "1 avis enregistré")
    expect(page.get_by_text("2 pour, 0 contre, 0 abstention(s)")).to_be_visible()

    # --- The minutes, downloaded ---------------------------------------------------------------------------
    with page.expect_download() as download:
        page.get_by_role("link", name="Procès-verbal (PDF)").click()
    text = " ".join(pdf_text(Path(download.value.path()).read_bytes()).split())
    assert "Quorum atteint : 3 membres présents ou représentés sur 4" in text
    assert "ne siège pas" in text and "Démo-Asso" in text.replace("Démo- ", "Démo-")
    assert "Favorable" in text and "2 pour, 0 contre, 0 abstention" in text
    assert "Séancia" not in text and "EXAMINÉE" not in text.upper()
    log_out(page)

    # --- The recused member sees the item as « récusé » -----------------------------------------------------
    log_in(page, "membre")
    page.goto(session_url)
    expect(page.get_by_text("récusé — vous ne siégez pas sur ce point")).to_be_visible()
