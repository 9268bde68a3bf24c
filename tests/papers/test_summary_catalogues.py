"""The catalogues of the person's summary are complete (docs/decisions/0041): every message of the paper's
template (and of the templates it extends or includes) and of papers/summary.py has, in each of the six
languages, a translation that is not empty, not fuzzy, and keeps the message's placeholders; the committed
.mo files are the compilation of the .po files.

The messages are extracted from the templates and the module themselves (tests/papers/catalogues.py, as
`makemessages` does), never from the catalogues: a string added to the template without its six
translations fails here, with the msgctxt/msgid to add.
"""

import re
from pathlib import Path

import pytest

from parcours.papers import summary

from .catalogues import module_messages, po_as_catalogue, read_mo, read_po, template_files, template_messages

LOCALE = Path(summary.__file__).parent / "locale"
# The six languages besides French (the source), as the catalogues' directories name them.
LOCALES = ["en", "es", "pt", "ro", "bg", "zh_Hans"]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def paper_messages(template: str = summary.TEMPLATE) -> set:
    keys = set()
    for path in template_files(template):
        keys |= template_messages(path)
    return keys | module_messages(Path(summary.__file__))


def problems(locale_dir: Path, wanted: set) -> list[str]:
    """What is wrong with the catalogue of `locale_dir` for the messages `wanted` (nothing: an empty list)."""
    _, entries = read_po(locale_dir / "LC_MESSAGES" / "django.po")
    found = []
    for key in sorted(wanted):
        entry = entries.get(key)
        context, msgid, _ = key
        if entry is None:
            found.append(f"manque : msgctxt {context!r} msgid {msgid!r}")
        elif not entry.translated:
            found.append(f"non traduit ou approximatif (fuzzy) : {msgid!r}")
        else:
            for text in entry.strings.values():
                if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(msgid)):
                    found.append(f"variables différentes : {msgid!r} → {text!r}")
    found += [f"plus utilisé : {key[1]!r}" for key in sorted(set(entries) - wanted)]
    return found


def test_every_message_of_the_paper_is_in_context_and_the_languages_match_the_catalogues():
    keys = paper_messages()
    assert len(keys) > 40  # the extraction found the template's messages (and not nothing)
    assert {context for context, _, _ in keys} == {summary.CONTEXT}
    codes = {code.replace("-hans", "_Hans") for code in summary.LANGUAGES} - {summary.SOURCE_LANGUAGE}
    assert sorted(codes) == sorted(LOCALES)
    assert sorted(p.name for p in LOCALE.iterdir() if p.is_dir()) == sorted(LOCALES)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_catalogue_translates_every_message_of_the_paper(locale):
    assert problems(LOCALE / locale, paper_messages()) == []


@pytest.mark.parametrize("locale", LOCALES)
def test_the_compiled_catalogue_is_the_po_file(locale):
    """The .mo files are committed (docs/decisions/0041): a .po edited without `compilemessages` fails."""
    directory = LOCALE / locale / "LC_MESSAGES"
    header, entries = read_po(directory / "django.po")
    assert header["Language"] == locale and header["Content-Type"] == "text/plain; charset=UTF-8"
    compiled = {k: v for k, v in read_mo(directory / "django.mo").items() if k != ""}
    assert compiled == po_as_catalogue(entries)


def test_a_string_added_to_the_template_without_translations_is_reported(tmp_path, settings):
    """The check above can fail: a copy of the template with one more message, and one whose translation is
    marked fuzzy, are reported for every language."""
    source = (Path(summary.__file__).parent / "templates" / summary.TEMPLATE).read_text(encoding="utf-8")
    added = '<p>{% translate "Une phrase nouvelle sans traduction." context "person summary" %}</p>'
    (tmp_path / "papers").mkdir()
    (tmp_path / "papers" / "copie.html").write_text(source.replace("</h1>", "</h1>" + added))
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    wanted = paper_messages("papers/copie.html")
    for locale in LOCALES:
        assert problems(LOCALE / locale, wanted) == [
            "manque : msgctxt 'person summary' msgid 'Une phrase nouvelle sans traduction.'"
        ]
    fuzzy = tmp_path / "fr_FUZZY" / "LC_MESSAGES"
    fuzzy.mkdir(parents=True)
    po = (LOCALE / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    marked = po.replace(
        'msgctxt "person summary"\nmsgid "Vos droits"',
        '#, fuzzy\nmsgctxt "person summary"\nmsgid "Vos droits"',
    )
    assert marked != po
    (fuzzy / "django.po").write_text(marked, encoding="utf-8")
    assert problems(fuzzy.parent, paper_messages()) == ["non traduit ou approximatif (fuzzy) : 'Vos droits'"]


def test_a_message_built_from_a_variable_cannot_be_extracted_and_is_refused(tmp_path):
    module = tmp_path / "module.py"
    module.write_text(
        'from django.utils.translation import pgettext\nCTX = "x"\nLABEL = pgettext(CTX, "Texte")\n'
    )
    with pytest.raises(AssertionError, match="sans texte littéral"):
        module_messages(module)
