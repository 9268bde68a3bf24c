"""The import template: one row per person, with her pathway history in optional columns
(docs/import.md, docs/decisions/0051-import.md), and the check of each row against the référentiels.

A row is checked by the same rules as the pages: the person's file by people.services.file_problems, the
départements served by the association, duplicates by people.search.DuplicateIndex (the check of the
« nouvelle personne » page), the pathway history by pathway.transitions.history_problem (the 24-month cap
of pathway/rules.py). Messages are in French and never repeat a value of the file (the report is kept).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from parcours.core import clock, crypto
from parcours.core.models import Departement
from parcours.pathway import rules
from parcours.pathway.transitions import history_problem
from parcours.people.models import Gender
from parcours.people.search import DuplicateIndex, normalise
from parcours.people.services import file_problems

from .reading import Formula, Table


@dataclass(frozen=True)
class Column:
    name: str
    label: object
    required: bool
    help: object
    example: str


COLUMNS = (
    Column("reference_externe", gettext_lazy("Référence de la personne dans votre tableau"), True,
           gettext_lazy("Identifiant unique dans votre association (numéro de dossier, 1 à 100 caractères). "
                        "Un second import de la même référence ne change rien."), "DOS-0042"),
    Column("prenom", gettext_lazy("Prénom"), True, gettext_lazy("Obligatoire."), "Amina"),
    Column("nom", gettext_lazy("Nom"), True, gettext_lazy("Obligatoire."), "Fictive"),
    Column("date_naissance", gettext_lazy("Date de naissance"), False,
           gettext_lazy("JJ/MM/AAAA (ou une cellule de type date)."), "05/03/1990"),
    Column("genre", gettext_lazy("Genre"), False,
           gettext_lazy("femme, homme, femme trans, homme trans, non binaire ou non précisé (par défaut)."),
           "femme"),
    Column("nationalite", gettext_lazy("Nationalité"), False,
           gettext_lazy("Code ISO à 2 lettres (NG, RO, CN, FR…) ou nom du pays en français."), "NG"),
    Column("departement", gettext_lazy("Département de résidence"), True,
           gettext_lazy("Code du département (30, 13, 2A, 971…), l'un de ceux où l'association intervient."),
           "30"),
    Column("telephone", gettext_lazy("Téléphone"), False,
           gettext_lazy("Chiffres, espaces, points ; un « + » initial suivi de chiffres est accepté."),
           "06 00 00 00 00"),
    Column("enfants_a_charge", gettext_lazy("Enfants à charge"), False,
           gettext_lazy("Nombre entier, 0 par défaut."), "1"),
    Column("debut_parcours", gettext_lazy("Début du parcours de sortie"), False,
           gettext_lazy("JJ/MM/AAAA : début de la première période autorisée par le préfet. Vide : aucun "
                        "parcours."), "01/09/2025"),
    Column("renouvellements", gettext_lazy("Renouvellements autorisés"), False,
           gettext_lazy("0 à 3 : chaque période dure 6 mois, dans la limite de 24 mois."), "0"),
    Column("date_sortie", gettext_lazy("Date de sortie du parcours"), False,
           gettext_lazy("JJ/MM/AAAA, si la personne est sortie du parcours."), ""),
    Column("motif_sortie", gettext_lazy("Motif de sortie"), False,
           gettext_lazy("achevé, retrait, départ, perte de contact, décès, fin anticipée ou autre."), ""),
)  # fmt: skip
NAMES = [c.name for c in COLUMNS]
REQUIRED = {c.name for c in COLUMNS if c.required}

GENDERS = {"femme": Gender.WOMAN, "homme": Gender.MAN, "femme trans": Gender.TRANS_WOMAN,
           "homme trans": Gender.TRANS_MAN, "non binaire": Gender.NON_BINARY,
           "non precise": Gender.UNDISCLOSED, **{g.value: g for g in Gender}}  # fmt: skip
EXIT_REASONS = {"acheve": rules.ExitReason.COMPLETED, "retrait": rules.ExitReason.WITHDRAWN,
                "depart": rules.ExitReason.MOVED, "perte de contact": rules.ExitReason.LOST_CONTACT,
                "deces": rules.ExitReason.DEATH, "fin anticipee": rules.ExitReason.ENDED_EARLY,
                "autre": rules.ExitReason.OTHER, **{r.value: r for r in rules.ExitReason}}  # fmt: skip
FORMULA_START = ("=", "+", "-", "@")
PLUS_PHONE = re.compile(r"^\+[0-9][0-9 .]*$")
MAX_TEXT = 100
MAX_RENEWALS = 3


def letter(index: int) -> str:
    """Spreadsheet column letter of a 0-based index: 0 → A, 26 → AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def header_key(text: str) -> str:
    return "_".join(normalise(text).split())


def _country_names() -> dict[str, str]:
    with translation.override("fr"):
        names = {normalise(name): code for code, name in countries}
    names.update({normalise(code): code for code, _name in countries})
    return names


@dataclass
class Row:
    line: int
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (letter, column, message)
    values: dict = field(default_factory=dict)
    key: str = ""
    known: bool = False

    @property
    def valid(self) -> bool:
        return not self.errors


class HeaderRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def row_key(association_id: int, reference: str) -> str:
    """The natural key of a row: a keyed hash of the association and its external reference."""
    return crypto.blind_index(str(association_id), " ".join(reference.split()).casefold(), bits=256)


def check_header(table: Table) -> dict[str, int]:
    """{column name: index}; raises HeaderRefused on an unknown, repeated or missing column."""
    positions: dict[str, int] = {}
    for index, text in enumerate(table.header):
        key = header_key(text)
        if not key:
            continue
        if key not in NAMES:
            raise HeaderRefused(
                _(
                    "Colonne %(letter)s : « %(name)s » n'est pas une colonne du modèle. "
                    "Les colonnes attendues "
                    "sont : %(names)s."
                )
                % {"letter": letter(index), "name": text[:40], "names": ", ".join(NAMES)}
            )
        if key in positions:
            raise HeaderRefused(_("La colonne « %(name)s » figure deux fois.") % {"name": key})
        positions[key] = index
    missing = [n for n in NAMES if n in REQUIRED and n not in positions]
    if missing:
        raise HeaderRefused(_("Colonne obligatoire absente : %(names)s.") % {"names": ", ".join(missing)})
    return positions


MSG_FORMULA = gettext_lazy(
    "Formule refusée : la cellule commence par « = », « + », « - » ou « @ ». Saisissez la valeur elle-même "
    "(aucune formule n'est jamais calculée)."
)
MSG_REQUIRED = gettext_lazy("Champ obligatoire vide.")
MSG_DATE = gettext_lazy("Date au mauvais format : attendu JJ/MM/AAAA (par exemple 05/03/1990).")
MSG_NATIONALITY = gettext_lazy(
    "Nationalité inconnue : indiquez le code ISO à 2 lettres (NG, RO, CN…) ou le nom du pays en français."
)
MSG_DEPARTEMENT = gettext_lazy("Département inconnu : indiquez son code (30, 13, 2A, 971…).")
MSG_NOT_SERVED = gettext_lazy("L'association n'intervient pas dans ce département.")
MSG_DUPLICATE = gettext_lazy(
    "Doublon : l'association suit déjà une personne née le même jour sous un nom proche."
)
MSG_DUPLICATE_IN_FILE = gettext_lazy("Doublon : même personne qu'à la ligne %(line)s du fichier.")
MSG_REFERENCE_TWICE = gettext_lazy("Référence déjà utilisée à la ligne %(line)s du fichier.")
MSG_INTEGER = gettext_lazy("Nombre entier attendu.")
MSG_TOO_LONG = gettext_lazy("Texte trop long : %(max)s caractères au plus.")
MSG_GENDER = gettext_lazy(
    "Genre inconnu : femme, homme, femme trans, homme trans, non binaire ou non précisé."
)
MSG_EXIT_REASON = gettext_lazy(
    "Motif de sortie inconnu : achevé, retrait, départ, perte de contact, décès, fin anticipée ou autre."
)
MSG_HISTORY_NEEDS_START = gettext_lazy("Indiquez le début du parcours pour renseigner son historique.")
MSG_RENEWALS = gettext_lazy("Entre 0 et 3 renouvellements.")
MSG_EXIT_BEFORE = gettext_lazy("La date de sortie précède le début du parcours.")
MSG_EXIT_FUTURE = gettext_lazy("La date de sortie ne peut pas être dans le futur.")
MSG_EXIT_REASON_MISSING = gettext_lazy("Indiquez le motif de sortie.")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return " ".join(str(value).split())


def _date(value) -> dt.date:
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            day = dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a calendar day, no time)
        except ValueError:
            continue
        if fmt == "%d/%m/%Y" and not re.fullmatch(r"\d{2}/\d{2}/\d{4}", text):
            continue
        return day
    raise ValueError(text)


def _integer(value) -> int:
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _text(value)
    if not re.fullmatch(r"\d{1,4}", text):
        raise ValueError(text)
    return int(text)


class Checker:
    """Checks the rows of one file for one association, remembering what earlier rows claimed."""

    def __init__(self, association, people, known_keys: set[str], today: dt.date | None = None):
        self.association = association
        self.today = today or clock.today()
        self.departements = set(Departement.objects.values_list("code", flat=True))
        self.served = set(association.departements_served.values_list("code", flat=True))
        self.countries = _country_names()
        self.duplicates = DuplicateIndex(people)
        self.known_keys = known_keys
        self.references: dict[str, int] = {}

    def check(self, line: int, cells: list, positions: dict[str, int]) -> Row:
        row = Row(line)
        raw: dict[str, object] = {}
        for name, index in positions.items():
            value = cells[index] if index < len(cells) else None
            if isinstance(value, Formula) or (
                isinstance(value, str) and value.strip().startswith(FORMULA_START)
                and not (name == "telephone" and PLUS_PHONE.match(value.strip()))
            ):  # fmt: skip
                row.errors.append((letter(index), name, str(MSG_FORMULA)))
                continue
            raw[name] = value

        def fail(name: str, message) -> None:
            row.errors.append((letter(positions[name]), name, str(message)))

        def text(name: str) -> str:
            value = _text(raw.get(name))
            if name in REQUIRED and not value and name in raw:
                fail(name, MSG_REQUIRED)
            elif len(value) > MAX_TEXT:
                fail(name, MSG_TOO_LONG % {"max": MAX_TEXT})
                return ""
            return value

        def date(name: str) -> dt.date | None:
            if name not in raw or _text(raw[name]) == "":
                return None
            try:
                return _date(raw[name])
            except ValueError:
                fail(name, MSG_DATE)
                return None

        def integer(name: str) -> int | None:
            if name not in raw or _text(raw[name]) == "":
                return None
            try:
                return _integer(raw[name])
            except ValueError:
                fail(name, MSG_INTEGER)
                return None

        values = row.values
        reference = text("reference_externe")
        values["first_name"] = text("prenom")
        values["last_name"] = text("nom")
        values["birth_date"] = date("date_naissance")
        gender = normalise(_text(raw.get("genre")))
        if gender:
            if gender not in GENDERS:
                fail("genre", MSG_GENDER)
            values["gender"] = GENDERS.get(gender, Gender.UNDISCLOSED)
        nationality = normalise(_text(raw.get("nationalite")))
        if nationality:
            if nationality not in self.countries:
                fail("nationalite", MSG_NATIONALITY)
            values["nationality"] = self.countries.get(nationality, "")
        departement = _text(raw.get("departement")).upper()
        if departement.isdigit() and len(departement) == 1:
            departement = "0" + departement
        if departement and departement not in self.departements:
            fail("departement", MSG_DEPARTEMENT)
        elif departement and departement not in self.served:
            fail("departement", MSG_NOT_SERVED)
        elif not departement and "departement" in raw:
            fail("departement", MSG_REQUIRED)
        values["departement_id"] = departement
        values["phone"] = text("telephone") if "telephone" in positions else ""
        children = integer("enfants_a_charge")
        values["dependent_children"] = children or 0

        # The person's file, by the rules of the « nouvelle personne » page.
        fields = {"first_name": "prenom", "last_name": "nom", "birth_date": "date_naissance",
                  "phone": "telephone", "dependent_children": "enfants_a_charge"}  # fmt: skip
        reported = {name for _l, name, _m in row.errors}
        for problem_field, message in file_problems(values, self.today).items():
            column = fields.get(problem_field)
            if column in positions and column not in reported:
                fail(column, message)

        # The pathway history.
        start = date("debut_parcours")
        renewals = integer("renouvellements")
        exit_date = date("date_sortie")
        reason = normalise(_text(raw.get("motif_sortie")))
        reported = {name for _l, name, _m in row.errors}
        if start is None and "debut_parcours" not in reported and (renewals or exit_date or reason):
            fail("debut_parcours", MSG_HISTORY_NEEDS_START)
        if renewals is not None and not 0 <= renewals <= MAX_RENEWALS and start is None:
            fail("renouvellements", MSG_RENEWALS)
        if start is not None:
            problem = history_problem(start, renewals or 0, self.today)
            if problem:
                fail("renouvellements" if renewals and "plafond" in problem else "debut_parcours", problem)
            if exit_date is not None and exit_date < start:
                fail("date_sortie", MSG_EXIT_BEFORE)
            elif exit_date is not None and exit_date > self.today:
                fail("date_sortie", MSG_EXIT_FUTURE)
        if reason and reason not in EXIT_REASONS:
            fail("motif_sortie", MSG_EXIT_REASON)
        elif exit_date is not None and not reason and "motif_sortie" in positions:
            fail("motif_sortie", MSG_EXIT_REASON_MISSING)
        values["history"] = (start, renewals or 0, exit_date, EXIT_REASONS.get(reason, "")) if start else None

        # Idempotency and duplicates.
        if reference:
            row.key = row_key(self.association.pk, reference)
            if row.key in self.references:
                fail("reference_externe", MSG_REFERENCE_TWICE % {"line": self.references[row.key]})
            else:
                self.references[row.key] = line
            row.known = row.key in self.known_keys
        if not row.known and not row.errors:
            matches = self.duplicates.matches(values["first_name"], values["last_name"], values["birth_date"])
            if matches:
                first = matches[0]
                column = "nom"
                if isinstance(first, int):
                    fail(column, MSG_DUPLICATE_IN_FILE % {"line": first})
                else:
                    fail(column, MSG_DUPLICATE)
            else:
                self.duplicates.add(line, values["first_name"], values["last_name"], values["birth_date"])
        return row
