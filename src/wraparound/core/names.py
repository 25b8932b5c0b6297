"""The one way names are cleaned, so ingest, linkage and search agree on what a name is.

"Łukasz Nowak" on a GP record and "Lukasz Nowak" typed by a nurse must be the same words to
linkage (which compares them) and to search (which looks them up), or a practitioner cannot find
the person linkage built. So both call ``clean_name`` / ``name_parts`` here.

Folding: lower case, accents dropped by Unicode decomposition (é -> e, ą -> a), and the letters
decomposition leaves alone spelled as English keyboards write them (ł -> l, ø -> o, ß -> ss,
æ -> ae). Hyphens, spaces and other marks separate parts ("Mary-Jane" -> "mary jane");
apostrophes join them ("O'Brien" -> "obrien"), as partners type either way.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache

# Letters NFKD does not decompose into a base letter plus accents.
_NOT_DECOMPOSED = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ß": "ss",
        "ẞ": "ss",
        "æ": "ae",
        "œ": "oe",
        "ı": "i",
        "ħ": "h",
    }
)
_APOSTROPHES = re.compile(r"['\u2018\u2019`\u02bc]")
_NOT_LETTERS = re.compile(r"[^a-z]+")


def fold(text: str) -> str:
    """Lower-case ASCII letters for every letter we can spell in ASCII; other marks kept."""
    lowered = text.lower().translate(_NOT_DECOMPOSED)
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(
        _NOT_DECOMPOSED
    )


def name_parts(value: object) -> list[str]:
    """The words of a name, folded: "Łukasz O'Brien-Smith" -> ["lukasz", "obrien", "smith"]."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    return list(_parts(str(value)))


@lru_cache(maxsize=262_144)
def _parts(text: str) -> tuple[str, ...]:
    """Cached: a million people share far fewer names, and search indexes every one of them."""
    folded = _APOSTROPHES.sub("", fold(text))
    return tuple(part for part in _NOT_LETTERS.split(folded) if part)


def clean_name(value: object) -> str | None:
    """A name's folded words joined by single spaces; None when nothing is left."""
    return " ".join(name_parts(value)) or None
