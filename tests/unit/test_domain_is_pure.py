"""The domain imports no framework: checked in a fresh interpreter, so no other test's imports interfere."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("prefect", "sqlmodel", "sqlalchemy", "jinja2", "aiosmtplib", "fastapi")

PROBE = """
import importlib, json, pkgutil, sys
import coordination.domain as domain
imported = [info.name for info in pkgutil.walk_packages(domain.__path__, domain.__name__ + ".")]
for name in imported:
    importlib.import_module(name)
print(json.dumps({"submodules": imported, "modules": sorted(sys.modules)}))
"""


def imports_of_the_domain() -> dict:
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_domain_imports_no_prefect_sqlmodel_sqlalchemy_jinja2_aiosmtplib_or_fastapi():
    probe = imports_of_the_domain()
    # the probe really walked the domain (not a vacuous pass)
    assert {"coordination.domain.model", "coordination.domain.stages", "coordination.domain.letters",
            "coordination.domain.deadlines"} <= set(probe["submodules"])
    leaked = sorted(m for m in probe["modules"] if m.split(".")[0] in FORBIDDEN)
    assert leaked == []


def test_the_domain_reads_no_clock():
    # Time comes in as an argument (DESIGN.md, "Architecture").
    clocks = ("datetime.now(", "datetime.utcnow(", "date.today(", "time.time(", "time.monotonic(")
    sources = sorted((ROOT / "coordination" / "domain").rglob("*.py"))
    assert sources
    found = [f"{path.name}: {clock}" for path in sources for clock in clocks if clock in path.read_text()]
    assert found == []
