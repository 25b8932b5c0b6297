"""NHS Number: normalising what partners send, and the Modulus 11 check.

Shared by ingest (to decide whether a number may be used for linkage) and by the synthetic
generator (to make valid and deliberately invalid numbers), so it lives in ``core``.
"""

import re
from operator import mul

_SEPARATORS = re.compile(r"[\s\-./]+")
_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def normalise(raw: str | None) -> str:
    """Strip spaces, dashes, dots and slashes; keep anything else so bad input stays visible."""
    if raw is None:
        return ""
    text = str(raw).strip()
    if text.isdigit():  # the usual case, and nothing to strip: no regular expression needed
        return text
    return _SEPARATORS.sub("", text)


def check_digit(first_nine: str) -> int | None:
    """The Modulus 11 check digit for nine digits, or None where no valid number exists (10)."""
    # map() over ints is markedly cheaper than a generator: this runs once per ingested row.
    total = sum(map(mul, map(int, first_nine), _WEIGHTS))
    digit = 11 - (total % 11)
    if digit == 11:
        return 0
    if digit == 10:
        return None
    return digit


# Digits' ASCII codes are 48 + the digit: the weighted sum of the codes, less 48 times the sum of
# the weights, is the weighted sum of the digits.
_CODE_OFFSET = 48 * sum(_WEIGHTS)


def is_valid(number: str) -> bool:
    """True for ten digits whose last digit is the Modulus 11 check digit of the first nine."""
    if len(number) != 10 or not number.isascii() or not number.isdigit():
        # isascii() first: isdigit() alone accepts other scripts' digits, e.g. "１２３".
        return False
    # As ``check_digit``, on the ASCII codes (runs for every ingested row: no int() per digit).
    codes = number.encode("ascii")
    digit = 11 - (sum(map(mul, codes, _WEIGHTS)) - _CODE_OFFSET) % 11
    if digit == 11:
        digit = 0
    return digit != 10 and digit == codes[9] - 48


def formatted(number: str) -> str:
    """``943 476 5919``: how people read NHS Numbers aloud and on letters."""
    if len(number) == 10 and number.isdigit():
        return f"{number[:3]} {number[3:6]} {number[6:]}"
    return number
