"""Invented streets, postcodes and phone numbers for one neighbourhood of Wolverhampton.

Street names are made from invented parts, so no address is anyone's real home. Postcodes have
the real shape (``WV10 6QH``: outward code, sector digit, two unit letters from the letters Royal
Mail uses) and about fifteen homes share one, as in real life. Phone numbers come only from the
ranges Ofcom keeps for drama (``07700 900xxx``, ``0121 496 0xxx``...), so none can ring anyone;
the price is that numbers repeat between unrelated people at large sizes.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass

POST_TOWN = "Wolverhampton"
LOCALITIES = (
    "Heronsgate",
    "Fallowfield End",
    "Ashmore Green",
    "Kestrel Park",
    "Brookhill",
    "Oxley Vale",
    "Wrenbury",
    "Lindenfields",
)
OUTWARD_CODES = ("WV10", "WV11", "WV12", "WV13", "WV14", "WV15", "WV16")
# Postcodes of people who lived elsewhere before (outside the neighbourhood).
ELSEWHERE = (
    ("Walsall", "WS2"),
    ("Walsall", "WS10"),
    ("Dudley", "DY1"),
    ("Tipton", "DY4"),
    ("Bilston", "WV14"),
    ("Birmingham", "B23"),
    ("Birmingham", "B21"),
    ("Cannock", "WS11"),
    ("Telford", "TF1"),
    ("Stafford", "ST16"),
)
_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

_STREET_FIRST = tuple(
    """Heron Kestrel Fallow Ashmore Beech Cedar Hawthorn Rowan Linden Willow Elder Hazel Alder
    Larch Sorrel Bracken Thistle Foxglove Meadow Brook Mill Church Chapel Well Spring Orchard
    Barley Clover Bramble Primrose Bluebell Juniper Holly Ivy Laurel Myrtle Poplar Sycamore Maple
    Chestnut Walnut Lime Yew Birch Aspen Plover Lapwing Curlew Linnet Finch Wren Swallow Martin
    Robin Thrush Merlin Osprey Falcon Harrier Kingfisher Moorhen Coot Teal Mallard Wagtail Nightjar
    Skylark Bunting Redwing Fieldfare Starling Siskin Goldcrest Oxley Bushmoor Fordhouse Moseley
    Wednesfield Goodyear Tettenwood Underhill Pendeford Bilbrook Coven Featherstone Essington
    Shareshill Hilton Wobaston Marsh Stafford Cannock Stubby Bee Cornfield Saffron Tansy Yarrow
    Lavender Rosemary Fennel Chervil Cowslip Harebell Speedwell Teasel Valerian Woodruff Agrimony
    Betony Campion Celandine Comfrey Dogwood Guelder Spindle Wayfaring Whitebeam Blackthorn Sloe
    Damson Medlar Quince Pear Cherry Plum Apple Grange Manor Abbey Priory Mount Ridge Vale Dene
    Coppice Spinney Holt Hurst Leasowe Fieldhouse Broadway Longford Stonefield Redhouse Whitehall
    Greenacre Highfield Lowfield Northwood Southfield Eastfield Westcroft Oakwood Elmwood Ashwood
    Thornley Brackley Ridley Hadley Bradley Radley Brindley Telford Watt Boulton Murdoch Darby
    Wilkinson Tildesley Newbolt Kipling Masefield Tennyson Wordsworth Shelley Keats Byron Brontë
    Austen Hardy Trollope Dickens Eliot Gaskell Orwell Attlee Bevan Lansbury Morrison""".split()
)
_STREET_KIND = (
    ("Road", "Rd"),
    ("Close", "Cl"),
    ("Grove", "Gr"),
    ("Way", "Way"),
    ("Avenue", "Ave"),
    ("Lane", "Ln"),
    ("Crescent", "Cres"),
    ("Drive", "Dr"),
    ("Street", "St"),
    ("Walk", "Wlk"),
    ("Court", "Ct"),
    ("Gardens", "Gdns"),
    ("Place", "Pl"),
    ("Croft", "Croft"),
    ("Mews", "Mews"),
    ("Rise", "Rise"),
)
_BLOCK_NAMES = (
    "House",
    "Court",
    "Tower",
    "Point",
    "Lodge",
)
CARE_HOME_NAMES = (
    "Oakfield",
    "Heron Lodge",
    "The Willows",
    "Ashmore House",
    "Brookside",
    "Fallowfield Manor",
    "Linden Court",
    "Meadowbank",
    "Kestrel View",
    "St Chad's",
    "Rowan House",
    "The Elms",
)


@dataclass(frozen=True, slots=True)
class Address:
    """One home. ``flat``/``building`` are blank for a house; ``care_home`` names a care home."""

    number: str
    street: str
    street_short: str
    locality: str
    town: str
    postcode: str
    flat: str = ""
    building: str = ""
    care_home: str = ""

    def line(self) -> str:
        if self.care_home:
            return f"{self.care_home}, {self.number} {self.street}"
        if self.flat:
            return f"Flat {self.flat}, {self.building}, {self.street}"
        return f"{self.number} {self.street}"

    def full(self) -> str:
        return f"{self.line()}, {self.locality}, {self.town}"


class AddressBook:
    """Hands out homes street by street, about fifteen to a postcode, as a neighbourhood grows.

    Streets and postcodes are made on demand, so the book works for any population size and
    never holds more than the current street in memory (plus a short list of recent homes that
    movers' previous addresses are drawn from).
    """

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._street_names = self._make_street_names()
        self._street_index = 0
        self._postcodes = self._make_postcodes()
        self._homes: Iterator[Address] = iter(())
        self._recent: list[Address] = []
        self._care_home_index = 0

    def _make_street_names(self) -> list[tuple[str, str]]:
        names = [
            (f"{first} {kind}", f"{first} {short}")
            for first in _STREET_FIRST
            for kind, short in _STREET_KIND
        ]
        self._rng.shuffle(names)
        return names

    def _make_postcodes(self) -> Iterator[str]:
        for outward in OUTWARD_CODES:
            codes = [
                f"{outward} {sector}{a}{b}"
                for sector in range(10)
                for a in _UNIT_LETTERS
                for b in _UNIT_LETTERS
            ]
            self._rng.shuffle(codes)
            yield from codes
        # A population this large has run out of real-shaped codes in our districts.
        n = 0
        while True:
            n += 1
            yield f"WV{20 + n // 4000} {n % 10}{_UNIT_LETTERS[n // 10 % 20]}{_UNIT_LETTERS[n // 200 % 20]}"

    def _next_street(self) -> tuple[str, str, str]:
        street, short = self._street_names[self._street_index % len(self._street_names)]
        round_ = self._street_index // len(self._street_names)
        self._street_index += 1
        locality = LOCALITIES[self._rng.randrange(len(LOCALITIES))]
        if round_:  # the same street name in another locality, as towns have
            locality = LOCALITIES[(LOCALITIES.index(locality) + round_) % len(LOCALITIES)]
        return street, short, locality

    def _street_homes(self) -> Iterator[Address]:
        rng = self._rng
        street, short, locality = self._next_street()
        houses = rng.randint(12, 110)
        postcode = next(self._postcodes)
        in_postcode = 0
        number = 0
        while number < houses:
            number += 1
            if rng.random() < 0.04:  # a block of flats on this plot
                block = f"{street.split()[0]} {rng.choice(_BLOCK_NAMES)}"
                for flat in range(1, rng.randint(6, 30)):
                    if in_postcode >= 15:
                        postcode, in_postcode = next(self._postcodes), 0
                    in_postcode += 1
                    yield Address(
                        str(number), street, short, locality, POST_TOWN, postcode, str(flat), block
                    )
                continue
            if in_postcode >= rng.randint(10, 20):
                postcode, in_postcode = next(self._postcodes), 0
            in_postcode += 1
            yield Address(str(number), street, short, locality, POST_TOWN, postcode)

    def next_home(self) -> Address:
        while True:
            home = next(self._homes, None)
            if home is not None:
                break
            self._homes = self._street_homes()
        self._remember(home)
        return home

    def next_care_home(self) -> Address:
        home = self.next_home()
        name = CARE_HOME_NAMES[self._care_home_index % len(CARE_HOME_NAMES)]
        if self._care_home_index >= len(CARE_HOME_NAMES):
            name = f"{name} {home.street.split()[0]}"
        self._care_home_index += 1
        return Address(
            home.number,
            home.street,
            home.street_short,
            home.locality,
            home.town,
            home.postcode,
            care_home=f"{name} Care Home",
        )

    def _remember(self, home: Address) -> None:
        if len(self._recent) < 2000:
            self._recent.append(home)
        else:
            self._recent[self._rng.randrange(2000)] = home

    def previous_home(self) -> Address:
        """Where a mover lived before: another home here, or a town nearby."""
        rng = self._rng
        if self._recent and rng.random() < 0.55:
            return self._recent[rng.randrange(len(self._recent))]
        town, outward = ELSEWHERE[rng.randrange(len(ELSEWHERE))]
        first = _STREET_FIRST[rng.randrange(len(_STREET_FIRST))]
        kind, short = _STREET_KIND[rng.randrange(len(_STREET_KIND))]
        unit = rng.choice(_UNIT_LETTERS) + rng.choice(_UNIT_LETTERS)
        return Address(
            str(rng.randint(1, 180)),
            f"{first} {kind}",
            f"{first} {short}",
            town,
            town,
            f"{outward} {rng.randint(0, 9)}{unit}",
        )


# Ofcom drama ranges: (prefix, first number, count). Landlines 0xxx 496 0000-0999 etc.
_LANDLINE_RANGES = (
    "0121 496 0",
    "0113 496 0",
    "0114 496 0",
    "0115 496 0",
    "0116 496 0",
    "0117 496 0",
    "0118 496 0",
    "0161 496 0",
    "0191 498 0",
    "020 7946 0",
    "01632 960",
)


def landline(rng: random.Random) -> str:
    return f"{rng.choice(_LANDLINE_RANGES)}{rng.randrange(1000):03d}"


def mobile(rng: random.Random) -> str:
    return f"07700 900{rng.randrange(1000):03d}"


def staff_phone(rng: random.Random) -> str:
    return f"0121 496 0{rng.randrange(1000):03d}"
