"""Postcodes, one way for everyone: ingest, linkage, search and neighbourhoods all use this.

A team covers districts (``WV10``) or sectors (``WV10 6``); a person is in the team's
neighbourhood when their postcode falls in one of them. Partners write postcodes every way
("wv106qh", "WV10  6QH", "wv 10 6qh"), so everything is normalised to upper case with one space
before the inward code, and ingest flags a postcode that cannot be one (``problem``) so that
linkage never compares a typing slip such as "N/A" or "LS17 7D?".
"""

import re

_FULL = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
_SECTOR = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9])$")
# Any country's postcode: letters and digits (a space or dash between), with at least one digit.
# Public test data (FEBRL) carries Australian postcodes such as 4350: they still link.
_ANY_POSTCODE = re.compile(r"^(?=.*[0-9])[A-Z0-9]{2,8}([ -][A-Z0-9]{1,4})?$")
# A full UK postcode already written the way ``normalise`` writes it: most of what partners send.
_WRITTEN_AS_STORED = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}")
_SPACES = re.compile(r"\s+")


def normalise(raw: str | None) -> str:
    """``wv106qh`` -> ``WV10 6QH``; anything that is not a full UK postcode comes back
    upper-cased with its spaces run together into one."""
    if raw and _WRITTEN_AS_STORED.fullmatch(raw):
        return raw  # runs for every ingested row: skip the work when there is none to do
    text = _SPACES.sub(" ", (raw or "").strip().upper())
    match = _FULL.match(text.replace(" ", ""))
    if match:
        return f"{match.group(1)} {match.group(2)}"
    return text


def is_full(postcode: str) -> bool:
    """Whether ``postcode`` is a whole UK postcode (``LS17 7DF``), written any way."""
    return bool(_FULL.match(re.sub(r"\s+", "", (postcode or "").upper())))


def problem(raw: str | None) -> str:
    """Why a postcode as sent cannot be used ("" when it can, or when there is none).

    Only text that cannot be any postcode is refused ("N/A", "unknown", "LS17 7D?"): a partial
    UK postcode or another country's still says where someone lives, so linkage may use it.
    """
    if raw and _WRITTEN_AS_STORED.fullmatch(raw):
        return ""
    text = normalise(raw)
    if not text or _ANY_POSTCODE.match(text):
        return ""
    return "not a valid postcode"


def normalise_area(raw: str) -> str | None:
    """A district (``WV10``) or sector (``WV10 6``) as a team lists it, or None if neither."""
    text = re.sub(r"\s+", " ", (raw or "").strip().upper())
    if _DISTRICT.match(text):
        return text
    match = _SECTOR.match(text)
    if match:
        return f"{match.group(1)} {match.group(2)}"
    return None


def district(postcode: str) -> str:
    """The outward code of a postcode (``WV10 6QH`` -> ``WV10``); '' when it has none."""
    full = normalise(postcode)
    return full.split(" ")[0] if is_full(full) else ""


def in_area(postcode: str, area: str) -> bool:
    """Whether a postcode lies in a district or sector."""
    full = normalise(postcode)
    if not is_full(full):
        return False
    outward, inward = full.split(" ", 1)
    if " " in area:
        a_out, a_sector = area.split(" ", 1)
        return outward == a_out and inward.startswith(a_sector)
    return outward == area


def in_neighbourhood(postcode: str, areas: list[str]) -> bool:
    return any(in_area(postcode, area) for area in areas)
