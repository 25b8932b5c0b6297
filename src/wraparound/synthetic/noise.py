"""The small corruptions that real partner records carry, one function per kind of mistake.

Every function takes the run's ``random.Random`` so that the same seed makes the same mistakes.
"""

import datetime as dt
import random
import unicodedata

from wraparound.core import nhs_number
from wraparound.core.nicknames import FORMS_OF

# Neighbouring keys on a UK keyboard, for slips of the finger.
_KEYBOARD = {
    "a": "qwsz", "b": "vghn", "c": "xdfv", "d": "serfcx", "e": "wsdr", "f": "drtgvc",
    "g": "ftyhbv", "h": "gyujnb", "i": "ujko", "j": "huikmn", "k": "jiolm", "l": "kop",
    "m": "njk", "n": "bhjm", "o": "iklp", "p": "ol", "q": "wa", "r": "edft", "s": "awedxz",
    "t": "rfgy", "u": "yhji", "v": "cfgb", "w": "qase", "x": "zsdc", "y": "tghu", "z": "asx",
}  # fmt: skip
# What a scanner or a hurried reader confuses.
_OCR = (("rn", "m"), ("m", "rn"), ("cl", "d"), ("d", "cl"), ("vv", "w"), ("w", "vv"),
        ("li", "h"), ("e", "c"), ("c", "e"), ("a", "o"), ("u", "v"), ("ii", "u"))  # fmt: skip
_FOLD = str.maketrans({"Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "ß": "ss", "Æ": "AE", "æ": "ae"})


def typo(rng: random.Random, text: str) -> str:
    """One slip: two letters swapped, one dropped, one doubled, a neighbouring key, or OCR."""
    if len(text) < 3:
        return text
    kind = rng.randrange(5)
    i = rng.randrange(1, len(text) - 1)
    if kind == 0 and text[i] != text[i + 1]:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind == 1:
        return text[:i] + text[i + 1 :]
    if kind == 2:
        return text[:i] + text[i] + text[i:]
    if kind == 3:
        near = _KEYBOARD.get(text[i].lower())
        if near:
            letter = near[rng.randrange(len(near))]
            letter = letter.upper() if text[i].isupper() else letter
            return text[:i] + letter + text[i + 1 :]
    for wrong, right in _OCR[rng.randrange(len(_OCR)) :]:
        j = text.find(wrong, 1)
        if j > 0:
            return text[:j] + right + text[j + len(wrong) :]
    return text[:i] + text[i + 1 :]


def fold_accents(text: str) -> str:
    """What a system without Unicode makes of Wójcik, Łukasz and Zoë: Wojcik, Lukasz, Zoe."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def strip_punctuation(text: str) -> str:
    """O'Neill -> ONeill or O Neill; Smith-Jones -> Smith Jones: how some systems store them."""
    return text.replace("'", "").replace("-", " ")


def nickname(rng: random.Random, given: str) -> str | None:
    forms = FORMS_OF.get(fold_accents(given).lower())
    if not forms:
        return None
    return forms[rng.randrange(len(forms))].title()


def whitespace(rng: random.Random, text: str) -> str:
    kind = rng.randrange(3)
    if kind == 0:
        return f" {text}"
    if kind == 1:
        return f"{text}  "
    return text.replace(" ", "  ", 1) if " " in text else f"{text} "


def case(rng: random.Random, text: str) -> str:
    return text.upper() if rng.random() < 0.7 else text.lower()


def swap_day_month(day: dt.date) -> dt.date | None:
    """3 April -> 4 March: the American order, or a slip; only possible when the day is 1–12."""
    if day.day > 12 or day.day == day.month:
        return None
    return day.replace(month=day.day, day=day.month)


def wrong_date(rng: random.Random, day: dt.date) -> dt.date:
    """A date of birth keyed in wrong: a day out, a digit of the year slipped, or the 1st."""
    kind = rng.randrange(3)
    if kind == 0:
        return day + dt.timedelta(days=rng.choice((-1, 1)))
    if kind == 1:
        year = str(day.year)
        swapped = int(year[:2] + year[3] + year[2])
        if swapped != day.year and swapped <= 2026:
            try:
                return day.replace(year=swapped)
            except ValueError:  # 29 February
                return day.replace(year=swapped, day=28)
        return day.replace(year=day.year + rng.choice((-1, 1)), day=min(day.day, 28))
    return day.replace(day=1)


def mistyped_nhs_number(rng: random.Random, number: str) -> str:
    """A number keyed in wrong that the Modulus 11 check catches (as it does most slips)."""
    digits = list(number)
    for _ in range(50):
        candidate = digits[:]
        i = rng.randrange(9)
        if rng.random() < 0.5 and candidate[i] != candidate[i + 1]:
            candidate[i], candidate[i + 1] = candidate[i + 1], candidate[i]
        else:
            candidate[i] = str((int(candidate[i]) + rng.randrange(1, 10)) % 10)
        text = "".join(candidate)
        if not nhs_number.is_valid(text):
            return text
    return number[:9] + str((int(number[9]) + 1) % 10)  # may rarely still be valid; tolerated


def postcode(rng: random.Random, code: str) -> str:
    """WV10 6QH as partners store it: wv10 6qh, WV106QH, WV1O 6QH (letter O for zero)."""
    kind = rng.randrange(4)
    if kind == 0:
        return code.lower()
    if kind == 1:
        return code.replace(" ", "")
    if kind == 2:
        return code.replace("0", "O", 1) if "0" in code else code.replace(" ", "  ")
    return f" {code}"


def phone(rng: random.Random, number: str) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        return number.replace(" ", "")
    if kind == 1 and number.startswith("07"):
        return "+44 " + number[1:]
    if kind == 2 and number.startswith("07"):
        return f"({number[:5]}) {number[6:]}"
    return number
