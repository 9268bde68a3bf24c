"""Documents: checked on their content, kept outside the web root under a random name, served only after the
permission check."""

import datetime as dt
import hashlib
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from parcours.core import clock
from parcours.core.errors import DomainError
from parcours.records import deadlines, files, services
from parcours.records.models import Document

from .conftest import image_bytes, pdf_bytes, upload


def stored_path(storage_name: str) -> Path:
    """Where the folder storage (the default, core/storage.py) keeps a document's sealed file."""
    return Path(files.storage().path(files.stored_name(storage_name)))


pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 10)
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200  # the start of a Linux executable


@pytest.fixture(autouse=True)
def frozen_today():
    with clock.travel_to(TODAY):
        yield


def login(client, membership):
    client.force_login(membership.user)
    return client


def add(person, by, content=None, name="piece.pdf", **kwargs):
    kwargs.setdefault("kind", "certificate")
    return services.add_document(
        person, by, upload=upload(pdf_bytes() if content is None else content, name), **kwargs
    )


def stored_files(folder):
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


# --- What is accepted ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (pdf_bytes(), "attestation.pdf", "application/pdf"),
        (image_bytes("PNG"), "scan.png", "image/png"),
        (image_bytes("JPEG"), "photo.jpg", "image/jpeg"),
    ],
)
def test_pdf_png_and_jpeg_are_accepted_and_stored_under_a_random_name(
    personas, followed, documents_dir, content, name, content_type
):
    document = add(followed, personas.worker, content, name, title="Attestation d'hébergement")
    [path] = stored_files(documents_dir)
    assert files.read(document.storage_name) == content
    assert path.name == document.storage_name and uuid.UUID(hex=path.name)
    assert name not in str(path) and "." not in path.name
    assert document.content_type == content_type
    assert document.size == len(content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.original_name == name
    assert document.uploaded_by == personas.worker.user


def test_files_are_kept_outside_the_web_root(personas, followed, documents_dir):
    add(followed, personas.worker)
    [path] = stored_files(documents_dir)
    assert not path.resolve().is_relative_to(settings.STATIC_ROOT)
    assert not getattr(settings, "MEDIA_ROOT", "") or not path.resolve().is_relative_to(settings.MEDIA_ROOT)
    assert path.stat().st_mode & 0o077 == 0  # readable by the application's user only


def test_files_are_encrypted_on_disk_and_names_in_the_database(personas, followed, documents_dir):
    from django.db import connection

    content = pdf_bytes("Attestation fictive de Amarachi")
    document = add(
        followed, personas.worker, content, "passeport Amarachi.pdf", title="Passeport de Amarachi"
    )
    [path] = stored_files(documents_dir)
    on_disk = path.read_bytes()
    assert b"Amarachi" not in on_disk and b"%PDF" not in on_disk
    with connection.cursor() as cursor:
        cursor.execute("SELECT title, original_name FROM records_document WHERE id = %s", [document.pk])
        row = cursor.fetchone()
    assert all("Amarachi" not in value for value in row)
    document.refresh_from_db()
    assert document.title == "Passeport de Amarachi"


def test_a_file_altered_or_swapped_on_disk_is_not_served(client, personas, followed, documents_dir):
    first = add(followed, personas.worker, pdf_bytes("Premier"), "un.pdf")
    second = add(followed, personas.worker, pdf_bytes("Second"), "deux.pdf")
    stored_path(first.storage_name).write_bytes(stored_path(second.storage_name).read_bytes())
    response = login(client, personas.worker).get(
        reverse("records:document_download", args=[first.pk]), follow=True
    )
    assert "Le fichier de ce document est manquant ou altéré" in response.content.decode()
    stored_path(second.storage_name).unlink()
    response = client.get(reverse("records:document_download", args=[second.pk]), follow=True)
    assert "Le fichier de ce document est manquant ou altéré" in response.content.decode()


def test_the_default_folder_is_in_the_data_folder_not_the_static_one():
    from parcours import settings as project_settings

    folder = project_settings.PARCOURS_DOCUMENTS_DIR
    assert folder.is_relative_to(project_settings.DATA_DIR)
    assert not folder.is_relative_to(project_settings.STATIC_ROOT)


def test_a_png_named_pdf_is_kept_as_the_png_it_is(personas, followed):
    document = add(followed, personas.worker, image_bytes("PNG"), "photo.pdf")
    assert document.content_type == "image/png"
    assert document.original_name == "photo.png"


# --- What is refused, with nothing kept ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"Ceci est un simple texte, renomme en PDF.\n", "lettre.pdf"),
        (ELF, "scan.pdf"),
        (b"MZ\x90\x00" + b"\x00" * 100, "photo.jpg"),
        (b"%PDF-1.7\n" + ELF, "tronque.pdf"),  # a PDF signature without a PDF behind it
        (image_bytes("PNG")[:60], "coupe.png"),  # a PNG cut short: it does not decode
        (b"\xff\xd8\xff\xe0" + b"\x00" * 300, "faux.jpg"),  # a JPEG signature and nothing else
        (b"GIF89a" + b"\x00" * 50, "anim.gif"),
    ],
)
def test_a_file_that_is_not_really_pdf_jpeg_or_png_is_refused(
    personas, followed, documents_dir, content, name
):
    with pytest.raises(DomainError, match="n'est pas un PDF, une image JPEG ou une image PNG valide"):
        add(followed, personas.worker, content, name)
    assert Document.objects.count() == 0
    assert stored_files(documents_dir) == []


def test_a_file_over_ten_megabytes_is_refused(personas, followed, documents_dir):
    big = pdf_bytes()[:-6] + b" " * (10 * 1024 * 1024) + b"%%EOF\n"
    with pytest.raises(DomainError, match="dépasse la taille maximale de 10 Mo"):
        add(followed, personas.worker, big, "gros.pdf")
    assert Document.objects.count() == 0
    assert stored_files(documents_dir) == []


def test_the_size_limit_is_a_setting(settings, personas, followed):
    settings.PARCOURS_DOCUMENT_MAX_BYTES = 200
    with pytest.raises(DomainError, match="taille maximale"):
        add(followed, personas.worker)


def test_an_empty_file_is_refused(personas, followed):
    with pytest.raises(DomainError, match="vide"):
        add(followed, personas.worker, b"", "vide.pdf")


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system32\\piece.pdf", "piece.pdf"),
        ("/tmp/absolu.pdf", "absolu.pdf"),  # noqa: S108
        ("\u202efdp.exe", "fdp.exe.pdf"),  # a right-to-left override that would show "exe.pdf"
        ("scan", "scan.pdf"),
        (".pdf", "document.pdf"),
        ("récépissé préfecture 2026.PDF", "récépissé préfecture 2026.pdf"),
        ('nul\x00 "guillemets" <balise>;.pdf', "nul _guillemets_ _balise__.pdf"),
        ("x" * 400 + ".pdf", "x" * 120 + ".pdf"),
    ],
)
def test_an_odd_file_name_is_harmless(personas, followed, documents_dir, tmp_path, name, shown):
    document = add(followed, personas.worker, pdf_bytes(), name)
    assert document.original_name == shown
    [path] = stored_files(tmp_path)  # nothing written anywhere else in the temporary tree
    assert path.parent.parent == documents_dir
    assert path.name == document.storage_name


@pytest.mark.parametrize("day", [dt.date(2205, 1, 1), dt.date(1900, 1, 1), dt.date(1989, 12, 31)])
def test_an_implausible_expiry_date_is_refused(personas, followed, documents_dir, day):
    with pytest.raises(DomainError, match="n'est pas plausible"):
        add(followed, personas.worker, expires_on=day)
    assert Document.objects.count() == 0
    assert stored_files(documents_dir) == []


@pytest.mark.parametrize("role", ["volunteer", "intern", "outsider", "secretariat", "agent"])
def test_only_the_associations_staff_may_add_a_document(personas, followed, documents_dir, role):
    with pytest.raises(DomainError, match="Votre rôle ne permet pas"):
        add(followed, getattr(personas, role))
    assert stored_files(documents_dir) == []


def test_a_head_of_service_and_any_worker_of_the_association_may_add(personas, followed, colleague):
    add(followed, personas.head)
    add(followed, colleague)
    assert followed.documents.count() == 2


# --- Deleting -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["worker", "head"])
def test_the_referent_or_the_head_deletes_the_row_and_the_file(
    django_capture_on_commit_callbacks, personas, followed, documents_dir, role
):
    document = add(followed, personas.worker)
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_document(document, getattr(personas, role))
    assert Document.objects.count() == 0
    assert stored_files(documents_dir) == []


def test_a_worker_who_is_not_the_referent_cannot_delete(personas, followed, colleague, documents_dir):
    document = add(followed, personas.worker)
    with pytest.raises(DomainError, match="Seules la référente"):
        services.delete_document(document, colleague)
    assert Document.objects.count() == 1
    assert len(stored_files(documents_dir)) == 1


# --- Pages --------------------------------------------------------------------------------------------
def test_worker_uploads_a_document_through_the_page(client, personas, followed):
    url = reverse("records:documents", args=[followed.pk])
    response = login(client, personas.worker).post(url, {
        "kind": "residence", "title": "Récépissé de demande de titre", "expires_on": "2026-04-20",
        "file": upload(pdf_bytes(), "récépissé.pdf"),
    }, follow=True)  # fmt: skip
    page = response.content.decode()
    assert "Le document est enregistré." in page
    assert "Récépissé de demande de titre" in page
    assert "Titre de séjour, récépissé ou APS" in page
    assert "20 avril 2026" in page
    assert "Expire dans moins de 60 jours" in page
    assert "récépissé.pdf" in page


def test_a_refused_upload_shows_a_french_message_and_saves_nothing(client, personas, followed, documents_dir):
    url = reverse("records:documents", args=[followed.pk])
    response = login(client, personas.worker).post(
        url, {"kind": "identity", "file": upload(ELF, "passeport.pdf")}
    )
    assert response.status_code == 400
    assert "n&#x27;est pas un PDF, une image JPEG ou une image PNG valide" in response.content.decode()
    assert Document.objects.count() == 0
    assert stored_files(documents_dir) == []


def test_the_form_asks_for_a_type_and_a_file(client, personas, followed):
    url = reverse("records:documents", args=[followed.pk])
    page = login(client, personas.worker).post(url, {"title": "Sans fichier"}).content.decode()
    assert "Choisissez le type de document." in page
    assert "Choisissez un fichier à déposer." in page


def test_the_list_highlights_expired_and_soon_expiring_documents(client, personas, followed):
    add(followed, personas.worker, kind="passport", title="Passeport", expires_on=dt.date(2026, 1, 31))
    add(followed, personas.worker, kind="residence", title="APS", expires_on=dt.date(2026, 5, 8))
    add(followed, personas.worker, kind="identity", title="Carte", expires_on=dt.date(2030, 1, 1))
    page = (
        login(client, personas.worker).get(reverse("records:documents", args=[followed.pk])).content.decode()
    )
    assert page.count("Expiré<") == 1
    assert page.count("Expire dans moins de 60 jours") == 1


def test_the_download_serves_the_file_as_an_attachment_with_its_checked_type(client, personas, followed):
    content = image_bytes("PNG")
    document = add(followed, personas.worker, content, "scan d'identité.png")
    response = login(client, personas.worker).get(reverse("records:document_download", args=[document.pk]))
    assert response.status_code == 200
    assert response.content == content
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "scan" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]


def test_the_head_of_service_and_a_colleague_may_download(client, personas, followed, colleague):
    document = add(followed, personas.worker)
    url = reverse("records:document_download", args=[document.pk])
    assert login(client, personas.head).get(url).status_code == 200
    assert login(client, colleague).get(url).status_code == 200


@pytest.mark.parametrize(("role", "status"), [
    ("outsider", 404), ("volunteer", 404), ("intern", 404), ("secretariat", 403), ("agent", 403),
    ("member", 403), ("national", 403),
])  # fmt: skip
def test_the_file_is_not_reachable_without_permission(client, personas, followed, role, status):
    document = add(followed, personas.worker)
    client = login(client, getattr(personas, role))
    assert client.get(reverse("records:document_download", args=[document.pk])).status_code == status
    assert client.get(reverse("records:documents", args=[followed.pk])).status_code == status


def test_an_anonymous_visitor_is_sent_to_login(client, personas, followed):
    document = add(followed, personas.worker)
    response = client.get(reverse("records:document_download", args=[document.pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_stored_file_cannot_be_reached_through_static_urls(client, personas, followed):
    document = add(followed, personas.worker)
    for url in (f"/static/documents/{document.storage_name[:2]}/{document.storage_name}",
                f"/media/{document.storage_name}", f"/documents/{document.storage_name}"):  # fmt: skip
        assert login(client, personas.worker).get(url).status_code == 404


def test_deleting_through_the_page_by_a_non_referent_is_refused(client, personas, followed, colleague):
    document = add(followed, personas.worker)
    page = login(client, colleague).get(reverse("records:documents", args=[followed.pk])).content.decode()
    assert reverse("records:document_delete", args=[document.pk]) not in page
    response = client.get(reverse("records:document_delete", args=[document.pk]), follow=True)
    assert "Seules la référente" in response.content.decode()
    response = client.post(reverse("records:document_delete", args=[document.pk]), follow=True)
    assert "Seules la référente" in response.content.decode()
    assert Document.objects.filter(pk=document.pk).exists()


def test_the_referent_confirms_then_deletes_through_the_page(
    client, django_capture_on_commit_callbacks, personas, followed, documents_dir
):
    document = add(followed, personas.worker, title="Ancienne attestation")
    client = login(client, personas.worker)
    page = client.get(reverse("records:documents", args=[followed.pk])).content.decode()
    confirm_url = reverse("records:document_delete", args=[document.pk])
    assert confirm_url in page
    page = client.get(confirm_url).content.decode()  # asking is not deleting
    assert "Ancienne attestation" in page and "sera supprimé définitivement" in page
    assert Document.objects.filter(pk=document.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm_url, follow=True)
    assert "Le document est supprimé." in response.content.decode()
    assert not Document.objects.filter(pk=document.pk).exists()
    assert stored_files(documents_dir) == []


# --- Deadlines and the synthesis ----------------------------------------------------------------------
def test_due_items_list_documents_expiring_within_sixty_days_or_expired(personas, followed):
    add(followed, personas.worker, kind="residence", title="APS", expires_on=dt.date(2026, 5, 9))
    add(followed, personas.worker, kind="passport", title="Passeport", expires_on=dt.date(2026, 2, 1))
    add(followed, personas.worker, kind="medical", title="Certificat", expires_on=dt.date(2026, 5, 10))
    add(followed, personas.worker, kind="identity", title="Carte", expires_on=dt.date(2030, 1, 1))
    items = deadlines.due_items(personas.worker, TODAY)
    assert [(i.date, i.overdue) for i in items] == [(dt.date(2026, 2, 1), True), (dt.date(2026, 5, 9), False)]
    assert items[0].label == "Passeport expiré : Passeport"
    assert items[1].url == reverse("records:documents", args=[followed.pk])
    assert items[1].person == followed


def test_a_renewed_document_takes_the_old_one_off_the_list(personas, followed):
    add(followed, personas.worker, kind="residence", title="Ancienne APS", expires_on=dt.date(2026, 3, 1))
    add(followed, personas.worker, kind="residence", title="Nouvelle APS", expires_on=dt.date(2026, 9, 1))
    assert deadlines.due_items(personas.worker, TODAY) == []


def test_the_todo_section_lists_the_due_documents(personas, followed):
    from django.template.loader import render_to_string

    add(followed, personas.worker, kind="residence", title="APS", expires_on=dt.date(2026, 4, 1))
    html = render_to_string(
        "records/todo_section.html", {"items": deadlines.due_items(personas.worker, TODAY)}
    )
    assert "Documents à renouveler" in html and followed.reference in html
    assert "Titre de séjour, récépissé ou APS expire : APS" in html and "expire le 1er avril 2026" in html
    assert "Aucun document" in render_to_string("records/todo_section.html", {"items": []})


@pytest.mark.parametrize("role", ["outsider", "volunteer", "secretariat", "agent"])
def test_due_items_show_nothing_to_those_who_may_not_see_the_file(personas, followed, role):
    add(followed, personas.worker, kind="residence", title="APS", expires_on=dt.date(2026, 4, 1))
    assert deadlines.due_items(getattr(personas, role), TODAY) == []


def synthesis_block(membership, person):
    """The block as the synthesis page renders it (desk/person_held.py)."""
    from django.template.loader import render_to_string

    from parcours.records.summary import person_summary

    summary = person_summary(membership, person, TODAY)
    return render_to_string("records/person_summary.html", {"person": person, "summary": summary})


def test_the_synthesis_block_shows_expiring_documents_and_the_life_story_date(personas, followed):
    add(followed, personas.worker, kind="residence", title="APS", expires_on=dt.date(2026, 4, 1))
    services.save_life_story(followed, personas.worker, "Récit fictif.", based_on=0)
    html = synthesis_block(personas.worker, followed)
    assert "APS" in html and "expire le 1er avril 2026" in html
    assert "Récit de vie : version 1 du 10 mars 2026." in html
    assert reverse("records:life_story", args=[followed.pk]) in html
    assert synthesis_block(personas.secretariat, followed).strip() == ""


def test_the_synthesis_block_tells_a_colleague_the_life_story_is_restricted(personas, followed, colleague):
    html = synthesis_block(colleague, followed)
    assert "réservé à la référente et à la cheffe de service" in html
    assert reverse("records:life_story", args=[followed.pk]) not in html


# --- The access journal -------------------------------------------------------------------------------
def journal():
    from parcours.audit.models import AccessLog

    rows = AccessLog.objects.exclude(action="login").order_by("seq")
    return list(rows.values_list("action", "object_type", "object_id", "outcome"))


def test_each_download_and_each_refusal_is_journalled_without_a_name(client, personas, followed):
    from parcours.audit.models import AccessLog

    document = add(followed, personas.worker, name="passeport Amarachi.pdf")
    login(client, personas.worker).get(reverse("records:document_download", args=[document.pk]))
    login(client, personas.outsider).get(reverse("records:document_download", args=[document.pk]))
    assert journal() == [
        ("create", "document", str(document.pk), "allowed"),  # the upload, written by the service
        ("download", "document", str(document.pk), "allowed"),
        ("denied", "page", "", "denied"),
    ]
    assert AccessLog.objects.get(action="download").person_id == followed.pk
    assert AccessLog.objects.get(action="denied").person_id == followed.pk  # the refusal names her too
    assert not AccessLog.objects.filter(path__icontains="Amarachi").exists()
