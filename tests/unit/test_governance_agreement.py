"""The sharing agreement file: the default loads, and every mistake is named with key and line."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from wraparound.governance import agreement
from wraparound.governance.agreement import AgreementError
from wraparound.governance.roles import Role

DEFAULT = Path(settings.WRAPAROUND_AGREEMENT).read_text()


def test_the_default_agreement_covers_every_role():
    parsed = agreement.parse(DEFAULT)
    assert set(parsed.roles) == set(Role.values)
    assert parsed.rules_for("housing_officer").detail_from == {
        "housing",
        "council_tax",
        "adult_social_care",
    }
    assert "mental_health" in parsed.rules_for("mental_health_worker").sensitive
    assert "mental_health" not in parsed.rules_for("clinician").sensitive
    assert parsed.rules_for("voluntary_worker").sensitive == frozenset()
    assert parsed.rules_for("data_steward").sensitive == frozenset()
    assert parsed.rules_for("administrator").detail_from == frozenset()


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("  clinician:\n", "  clinican:\n", r"line \d+: 'roles.clinican': unknown role 'clinican'"),
        (
            "detail_from: [gp, acute, community, adult_social_care]",
            "detail_from: [gp, hospital]",
            r"'roles.clinician.detail_from\[1\]': unknown partner 'hospital'",
        ),
        (
            "sensitive: [safeguarding, substance_misuse]\n    relationships",
            "sensitive: [safeguarding, drugs]\n    relationships",
            r"'roles.clinician.sensitive\[1\]': unknown sensitive category 'drugs'",
        ),
        ('version: "2025.2"\n', "", r"'version' is required"),
        ("effective_from: 2025-04-01", "effective_from: soon", r"'effective_from'"),
        (
            "  sexual_health_clinic: sexual_health",
            "  sexual_health_clinic: gossip",
            r"unknown sensitive category 'gossip'",
        ),
        ("break_glass:\n  hours: 4", "break_glass:\n  hours: 400", r"break_glass.hours"),
        ("title:", "titel:", r"'titel': unknown key"),
        (
            "  administrator:\n    description: Account administration; no access to person data\n"
            "    detail_from: []\n    sensitive: []\n    relationships: []\n",
            "",
            r"missing: administrator",
        ),
        (
            "relationships: [assigned, team_caseload]\n",
            "relationships: [assigned, friends]\n",
            r"line \d+: 'roles.voluntary_worker.relationships\[1\]': unknown relationship 'friends'",
        ),
        (
            "relationships: [assigned, team_caseload]\n",
            "relationships: neighbourhood\n",
            r"'roles.voluntary_worker.relationships': must be a list of relationship",
        ),
        ("  people: 200\n", "  people: lots\n", r"line \d+: 'search.people': must be a whole"),
        ("  pause_minutes: 15\n", "  pause_for: 15\n", r"'search.pause_for': unknown key"),
        (
            "  name: Priya Shah, Information Governance Lead\n",
            "",
            r"'data_steward.name' is required|'name' is required",
        ),
        ("roles:\n", "roles:\n  clinician: {}\n", r"duplicate key 'roles.clinician'"),
        ("version:", "version: [unclosed", r"not valid YAML"),
    ],
)
def test_mistakes_are_named(old, new, message):
    assert old in DEFAULT, old
    with pytest.raises(AgreementError, match=message):
        agreement.parse(DEFAULT.replace(old, new, 1), "agreement.yaml")


def test_relationships_are_per_role_and_default_to_assigned_only():
    """Issue 9, item 2: the voluntary worker sees people referred or assigned, not the
    neighbourhood; a role whose rules leave ``relationships`` out gets only people named to
    them (widening is a decision the agreement must write down)."""
    parsed = agreement.parse(DEFAULT)
    assert parsed.rules_for("voluntary_worker").relationships == {"assigned", "team_caseload"}
    assert "neighbourhood" in parsed.rules_for("clinician").relationships
    without = DEFAULT.replace("    relationships: [assigned, team_caseload]\n", "", 1)
    assert "    relationships: [assigned, team_caseload]" not in without
    assert agreement.parse(without).rules_for("voluntary_worker").relationships == {"assigned"}


def test_an_empty_file_is_refused():
    with pytest.raises(AgreementError, match="empty"):
        agreement.parse("", "x.yaml")


def test_check_agreement_command(tmp_path):
    bad = tmp_path / "agreement.yaml"
    bad.write_text(DEFAULT.replace("detail_from: [voluntary]", "detail_from: [volunteers]"))
    run = subprocess.run(
        [sys.executable, "-m", "wraparound.manage", "check-agreement", str(bad)],
        capture_output=True,
        text=True,
    )
    assert run.returncode != 0
    assert "unknown partner 'volunteers'" in run.stderr
    assert "Traceback" not in run.stderr
    good = subprocess.run(
        [sys.executable, "-m", "wraparound.manage", "check-agreement"],
        capture_output=True,
        text=True,
    )
    assert good.returncode == 0, good.stderr
    assert "housing_officer: detail from" in good.stdout


def test_the_agreement_in_force_is_reread_when_the_file_changes(tmp_path, settings):
    path = tmp_path / "agreement.yaml"
    path.write_text(DEFAULT)
    settings.WRAPAROUND_AGREEMENT = path
    assert agreement.current().version == "2025.2"
    path.write_text(DEFAULT.replace('version: "2025.2"', 'version: "2025.3"'))
    import os

    os.utime(path, ns=(1, 2_000_000_000_000_000_000))
    assert agreement.current().version == "2025.3"
