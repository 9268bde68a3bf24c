"""The export of a programme (parcours.core.spreadsheet): one sheet of figures per cohort, the same numbers as
the programme page (cohort_figures), never a name."""

from __future__ import annotations

from django.utils.translation import gettext as _

from parcours.core.spreadsheet import Sheet

from .cohort_figures import cohort_figures
from .models import Programme


def programme_sheets(programme: Programme) -> list[Sheet]:
    sheets = []
    for cohort in programme.cohorts.all():
        f = cohort_figures(cohort)
        rows = [
            [_("Programme"), programme.name],
            [_("Promotion"), cohort.label],
            [_("Participantes"), f.participants],
            [],
            [
                _("Étape"),
                _("Début"),
                _("Fin"),
                _("Réalisée"),
                _("En cours"),
                _("Absente"),
                _("Entretiens tenus"),
                _("Employeurs et agences présents"),
            ],
        ]
        for s in f.steps:
            rows.append(
                [
                    f"{s.order}. {s.label}",
                    s.starts_on,
                    s.ends_on,
                    s.done,
                    s.in_progress,
                    s.absent,
                    s.interviews,
                    ", ".join(s.employers),
                ]
            )
        rows += [
            [],
            [_("Issue"), _("Personnes")],
            *([label, n] for label, n in f.outcomes),
            [_("En emploi au total (embauchées d'emblée ou en emploi)"), f.employed_total],
        ]
        sheets.append(Sheet(cohort.label[:31], rows))
    if not sheets:
        sheets.append(
            Sheet(programme.name[:31], [[_("Programme"), programme.name], [_("Aucune promotion.")]])
        )
    return sheets
