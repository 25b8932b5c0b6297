"""Blocking rules: which pairs of records are compared at all.

Each rule is an equality on a few columns, so the number of pairs grows with the size of the
busiest block, not with the square of the data: a million records stay a few million pairs.
A pair is scored if *any* rule lets it through, so each rule covers a kind of error the others
miss (a new postcode, a typo in the date of birth, a missing NHS Number...).
"""

from splink import block_on
from splink.blocking_rule_library import CustomRule
from splink.internals.blocking_rule_creator import BlockingRuleCreator


def for_predictions() -> list[BlockingRuleCreator]:
    return [
        # Same valid NHS Number (invalid ones are null and never block together).
        block_on("nhs_number"),
        # Same other identifier, where the data has one (always null in our feeds).
        block_on("other_id"),
        # Date of birth right, family name may be misspelt or changed.
        block_on("dob", "family_initial"),
        block_on("dob", "given_initial"),
        # Moved postcode-less or date of birth mistyped: same postcode and first initial.
        block_on("postcode", "given_initial"),
        # Name right, postcode different (moved), date of birth mistyped in the day or month.
        block_on("family_name", "given_first3", "dob_y"),
        block_on("family_sx", "given_canon", "dob_y"),
        # Both names mistyped or swapped, but born the same day at the same postcode.
        block_on("dob", "postcode"),
        # Given and family names swapped (names_key is both names in alphabetical order; the
        # extra condition keeps only swapped pairs, so common names do not flood this rule).
        CustomRule("l.names_key = r.names_key AND l.given_name = r.family_name"),
        # Same house, date of birth missing, a nickname for the given name (Peggy, Margaret).
        block_on("addr_key", "family_name", "given_canon"),
        # Year and month of birth with the sound of both names: typos in the day and the name.
        block_on("dob_y", "dob_m", "family_sx", "given_sx"),
    ]


def for_training(*, with_nhs_number: bool) -> list[BlockingRuleCreator]:
    """EM sessions: each rule leaves the comparisons it blocks on to be estimated by another."""
    rules = [block_on("dob"), block_on("family_name", "given_name")]
    # Not on postcode or address: pairs sharing a home are full of household members, and EM
    # would learn that "different given name" is common among matches.
    if with_nhs_number:
        # Pairs sharing a valid NHS Number are nearly all true matches: the cleanest place to
        # learn how names, dates of birth and addresses vary for one person.
        rules.insert(0, block_on("nhs_number"))
    return rules


def deterministic_rules(*, with_nhs_number: bool) -> list[BlockingRuleCreator]:
    """Rules that admit almost no false matches, used to estimate the prior."""
    rules = [block_on("given_name", "family_name", "dob")]
    if with_nhs_number:
        rules.insert(0, block_on("nhs_number"))
    return rules
