"""`wraparound spc PATH.csv`: the issue's oracles through the command, and bad files refused."""

import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

ORACLE_1 = [20, 24, 20, 26, 22, 16, 18, 16, 31, 28, 34, 26, 30, 19, 18]
ORACLE_2 = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
RNORM_SEED_123 = [
    -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774,
    1.71506499, 0.46091621, -1.26506123, -0.68685285, -0.44566197,
    1.22408180, 0.35981383, 0.40077145, 0.11068272, -0.55584113,
    1.78691314, 0.49785048, -1.96661716, 0.70135590, -0.47279141,
]  # fmt: skip


def write_series(tmp_path, values, name="series.csv"):
    path = tmp_path / name
    rows = [f"2026-{1 + n // 28:02d}-{1 + n % 28:02d},{value}" for n, value in enumerate(values)]
    path.write_text("period,value\n" + "\n".join(rows) + "\n")
    return path


def run_json(path, *options):
    out = StringIO()
    call_command("spc", str(path), "--json", *options, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize(
    ("values", "mean", "upper", "lower", "special"),
    [
        (ORACLE_1, 23.20, 37.64, 8.76, []),
        (ORACLE_2, 1.94, 6.95, -3.06, [5]),
        (RNORM_SEED_123, 0.14, 3.29, -3.01, []),
    ],
)
def test_oracles_to_two_decimal_places(tmp_path, values, mean, upper, lower, special):
    data = run_json(write_series(tmp_path, values))
    assert round(data["mean"], 2) == mean
    assert round(data["upper_limit"], 2) == upper
    assert round(data["lower_limit"], 2) == lower
    assert [n for n, p in enumerate(data["points"], start=1) if p["special_cause"]] == special
    assert [p["value"] for p in data["points"]] == [float(v) for v in values]
    for point in data["points"]:
        assert set(point) == {"period", "value", "special_cause", "variation", "rules"}
        assert point["variation"] in {"common_cause", "improvement", "concern", "neither"}
        assert point["special_cause"] == bool(point["rules"])


def test_improvement_direction_and_rule_options(tmp_path):
    path = write_series(tmp_path, ORACLE_2)
    assert run_json(path, "--improvement", "up")["points"][4]["variation"] == "improvement"
    assert run_json(path, "--improvement", "down")["points"][4]["variation"] == "concern"
    assert run_json(path)["points"][4]["variation"] == "neither"
    shift = write_series(tmp_path, [5, 7] * 6 + [7, 7.5, 7, 7.5, 7, 7.5, 7], "shift.csv")
    assert sum(p["special_cause"] for p in run_json(shift)["points"]) == 8
    assert "shift" in run_json(shift)["points"][-1]["rules"]
    assert sum(p["special_cause"] for p in run_json(shift, "--shift-points", "9")["points"]) == 0
    trend = write_series(tmp_path, [5, 1, 5, 1, 5, 1, 2, 3, 4, 5, 6, 7, 1, 5, 1], "trend.csv")
    assert [p["rules"] for p in run_json(trend)["points"]][6:12] == [["trend"]] * 6
    assert [p["rules"] for p in run_json(trend, "--trend-points", "8")["points"]][6:12] == [[]] * 6


def test_text_output_names_mean_limits_and_each_point(tmp_path):
    out = StringIO()
    call_command("spc", str(write_series(tmp_path, ORACLE_2)), "--improvement", "up", stdout=out)
    text = out.getvalue()
    assert "Mean: 1.94" in text and "Upper process limit: 6.95" in text
    assert "Lower process limit: -3.06" in text
    assert "2026-01-05\t10\tspecial cause: improvement\toutside the process limits" in text
    assert text.count("common cause\t-") == 17


def test_changes_recalculate_limits(tmp_path):
    path = write_series(tmp_path, [9, 11] * 6 + [10] + [19, 21] * 6 + [20])
    data = run_json(path, "--change", "2026-01-14")
    assert [s["points"] for s in data["segments"]] == [13, 13]
    assert data["mean"] == pytest.approx(20)
    assert not any(p["special_cause"] for p in data["points"])


def test_too_few_points_say_so(tmp_path):
    path = write_series(tmp_path, ORACLE_1[:12])
    data = run_json(path)
    assert data["upper_limit"] is None and data["lower_limit"] is None
    assert data["limits_shown"] is False and len(data["points"]) == 12
    out = StringIO()
    call_command("spc", str(path), stdout=out)
    assert "No process limits: fewer than 13 points" in out.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"period,value\n", "no rows"),
        (b"week,count\n1,2\n", "no period or value column"),
        (b"period\n1\n", "no value column"),
        (b"period,value\n1,abc\n", "line 2: the value 'abc' is not a number"),
        (b"period,value\n1,nan\n", "not a finite number"),
        (b"period,value\n1,2,3\n", "line 2 has 3 fields"),
        (b"period,value\n,2\n", "line 2 has no period"),
        (b'period,value\n"1,2\n3,4\n', "not a well-formed CSV"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00", "binary"),
        (b"period,value\n\xff\xfe1,2\n", "not UTF-8"),
    ],
)
def test_not_such_a_csv_is_refused(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("spc", str(path), stdout=StringIO())


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("spc", str(tmp_path / "nowhere.csv"), stdout=StringIO())


def test_command_line_one_error_line_and_non_zero_exit(tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes(bytes(range(256)))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    done = subprocess.run(
        [sys.executable, "-m", "wraparound.manage", "spc", str(path), "--json"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("CommandError:") and "binary" in lines[0]
    assert "Traceback" not in done.stderr and done.stdout == ""
