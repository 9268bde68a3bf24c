"""`manage.py provision`: a dry run says what it would do and writes nothing; --wet-run applies the file in
one transaction through the services (journaled) and sends the invitations; a bad file changes nothing."""

import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from parcours.accounts.models import Invitation, Organisation
from parcours.audit.models import AccessLog

pytestmark = pytest.mark.django_db

FILE = """
[[organisations]]
kind = "association"
name = "Association Démo-Provision"
departement = "34"
siret = "12345678901234"
approval_number = "AGR-34-2025-01"
approval_start = 2025-01-15
departements_served = ["30"]

[[organisations]]
kind = "commission"
name = "Commission départementale Démo-34"
departement = "34"

[[invitations]]
organisation = "Association Démo-Provision"
email = "demo-cheffe@example.org"
role = "head_of_service"

[[invitations]]
organisation = "Commission départementale Démo-34"
email = "demo-secretariat@example.org"
role = "secretariat"
"""


def run(tmp_path, text, *args):
    path = tmp_path / "provision.toml"
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "provision", str(path), "--url", "https://parcours.example.org", *args, stdout=out, stderr=err
    )
    return out.getvalue()


def test_the_dry_run_says_what_it_would_do_and_writes_nothing(tmp_path):
    journal = AccessLog.objects.count()
    out = run(tmp_path, FILE)
    assert "[simulation] Créerait l'organisation « Association Démo-Provision »" in out
    assert "Inviterait demo-cheffe@example.org comme « head_of_service »" in out
    assert "rien n'est enregistré" in out
    assert not Organisation.objects.filter(name="Association Démo-Provision").exists()
    assert not Invitation.objects.exists() and mail.outbox == []
    assert AccessLog.objects.count() == journal


def test_the_wet_run_applies_the_file_journals_and_mails_and_a_second_run_changes_nothing(tmp_path):
    run(tmp_path, FILE, "--wet-run")
    org = Organisation.objects.get(name="Association Démo-Provision")
    assert (org.siret, org.approval_number, str(org.approval_start)) == ("12345678901234", "AGR-34-2025-01",
                                                                         "2025-01-15")  # fmt: skip
    assert sorted(org.departements_served.values_list("code", flat=True)) == ["30", "34"]
    assert sorted(Invitation.objects.values_list("email", "role")) == [
        ("demo-cheffe@example.org", "head_of_service"),
        ("demo-secretariat@example.org", "secretariat"),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == ["demo-cheffe@example.org", "demo-secretariat@example.org"]
    assert "https://parcours.example.org/invitation/" in mail.outbox[0].body
    events = sorted(AccessLog.objects.exclude(event="").values_list("event", "role"))
    assert events == [("invitation.send", "system")] * 2 + [("organisation.create", "system")] * 2
    again = run(tmp_path, FILE, "--wet-run")
    assert "déjà en attente" in again
    assert (
        Invitation.objects.count() == 2 and Organisation.objects.filter(name__contains="Démo-").count() == 2
    )


def test_a_role_the_kind_cannot_hold_stops_the_whole_file_and_is_journaled(tmp_path):
    bad = FILE.replace('role = "secretariat"', 'role = "social_worker"')
    with pytest.raises(CommandError, match="rien n'est enregistré"):
        run(tmp_path, bad, "--wet-run")
    assert not Organisation.objects.filter(name__contains="Démo-").exists()
    assert not Invitation.objects.exists() and mail.outbox == []
    assert list(AccessLog.objects.values_list("outcome", "object_type")) == [("denied", "provision")]
