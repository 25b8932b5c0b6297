"""Columns the linkage model compares, derived from the contract's demographic fields.

Pure pandas, no Django and no SQL engine: the same frame feeds Splink on DuckDB today and on
Spark later, so everything fiddly (postcode sectors, house numbers, nicknames, soundex) is worked
out here once, in Python, and the comparisons only need ``=``, Jaro-Winkler, Levenshtein and
array intersection, which every Splink backend has.

Input columns (any may be missing or null): ``unique_id``, ``source``, ``nhs_number`` (already
only the *valid* ones: invalid numbers must be null before they get here), ``given_name``,
``family_name``, ``date_of_birth`` (``YYYY-MM-DD`` or ``YYYYMMDD`` string, or a date), ``sex``,
``postcode``, ``address``.
"""

import re
import unicodedata

import numpy as np
import pandas as pd

from wraparound.identity.nicknames import given_name_forms

MODEL_COLUMNS = [
    "unique_id",
    "source",
    "nhs_number",
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

_NOT_LETTERS = re.compile(r"[^a-z ]+")
_SPACES = re.compile(r"\s+")
_UK_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9])([A-Z]{2})$")
_ADDRESS_TOKEN = re.compile(r"[a-z0-9]+")
# Words that say nothing about *which* address it is.
_ADDRESS_STOPWORDS = frozenset(
    {"flat", "apartment", "apt", "unit", "the", "of", "and", "house", "road", "rd", "street",
     "st", "lane", "ln", "avenue", "ave", "close", "cl", "drive", "dr", "way", "court", "ct",
     "place", "pl", "crescent", "cres", "gardens", "gdns", "terrace", "grove", "green"}
)  # fmt: skip


_NOT_DECOMPOSED = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i"}
)


def _clean_name(value: object) -> str | None:
    """Lower case, accents dropped (Dąbrowski = Dabrowski), letters only; None when empty."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = unicodedata.normalize("NFKD", str(value).lower().translate(_NOT_DECOMPOSED))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("-", " ").replace("'", "")
    text = _SPACES.sub(" ", _NOT_LETTERS.sub("", text)).strip()
    return text or None


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


def _map_unique(series: pd.Series, func) -> pd.Series:
    """Apply ``func`` once per distinct value: names repeat a lot, so this is ~50x faster."""
    uniques = series.dropna().unique()
    mapping = {u: func(u) for u in uniques}
    return series.map(mapping)


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


def prepare(records: pd.DataFrame) -> pd.DataFrame:
    """The model's input frame (``MODEL_COLUMNS``) from contract-shaped demographics."""
    df = pd.DataFrame(index=records.index)
    n = len(records)

    def col(name: str) -> pd.Series:
        if name in records.columns:
            return records[name].astype(object).where(records[name].notna(), None)
        return pd.Series([None] * n, index=records.index, dtype=object)

    df["unique_id"] = records["unique_id"]
    df["source"] = col("source")
    nhs = col("nhs_number").map(lambda v: str(v).strip() if isinstance(v, str | int) else None)
    df["nhs_number"] = nhs.where(nhs.astype(bool), None)

    given = _map_unique(col("given_name"), _clean_name)
    family = _map_unique(col("family_name"), _clean_name)
    # A given name is compared on its first word ("mary ann" vs "mary"); middle names are noise.
    given_first_word = given.map(lambda g: g.split(" ")[0] if isinstance(g, str) else None)
    df["given_name"] = given_first_word
    df["given_tokens"] = given.map(
        lambda g: sorted(set(g.split(" "))) if isinstance(g, str) else None
    )
    df["given_canons"] = _map_unique(given_first_word, given_name_forms)
    df["given_canon"] = df["given_canons"].map(lambda f: f[0] if isinstance(f, list) else None)
    df["given_initial"] = given_first_word.str[:1]
    df["given_first3"] = given_first_word.str[:3]
    df["given_sx"] = _map_unique(given_first_word, soundex)
    df["family_name"] = family.map(lambda f: f.replace(" ", "") if isinstance(f, str) else None)
    df["family_initial"] = df["family_name"].str[:1]
    df["family_sx"] = _map_unique(df["family_name"], soundex)
    df["family_tokens"] = family.map(
        lambda f: sorted(set(f.split(" "))) if isinstance(f, str) else None
    )

    # Both names in alphabetical order: blocks together records whose names were swapped.
    df["names_key"] = [
        "|".join(sorted((g, f))) if isinstance(g, str) and isinstance(f, str) else None
        for g, f in zip(df["given_name"], df["family_name"], strict=True)
    ]

    dob = col("date_of_birth").map(_dob_string)
    df["dob"] = dob
    df["dob_y"] = dob.str[:4]
    df["dob_m"] = dob.str[5:7]
    df["dob_d"] = dob.str[8:10]
    df["sex"] = col("sex").map(_sex)

    pc_parts = _map_unique(col("postcode"), _postcode_parts)
    df["postcode"] = pc_parts.map(lambda p: p[0] if isinstance(p, tuple) else None)
    df["pc_sector"] = pc_parts.map(lambda p: p[1] if isinstance(p, tuple) else None)
    df["pc_district"] = pc_parts.map(lambda p: p[2] if isinstance(p, tuple) else None)

    addr_parts = _map_unique(col("address"), _address_parts)
    df["addr_key"] = addr_parts.map(lambda p: p[0] if isinstance(p, tuple) else None)
    df["addr_tokens"] = addr_parts.map(lambda p: p[1] if isinstance(p, tuple) else None)

    df["addr_tokens"] = _drop_common_tokens(df["addr_tokens"])

    for name in MODEL_COLUMNS:
        if name not in (
            "unique_id",
            "given_canons",
            "given_tokens",
            "family_tokens",
            "addr_tokens",
        ):
            df[name] = df[name].astype(object).where(df[name].notna(), None)
    return df[MODEL_COLUMNS].reset_index(drop=True)


def prepare_nhs(records: pd.DataFrame) -> list[str | None]:
    """Each record's NHS Number as the model sees it (None when absent), in row order."""
    if "nhs_number" not in records.columns:
        return [None] * len(records)
    return [
        str(v).strip() if isinstance(v, str | int) and str(v).strip() else None
        for v in records["nhs_number"]
    ]


def prepare_dobs(records: pd.DataFrame) -> list[str | None]:
    """Each record's date of birth as ``YYYY-MM-DD`` (None when absent), in row order."""
    if "date_of_birth" not in records.columns:
        return [None] * len(records)
    return [_dob_string(v) for v in records["date_of_birth"]]
