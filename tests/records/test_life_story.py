"""The life story: versions with their history and a line diff, the optimistic check against overwriting a
colleague's work, access restricted to the referent and the head of service, and the PDF for the asylum
office."""

import datetime as dt

import pytest
from django.urls import reverse

from parcours.core import clock
from parcours.core.errors import DomainError
from parcours.people.models import OtherName
from parcours.records import services
from parcours.records.diff import line_diff
from parcours.records.models import LifeStoryVersion

from ..tools import pdf_text

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 10)
FIRST = "Je suis arrivée à Marseille en 2019.\nJ'ai été hébergée par une « tante ».\nJ'ai appris le français."
SECOND = FIRST.replace("« tante ».", "« tante » à Nîmes.")


@pytest.fixture(autouse=True)
def frozen_today():
    with clock.travel_to(TODAY):
        yield


def login(client, membership):
    client.force_login(membership.user)
    return client


def story_url(person):
    return reverse("records:life_story", args=[person.pk])


def save(client, person, text, based_on, comment=""):
    return client.post(
        story_url(person), {"text": text, "based_on": based_on, "comment": comment}, follow=True
    )


# --- Versions -----------------------------------------------------------------------------------------
def test_the_referent_writes_two_versions_and_sees_the_history(client, personas, followed):
    login(client, personas.worker)
    page = client.get(story_url(followed)).content.decode()
    assert "Aucun récit n'a encore été écrit" in page
    page = save(client, followed, FIRST, 0, "Premier entretien").content.decode()
    assert "La nouvelle version du récit est enregistrée." in page
    page = save(client, followed, SECOND, 1, "Précision sur l'hébergement").content.decode()
    assert "Version actuelle : version 2 du 10 mars 2026" in page
    assert "Voir la version 1" in page and "Voir la version 2" in page
    assert "Premier entretien" in page and "Précision sur l&#x27;hébergement" in page
    # The form starts from the current text and from the current version.
    assert "à Nîmes" in page
    assert 'name="based_on" value="2"' in page
    assert list(LifeStoryVersion.objects.values_list("number", flat=True)) == [2, 1]


def test_an_older_version_stays_readable(client, personas, followed):
    services.save_life_story(followed, personas.worker, FIRST, based_on=0)
    services.save_life_story(followed, personas.worker, SECOND, based_on=1)
    page = (
        login(client, personas.worker)
        .get(reverse("records:life_story_version", args=[followed.pk, 1]))
        .content.decode()
    )
    assert "version 1 du 10 mars 2026" in page
    assert "hébergée par une « tante ».<br>" in page
    assert "Repartir de cette version" in page
    page = client.get(story_url(followed), {"depuis": 1}).content.decode()
    assert "à Nîmes" not in page and 'name="based_on" value="2"' in page


def test_the_diff_between_two_versions_shows_removed_and_added_lines(client, personas, followed):
    services.save_life_story(followed, personas.worker, FIRST, based_on=0)
    services.save_life_story(followed, personas.worker, SECOND, based_on=1)
    page = (
        login(client, personas.worker)
        .get(reverse("records:life_story_diff", args=[followed.pk]), {"old": 1, "new": 2})
        .content.decode()
    )
    assert "de la version 1 à la version 2" in page
    assert "<del" in page and "<ins" in page
    assert "Supprimé :" in page and "Ajouté :" in page
    assert "par une « tante » à Nîmes." in page


def test_the_diff_keeps_context_and_skips_long_unchanged_runs():
    old = "\n".join(f"ligne {i}" for i in range(20))
    new = old.replace("ligne 10", "ligne dix")
    lines = line_diff(old, new)
    ops = [line.op for line in lines]
    assert ops == ["skip", "equal", "equal", "delete", "insert", "equal", "equal", "skip"]
    assert lines[0].skipped == 8 and lines[-1].skipped == 7


def test_an_unchanged_text_is_refused(client, personas, followed):
    services.save_life_story(followed, personas.worker, FIRST, based_on=0)
    response = save(login(client, personas.worker), followed, FIRST.replace("\n", "\r\n") + "\r\n", 1)
    assert response.status_code == 400
    assert "Le texte n&#x27;a pas changé depuis la version 1" in response.content.decode()
    assert LifeStoryVersion.objects.count() == 1


def test_an_empty_text_is_refused(client, personas, followed):
    response = save(login(client, personas.worker), followed, "   \r\n ", 0)
    assert "Le récit est vide" in response.content.decode()
    assert LifeStoryVersion.objects.count() == 0


def test_a_conflict_refuses_the_second_writer_and_gives_her_text_back(client, personas, followed):
    """The referent and the head both open version 1; the head saves first. The referent's save is refused,
    her text is shown back, and nothing is lost."""
    services.save_life_story(followed, personas.worker, FIRST, based_on=0)
    services.save_life_story(followed, personas.head, SECOND, based_on=1)
    mine = FIRST + "\nJ'ai trouvé une formation d'aide-soignante."
    response = save(login(client, personas.worker), followed, mine, 1)
    page = response.content.decode()
    assert response.status_code == 409
    assert "Une version plus récente (version 2) a été enregistrée pendant que vous écriviez" in page
    assert "J&#x27;ai trouvé une formation d&#x27;aide-soignante." in page  # her text, back in the form
    assert 'name="based_on" value="2"' in page  # saving again is now deliberate
    assert "Différences entre la version actuelle et votre texte" in page
    assert [v.text for v in LifeStoryVersion.objects.order_by("number")] == [FIRST, SECOND]
    # Saving again on purpose keeps both versions in the history.
    save(client, followed, mine, 2)
    assert LifeStoryVersion.objects.count() == 3


def test_the_text_is_encrypted_at_rest(personas, followed):
    from django.db import connection

    version = services.save_life_story(
        followed, personas.worker, FIRST, based_on=0, comment="Premier entretien"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT text, comment FROM records_lifestoryversion WHERE id = %s", [version.pk])
        text, comment = cursor.fetchone()
    assert "Marseille" not in text and "entretien" not in comment
    assert services.current_version(followed).text == FIRST


def test_the_service_refuses_a_stale_version(personas, followed):
    services.save_life_story(followed, personas.worker, FIRST, based_on=0)
    with pytest.raises(services.LifeStoryConflict) as refused:
        services.save_life_story(followed, personas.head, SECOND, based_on=0)
    assert refused.value.current.number == 1
    assert LifeStoryVersion.objects.count() == 1


# --- Who may read it ----------------------------------------------------------------------------------
def test_the_head_of_service_reads_and_writes_it(client, personas, followed):
    services.save_life_story(followed, personas.worker, FIRST, based_on=0)
    client = login(client, personas.head)
    assert client.get(story_url(followed)).status_code == 200
    save(client, followed, SECOND, 1)
    assert LifeStoryVersion.objects.count() == 2


def test_a_worker_who_is_not_the_referent_gets_a_page_explaining_why(client, personas, followed, colleague):
    services.save_life_story(followed, personas.worker, FIRST, based_on=0)
    client = login(client, colleague)
    for url in (
        story_url(followed),
        reverse("records:life_story_version", args=[followed.pk, 1]),
        reverse("records:life_story_diff", args=[followed.pk]) + "?old=1&new=1",
        reverse("records:life_story_pdf", args=[followed.pk, 1]),
    ):
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 403, url
        assert "n&#x27;est accessible qu&#x27;à la référente de la personne et à la cheffe de service" in page
        assert "Marseille" not in page
    response = save(client, followed, SECOND, 1)
    assert response.status_code == 403
    assert LifeStoryVersion.objects.count() == 1


def test_the_service_refuses_a_worker_who_is_not_the_referent(personas, followed, colleague):
    with pytest.raises(services.LifeStoryRestricted):
        services.save_life_story(followed, colleague, FIRST, based_on=0)


def test_without_a_referent_only_the_head_may_read_it(client, personas):
    person = personas.person(referent=None)
    assert login(client, personas.worker).get(story_url(person)).status_code == 403
    assert login(client, personas.head).get(story_url(person)).status_code == 200


@pytest.mark.parametrize(("role", "status"), [
    ("volunteer", 404), ("intern", 404), ("outsider", 404), ("secretariat", 403), ("agent", 403),
    ("member", 403), ("national", 403),
])  # fmt: skip
def test_other_roles_never_reach_it(client, personas, followed, role, status):
    services.save_life_story(followed, personas.worker, FIRST, based_on=0)
    client = login(client, getattr(personas, role))
    assert client.get(story_url(followed)).status_code == status
    assert client.get(reverse("records:life_story_pdf", args=[followed.pk, 1])).status_code == status
    save(client, followed, SECOND, 1)
    assert LifeStoryVersion.objects.count() == 1


@pytest.mark.parametrize("role", ["volunteer", "intern", "outsider"])
def test_the_service_refuses_other_roles(personas, followed, role):
    with pytest.raises(DomainError):
        services.save_life_story(followed, getattr(personas, role), FIRST, based_on=0)


# --- The PDF for the asylum office --------------------------------------------------------------------
def test_the_pdf_carries_the_names_the_version_and_the_text(client, personas, followed):
    followed.usage_name = "Ama"
    followed.alias = "Amara"
    followed.nationality = "NG"
    followed.save()
    OtherName.objects.create(person=followed, name="Amarachy Fictiv")
    services.save_life_story(followed, personas.worker, FIRST, based_on=0)
    with clock.travel_to(dt.date(2026, 3, 12)):
        services.save_life_story(followed, personas.worker, SECOND, based_on=1)
    response = login(client, personas.worker).get(reverse("records:life_story_pdf", args=[followed.pk, 2]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="recit-de-vie-{followed.reference}-v2.pdf"'
    )
    assert "Amarachi" not in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content, "-layout")
    assert "Récit de vie" in text
    assert "J'ai été hébergée par une « tante » à Nîmes." in text
    assert "Je suis arrivée à Marseille en 2019." in text
    assert "FICTIVE" in text and "Amarachi" in text
    assert "Ama" in text and "Amara, Amarachy Fictiv" in text
    assert "17 mai 1995" in text
    assert "Nigeria" in text
    assert "version 2 du 12 mars 2026" in text
    assert "page 1 / 1" in text


def test_an_older_version_can_be_exported(client, personas, followed):
    services.save_life_story(followed, personas.worker, FIRST, based_on=0)
    services.save_life_story(followed, personas.worker, SECOND, based_on=1)
    response = login(client, personas.worker).get(reverse("records:life_story_pdf", args=[followed.pk, 1]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert (
        login(client, personas.worker)
        .get(reverse("records:life_story_pdf", args=[followed.pk, 3]))
        .status_code
        == 404
    )


def test_a_long_story_is_numbered_page_x_of_y(personas, followed):
    from parcours.core.pdf import render_pdf

    long_text = "\n".join(f"Paragraphe fictif numéro {i}, écrit avec elle." for i in range(200))
    services.save_life_story(followed, personas.worker, long_text, based_on=0)
    version = services.current_version(followed)
    pdf = render_pdf("records/life_story_pdf.html", {"person": followed, "version": version, "aliases": [],
                                                      "nationalities": []})  # fmt: skip
    text = pdf_text(pdf)
    pages = text.count("\f")
    assert pages >= 3
    assert f"page 1 / {pages}" in text and f"page {pages} / {pages}" in text
    assert "Paragraphe fictif numéro 199, écrit avec elle." in text


def test_reads_exports_and_refusals_are_journalled(client, personas, followed, colleague):
    from parcours.audit.models import AccessLog

    version = services.save_life_story(followed, personas.worker, FIRST, based_on=0)
    login(client, personas.worker).get(story_url(followed))
    client.get(reverse("records:life_story_pdf", args=[followed.pk, 1]))
    login(client, colleague).get(story_url(followed))
    rows = AccessLog.objects.exclude(action="login").order_by("seq")
    rows = list(rows.values_list("action", "object_id", "person_id", "outcome"))
    assert rows == [
        ("create", str(version.pk), followed.pk, "allowed"),  # written by the service, in its transaction
        ("read", str(version.pk), followed.pk, "allowed"),
        ("export", str(version.pk), followed.pk, "allowed"),
        ("denied", "", followed.pk, "denied"),  # the refusal names the person (issue 7, finding 4)
    ]


def test_the_demo_samples_pass_the_checks(personas, followed):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from parcours.records import samples

    for content, name in (
        (samples.pdf("DOCUMENT FICTIF (APS)"), "aps.pdf"),
        (samples.image("JPEG"), "scan.jpg"),
    ):
        services.add_document(
            followed, personas.worker, kind="residence", upload=SimpleUploadedFile(name, content)
        )
    for number, (text, comment) in enumerate(samples.LIFE_STORY_VERSIONS):
        services.save_life_story(followed, personas.worker, text, based_on=number, comment=comment)
    assert followed.documents.count() == 2
    assert services.current_version(followed).number == 2
