"""pathway.transitions.record_history: an earlier pathway taken over by the import (decision 0051)."""

import datetime as dt

import pytest

from parcours.audit.models import AccessLog
from parcours.core.errors import DomainError
from parcours.pathway import transitions
from parcours.pathway.models import Decision, Event, Pathway, PathwayRequest, Period


@pytest.mark.django_db
def test_the_periods_follow_the_rules_and_the_exit_closes_the_last(personas):
    person = personas.person()
    pathway = transitions.record_history(person, personas.head, dt.date(2024, 1, 31), 2,
                                         dt.date(2025, 3, 15), "withdrawn")  # fmt: skip
    periods = list(
        Period.objects.filter(pathway=pathway).values_list("number", "start", "end", "planned_end")
    )
    # 6 months each from 31 January (art. 641 CPC: the day before the same date, or the month's last day).
    assert periods == [
        (1, dt.date(2024, 1, 31), dt.date(2024, 7, 30), None),
        (2, dt.date(2024, 7, 31), dt.date(2025, 1, 30), None),
        (3, dt.date(2025, 1, 31), dt.date(2025, 3, 15), dt.date(2025, 7, 30)),
    ]
    assert Pathway.objects.get().status == "exited"
    assert list(PathwayRequest.objects.order_by("pk").values_list("kind", "status")) == [
        ("entry", "authorised"), ("renewal", "authorised"), ("renewal", "authorised")]  # fmt: skip
    assert Decision.objects.filter(decided_by=personas.head.user).count() == 3
    assert Event.objects.filter(action="import_history").count() == 3
    assert AccessLog.objects.filter(event="pathway.import", person_id=person.pk).count() == 1
    assert AccessLog.objects.filter(event="pathway.exit", person_id=person.pk).count() == 1


def refusal(*args) -> str:
    with pytest.raises(DomainError) as caught:
        transitions.record_history(*args)
    return caught.value.message


@pytest.mark.django_db
def test_refusals_write_nothing(personas):
    person = personas.person()
    assert refusal(person, personas.worker, dt.date(2025, 1, 1)) == "Votre rôle ne permet pas cette action."
    assert refusal(person, personas.head, dt.date(2022, 1, 1), 4) == (
        "4 renouvellement(s) donnent 30 mois de parcours : au-delà du plafond de 24 mois."
    )
    assert refusal(person, personas.head, dt.date(2016, 10, 29)) == (
        "Le parcours de sortie n'existe que depuis le 30 octobre 2016."
    )
    assert refusal(person, personas.head, dt.date(2026, 6, 2)) == (
        "Le début du parcours ne peut pas être dans le futur."
    )
    assert refusal(person, personas.head, dt.date(2026, 3, 1), 1) == (
        "Le dernier renouvellement commencerait le 1er septembre 2026, après aujourd'hui."
    )
    transitions.record_history(person, personas.head, dt.date(2025, 1, 1))
    assert refusal(person, personas.head, dt.date(2025, 1, 1)) == "La personne a déjà un parcours en cours."
    assert Pathway.objects.count() == 1 and Period.objects.count() == 1
