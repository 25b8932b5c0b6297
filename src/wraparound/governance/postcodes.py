"""UK postcodes as neighbourhoods speak of them: full postcodes, districts and sectors.

A team covers districts (``WV10``) or sectors (``WV10 6``); a person is in the team's
neighbourhood when their postcode falls in one of them. Partners write postcodes every way
("wv106qh", "WV10  6QH"), so everything is normalised to upper case with one space before the
inward code.
"""

import re

_FULL = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})$")
_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
_SECTOR = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9])$")


def normalise(raw: str | None) -> str:
    """``wv106qh`` -> ``WV10 6QH``; anything that is not a full postcode comes back upper-cased."""
    text = re.sub(r"\s+", " ", (raw or "").strip().upper())
    match = _FULL.match(text)
    if match:
        return f"{match.group(1)} {match.group(2)}"
    return text


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
    return full.split(" ")[0] if " " in full else ""


def in_area(postcode: str, area: str) -> bool:
    """Whether a postcode lies in a district or sector."""
    full = normalise(postcode)
    if " " not in full:
        return False
    outward, inward = full.split(" ", 1)
    if " " in area:
        a_out, a_sector = area.split(" ", 1)
        return outward == a_out and inward.startswith(a_sector)
    return outward == area


def in_neighbourhood(postcode: str, areas: list[str]) -> bool:
    return any(in_area(postcode, area) for area in areas)
