"""The comparisons of the linkage model, named for what a person would check.

Each is a Splink ``CustomComparison`` built from dialect-aware levels (``ExactMatchLevel``,
``JaroWinklerLevel``, ``LevenshteinLevel``, ``ArrayIntersectLevel``) or plain ``=``/``AND`` SQL,
so the same comparisons produce valid SQL for DuckDB and for Spark. Splink has no nickname and
no day/month-swap levels (PITFALLS.md): both are custom levels here, fed by columns that
``features.prepare`` works out in Python.
"""

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator


def _rare(level: ComparisonLevelCreator, *, m: float, u: float | None = None):
    """A level too rare for EM to estimate well: its m (and maybe u) are set, not trained.

    Left to EM, a level seen a handful of times gets an m near zero and so a large *negative*
    weight, which would turn "nickname of the same name" into evidence against a match.
    """
    options: dict = {"m_probability": m, "fix_m_probability": True}
    if u is not None:
        options.update(u_probability=u, fix_u_probability=True)
    return level.configure(**options)


def _names_swapped() -> ComparisonLevelCreator:
    return cll.CustomLevel(
        "given_name_l = family_name_r AND family_name_l = given_name_r",
        label_for_charts="Given and family names swapped",
    )


class NamesSwappedFuzzyLevel(ComparisonLevelCreator):
    """Given and family names swapped *and* misspelt ("Bottrof Samuel" / "Samuel Bottroff").

    Uses the dialect's own Jaro-Winkler function name, so it renders for DuckDB and Spark.
    """

    def __init__(self, threshold: float = 0.88):
        self.threshold = threshold

    def create_sql(self, sql_dialect) -> str:
        jw = sql_dialect.jaro_winkler_function_name
        t = self.threshold
        return (
            f"{jw}(given_name_l, family_name_r) >= {t} AND {jw}(family_name_l, given_name_r) >= {t}"
        )

    def create_label_for_charts(self) -> str:
        return "Given and family names swapped, with a typo"


def nhs_number() -> ComparisonCreator:
    """Same valid NHS Number / both valid but different / either missing or invalid."""
    return cl.CustomComparison(
        output_column_name="nhs_number",
        comparison_description="NHS Number (valid numbers only)",
        comparison_levels=[
            cll.NullLevel("nhs_number"),
            cll.ExactMatchLevel("nhs_number"),
            # Both valid, different: strong evidence against, but not infinite (a superseded
            # number happens). The clustering refuses such merges whatever the weights say.
            _rare(cll.ElseLevel(), m=0.001),
        ],
    )


def other_identifier() -> ComparisonCreator:
    """Another number the sources share (only when the data has one): same / one typo / not."""
    return cl.CustomComparison(
        output_column_name="other_id",
        comparison_description="Other identifier",
        comparison_levels=[
            cll.NullLevel("other_id"),
            cll.ExactMatchLevel("other_id"),
            cll.DamerauLevenshteinLevel("other_id", 1).configure(
                label_for_charts="One character wrong or two swapped"
            ),
            cll.ElseLevel(),
        ],
    )


def given_name(*, initial_only_m: float = 0.01) -> ComparisonCreator:
    """Given name. ``initial_only_m``: share of true matches where one side is just an initial.

    EM cannot learn that level (records with only an initial rarely carry an NHS Number or a
    date of birth, so they are missing from every training block); ``run.py`` sets it from the
    share of records whose given name is a single letter.
    """
    return cl.CustomComparison(
        output_column_name="given_name",
        comparison_description="Given name",
        comparison_levels=[
            cll.NullLevel("given_name"),
            cll.ExactMatchLevel("given_name", term_frequency_adjustments=True),
            _rare(
                cll.ArrayIntersectLevel("given_canons", 1).configure(
                    label_for_charts="Nickname or short form of the same name"
                ),
                m=0.02,
            ),
            _rare(_names_swapped(), m=0.01, u=2e-6),
            _rare(NamesSwappedFuzzyLevel(), m=0.005, u=2e-6),
            cll.ArrayIntersectLevel("given_tokens", 1).configure(
                label_for_charts="A middle name matches the other's given name"
            ),
            _rare(
                cll.CustomLevel(
                    "(length(given_name_l) = 1 OR length(given_name_r) = 1)"
                    " AND given_initial_l = given_initial_r",
                    label_for_charts="Initial only, and it matches",
                ),
                m=initial_only_m,
            ),
            cll.JaroWinklerLevel("given_name", 0.92),
            cll.JaroWinklerLevel("given_name", 0.88),
            cll.ElseLevel(),
        ],
    )


def family_name() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="family_name",
        comparison_description="Family name",
        comparison_levels=[
            cll.NullLevel("family_name"),
            cll.ExactMatchLevel("family_name", term_frequency_adjustments=True),
            # Already counted once in the given-name comparison: neutral here (weight 0).
            _rare(_names_swapped(), m=1e-6, u=1e-6),
            cll.JaroWinklerLevel("family_name", 0.92),
            cll.JaroWinklerLevel("family_name", 0.85),
            # "Smith-Jones" vs "Smith": one part of a double-barrelled name.
            _rare(cll.ArrayIntersectLevel("family_tokens", 1), m=0.01),
            cll.ElseLevel(),
        ],
    )


def date_of_birth() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="dob",
        comparison_description="Date of birth",
        comparison_levels=[
            cll.NullLevel("dob"),
            cll.ExactMatchLevel("dob"),
            _rare(
                cll.CustomLevel(
                    "dob_y_l = dob_y_r AND dob_m_l = dob_d_r AND dob_d_l = dob_m_r",
                    label_for_charts="Day and month swapped",
                ),
                m=0.01,
            ),
            # One digit mistyped, or two neighbouring digits transposed (1973 / 1937).
            cll.DamerauLevenshteinLevel("dob", 1),
            cll.CustomLevel(
                "(CASE WHEN dob_y_l = dob_y_r THEN 1 ELSE 0 END"
                " + CASE WHEN dob_m_l = dob_m_r THEN 1 ELSE 0 END"
                " + CASE WHEN dob_d_l = dob_d_r THEN 1 ELSE 0 END) = 2",
                label_for_charts="One of day, month or year differs",
            ),
            cll.ElseLevel(),
        ],
    )


def residence() -> ComparisonCreator:
    """Where they live: postcode and address as ONE comparison.

    Postcode and house are two views of one fact; scored separately, a household (parents,
    children, a lodger) would get that fact counted twice and look like one person.
    """
    return cl.CustomComparison(
        output_column_name="residence",
        comparison_description="Postcode and address",
        comparison_levels=[
            cll.CustomLevel(
                "(postcode_l IS NULL AND addr_key_l IS NULL)"
                " OR (postcode_r IS NULL AND addr_key_r IS NULL)",
                label_for_charts="No postcode or address on one side",
            ).configure(is_null_level=True),
            cll.CustomLevel(
                "postcode_l = postcode_r AND addr_key_l = addr_key_r",
                label_for_charts="Same house (postcode, number and street)",
            ),
            cll.CustomLevel(
                "addr_key_l = addr_key_r",
                label_for_charts="Same number and street, postcode differs",
            ),
            cll.And(
                cll.CustomLevel("postcode_l = postcode_r"),
                cll.ArrayIntersectLevel("addr_tokens", 2),
            ).configure(label_for_charts="Same postcode, address shares two rarer words"),
            cll.CustomLevel("postcode_l = postcode_r", label_for_charts="Same postcode"),
            cll.ArrayIntersectLevel("addr_tokens", 2).configure(
                label_for_charts="Address shares two rarer words, postcode differs"
            ),
            cll.DamerauLevenshteinLevel("postcode", 1).configure(
                label_for_charts="Postcode one character out (typo)"
            ),
            cll.CustomLevel("pc_sector_l = pc_sector_r", label_for_charts="Same postcode sector"),
            cll.ElseLevel(),
        ],
    )


def sex() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="sex",
        comparison_description="Sex",
        comparison_levels=[
            cll.NullLevel("sex"),
            cll.ExactMatchLevel("sex"),
            # Recorded sex differs now and then by mistake; never let EM make it decisive.
            _rare(cll.ElseLevel(), m=0.01),
        ],
    )


def same_source() -> ComparisonCreator:
    """Both records from the same partner feed.

    A partner rarely holds one person twice, so two near-identical records in one feed are
    more often two people (a father and son of the same name in one tenancy) than a duplicate.
    EM learns how much less likely.
    """
    return cl.CustomComparison(
        output_column_name="same_source",
        comparison_description="Same partner feed",
        comparison_levels=[
            cll.NullLevel("source"),
            cll.CustomLevel("source_l = source_r", label_for_charts="Both from the same feed"),
            cll.ElseLevel().configure(label_for_charts="From different feeds"),
        ],
    )


def all_comparisons(
    *, with_nhs_number: bool = True, initial_only_m: float = 0.01, with_other_id: bool = False
) -> list[ComparisonCreator]:
    """Every comparison, in the order the evidence is shown to a data steward."""
    comparisons = [
        given_name(initial_only_m=initial_only_m),
        family_name(),
        date_of_birth(),
        residence(),
        sex(),
        same_source(),
    ]
    if with_other_id:
        comparisons.insert(0, other_identifier())
    if with_nhs_number:
        comparisons.insert(0, nhs_number())
    return comparisons
