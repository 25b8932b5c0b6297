"""Finding a person the way a practitioner types: "bob smith 3/3/42", "943 476 5919", "WV10".

Search must stay an indexed lookup at a million people, whatever the query, so every person
has a handful of tokens in ``PersonSearchIndex`` (see its docstring) built from the person's
cached summary *and* every linked source record (an old surname or an earlier address still
finds them). A query is read into criteria (an NHS Number, a date of birth, a year, a
postcode, district or sector, name words); each criterion is one indexed lookup, the criteria
are intersected, and people are ranked by how exactly they matched.

This module finds person ids only; what may be *shown* about them is the gate's decision
(``governance.access.search_people``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import transaction

from wraparound.core import names, nhs_number, postcodes
from wraparound.core.bulk import insert_rows
from wraparound.core.nicknames import NICKNAMES
from wraparound.governance.models import PersonSearchIndex
from wraparound.identity.models import Person
from wraparound.sources.models import SourceRecord

EXACT, CLOSE, SOUNDS_LIKE = 3, 2, 1
# Scores are read only for the people matching every criterion, when they are this few or fewer.
NARROW_BELOW = 5000
# People indexed per round trip: fewer, larger queries when ``link`` refreshes many people.
INDEX_CHUNK = 2000

# --- normalising ---------------------------------------------------------------------------


def name_parts(raw: str) -> list[str]:
    """Name words as linkage cleans them ("Łukasz O'Brien-Smith" -> lukasz, obrien, smith)."""
    return names.name_parts(raw)


_SOUNDEX = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}


@lru_cache(maxsize=65_536)
def soundex(word: str) -> str:
    """American Soundex ("smith", "smyth", "smtih" -> S530): catches most typing slips."""
    if not word:
        return ""
    first = word[0].upper()
    digits = []
    previous = _SOUNDEX.get(word[0], "")
    for char in word[1:]:
        code = _SOUNDEX.get(char, "")
        if code and code != previous:
            digits.append(code)
        if char not in "hw":
            previous = code
    return (first + "".join(digits) + "000")[:4]


# --- building the index --------------------------------------------------------------------


def tokens_for(
    *,
    given_names: Iterable[str],
    family_names: Iterable[str],
    dates_of_birth: Iterable[dt.date | None],
    postcodes_: Iterable[str],
    nhs_numbers: Iterable[str],
) -> set[str]:
    """Every search token for one person from all the ways partners record them."""
    tokens: set[str] = set()
    for raw in list(given_names) + list(family_names):
        for part in name_parts(raw):
            tokens.add(f"n:{part}"[:64])
            if len(part) > 1:
                tokens.add(f"s:{soundex(part)}")
            if len(part) >= 4:
                tokens.add(f"n4:{part[:4]}")
    for raw in given_names:
        for part in name_parts(raw):
            for canonical in NICKNAMES.get(part, ()):
                tokens.add(f"k:{canonical}")
    for dob in dates_of_birth:
        if dob:
            tokens.add(f"d:{dob.isoformat()}")
            tokens.add(f"y:{dob.year}")
    for raw in postcodes_:
        code = postcodes.normalise(raw)
        if " " in code:
            tokens.add(f"p:{code}")
            outward, inward = code.split(" ", 1)
            tokens.add(f"pd:{outward}")
            tokens.add(f"ps:{outward} {inward[0]}")
    for raw in nhs_numbers:
        number = nhs_number.normalise(raw)
        if len(number) == 10 and number.isdigit():
            tokens.add(f"h:{number}")
    return tokens


def _people_tokens(person_ids: list[int]) -> dict[int, set[str]]:
    people = {
        p["id"]: p
        for p in Person.objects.filter(id__in=person_ids, retired=False).values(
            "id", "given_name", "family_name", "date_of_birth", "postcode", "nhs_number"
        )
    }
    records: dict[int, list[dict]] = {pid: [] for pid in people}
    for rec in SourceRecord.objects.filter(link__person_id__in=person_ids).values(
        "link__person_id", "given_name", "family_name", "date_of_birth", "postcode", "nhs_number"
    ):
        records.setdefault(rec["link__person_id"], []).append(rec)
    out = {}
    for pid, person in people.items():
        rows = [person, *records.get(pid, [])]
        out[pid] = tokens_for(
            given_names=[r["given_name"] for r in rows],
            family_names=[r["family_name"] for r in rows],
            dates_of_birth=[r["date_of_birth"] for r in rows],
            postcodes_=[r["postcode"] for r in rows],
            nhs_numbers=[r["nhs_number"] for r in rows],
        )
    return out


def index_people(person_ids: Iterable[int]) -> int:
    """Rebuild the search tokens of some people (after linking, a merge or a split).

    Each chunk's tokens are worked out before its short write transaction, so on SQLite the
    write lock is held only to swap rows, and pages keep answering while ``link`` indexes
    thousands of people. Inside a caller's transaction it all commits with the caller's.
    """
    ids = sorted(set(person_ids))
    written = 0
    for start in range(0, len(ids), INDEX_CHUNK):
        chunk = ids[start : start + INDEX_CHUNK]
        rows = [(token, pid) for pid, tokens in _people_tokens(chunk).items() for token in tokens]
        with transaction.atomic():
            PersonSearchIndex.objects.filter(person_id__in=chunk).delete()
            insert_rows(PersonSearchIndex, ["token", "person_id"], rows)
        written += len(rows)
    return written


def rebuild_all(chunk: int = 2000) -> Iterator[int]:
    """Rebuild the whole index, yielding after each chunk of people (for a progress bar)."""
    PersonSearchIndex.objects.all().delete()
    ids = list(Person.objects.filter(retired=False).order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), chunk):
        batch = ids[start : start + chunk]
        with transaction.atomic():
            rows = [
                (token, pid) for pid, tokens in _people_tokens(batch).items() for token in tokens
            ]
            insert_rows(PersonSearchIndex, ["token", "person_id"], rows)
        yield len(batch)


def people_count() -> int:
    return Person.objects.filter(retired=False).count()


# --- reading a query -----------------------------------------------------------------------

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}

_NHS = re.compile(r"(?<!\d)(\d{3})[\s-]*(\d{3})[\s-]*(\d{4})(?!\d)")
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})(?!\d)")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_WORD_DATE = re.compile(
    r"(?<!\w)(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]+)\.?,?\s+(\d{4})(?!\d)", re.I
)
_US_WORD_DATE = re.compile(
    r"(?<!\w)([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?!\d)", re.I
)
_COMPACT_DATE = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{4})(?!\d)")
_FULL_POSTCODE = re.compile(
    r"(?<![A-Z0-9])([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})(?![A-Z0-9])", re.I
)
_SECTOR = re.compile(r"(?<![A-Z0-9])([A-Z]{1,2}[0-9][A-Z0-9]?)\s+([0-9])(?![A-Z0-9])", re.I)
_DISTRICT = re.compile(r"(?<![A-Z0-9])([A-Z]{1,2}[0-9][A-Z0-9]?)(?![A-Z0-9])", re.I)
_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")


@dataclass
class Criterion:
    """One thing the query asked for; a person must satisfy every criterion."""

    label: str
    exact: list[str] = field(default_factory=list)  # tokens, scored EXACT
    close: list[str] = field(default_factory=list)  # tokens, scored CLOSE
    sounds: list[str] = field(default_factory=list)  # tokens, scored SOUNDS_LIKE
    rank: int = 5  # lower runs first (more selective)


@dataclass
class ParsedQuery:
    criteria: list[Criterion]
    ignored: list[str]


def _date(day: int, month: int, year: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _two_digit_year(yy: int, today: dt.date) -> int:
    return 2000 + yy if 2000 + yy <= today.year else 1900 + yy


def parse_query(query: str, today: dt.date | None = None) -> ParsedQuery:
    """Read what a practitioner typed into criteria; what we cannot read is listed, not guessed."""
    today = today or dt.date.today()
    text = " " + (query or "").strip()[:200] + " "
    criteria: list[Criterion] = []

    def take(match: re.Match) -> None:
        nonlocal text
        text = text[: match.start()] + " " + text[match.end() :]

    def add_date(found: dt.date | None) -> None:
        if found:
            criteria.append(
                Criterion(
                    label=f"date of birth {found.day} {found.strftime('%B %Y')}",
                    exact=[f"d:{found.isoformat()}"],
                    rank=1,
                )
            )

    while match := _NHS.search(text):
        number = "".join(match.groups())
        criteria.append(
            Criterion(
                label=f"NHS Number {nhs_number.formatted(number)}", exact=[f"h:{number}"], rank=0
            )
        )
        take(match)
    while match := _ISO_DATE.search(text):
        add_date(_date(int(match.group(3)), int(match.group(2)), int(match.group(1))))
        take(match)
    while match := _NUMERIC_DATE.search(text):
        day, month, year = (int(g) for g in match.groups())
        if len(match.group(3)) == 2:
            year = _two_digit_year(year, today)
        add_date(_date(day, month, year))
        take(match)
    while match := _WORD_DATE.search(text):
        month = MONTHS.get(match.group(2).lower())
        if month is None:
            break
        add_date(_date(int(match.group(1)), month, int(match.group(3))))
        take(match)
    while match := _US_WORD_DATE.search(text):
        month = MONTHS.get(match.group(1).lower())
        if month is None:
            break
        add_date(_date(int(match.group(2)), month, int(match.group(3))))
        take(match)
    while match := _COMPACT_DATE.search(text):
        add_date(_date(int(match.group(1)), int(match.group(2)), int(match.group(3))))
        take(match)
    while match := _FULL_POSTCODE.search(text):
        code = f"{match.group(1).upper()} {match.group(2).upper()}"
        criteria.append(Criterion(label=f"postcode {code}", exact=[f"p:{code}"], rank=1))
        take(match)
    while match := _SECTOR.search(text):
        area = f"{match.group(1).upper()} {match.group(2)}"
        criteria.append(Criterion(label=f"postcode sector {area}", exact=[f"ps:{area}"], rank=3))
        take(match)
    while match := _YEAR.search(text):
        year = match.group(1)
        criteria.append(Criterion(label=f"born in {year}", exact=[f"y:{year}"], rank=3))
        take(match)
    while match := _DISTRICT.search(text):
        area = match.group(1).upper()
        if not any(c.isdigit() for c in area):
            break
        criteria.append(Criterion(label=f"postcode district {area}", exact=[f"pd:{area}"], rank=4))
        take(match)

    ignored: list[str] = []
    for word in text.split():
        parts = name_parts(word)
        if not parts:
            if word.strip(",.;:"):
                ignored.append(word)
            continue
        for part in parts:
            if len(part) < 2:
                ignored.append(part)
                continue
            criterion = Criterion(label=f"name '{part}'", exact=[f"n:{part}"], rank=2)
            canon = NICKNAMES.get(part, frozenset())
            criterion.close = [f"k:{c}" for c in sorted(canon | {part})]
            if canon - {part}:
                criterion.label += f" (also {', '.join(sorted(c.title() for c in canon - {part}))})"
            criterion.sounds = [f"s:{soundex(part)}"]
            if len(part) >= 4:
                criterion.sounds.append(f"n4:{part[:4]}")
            criteria.append(criterion)
    return ParsedQuery(criteria=criteria, ignored=ignored)


# --- finding -------------------------------------------------------------------------------


def _weights(criterion: Criterion) -> dict[str, int]:
    weight: dict[str, int] = {}
    for tokens, score in (
        (criterion.sounds, SOUNDS_LIKE),
        (criterion.close, CLOSE),
        (criterion.exact, EXACT),
    ):
        for token in tokens:
            weight[token] = max(weight.get(token, 0), score)
    return weight


def _scores(criterion: Criterion, among: list[int] | None) -> dict[int, int]:
    """Person id -> best score for one criterion, from one indexed ``token IN (...)`` lookup."""
    weight = _weights(criterion)
    qs = PersonSearchIndex.objects.filter(token__in=list(weight))
    if among is not None:
        qs = qs.filter(person_id__in=among)
    best: dict[int, int] = {}
    for pid, token in qs.values_list("person_id", "token").iterator(chunk_size=5000):
        score = weight[token]
        if best.get(pid, 0) < score:
            best[pid] = score
    return best


def _ids_matching(criterion: Criterion):
    return PersonSearchIndex.objects.filter(token__in=list(_weights(criterion))).values("person_id")


def _single(criterion: Criterion, limit: int) -> tuple[list[int], int]:
    """One criterion ("smith", "WV10"): count in the database, then take the best tiers first.

    Work stays proportional to the page, not to the thousands of people in a district.
    """
    total = _ids_matching(criterion).distinct().count()
    picked: list[int] = []
    for tokens in (criterion.exact, criterion.close, criterion.sounds):
        if len(picked) >= limit or not tokens:
            continue
        qs = (
            PersonSearchIndex.objects.filter(token__in=tokens)
            .exclude(person_id__in=picked)
            .values_list("person_id", flat=True)
            .distinct()
            .order_by("person_id")
        )
        picked.extend(qs[: limit - len(picked)])
    return picked, total


@dataclass(frozen=True)
class Found:
    person_ids: list[int]  # best first, at most ``limit``
    total: int  # how many people matched every criterion
    understood: list[str]  # how the query was read, in words
    ignored: list[str]


def find(query: str, *, limit: int = 25) -> Found:
    """Person ids matching every criterion of the query, best matches first.

    The database intersects the criteria (nested ``person_id IN (...)`` on the index), so only
    people matching everything come back to Python to be ranked.
    """
    parsed = parse_query(query)
    understood = [c.label for c in parsed.criteria]
    criteria = sorted(parsed.criteria, key=lambda c: c.rank)
    if not criteria:
        return Found(person_ids=[], total=0, understood=understood, ignored=parsed.ignored)
    if len(criteria) == 1:
        ids, total = _single(criteria[0], limit)
        return Found(person_ids=ids, total=total, understood=understood, ignored=parsed.ignored)
    matching = _ids_matching(criteria[0])
    for criterion in criteria[1:]:
        matching = PersonSearchIndex.objects.filter(
            token__in=list(_weights(criterion)), person_id__in=matching
        ).values("person_id")
    candidates = sorted(set(matching.values_list("person_id", flat=True)))
    among = candidates if len(candidates) <= NARROW_BELOW else None
    totals = dict.fromkeys(candidates, 0)
    for criterion in criteria:
        if not totals:
            break
        scores = _scores(criterion, among)
        totals = {pid: s + scores[pid] for pid, s in totals.items() if pid in scores}
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return Found(
        person_ids=[pid for pid, _ in ranked[:limit]],
        total=len(ranked),
        understood=understood,
        ignored=parsed.ignored,
    )
