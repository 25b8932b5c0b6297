"""Issue 9, finding 13: the one-gate rule was a convention.

``.importlinter`` let ``record`` import any governance module (adding ``governance.models`` to
``record/views.py`` still passed), and ``governance/urls.py`` imported ``record``. These tests
run the real contracts (``lint-imports``) on a copy of the source with the forbidden import
added, and check that the list of forbidden governance modules covers every module but the gate.
"""

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")


def _contract(name: str) -> configparser.SectionProxy:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    return config[f"importlinter:contract:{name}"]


def test_record_may_reach_no_governance_module_but_the_gate():
    forbidden = set(_contract("one-gate")["forbidden_modules"].split())
    governance = ROOT / "src" / "wraparound" / "governance"
    modules = {p.stem for p in governance.glob("*.py")} | {
        p.name for p in governance.iterdir() if (p / "__init__.py").exists()
    }
    expected = {f"wraparound.governance.{m}" for m in modules - {"__init__", "access"}}
    # Inside the gate, only the package itself (its documented API) is record's to import:
    # reaching ``access.search`` or ``access.lens`` directly would skip the audit.
    gate = governance / "access"
    expected |= {
        f"wraparound.governance.access.{p.stem}" for p in gate.glob("*.py") if p.stem != "__init__"
    }
    assert expected - forbidden == set()


def _lint_with(tmp_path: Path, module: str, line: str) -> subprocess.CompletedProcess:
    """``lint-imports`` on a copy of ``src`` where ``module`` gains ``line``."""
    src = tmp_path / "src"
    shutil.copytree(
        ROOT / "src" / "wraparound", src / "wraparound", ignore=shutil.ignore_patterns("static")
    )
    target = src / "wraparound" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    return subprocess.run(
        [str(LINT), str(tmp_path / ".importlinter"), "--no-cache"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize(
    ("module", "line", "refusal"),
    [
        (
            "record/views.py",
            "from wraparound.governance import models as _models  # noqa",
            "wraparound.record is not allowed to import wraparound.governance.models",
        ),
        (
            "record/views.py",
            "from wraparound.governance.access.search import find as _find  # noqa",
            "wraparound.record is not allowed to import wraparound.governance.access.search",
        ),
        (
            "governance/linkage.py",
            "from wraparound.record import steward_views as _views  # noqa",
            "wraparound.governance is not allowed to import wraparound.record",
        ),
    ],
)
def test_a_forbidden_import_breaks_the_contract(tmp_path, module, line, refusal):
    done = _lint_with(tmp_path, module, line)
    assert done.returncode != 0, done.stdout[-2000:]
    assert refusal in done.stdout, done.stdout[-2000:]


def test_the_source_as_it_is_keeps_every_contract(tmp_path):
    done = _lint_with(tmp_path, "record/__init__.py", "")
    assert done.returncode == 0, done.stdout[-3000:]
