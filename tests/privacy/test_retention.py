"""Closed files are archived after N months without activity, then anonymised M years later; archived files
leave the caseload and can no longer be changed."""

import datetime as dt

import pytest
from django.urls import reverse

from parcours.audit.models import AccessLog
from parcours.core import clock
from parcours.core.errors import DomainError
from parcours.core.management.commands.enqueue_daily_tasks import DAILY_TASKS
from parcours.followup import services as followup
from parcours.people.models import Person
from parcours.privacy import retention

from ..conftest import pathway_in_state

CREATED = dt.date(2024, 3, 15)


@pytest.fixture
def quiet(personas):
    """A person with no pathway and nothing in her file since 15 March 2024."""
    with clock.travel_to(CREATED):
        return personas.person()


def run_on(day):
    with clock.travel_to(day):
        return retention.apply_retention()


def test_a_quiet_file_is_archived_on_the_day_the_delay_ends_and_not_the_day_before(quiet):
    assert run_on(dt.date(2026, 3, 14))["archived"] == 0
    quiet.refresh_from_db()
    assert quiet.archived_on is None
    assert run_on(dt.date(2026, 3, 15))["archived"] == 1
    quiet.refresh_from_db()
    assert quiet.archived_on == dt.date(2026, 3, 15)


def test_the_delay_follows_the_setting(quiet, settings):
    settings.PARCOURS_ARCHIVE_AFTER_MONTHS = 6
    assert run_on(dt.date(2024, 9, 14))["archived"] == 0
    assert run_on(dt.date(2024, 9, 15))["archived"] == 1


def test_a_setting_out_of_the_allowed_range_is_refused_with_a_french_message(quiet, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.PARCOURS_ARCHIVE_AFTER_MONTHS = 240
    with pytest.raises(ImproperlyConfigured, match="compris entre 6 et 60"):
        run_on(dt.date(2026, 3, 15))


def test_a_new_note_pushes_the_archiving_back(personas, quiet):
    with clock.travel_to(dt.date(2025, 1, 10)):
        followup.add_note(
            quiet, personas.worker, domain="health", held_on=dt.date(2025, 1, 10), text="Fictif"
        )
    assert run_on(dt.date(2026, 3, 15))["archived"] == 0
    assert run_on(dt.date(2027, 1, 9))["archived"] == 0
    assert run_on(dt.date(2027, 1, 10))["archived"] == 1


def test_a_person_in_a_pathway_is_never_archived(personas):
    pathway = pathway_in_state(personas, "active")
    assert run_on(dt.date(2030, 1, 1))["archived"] == 0
    assert Person.objects.get(pk=pathway.person_id).archived_on is None


def test_an_exited_pathway_counts_from_its_exit(personas):
    with clock.travel_to(dt.date(2025, 1, 6)):
        person = personas.person()
    pathway = pathway_in_state(personas, "exited", person=person)  # exit on 20 March 2025
    assert run_on(dt.date(2027, 3, 19))["archived"] == 0
    assert run_on(dt.date(2027, 3, 20))["archived"] == 1
    assert Person.objects.get(pk=pathway.person_id).archived_on == dt.date(2027, 3, 20)


def test_anonymisation_comes_the_set_number_of_years_after_archiving(quiet):
    run_on(dt.date(2026, 3, 15))
    assert run_on(dt.date(2031, 3, 14))["anonymised"] == 0
    assert run_on(dt.date(2031, 3, 15))["anonymised"] == 1
    quiet.refresh_from_db()
    assert quiet.anonymised_on == dt.date(2031, 3, 15)
    assert quiet.first_name == "" and quiet.last_name == ""


def test_the_job_is_idempotent_and_journals_each_change_once(quiet):
    run_on(dt.date(2026, 3, 15))
    assert run_on(dt.date(2026, 3, 15)) == {"archived": 0, "anonymised": 0, "failed": 0}
    run_on(dt.date(2031, 3, 15))
    assert run_on(dt.date(2031, 3, 16)) == {"archived": 0, "anonymised": 0, "failed": 0}
    rows = AccessLog.objects.filter(person_id=quiet.pk, role="system")
    assert sorted(rows.values_list("object_type", flat=True)) == ["person_anonymise", "person_archive"]


def test_the_job_is_one_of_the_daily_tasks():
    assert "parcours.privacy.tasks.retention_task" in DAILY_TASKS


def test_an_archived_file_leaves_the_caseload_and_the_head_finds_it_in_the_archives(client, personas, quiet):
    run_on(dt.date(2026, 3, 15))
    client.force_login(personas.head.user)
    caseload = client.get(reverse("people:caseload")).content.decode()
    assert quiet.full_name not in caseload
    assert "Dossiers archivés" in caseload
    archives = client.get(reverse("privacy:archives")).content.decode()
    assert quiet.full_name in archives


def test_an_archived_file_cannot_be_changed(personas, quiet):
    run_on(dt.date(2026, 3, 15))
    quiet.refresh_from_db()
    with clock.travel_to(dt.date(2026, 3, 16)), pytest.raises(DomainError, match="archivé"):
        followup.add_note(
            quiet, personas.worker, domain="health", held_on=dt.date(2026, 3, 16), text="Fictif"
        )
    quiet.phone = "06 00 00 00 00"
    with pytest.raises(DomainError, match="archivé"):
        quiet.save()


def test_an_edit_page_refuses_with_a_message_on_an_archived_file(client, personas, quiet):
    run_on(dt.date(2026, 3, 15))
    client.force_login(personas.worker.user)
    with clock.travel_to(dt.date(2026, 3, 16)):
        response = client.post(
            reverse("people:other_name_add", args=[quiet.pk]), {"name": "Nom fictif"}, follow=True
        )
    assert "archivé" in response.content.decode()
    assert not quiet.other_names.exists()


def test_the_head_reactivates_an_archived_file(client, personas, quiet):
    run_on(dt.date(2026, 3, 15))
    client.force_login(personas.head.user)
    response = client.post(reverse("privacy:reactivate", args=[quiet.pk]), follow=True)
    assert "réactivé" in response.content.decode()
    quiet.refresh_from_db()
    assert quiet.archived_on is None
