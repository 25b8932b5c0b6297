"""The project starts: the console command runs and the database migrates on this backend."""

import subprocess
import sys

import pytest
from django.db import connection


def test_console_command_lists_our_commands():
    out = subprocess.run(
        [sys.executable, "-m", "wraparound.manage", "help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "[sources]" in out or "[identity]" in out or "migrate" in out


@pytest.mark.django_db
def test_migrated_tables_exist():
    tables = set(connection.introspection.table_names())
    assert {"sources_sourcerecord", "sources_event", "identity_person", "identity_link"} <= tables
