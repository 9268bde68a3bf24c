"""Reading what a template and a module ask to translate, and what a catalogue answers, without gettext's
programs: the messages are extracted as `makemessages` does (Django's `templatize` for templates, then the
gettext calls read as Python tokens; Python's own parser for modules), the .po files are read by the small
reader below, and the compiled .mo files by the standard library's `gettext`.

An entry is keyed (context, msgid, msgid_plural): the key gettext itself uses.
"""

from __future__ import annotations

import ast
import dataclasses
import gettext
import io
import tokenize
from pathlib import Path

from django.template import loader
from django.template.loader_tags import ExtendsNode, IncludeNode
from django.utils.translation.template import templatize

Key = tuple[str, str, str]  # (msgctxt, msgid, msgid_plural); "" when absent

# gettext functions and the position of their arguments: (context, singular, plural).
FUNCTIONS = {
    "gettext": (None, 0, None), "gettext_lazy": (None, 0, None), "_": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "pgettext": (0, 1, None), "pgettext_lazy": (0, 1, None),
    "ngettext": (None, 0, 1), "ngettext_lazy": (None, 0, 1),
    "npgettext": (0, 1, 2), "npgettext_lazy": (0, 1, 2),
}  # fmt: skip


def template_files(name: str) -> list[Path]:
    """The template `name` and every template it extends or includes (constant names), once each."""
    seen: list[Path] = []

    def walk(template_name: str) -> None:
        template = loader.get_template(template_name).template
        path = Path(template.origin.name)
        if path in seen:
            return
        seen.append(path)
        for node in template.nodelist.get_nodes_by_type(ExtendsNode):
            walk(node.parent_name.var)
        for node in template.nodelist.get_nodes_by_type(IncludeNode):
            walk(node.template.var)

    walk(name)
    return seen


def _literal(tokens: list[str]) -> str:
    return "".join(ast.literal_eval(t) for t in tokens)


def _calls(source: str, where: str) -> set[Key]:
    """The gettext calls of Python-like source (templatize's output): names followed by literal arguments."""
    keys: set[Key] = set()
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline)
              if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT)]  # fmt: skip
    for i, token in enumerate(tokens):
        if token.type != tokenize.NAME or token.string not in FUNCTIONS or tokens[i + 1].string != "(":
            continue
        args: list[list[str]] = [[]]
        j = i + 2
        while tokens[j].string != ")":
            if tokens[j].string == ",":
                args.append([])
            elif tokens[j].type == tokenize.STRING:
                args[-1].append(tokens[j].string)
            else:
                args[-1].append(None)
            j += 1
        keys.add(_key(token.string, [a if None not in a else None for a in args], where))
    return keys


def _key(function: str, args: list, where: str) -> Key:
    context, singular, plural = FUNCTIONS[function]

    def text(position):
        if position is None:
            return ""
        if position >= len(args) or not args[position]:
            raise AssertionError(f"{where}: {function}() sans texte littéral en argument {position + 1}")
        return _literal(args[position])

    return text(context), text(singular), text(plural)


def template_messages(path: Path) -> set[Key]:
    source = path.read_text(encoding="utf-8")
    return _calls(templatize(source, origin=str(path)), str(path))


def module_messages(path: Path) -> set[Key]:
    """gettext calls of a Python module; a call whose text is not a literal fails (xgettext would miss it)."""
    keys: set[Key] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in FUNCTIONS:
            continue
        args = [
            [repr(a.value)] if isinstance(a, ast.Constant) and isinstance(a.value, str) else None
            for a in node.args
        ]
        keys.add(_key(name, args, f"{path}:{node.lineno}"))
    return keys


# --- .po files ---------------------------------------------------------------------------------------------
@dataclasses.dataclass
class Entry:
    context: str = ""
    msgid: str = ""
    plural: str = ""
    strings: dict[int, str] = dataclasses.field(default_factory=dict)  # msgstr, or msgstr[n]
    fuzzy: bool = False
    obsolete: bool = False

    @property
    def key(self) -> Key:
        return self.context, self.msgid, self.plural

    @property
    def translated(self) -> bool:
        return bool(self.strings) and all(self.strings.values()) and not self.fuzzy and not self.obsolete


def read_po(path: Path) -> tuple[dict[str, str], dict[Key, Entry]]:
    """(header fields, entries by key) of a .po file."""
    entries: list[Entry] = []
    current, field = Entry(), None

    def close():
        nonlocal current
        if current.msgid or current.strings:
            entries.append(current)
        current = Entry()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            close()
            field = None
            continue
        if line.startswith("#~"):
            current.obsolete = True
            continue
        if line.startswith("#,"):
            current.fuzzy = "fuzzy" in [f.strip() for f in line[2:].split(",")]
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            value = ast.literal_eval(line)
        else:
            if keyword == "msgctxt" and (current.msgid or current.strings):
                close()
            field, value = keyword, ast.literal_eval(rest)
        if field == "msgctxt":
            current.context += value
        elif field == "msgid":
            current.msgid += value
        elif field == "msgid_plural":
            current.plural += value
        elif field == "msgstr":
            current.strings[0] = current.strings.get(0, "") + value
        elif field and field.startswith("msgstr["):
            n = int(field[7:-1])
            current.strings[n] = current.strings.get(n, "") + value
        else:
            raise AssertionError(f"{path}: ligne illisible {raw!r}")
    close()
    header = next((e for e in entries if e.msgid == "" and not e.context), None)
    fields = {}
    if header is not None:
        for line in header.strings.get(0, "").splitlines():
            name, _, value = line.partition(":")
            fields[name.strip()] = value.strip()
    return fields, {e.key: e for e in entries if e.msgid}


def read_mo(path: Path) -> dict:
    """The catalogue of a compiled .mo file as the standard library reads it."""
    with path.open("rb") as f:
        return dict(gettext.GNUTranslations(f)._catalog)


def po_as_catalogue(entries: dict[Key, Entry]) -> dict:
    """What msgfmt puts in the .mo for these entries (translated, non-fuzzy ones), in the same shape."""
    catalogue = {}
    for entry in entries.values():
        if not entry.translated:
            continue
        msgid = f"{entry.context}\x04{entry.msgid}" if entry.context else entry.msgid
        if entry.plural:
            for n, text in entry.strings.items():
                catalogue[(msgid, n)] = text
        else:
            catalogue[msgid] = entry.strings[0]
    return catalogue
