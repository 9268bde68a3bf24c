"""Accent- and case-insensitive name search, done in Python over the caseload the user may see.

Names are going to be encrypted at rest (they cannot be searched in SQL then); an association's caseload
is a few hundred to a few thousand files, which Python filters in milliseconds.
"""

import unicodedata


def normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().replace("-", " ")


def matches(person, query: str) -> bool:
    words = normalise(query).split()
    haystack = normalise(f"{person.first_name} {person.last_name} {person.alias}")
    return all(word in haystack for word in words)
