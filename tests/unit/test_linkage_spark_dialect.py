"""The linkage model is not tied to DuckDB: the same settings render valid Spark SQL.

pyspark is not installed here, so we render every comparison level and blocking rule for
Splink's Spark dialect and parse the SQL with sqlglot's Spark grammar. Functions must be ones
Spark has (Splink's bundled jar supplies jaro_winkler and damerau_levenshtein).
"""

import sqlglot

from wraparound.identity.settings import settings_dict_for

SPARK_FUNCTIONS_USED = {"jaro_winkler", "damerau_levenshtein", "array_intersect", "size", "length"}


def _sql_fragments(settings: dict) -> list[str]:
    out = []
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            out.append(level["sql_condition"])
    for rule in settings["blocking_rules_to_generate_predictions"]:
        out.append(rule["blocking_rule"] if isinstance(rule, dict) else rule)
    return out


def test_settings_render_and_parse_for_spark():
    spark = settings_dict_for("spark")
    fragments = _sql_fragments(spark)
    assert len(fragments) > 20
    for sql in fragments:
        if sql.strip().upper() == "ELSE":
            continue
        sqlglot.parse_one(f"SELECT CASE WHEN {sql} THEN 1 END FROM t", read="spark")
    text = " ".join(fragments).lower()
    assert "jaro_winkler" in text and "damerau_levenshtein" in text


def test_duckdb_and_spark_settings_have_the_same_model_shape():
    duck, spark = settings_dict_for("duckdb"), settings_dict_for("spark")

    def shape(settings: dict) -> list:
        return [
            (c["output_column_name"], len(c["comparison_levels"])) for c in settings["comparisons"]
        ]

    assert shape(duck) == shape(spark)
    assert duck["sql_dialect"] == "duckdb" and spark["sql_dialect"] == "spark"
