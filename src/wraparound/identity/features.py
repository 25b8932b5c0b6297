"""Columns the linkage model compares, derived from the contract's demographic fields.

Pure pandas, no Django and no SQL engine: the same frame feeds Splink on DuckDB today and on
Spark later, so everything fiddly (postcode sectors, house numbers, nicknames, soundex) is worked
out here once, in Python, and the comparisons only need ``=``, Jaro-Winkler, Levenshtein and
array intersection, which every Splink backend has.

Input columns (any may be missing or null): ``unique_id``, ``source``, ``nhs_number`` (already
only the *valid* ones: invalid numbers must be null before they get here), ``given_name``,
``family_name``, ``date_of_birth`` (``YYYY-MM-DD`` or ``YYYYMMDD`` string, or a date), ``sex``,
``postcode``, ``address``, and ``other_identifier``: a person's number shared across the
sources other than the NHS Number (FEBRL's social security number; none of our feeds has one).
``phone`` is not compared by the model (``prepare_phones``, for the clustering, says why).
"""

import re

import numpy as np
import pandas as pd

from wraparound.core.names import clean_name
from wraparound.identity import placeholders
from wraparound.identity.nicknames import NICKNAME_TO_CANONICAL, given_name_forms

MODEL_COLUMNS = [
    "unique_id",
    "source",
    "nhs_number",
    "other_id",
    "given_name",
    "given_canon",
    "given_canons",
    "given_tokens",
    "given_initial",
    "given_first3",
    "given_sx",
    "family_name",
    "family_initial",
    "family_sx",
    "family_tokens",
    "names_key",
    "dob",
    "dob_y",
    "dob_m",
    "dob_d",
    "sex",
    "postcode",
    "pc_sector",
    "pc_district",
    "addr_key",
    "addr_tokens",
]

_UK_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9])([A-Z]{2})$")
_ADDRESS_TOKEN = re.compile(r"[a-z0-9]+")
# Words that say nothing about *which* address it is.
_ADDRESS_STOPWORDS = frozenset(
    {"flat", "apartment", "apt", "unit", "the", "of", "and", "house", "road", "rd", "street",
     "st", "lane", "ln", "avenue", "ave", "close", "cl", "drive", "dr", "way", "court", "ct",
     "place", "pl", "crescent", "cres", "gardens", "gdns", "terrace", "grove", "green"}
)  # fmt: skip


def _clean_name(value: object) -> str | None:
    """Lower case, accents dropped (Dąbrowski = Dabrowski), letters only; None when empty."""
    return clean_name(value)  # one cleaning for ingest, linkage and search: core/names.py


def soundex(name: str) -> str:
    """American Soundex (letter + three digits): groups names that sound alike for blocking."""
    codes = {
        **dict.fromkeys("bfpv", "1"),
        **dict.fromkeys("cgjkqsxz", "2"),
        **dict.fromkeys("dt", "3"),
        "l": "4",
        **dict.fromkeys("mn", "5"),
        "r": "6",
    }
    letters = [c for c in name if c.isalpha()]
    if not letters:
        return ""
    out = [letters[0].upper()]
    last = codes.get(letters[0], "")
    for c in letters[1:]:
        code = codes.get(c, "")
        if code and code != last:
            out.append(code)
        if c not in "hw":
            last = code
    return ("".join(out) + "000")[:4]


def _per_unique(values: pd.Series, func, width: int) -> list[np.ndarray]:
    """Apply ``func`` (returning a ``width``-tuple) once per distinct value, expand to rows.

    Names, postcodes and addresses repeat a lot across partners, and ``pd.factorize`` plus
    numpy indexing is far faster than ``Series.map`` on a million rows.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    outs = [np.empty(len(uniques) + 1, dtype=object) for _ in range(width)]
    for k, u in enumerate(uniques):
        result = func(u)
        for w in range(width):
            outs[w][k] = result[w]
    for w in range(width):
        outs[w][-1] = None  # code -1 = missing
    return [out[codes] for out in outs]


def _map_unique(series: pd.Series, func) -> pd.Series:
    """``func`` applied once per distinct non-null value (None stays None)."""
    (out,) = _per_unique(series, lambda u: (func(u),), 1)
    return pd.Series(out, index=series.index, dtype=object)


def _postcode_parts(pc: str | None) -> tuple[str | None, str | None, str | None]:
    if pc is None:
        return None, None, None
    compact = re.sub(r"[^A-Z0-9]", "", str(pc).upper())
    if not compact:
        return None, None, None
    match = _UK_POSTCODE.match(compact)
    if not match:
        # Not a UK postcode (e.g. FEBRL's Australian ones): exact comparison only.
        return compact, None, None
    outward, sector_digit, _unit = match.groups()
    return compact, f"{outward} {sector_digit}", outward


def _address_parts(address: str | None) -> tuple[str | None, list[str] | None]:
    """(house number + first street word, distinct meaningful tokens)."""
    if address is None:
        return None, None
    tokens = _ADDRESS_TOKEN.findall(str(address).lower())
    if not tokens:
        return None, None
    number = next((t for t in tokens if any(ch.isdigit() for ch in t)), None)
    street = None
    if number is not None:
        after = tokens[tokens.index(number) + 1 :]
        street = next((t for t in after if t.isalpha() and t not in _ADDRESS_STOPWORDS), None)
    key = f"{number} {street}" if number and street else None
    meaningful = sorted({t for t in tokens if t not in _ADDRESS_STOPWORDS})
    return key, (meaningful or None)


def _dob_string(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    digits = re.sub(r"[^0-9]", "", str(value))
    if len(digits) != 8:
        return None
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"


def _phone(value: object) -> str | None:
    """A telephone number as digits in UK national form (``+44 7700 900123`` = ``07700900123``).

    None when too short to be a whole number (an extension, "ex-directory") or a stand-in such
    as ``00000000000`` (two different digits or fewer).
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    digits = re.sub(r"[^0-9]", "", str(value))
    if digits.startswith("0044"):
        digits = "0" + digits[4:]
    elif digits.startswith("44") and len(digits) >= 12:
        digits = "0" + digits[2:]
    if len(digits) < 10 or len(set(digits)) <= 2:
        return None
    return digits


def _sex(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    first = str(value).strip().lower()[:1]
    return {"m": "m", "f": "f"}.get(first)


def _drop_common_tokens(tokens: pd.Series, max_share: float = 0.02) -> pd.Series:
    """Remove address words found in more than ``max_share`` of records (town names, "road").

    Two addresses sharing "wolverhampton" says nothing; sharing "whitebeam" and "17" does.
    """
    counts: dict[str, int] = {}
    for row in tokens:
        if isinstance(row, list):
            for t in row:
                counts[t] = counts.get(t, 0) + 1
    limit = max(2, int(max_share * len(tokens)))
    common = {t for t, c in counts.items() if c > limit}
    if not common:
        return tokens
    return tokens.map(
        lambda row: ([t for t in row if t not in common] or None) if isinstance(row, list) else None
    )


def _given_parts(raw: object) -> tuple:
    """first word, all words, canonical forms, first canonical, initial, first 3, soundex."""
    cleaned = _clean_name(raw)
    if not cleaned:
        return (None,) * 7
    words = cleaned.split(" ")
    first = words[0]
    forms = given_name_forms(first)
    canon = NICKNAME_TO_CANONICAL.get(first, forms[0] if len(forms) == 1 else first)
    return first, sorted(set(words)), forms, canon, first[:1], first[:3], soundex(first)


def _family_parts(raw: object) -> tuple:
    """name without spaces, initial, soundex, the parts of a double-barrelled name."""
    cleaned = _clean_name(raw)
    if not cleaned:
        return (None,) * 4
    joined = cleaned.replace(" ", "")
    return joined, joined[:1], soundex(joined), sorted(set(cleaned.split(" ")))


def _dob_parts(raw: object) -> tuple:
    dob = _dob_string(raw)
    if dob is None:
        return (None,) * 4
    return dob, dob[:4], dob[5:7], dob[8:10]


def prepare(records: pd.DataFrame) -> pd.DataFrame:
    """The model's input frame (``MODEL_COLUMNS``) from contract-shaped demographics."""
    n = len(records)

    def col(name: str) -> pd.Series:
        if name in records.columns:
            return records[name].astype(object).where(records[name].notna(), None)
        return pd.Series([None] * n, index=records.index, dtype=object)

    out: dict[str, object] = {"unique_id": records["unique_id"].to_numpy()}
    out["source"] = col("source").to_numpy()
    (out["nhs_number"],) = _per_unique(
        col("nhs_number"),
        lambda v: ((str(v).strip() or None) if isinstance(v, str | int) else None,),
        1,
    )
    (out["other_id"],) = _per_unique(
        col("other_identifier"),
        lambda v: (re.sub(r"[^0-9A-Z]", "", str(v).upper()) or None,),
        1,
    )
    # A given name is compared on its first word ("mary ann" vs "mary"); other words are kept
    # as tokens so a middle name used as the first name still counts.
    (
        out["given_name"],
        out["given_tokens"],
        out["given_canons"],
        out["given_canon"],
        out["given_initial"],
        out["given_first3"],
        out["given_sx"],
    ) = _per_unique(col("given_name"), _given_parts, 7)
    (out["family_name"], out["family_initial"], out["family_sx"], out["family_tokens"]) = (
        _per_unique(col("family_name"), _family_parts, 4)
    )
    # Both names in alphabetical order: blocks together records whose names were swapped.
    out["names_key"] = np.array(
        [
            "|".join(sorted((g, f))) if g is not None and f is not None else None
            for g, f in zip(out["given_name"], out["family_name"], strict=True)
        ],
        dtype=object,
    )
    out["dob"], out["dob_y"], out["dob_m"], out["dob_d"] = _per_unique(
        col("date_of_birth"), _dob_parts, 4
    )
    (out["sex"],) = _per_unique(col("sex"), lambda v: (_sex(v),), 1)
    out["postcode"], out["pc_sector"], out["pc_district"] = _per_unique(
        col("postcode"), _postcode_parts, 3
    )
    out["addr_key"], addr_tokens = _per_unique(col("address"), _address_parts, 2)
    out["addr_tokens"] = _drop_common_tokens(pd.Series(addr_tokens)).to_numpy()
    frame = pd.DataFrame({name: out[name] for name in MODEL_COLUMNS})
    _blank_placeholders(frame, col("address"))
    return frame


_GIVEN_COLUMNS = ["given_name", "given_canon", "given_canons", "given_tokens", "given_initial",
                  "given_first3", "given_sx"]  # fmt: skip
_FAMILY_COLUMNS = ["family_name", "family_initial", "family_sx", "family_tokens"]
_POSTCODE_COLUMNS = ["postcode", "pc_sector", "pc_district"]


def _blank(frame: pd.DataFrame, mask: np.ndarray, columns: list[str]) -> None:
    if mask.any():
        for name in columns:
            values = frame[name].to_numpy(dtype=object, copy=True)
            values[mask] = None
            frame[name] = values


def unusable_dates(dobs: pd.Series) -> np.ndarray:
    """True where a date of birth is a known placeholder or shared by far too many records."""
    common = placeholders.over_frequent(
        dobs, floor=placeholders.DOB_FLOOR, factor=placeholders.DOB_FACTOR
    )
    return dobs.map(
        lambda d: d is not None and (d in common or placeholders.is_placeholder_date(d))
    ).to_numpy(dtype=bool)


def _blank_placeholders(frame: pd.DataFrame, address: pd.Series) -> None:
    """Placeholders and over-frequent values become missing (see ``placeholders.py``).

    Blanked everywhere the model looks, blocking keys included, so that no block grows with the
    number of records that share a stand-in value.
    """
    _blank(frame, unusable_dates(frame["dob"]), ["dob", "dob_y", "dob_m", "dob_d"])
    for name, columns in (("given_name", _GIVEN_COLUMNS), ("family_name", _FAMILY_COLUMNS)):
        common = placeholders.over_frequent_names(frame[name])
        mask = frame[name].map(
            lambda v, common=common: (
                v is not None and (v in common or placeholders.is_placeholder_name(v))
            )
        )
        _blank(frame, mask.to_numpy(dtype=bool), [*columns, "names_key"])
    postcode = frame["postcode"]
    common = placeholders.over_frequent(
        postcode, floor=placeholders.POSTCODE_FLOOR, factor=placeholders.POSTCODE_FACTOR
    )
    mask = postcode.map(
        lambda v: v is not None and (v in common or placeholders.is_placeholder_postcode(v))
    )
    _blank(frame, mask.to_numpy(dtype=bool), _POSTCODE_COLUMNS)
    # A house shared by far more records than a household holds (a care home, a hostel, a
    # council office used as a correspondence address) says nothing about who someone is.
    house = pd.Series(
        [
            f"{pc}|{key}" if pc is not None and key is not None else None
            for pc, key in zip(frame["postcode"], frame["addr_key"], strict=True)
        ],
        dtype=object,
    )
    common = placeholders.over_frequent(
        house, floor=placeholders.HOUSE_FLOOR, factor=placeholders.HOUSE_FACTOR
    )
    mask = house.isin(common).to_numpy(dtype=bool) | address.map(
        placeholders.is_placeholder_address
    ).to_numpy(dtype=bool)
    _blank(frame, mask, [*_POSTCODE_COLUMNS, "addr_key", "addr_tokens"])


def prepare_nhs(records: pd.DataFrame) -> list[str | None]:
    """Each record's NHS Number as the model sees it (None when absent), in row order."""
    if "nhs_number" not in records.columns:
        return [None] * len(records)
    return [
        str(v).strip() if isinstance(v, str | int) and str(v).strip() else None
        for v in records["nhs_number"]
    ]


def prepare_dobs(records: pd.DataFrame) -> list[str | None]:
    """Each record's date of birth as ``YYYY-MM-DD``, in row order, for the clustering's rule
    "clearly different dates of birth are never one person".

    None when absent, not a calendar date (1945-04-93 is a typing slip of *some* date, so it
    proves nothing either way), a placeholder or shared by far too many records.
    """
    if "date_of_birth" not in records.columns:
        return [None] * len(records)
    (dobs,) = _per_unique(records["date_of_birth"], lambda v: (_dob_string(v),), 1)
    series = pd.Series(dobs, dtype=object)
    unusable = unusable_dates(series)
    return [
        d if d is not None and not bad and placeholders.is_real_date(d) else None
        for d, bad in zip(dobs, unusable, strict=True)
    ]


def prepare_phones(records: pd.DataFrame) -> list[str | None]:
    """Each record's telephone number (``_phone``), in row order, for the clustering's rules
    that tell two people of one name in one house apart.

    None when absent, not a whole number, or on far more records than a household holds (a
    care home's or a surgery's switchboard given as everyone's contact). The model does not
    weigh it: a landline is the whole household's, so as evidence it counts a shared house
    twice (tried: recall on 20k generated people fell from 0.964 to 0.962). Where two
    records' numbers *differ*, though, they are two people, which is what the clustering asks.
    """
    if "phone" not in records.columns:
        return [None] * len(records)
    (phones,) = _per_unique(records["phone"], lambda v: (_phone(v),), 1)
    series = pd.Series(phones, dtype=object)
    common = placeholders.over_frequent(
        series, floor=placeholders.PHONE_FLOOR, factor=placeholders.PHONE_FACTOR
    )
    return [None if p in common else p for p in phones]
