"""A small synthetic population for the linkage tests, with the difficulties real feeds have.

Deterministic (seeded): people held by several partners, some records with typos, nicknames,
day/month swaps, moved house, no NHS Number or an invalid one. Plus the hard cases the model
must get right: twins, a father and son at one address.
"""

import random
from datetime import date, timedelta

import pandas as pd

from wraparound.core.nhs_number import check_digit

GIVEN = (
    "oliver george harry jack jacob noah charlie thomas oscar william james henry leo alfie "
    "joshua freddie archie ethan isaac alexander joseph edward samuel max daniel arthur "
    "olivia amelia isla ava emily sophia grace mia poppy ella lily evie isabella sophie "
    "ivy freya harper willow charlotte jessica ruby florence daisy margaret elizabeth "
    "patricia susan deborah rebecca catherine robert michael richard"
).split()
FAMILY = (
    "smith jones taylor brown williams wilson johnson davies robinson wright thompson evans "
    "walker white roberts green hall wood jackson clarke patel khan lewis james phillips "
    "mason mitchell rose davis rodriguez cox alexander morgan moore martin price scott "
    "young hughes edwards hill harris lee king baker turner cooper ward morris carter "
    "okafor nowak kowalski murphy kelly byrne oconnor shah begum hussain ahmed ali"
).split()
STREETS = "church station park victoria mill green manor school queens kings".split()
KINDS = "road street lane avenue close drive".split()
NICK = {"william": "bill", "robert": "bob", "margaret": "peggy", "elizabeth": "liz",
        "richard": "dick", "thomas": "tom", "catherine": "kate", "michael": "mike",
        "james": "jim", "rebecca": "becky", "patricia": "pat", "susan": "sue"}  # fmt: skip
SOURCES = [("gp", 0.97), ("acute", 0.9), ("community", 0.85), ("adult_social_care", 0.6),
           ("mental_health", 0.8), ("housing", 0.0), ("council_tax", 0.0)]  # fmt: skip


def nhs_number(rng: random.Random) -> str:
    while True:
        nine = "".join(str(rng.randint(0, 9)) for _ in range(9))
        digit = check_digit(nine)
        if digit is not None and nine[0] != "0":
            return nine + str(digit)


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 4:
        return text
    i = rng.randint(1, len(text) - 2)
    kind = rng.random()
    if kind < 0.4:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind < 0.7:
        return text[:i] + text[i + 1 :]
    return text[:i] + rng.choice("aeioulnrst") + text[i + 1 :]


def _postcode(rng: random.Random) -> str:
    return f"LS{rng.randint(1, 12)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"


def person(rng: random.Random, pid: str, **over) -> dict:
    sex = over.get("sex", rng.choice("MF"))
    return {
        "person_id": pid,
        "given_name": over.get("given_name", rng.choice(GIVEN)),
        "family_name": over.get("family_name", rng.choice(FAMILY)),
        "date_of_birth": over.get(
            "date_of_birth", date(1930, 1, 1) + timedelta(days=rng.randint(0, 29000))
        ),
        "sex": sex,
        "postcode": over.get("postcode", _postcode(rng)),
        "address": over.get(
            "address",
            f"{rng.randint(1, 180)} {rng.choice(STREETS).title()} {rng.choice(KINDS).title()}",
        ),
        "nhs_number": over.get("nhs_number", nhs_number(rng)),
    }


def record(rng: random.Random, p: dict, source: str, nhs_share: float, messy: bool = True) -> dict:
    rec = {
        k: p[k]
        for k in ("given_name", "family_name", "date_of_birth", "sex", "postcode", "address")
    }
    rec["nhs_number"] = p["nhs_number"] if rng.random() < nhs_share else ""
    if messy:
        r = rng.random
        if r() < 0.06:
            rec["family_name"] = _typo(rng, rec["family_name"])
        if r() < 0.05:
            rec["given_name"] = _typo(rng, rec["given_name"])
        elif r() < 0.08 and rec["given_name"] in NICK:
            rec["given_name"] = NICK[rec["given_name"]]
        dob = rec["date_of_birth"]
        if r() < 0.03 and dob.day <= 12 and dob.day != dob.month:
            rec["date_of_birth"] = date(dob.year, dob.day, dob.month)
        elif r() < 0.03:
            rec["date_of_birth"] = dob + timedelta(days=rng.choice([-1, 1, 10]))
        elif r() < 0.03:
            rec["date_of_birth"] = None
        if r() < 0.08:
            rec["postcode"], rec["address"] = _postcode(rng), f"{rng.randint(1, 180)} New Street"
    return rec


def population(n_people: int = 400, seed: int = 3) -> tuple[pd.DataFrame, pd.Series]:
    """(records frame in the contract's shape + source/source_record_id/nhs_number_valid, truth)."""
    rng = random.Random(seed)
    people = [person(rng, f"P{i}") for i in range(n_people)]
    rows = []
    for p in people:
        held = rng.sample(SOURCES, rng.randint(2, 4))
        for source, share in held:
            rows.append(
                {"source": source, "person_id": p["person_id"], **record(rng, p, source, share)}
            )
    frame = pd.DataFrame(rows)
    frame["source_record_id"] = [f"{s[:2].upper()}{i:06d}" for i, s in enumerate(frame["source"])]
    frame["unique_id"] = range(1, len(frame) + 1)
    truth = pd.Series(frame["person_id"].values, index=frame["unique_id"])
    return frame.drop(columns=["person_id"]), truth


def test_population_is_deterministic_and_shaped_like_the_contract():
    a, truth_a = population(50, seed=1)
    b, _ = population(50, seed=1)
    pd.testing.assert_frame_equal(a, b)
    assert {"source", "source_record_id", "nhs_number", "given_name", "family_name",
            "date_of_birth", "postcode", "address"} <= set(a.columns)  # fmt: skip
    assert truth_a.nunique() == 50
