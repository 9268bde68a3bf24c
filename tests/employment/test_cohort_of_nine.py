"""Done-when of issue 12: a cohort of nine carried through the steps with the seed's outcomes (the temp-work
programme of the Bouches-du-Rhône): nine informed and coached, a job-dating with eight temp agencies where
two are hired at once and seven go to a training; two drop out of it; four are employed after it and one
waits for a mission; one of the two hired at once, her mission over, waits for the next. Six people have been
employed in all, two wait for a mission. The programme page and its XLSX, ODS and CSV exports show exactly
those figures (read back with openpyxl and odfpy)."""

from __future__ import annotations

import datetime as dt
import html
import io
import re

import pytest
from django.urls import reverse
from odf.opendocument import load
from odf.table import Table, TableCell, TableRow
from openpyxl import load_workbook

from parcours.core import clock
from parcours.employment import services

D = dt.date

# The page's figures, literal (label, people): an independent oracle of what a user reads.
OUTCOMES = [
    ("Embauchée d'emblée", 2),
    ("Entrée en formation", 7),
    ("Abandon", 2),
    ("En emploi", 4),
    ("En attente de mission", 2),
    ("En emploi au total (embauchées d'emblée ou en emploi)", 6),
]
# (step, done, in progress, absent)
STEPS = [
    ("1. Réunion d'information", 9, 0, 0),
    ("2. Coaching", 9, 0, 0),
    ("3. Job-dating", 9, 0, 0),
    ("4. Formation", 5, 0, 2),
    ("5. Mise à l'emploi", 5, 0, 0),
    ("6. Suivi dans l'emploi", 6, 0, 0),
]


@pytest.fixture
def programme(personas, agencies):
    w = personas.worker
    people = [personas.person(first_name=f"Prénom{n}", last_name=f"Démo-Neuf{n}") for n in range(9)]
    with clock.travel_to(D(2026, 1, 26)):
        programme = services.create_programme(
            w, name="Pour un nouveau départ", directory_entries=agencies[:2]
        )
        cohort = services.create_cohort(programme, w, label="Promotion de février", starts_on=D(2026, 2, 2))
        for p in people:
            services.enrol(cohort, w, p)
        info = services.add_step(cohort, w, kind="information", starts_on=D(2026, 2, 2))
        coaching = services.add_step(cohort, w, kind="coaching", starts_on=D(2026, 2, 9))
        dating = services.add_step(
            cohort, w, kind="job_dating", starts_on=D(2026, 2, 16), employers=agencies, interviews=18
        )
        training = services.add_step(
            cohort, w, kind="training", starts_on=D(2026, 3, 2), ends_on=D(2026, 5, 15)
        )
        placement = services.add_step(cohort, w, kind="placement", starts_on=D(2026, 5, 18))
        follow_up = services.add_step(cohort, w, kind="follow_up", starts_on=D(2026, 6, 15))
    hired, trainees = people[:2], people[2:]
    dropped, completed = trainees[:2], trainees[2:]
    employed, waiting = completed[:4], completed[4]
    with clock.travel_to(D(2026, 2, 16)):
        for step in (info, coaching, dating):
            for p in people:
                services.set_step_status(step, w, p, "done")
        for p in hired:
            services.record_outcome(
                dating,
                w,
                p,
                kind="hired_at_once",
                on=D(2026, 2, 16),
                contract="temp_mission",
                weekly_hours=35,
            )
        for p in trainees:
            services.record_outcome(dating, w, p, kind="in_training", on=D(2026, 2, 16))
    with clock.travel_to(D(2026, 5, 15)):
        for p in completed:
            services.set_step_status(training, w, p, "done")
        for n, p in enumerate(dropped):
            services.set_step_status(training, w, p, "absent")
            services.record_outcome(
                training, w, p, kind="dropped_out", on=D(2026, 3, 20 + n), reason="Motif fictif d'abandon"
            )
    with clock.travel_to(D(2026, 5, 25)):
        for p in completed:
            services.set_step_status(placement, w, p, "done")
        for p, contract in zip(
            employed, ("temp_mission", "fixed_term", "permanent", "subsidised"), strict=True
        ):
            services.record_outcome(
                placement,
                w,
                p,
                kind="employed",
                on=D(2026, 5, 25),
                contract=contract,
                weekly_hours=35 if contract != "subsidised" else 26,
            )
        services.record_outcome(placement, w, waiting, kind="waiting", on=D(2026, 5, 25))
    with clock.travel_to(D(2026, 6, 15)):
        for p in [*hired, *employed]:
            services.set_step_status(follow_up, w, p, "done")
        services.record_outcome(follow_up, w, hired[0], kind="waiting", on=D(2026, 6, 15))
    return programme


def cells(fragment: str) -> list[str]:
    found = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", fragment, flags=re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in found]


def rows_of(page: str, caption: str) -> list[list[str]]:
    table = re.search(r"<caption>" + re.escape(caption) + r".*?</caption>(.*?)</table>", page, flags=re.S)
    assert table, caption
    return [cells(r) for r in re.findall(r"<tr>(.*?)</tr>", table.group(1), flags=re.S)]


@pytest.mark.django_db
def test_the_programme_page_shows_the_cohort_of_nine_exactly(client, personas, programme):
    client.force_login(personas.worker.user)
    with clock.travel_to(D(2026, 7, 1)):
        page = client.get(reverse("employment:programme", args=[programme.pk])).content.decode()
    assert "9 participantes" in page
    steps = rows_of(page, "Étapes — Promotion de février")[1:]
    assert [(r[0], int(r[2]), int(r[3]), int(r[4])) for r in steps] == STEPS
    assert steps[2][5] == "8 employeurs ou agences, 18 entretiens"
    outcomes = rows_of(page, "Issues — Promotion de février")[1:]
    assert [(label, int(n)) for label, n in outcomes] == OUTCOMES


def expected_export_rows():
    return [
        ("Programme", "Pour un nouveau départ"),
        ("Promotion", "Promotion de février"),
        ("Participantes", 9),
    ]


@pytest.mark.django_db
def test_the_xlsx_and_ods_exports_show_the_same_figures(client, personas, programme):
    client.force_login(personas.worker.user)
    with clock.travel_to(D(2026, 7, 1)):
        xlsx = client.get(reverse("employment:programme_export", args=[programme.pk, "xlsx"]))
        ods = client.get(reverse("employment:programme_export", args=[programme.pk, "ods"]))
        csv = client.get(reverse("employment:programme_export", args=[programme.pk, "csv"]))
    assert xlsx["Content-Disposition"] == f'attachment; filename="programme-{programme.pk}.xlsx"'

    book = load_workbook(io.BytesIO(b"".join(xlsx)))
    assert book.sheetnames == ["Promotion de février"]
    rows = [r for r in book.worksheets[0].iter_rows(values_only=True)]
    by_label = {r[0]: r for r in rows if r and r[0]}
    assert by_label["Participantes"][1] == 9
    assert [(by_label[s][3], by_label[s][4], by_label[s][5]) for s, *_ in STEPS] == [
        tuple(x[1:]) for x in STEPS
    ]
    assert by_label["3. Job-dating"][6] == 18
    assert len(by_label["3. Job-dating"][7].split(", ")) == 8
    assert [(label, by_label[label][1]) for label, _n in OUTCOMES] == OUTCOMES

    document = load(io.BytesIO(b"".join(ods)))
    table = document.spreadsheet.getElementsByType(Table)[0]
    ods_rows = [[str(c) for c in r.getElementsByType(TableCell)] for r in table.getElementsByType(TableRow)]
    ods_by_label = {r[0]: r for r in ods_rows if r and r[0]}
    assert ods_by_label["Participantes"][1] == "9"
    assert [tuple(int(x) for x in ods_by_label[s][3:6]) for s, *_ in STEPS] == [tuple(x[1:]) for x in STEPS]
    assert [(label, int(ods_by_label[label][1])) for label, _n in OUTCOMES] == OUTCOMES

    text = b"".join(csv).decode("utf-8")
    assert "En emploi au total (embauchées d'emblée ou en emploi);6" in text
    assert "Démo-Neuf" not in text  # figures only, never a name


@pytest.mark.django_db
def test_an_unknown_export_format_is_a_404(client, personas, programme):
    client.force_login(personas.worker.user)
    assert client.get(reverse("employment:programme_export", args=[programme.pk, "pdf"])).status_code == 404
