"""Values that look like evidence but are not: placeholders and values shared by far too many.

Partner systems fill a mandatory field they do not know with a stand-in: a date of birth of
1 January 1900, the NHS "no fixed abode" postcode ``ZZ99 3VZ``, a name of "UNKNOWN". A care
home's address is shared by sixty residents. Two records that agree on such a value agree on
nothing about the *person*, yet a model would count it as strong evidence, and a blocking rule
on it compares every such record with every other (13,790 rows sharing one date of birth and
postcode exhausted 24 GB). So these values are treated as **missing**: they neither link nor
keep apart, and they never form a block.

They are found two ways: a short list of known stand-ins (below), and frequency in the data
itself (a value shared by many more records than chance allows for that kind of value), so a
placeholder nobody listed is caught too.
"""

import re
from datetime import date

import pandas as pd

# Dates of birth systems use for "not known". Years before 1890 cannot be anyone alive.
KNOWN_PLACEHOLDER_DATES = frozenset(
    {"1900-01-01", "1901-01-01", "1899-12-31", "1800-01-01", "1753-01-01", "1111-11-11",
     "9999-12-31", "2999-12-31"}
)  # fmt: skip
EARLIEST_PLAUSIBLE_YEAR = 1890
# NHS pseudo-postcodes: ZZ99 3VZ no fixed abode, ZZ99 3WZ not known, ZZ99 3CZ England n.o.s.,
# and the other ZZ99 codes for countries of residence.
_PSEUDO_POSTCODE = re.compile(r"^ZZ99")
# Names (after cleaning: lower case, letters only) that mean "we do not know the name".
KNOWN_PLACEHOLDER_NAMES = frozenset(
    {"unknown", "not known", "notknown", "unk", "nk", "na", "none", "null", "test", "patient",
     "test patient", "baby", "infant", "anon", "anonymous", "xxx", "xx", "zzz", "nfa", "no name",
     "noname", "client", "resident", "tenant", "occupier", "the occupier"}
)  # fmt: skip
_PLACEHOLDER_ADDRESS = re.compile(r"\b(no fixed abode|nfa|unknown|not known|address unknown)\b")

# Frequency limits: a value is over-frequent when more records share it than both the floor
# and ``factor`` times the median count of that kind of value in this data. Medians at 20,000
# people: 2 records per date of birth, 13 per postcode, 5 per house.
DOB_FLOOR, DOB_FACTOR = 25, 10
POSTCODE_FLOOR, POSTCODE_FACTOR = 500, 20
HOUSE_FLOOR, HOUSE_FACTOR = 40, 8
# A telephone number is a household's at most (a landline): more than this many records is a
# switchboard (a care home, a surgery, a council office) given as the contact for everyone.
PHONE_FLOOR, PHONE_FACTOR = 12, 8
# A single given or family name on more than this share of records (with at least
# NAME_MIN_RECORDS records) is a stand-in: the commonest real names (Kaur, Singh, Smith) are
# below 3% even where they are most common.
NAME_MAX_SHARE = 0.08
NAME_MIN_RECORDS = 1_000


def is_real_date(text: str | None) -> bool:
    """A ``YYYY-MM-DD`` string that is a calendar date (not 1945-04-93, not 1906-02-29)."""
    if not text or len(text) != 10:
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def is_placeholder_date(text: str | None) -> bool:
    if not text:
        return False
    return text in KNOWN_PLACEHOLDER_DATES or text[:4] < str(EARLIEST_PLAUSIBLE_YEAR)


def is_placeholder_postcode(compact: str | None) -> bool:
    """``compact``: upper case without spaces (``ZZ993VZ``)."""
    return bool(compact) and bool(_PSEUDO_POSTCODE.match(compact))


def is_placeholder_name(cleaned: str | None) -> bool:
    return bool(cleaned) and cleaned in KNOWN_PLACEHOLDER_NAMES


def is_placeholder_address(address: object) -> bool:
    if not isinstance(address, str):
        return False
    return bool(_PLACEHOLDER_ADDRESS.search(address.lower()))


def over_frequent(values: pd.Series, *, floor: int, factor: float) -> set:
    """Values shared by more than ``max(floor, factor * median count)`` records."""
    counts = values.dropna().value_counts()
    if counts.empty:
        return set()
    limit = max(floor, factor * float(counts.median()))
    return set(counts.index[counts > limit])


def over_frequent_names(values: pd.Series) -> set:
    """Names on more than ``NAME_MAX_SHARE`` of records, in data of ``NAME_MIN_RECORDS`` or more."""
    if len(values) < NAME_MIN_RECORDS:
        return set()
    counts = values.dropna().value_counts()
    return set(counts.index[counts > NAME_MAX_SHARE * len(values)])
