"""Finding a person the way a practitioner types: "bob smith 3/3/42", "943 476 5919", "WV10".

Search must stay an indexed lookup at a million people, whatever the query, so every person
has a handful of tokens in ``PersonSearchIndex`` (see its docstring) built from the person's
cached summary *and* every linked source record (an old surname or an earlier address still
finds them). A query is read into criteria (an NHS Number, a date of birth, a year, a
postcode, district or sector, name words); each criterion is one indexed lookup, the criteria
are intersected, and people are ranked by how exactly they matched.

Three things keep search from telling a viewer more than the agreement allows:

- each token row carries ``restricted``: "" when a feed anyone may be told about gives it,
  otherwise the sensitive categories of the feeds that alone give it, and a viewer matches
  only tokens their role may know about (``allowed_restrictions``);
- ``cd:``/``cs:`` tokens (district and sector of the current address, never typed in a query)
  and a ``Scope`` keep ``find`` to the people the viewer works with;
- ``strong_matches`` is the only way to anyone else: their NHS Number, or full name with full
  date of birth.

This module finds person ids only; what may be *shown* about them is the gate's decision
(``governance.access.search_people``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q

from wraparound.core import names, nhs_number, postcodes
from wraparound.core.bulk import insert_rows
from wraparound.core.nicknames import NICKNAMES
from wraparound.governance.access.lens import source_categories
from wraparound.governance.agreement import Agreement, current
from wraparound.governance.models import PersonSearchIndex
from wraparound.identity.models import Person
from wraparound.sources.models import SourceRecord

EXACT, CLOSE, SOUNDS_LIKE = 3, 2, 1
# Scores are read only for the people matching every criterion, when they are this few or fewer.
NARROW_BELOW = 5000
# People indexed per round trip: fewer, larger queries when ``link`` refreshes many people.
INDEX_CHUNK = 2000
INDEX_COLUMNS = ["token", "person_id", "restricted"]
# Criteria intersected in one SQL statement; any more are intersected by scoring (``find``)
# or one indexed lookup each (``_holding_all``).
NESTED = 4

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


def current_area_tokens(postcode: str) -> set[str]:
    """District and sector of where the person lives now (the cached summary's postcode).

    No query ever produces these: search asks them only to keep to a team's neighbourhood,
    the same test ``governance.access.relationship`` makes on ``Person.postcode``.
    """
    code = postcodes.normalise(postcode)
    if not postcodes.is_full(code):
        return set()
    outward, inward = code.split(" ", 1)
    return {f"cd:{outward}", f"cs:{outward} {inward[0]}"}


def restriction(agreement: Agreement, partner: str, source_name: str) -> str:
    """What a feed's tokens are restricted to: its categories, sorted and comma-joined ("")."""
    return ",".join(sorted(source_categories(agreement, partner, source_name)))


def allowed_restrictions(sensitive: Iterable[str]) -> tuple[str, ...]:
    """Every restriction a viewer who may see ``sensitive`` may match: "" and each subset.

    Worked out from the role's categories (at most 2**6 strings), so a search never scans the
    index for the restrictions it holds. "unclassified" is in no role's list: fail closed.
    """
    cats = sorted(set(sensitive))
    out = [""]
    for size in range(1, len(cats) + 1):
        out.extend(",".join(combo) for combo in combinations(cats, size))
    return tuple(out)


def _row_tokens(row: dict) -> set[str]:
    return tokens_for(
        given_names=[row["given_name"]],
        family_names=[row["family_name"]],
        dates_of_birth=[row["date_of_birth"]],
        postcodes_=[row["postcode"]],
        nhs_numbers=[row["nhs_number"]],
    )


def _people_tokens(person_ids: list[int]) -> dict[int, dict[str, set[str]]]:
    """Person id -> token -> the restrictions it is held under ("" = anyone may match it).

    A token from any record whose feed reveals nothing sensitive is unrestricted; a token only
    feeds with sensitive involvement give (a surname only the mental health trust holds) is
    restricted to their categories, one row per distinct restriction. The cached summary may
    have come from a sensitive record, so a summary value no record gives is restricted to
    every sensitive category among the person's records (fail closed), and is unrestricted
    only for a person with no records at all.
    """
    agreement = current()
    people = {
        p["id"]: p
        for p in Person.objects.filter(id__in=person_ids, retired=False).values(
            "id", "given_name", "family_name", "date_of_birth", "postcode", "nhs_number"
        )
    }
    records: dict[int, list[dict]] = {pid: [] for pid in people}
    for rec in SourceRecord.objects.filter(link__person_id__in=person_ids).values(
        "link__person_id",
        "given_name",
        "family_name",
        "date_of_birth",
        "postcode",
        "nhs_number",
        "source__partner",
        "source__name",
    ):
        records.setdefault(rec["link__person_id"], []).append(rec)
    out: dict[int, dict[str, set[str]]] = {}
    for pid, person in people.items():
        held: dict[str, set[str]] = {}
        sensitive: set[str] = set()
        for rec in records.get(pid, []):
            limit = restriction(agreement, rec["source__partner"], rec["source__name"])
            if limit:
                sensitive.update(limit.split(","))
            for token in _row_tokens(rec):
                held.setdefault(token, set()).add(limit)
        summary_limit = ",".join(sorted(sensitive))
        for token in _row_tokens(person):
            held.setdefault(token, {summary_limit})
        for token in current_area_tokens(person["postcode"]):
            held[token] = {""}
        out[pid] = {t: ({""} if "" in limits else limits) for t, limits in held.items()}
    return out


def _index_rows(person_ids: list[int]) -> list[tuple[str, int, str]]:
    return [
        (token, pid, limit)
        for pid, tokens in _people_tokens(person_ids).items()
        for token, limits in tokens.items()
        for limit in sorted(limits)
    ]


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
        rows = _index_rows(chunk)
        with transaction.atomic():
            PersonSearchIndex.objects.filter(person_id__in=chunk).delete()
            insert_rows(PersonSearchIndex, INDEX_COLUMNS, rows)
        written += len(rows)
    return written


def rebuild_all(chunk: int = 2000) -> Iterator[int]:
    """Rebuild the whole index, yielding after each chunk of people (for a progress bar)."""
    PersonSearchIndex.objects.all().delete()
    ids = list(Person.objects.filter(retired=False).order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), chunk):
        batch = ids[start : start + chunk]
        with transaction.atomic():
            insert_rows(PersonSearchIndex, INDEX_COLUMNS, _index_rows(batch))
        yield len(batch)
    _refresh_statistics()


def _refresh_statistics() -> None:
    """After the whole index is rewritten, PostgreSQL's planner must learn its new size at
    once: with the statistics of an empty table it nests the search's subqueries over
    hundreds of thousands of rows (a search in CI ran for a quarter of an hour). SQLite plans
    from its indexes and needs nothing."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {PersonSearchIndex._meta.db_table}")


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
    # "nhs" | "dob" | "name" identify a person; "postcode" | "sector" | "district" | "year"
    # only narrow (and are never checked for someone the viewer does not work with).
    kind: str = ""


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
                    kind="dob",
                )
            )

    while match := _NHS.search(text):
        number = "".join(match.groups())
        criteria.append(
            Criterion(
                label=f"NHS Number {nhs_number.formatted(number)}",
                exact=[f"h:{number}"],
                rank=0,
                kind="nhs",
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
        criteria.append(
            Criterion(label=f"postcode {code}", exact=[f"p:{code}"], rank=1, kind="postcode")
        )
        take(match)
    while match := _SECTOR.search(text):
        area = f"{match.group(1).upper()} {match.group(2)}"
        criteria.append(
            Criterion(label=f"postcode sector {area}", exact=[f"ps:{area}"], rank=3, kind="sector")
        )
        take(match)
    while match := _YEAR.search(text):
        year = match.group(1)
        criteria.append(
            Criterion(label=f"born in {year}", exact=[f"y:{year}"], rank=3, kind="year")
        )
        take(match)
    while match := _DISTRICT.search(text):
        area = match.group(1).upper()
        if not any(c.isdigit() for c in area):
            break
        criteria.append(
            Criterion(
                label=f"postcode district {area}", exact=[f"pd:{area}"], rank=4, kind="district"
            )
        )
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
            criterion = Criterion(label=f"name '{part}'", exact=[f"n:{part}"], rank=2, kind="name")
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


@dataclass(frozen=True)
class Scope:
    """The people a viewer works with, as the index can be asked; ``None`` means everyone.

    ``person_ids``: assignments, caseload-list entries and open break-glass grants that count
    for the role; ``area_tokens``: ``cd:``/``cs:`` tokens of the team's neighbourhood (current
    address), when the role counts the neighbourhood. Built by ``relationship._scope``.
    """

    person_ids: frozenset[int]
    area_tokens: tuple[str, ...]


def current_area_token(area: str) -> str:
    """The token of a team's district (``WV10``) or sector (``WV10 6``) for current addresses."""
    return f"cs:{area}" if " " in area else f"cd:{area}"


def _tokens(tokens: Iterable[str], allowed: tuple[str, ...] | None):
    """Index rows holding any of ``tokens`` that this viewer may match on."""
    qs = PersonSearchIndex.objects.filter(token__in=list(tokens))
    return qs if allowed is None else qs.filter(restricted__in=allowed)


def _scoped(matching, scope: Scope | None):
    """``matching`` (a query on the index) cut down to the people in ``scope``.

    The neighbourhood is asked person by person (``EXISTS`` a ``cd:``/``cs:`` token for this
    ``person_id``: seeks on the ``(token, person_id)`` index), never as the whole
    neighbourhood, which may be tens of thousands of people.
    """
    if scope is None:
        return matching
    q = Q(person_id__in=sorted(scope.person_ids))
    if scope.area_tokens:
        q |= Exists(
            PersonSearchIndex.objects.filter(
                person_id=OuterRef("person_id"), token__in=scope.area_tokens
            )
        )
    return matching.filter(q)


def _scores(criterion: Criterion, among: list[int] | None, allowed) -> dict[int, int]:
    """Person id -> best score for one criterion, from one indexed ``token IN (...)`` lookup."""
    weight = _weights(criterion)
    qs = _tokens(weight, allowed)
    if among is not None:
        qs = qs.filter(person_id__in=among)
    best: dict[int, int] = {}
    for pid, token in qs.values_list("person_id", "token").iterator(chunk_size=5000):
        score = weight[token]
        if best.get(pid, 0) < score:
            best[pid] = score
    return best


def _matching_all(token_sets: list[list[str]], allowed, scope: Scope | None = None):
    """Person ids holding a token of every set: nested ``person_id IN (...)`` on the index.

    Only the first ``NESTED`` sets are nested (the most selective: callers sort them), since
    each one is a level of SQL and ten made SQLite's parser overflow; callers check the rest.
    """
    matching = None
    for tokens in token_sets[:NESTED]:
        qs = _tokens(tokens, allowed)
        if matching is not None:
            qs = qs.filter(person_id__in=matching)
        matching = qs.values("person_id")
    return _scoped(matching, scope)


def _single(
    criterion: Criterion, limit: int, allowed, scope: Scope | None
) -> tuple[list[int], int]:
    """One criterion ("smith", "WV10"): count in the database, then take the best tiers first.

    Work stays proportional to the page, not to the thousands of people in a district.
    """
    total = _matching_all([list(_weights(criterion))], allowed, scope).distinct().count()
    picked: list[int] = []
    for tokens in (criterion.exact, criterion.close, criterion.sounds):
        if len(picked) >= limit or not tokens:
            continue
        qs = _scoped(
            _tokens(tokens, allowed).exclude(person_id__in=picked).values("person_id"), scope
        )
        qs = qs.values_list("person_id", flat=True).distinct().order_by("person_id")
        picked.extend(qs[: limit - len(picked)])
    return picked, total


@dataclass(frozen=True)
class Found:
    person_ids: list[int]  # best first, at most ``limit``
    total: int  # how many people matched every criterion
    understood: list[str]  # how the query was read, in words
    ignored: list[str]


def find(
    query: str,
    *,
    limit: int = 25,
    allowed: tuple[str, ...] | None = None,
    scope: Scope | None = None,
) -> Found:
    """Person ids matching every criterion of the query, best matches first.

    The database intersects the criteria (nested ``person_id IN (...)`` on the index), so only
    people matching everything come back to Python to be ranked. ``allowed``: the token
    restrictions the viewer may match (``allowed_restrictions``; None: all). ``scope``: only
    people the viewer works with (None: everyone).
    """
    parsed = parse_query(query)
    understood = list(dict.fromkeys(c.label for c in parsed.criteria))
    criteria = sorted(_distinct(parsed.criteria), key=lambda c: c.rank)
    if not criteria:
        return Found(person_ids=[], total=0, understood=understood, ignored=parsed.ignored)
    if len(criteria) == 1:
        ids, total = _single(criteria[0], limit, allowed, scope)
        return Found(person_ids=ids, total=total, understood=understood, ignored=parsed.ignored)
    matching = _matching_all([list(_weights(c)) for c in criteria], allowed, scope)
    candidates = sorted(set(matching.values_list("person_id", flat=True)))
    among = candidates if len(candidates) <= NARROW_BELOW else None
    totals = dict.fromkeys(candidates, 0)
    for criterion in criteria:
        if not totals:
            break
        scores = _scores(criterion, among, allowed)
        totals = {pid: s + scores[pid] for pid, s in totals.items() if pid in scores}
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return Found(
        person_ids=[pid for pid, _ in ranked[:limit]],
        total=len(ranked),
        understood=understood,
        ignored=parsed.ignored,
    )


def _distinct(criteria: list[Criterion]) -> list[Criterion]:
    """Each criterion once ("smith 1942 smith 1942 ..." asks two things, not forty)."""
    seen: dict[tuple, Criterion] = {}
    for c in criteria:
        seen.setdefault((tuple(c.exact), tuple(c.close), tuple(c.sounds)), c)
    return list(seen.values())


def _holding_all(token_sets: list[list[str]], allowed, cap: int) -> list[int]:
    """At most ``cap`` person ids holding a token of every set (nested SQL for the first few,
    then one indexed lookup per further set among the few people left)."""
    ids = set(_matching_all(token_sets, allowed).values_list("person_id", flat=True)[:cap])
    for tokens in token_sets[NESTED:]:
        if not ids:
            break
        ids = set(
            _tokens(tokens, allowed)
            .filter(person_id__in=sorted(ids))
            .values_list("person_id", flat=True)
        )
    return sorted(ids)


# --- strong identifying matches ------------------------------------------------------------

# Candidates checked for a strong match, at most (a real one is one or two people).
STRONG_CANDIDATES = 200


def strong_matches(query: str, *, allowed: tuple[str, ...] | None, limit: int = 25) -> list[int]:
    """People the query identifies, whoever the viewer is: the rule for listing a stranger.

    Strong means the query's NHS Number is theirs (with any name or date of birth typed
    matching too), or their full name together with their exact date of birth: each name word
    typed matches one of their name words exactly or as a nickname (never by sound or the
    first four letters), covering their family name and first given name, as one record the
    viewer may be told about spells it. Postcode, district, sector and year are not checked:
    confirming where a stranger lives would tell the viewer where they live.
    """
    parsed = parse_query(query)
    by_kind: dict[str, list[Criterion]] = {}
    for criterion in parsed.criteria:
        by_kind.setdefault(criterion.kind, []).append(criterion)
    nhs, dobs = _distinct(by_kind.get("nhs", [])), _distinct(by_kind.get("dob", []))
    words = _distinct(by_kind.get("name", []))
    if nhs:
        sets = [list(_weights(c)) for c in nhs + dobs + words]
        return _holding_all(sets, allowed, STRONG_CANDIDATES)[:limit]
    typed = sorted({c.exact[0][2:] for c in words})
    if len(dobs) != 1 or len(typed) < 2:
        return []
    sets = [dobs[0].exact] + [c.exact + c.close for c in words]
    candidates = _holding_all(sets, allowed, STRONG_CANDIDATES)
    return _full_name_matches(candidates, typed, allowed)[:limit]


def is_identifying(query: str) -> bool:
    """Does the query have the shape of a strong match (an NHS Number, or a date of birth with
    two or more name words)? One that finds no one is a guess at a stranger, and counts so."""
    kinds = [c.kind for c in parse_query(query).criteria]
    return "nhs" in kinds or (kinds.count("dob") == 1 and kinds.count("name") >= 2)


def _same_name(typed: str, part: str) -> bool:
    return typed == part or bool(
        NICKNAMES.get(typed, frozenset()) & NICKNAMES.get(part, frozenset())
    )


def _is_full_name(typed: list[str], given: str, family: str) -> bool:
    given_parts, family_parts = name_parts(given), name_parts(family)
    if not given_parts or not family_parts:
        return False
    if not set(family_parts) <= set(typed):
        return False
    if not any(_same_name(word, given_parts[0]) for word in typed):
        return False
    return all(any(_same_name(word, part) for part in given_parts + family_parts) for word in typed)


def _full_name_matches(person_ids: list[int], typed: list[str], allowed) -> list[int]:
    """Those of ``person_ids`` whose full name, as a record the viewer may be told about has
    it (or the summary, for a person with no records), is what was typed."""
    if not person_ids:
        return []
    agreement = current()
    spelt: dict[int, list[tuple[str, str]]] = {}
    has_records: set[int] = set()
    for pid, given, family, partner, source_name in SourceRecord.objects.filter(
        link__person_id__in=person_ids
    ).values_list(
        "link__person_id", "given_name", "family_name", "source__partner", "source__name"
    ):
        has_records.add(pid)
        if allowed is None or restriction(agreement, partner, source_name) in allowed:
            spelt.setdefault(pid, []).append((given, family))
    for pid, given, family in Person.objects.filter(id__in=person_ids, retired=False).values_list(
        "id", "given_name", "family_name"
    ):
        if pid not in has_records:
            spelt.setdefault(pid, []).append((given, family))
    return [
        pid
        for pid in person_ids
        if any(_is_full_name(typed, given, family) for given, family in spelt.get(pid, []))
    ]
