"""The Splink settings of the linkage model: comparisons, blocking rules and run options.

No backend is named here: ``SettingsCreator.get_settings("duckdb")`` or ``("spark")`` turns the
same object into that backend's SQL, which is how we keep the model portable (see
``tests/unit/test_linkage_spark_dialect.py``).
"""

from splink import SettingsCreator

from wraparound.identity import blocking_rules, comparisons


def build_settings(
    *, with_nhs_number: bool = True, initial_only_m: float = 0.01, with_other_id: bool = False
) -> SettingsCreator:
    """The model before training (m, u and the prior are estimated by ``run.train``)."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons.all_comparisons(
            with_nhs_number=with_nhs_number,
            initial_only_m=initial_only_m,
            with_other_id=with_other_id,
        ),
        blocking_rules_to_generate_predictions=blocking_rules.for_predictions(),
        # Needed for the gamma (comparison level) columns that the clustering reads.
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=False,
        max_iterations=20,
        em_convergence=0.0001,
    )


def settings_dict_for(dialect: str, *, with_nhs_number: bool = True) -> dict:
    """The settings rendered as a plain dict of SQL for one Splink dialect ("duckdb", "spark")."""
    return build_settings(with_nhs_number=with_nhs_number).get_settings(dialect).as_dict()


# The model's fixed parameters, used instead of training when a feed is too small to train on
# (a pilot's first few hundred records) or training finds nothing to learn from. For each
# comparison level: m (share of true matches with this outcome) and u (share of different
# people). Taken from a training run on 20,000 generated people (about 50,000 records),
# rounded, and checked for sense by hand: same date of birth ~12,500 times likelier for one
# person than for two; clearly different dates ~1,000 times likelier for two people.
FIXED_M_U: dict[str, dict[str, tuple[float, float]]] = {
    "nhs_number": {
        "Exact match on nhs_number": (0.99, 3.4e-5),
        "All other comparisons": (0.001, 0.99997),
    },
    "other_id": {
        "Exact match on other_id": (0.95, 1e-5),
        "One character wrong or two swapped": (0.03, 1e-4),
        "All other comparisons": (0.02, 0.9999),
    },
    "given_name": {
        "Exact match on given_name": (0.9, 0.0016),
        "Nickname or short form of the same name": (0.02, 0.0004),
        "Given and family names swapped": (0.01, 2e-6),
        "Given and family names swapped, with a typo": (0.005, 2e-6),
        "A middle name matches the other's given name": (0.002, 7e-5),
        "Initial only, and it matches": (0.02, 0.007),
        "Jaro-Winkler distance of given_name >= 0.92": (0.03, 0.0003),
        "Jaro-Winkler distance of given_name >= 0.88": (0.008, 0.0005),
        "All other comparisons": (0.014, 0.99),
    },
    "family_name": {
        "Exact match on family_name": (0.87, 0.0024),
        "Given and family names swapped": (1e-6, 1e-6),
        "Jaro-Winkler distance of family_name >= 0.92": (0.035, 0.0003),
        "Jaro-Winkler distance of family_name >= 0.85": (0.009, 0.0011),
        "Array intersection size >= 1": (0.01, 4e-5),
        "All other comparisons": (0.08, 0.996),
    },
    "dob": {
        "Exact match on dob": (0.985, 8e-5),
        "Day and month swapped": (0.01, 7e-6),
        "Damerau-Levenshtein distance of dob <= 1": (0.005, 0.0009),
        "One of day, month or year differs": (0.002, 0.003),
        "All other comparisons": (0.001, 0.996),
    },
    "residence": {
        "Same house (postcode, number and street)": (0.9, 0.0002),
        "Same number and street, postcode differs": (0.02, 0.00026),
        "Same postcode, address shares two rarer words": (0.005, 1e-6),
        "Same postcode": (0.0003, 0.0015),
        "Address shares two rarer words, postcode differs": (0.001, 0.00015),
        "Postcode one character out (typo)": (0.0002, 0.012),
        "Same postcode sector": (0.004, 0.086),
        "All other comparisons": (0.07, 0.9),
    },
    "sex": {
        "Exact match on sex": (0.99, 0.5),
        "All other comparisons": (0.01, 0.5),
    },
    "same_source": {
        "Both from the same feed": (0.02, 0.28),
        "From different feeds": (0.98, 0.72),
    },
}


def fixed_settings(
    *, records: int, with_nhs_number: bool = True, with_other_id: bool = False
) -> dict:
    """The untrained model with ``FIXED_M_U`` filled in, for DuckDB, as a settings dict.

    The prior (probability that two random records are one person) is ``1 / records``: in a
    small first feed most people have one or two records, so each record matches about one
    other. It cannot be learnt from a handful of records and must shrink as the feed grows.
    """
    settings = build_settings(with_nhs_number=with_nhs_number, with_other_id=with_other_id)
    as_dict = settings.get_settings("duckdb").as_dict()
    for comparison in as_dict["comparisons"]:
        table = FIXED_M_U[comparison["output_column_name"]]
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            m, u = table[level["label_for_charts"]]
            level["m_probability"], level["u_probability"] = m, u
    as_dict["probability_two_random_records_match"] = min(0.5, 1 / max(records, 2))
    return as_dict
