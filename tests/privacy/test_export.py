"""Right of access: the export holds everything from every app, and the journal rows about the person."""

import json

from django.urls import reverse

from parcours.audit.models import AccessLog

from ..tools import pdf_text
from .conftest import CANARIES


def export_json(client, membership, person):
    client.force_login(membership.user)
    response = client.get(reverse("privacy:export_json", args=[person.pk]))
    assert response.status_code == 200
    return response, json.loads(response.content)


def test_the_json_holds_data_of_every_app_and_the_sensitive_note(client, personas, full_file):
    person = full_file.person
    client.force_login(personas.head.user)
    client.get(reverse("people:person", args=[person.pk]))  # a read, to find in the journal
    response, data = export_json(client, personas.head, person)
    assert response["Content-Disposition"].startswith(f'attachment; filename="donnees-{person.reference}-')
    assert data["personne"]["first_name"] == CANARIES["first_name"]
    text = json.dumps(data, ensure_ascii=False)
    for marker in ("other_name", "note", "story", "action", "place", "referral", "document", "afis"):
        assert CANARIES[marker] in text, marker
    sections = data["donnees"]
    for key in ("people.othername", "people.consent", "followup.note", "followup.actionitem",
                "followup.appointment", "followup.referral", "records.document", "records.lifestory",
                "pathway.pathway", "rights.afisfile"):  # fmt: skip
        assert key in sections, key
    pathway = sections["pathway.pathway"]["lignes"][0]
    assert {"pathway.pathwayrequest", "pathway.exit", "pathway.event"} <= set(pathway["liees"])
    request = pathway["liees"]["pathway.pathwayrequest"]["lignes"][0]
    assert {"pathway.avis", "pathway.decision", "pathway.period"} <= set(request["liees"])
    actions = [row["action"] for row in data["journal_des_acces"]]
    assert "read" in actions


def test_the_export_is_journalled(client, personas, full_file):
    export_json(client, personas.worker, full_file.person)  # the worker is her referent
    row = AccessLog.objects.filter(person_id=full_file.person.pk).first()
    assert (row.action, row.object_type, row.user_id) == ("export", "person_export", personas.worker.user_id)


def test_a_colleague_who_is_not_her_referent_cannot_export(client, personas, full_file):
    from tests.factories import MembershipFactory

    colleague = MembershipFactory(organisation=personas.association, role="social_worker")
    client.force_login(colleague.user)
    response = client.get(reverse("privacy:export_json", args=[full_file.person.pk]), follow=True)
    assert "Seules la référente" in response.content.decode()
    assert response.headers["Content-Type"].startswith("text/html")
    assert AccessLog.objects.filter(person_id=full_file.person.pk, action="denied").exists()


def test_the_pdf_is_a_pdf_with_accented_text(client, personas, full_file):
    client.force_login(personas.head.user)
    response = client.get(reverse("privacy:export_pdf", args=[full_file.person.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    assert full_file.person.reference in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "Données personnelles détenues par Parcours" in text
    assert CANARIES["first_name"] in text
    assert "Récit du canari" in text
