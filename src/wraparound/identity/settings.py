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
