"""The README's walk-through ("## Using it"), taken from the README itself and run with bash
as written, command after command, on a fresh data directory: README and code cannot drift.
Delivery goes to a real aiosmtpd Maildir sink on loopback, named by COORDINATION_SMTP_HOST as
the README says a data directory of its own needs."""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from coordination.adapters.mail_sink import MailSink

ROOT = Path(__file__).resolve().parents[2]


def walk_through() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("\n## Using it\n"):]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def test_the_walk_through_is_found_and_keeps_its_reference_in_a_variable():
    script = walk_through()
    assert script.count("\ncoordination ") >= 25 and 'REF=$(coordination action open' in script
    assert "JAM-2026-0001" not in script  # beside the demo the reference is another one


@pytest.mark.timeout(600)
def test_the_readme_walk_through_runs_as_written_on_a_fresh_data_directory(tmp_path):
    sink = MailSink(tmp_path / "mail").start()
    work = tmp_path / "terminal"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COORDINATION_", "PREFECT_"))}
    env |= {"COORDINATION_DATA_DIR": str(tmp_path / "data"), "COORDINATION_SMTP_HOST": sink.host,
            "COORDINATION_SMTP_PORT": str(sink.port), "COORDINATION_SMTP_TLS": "none",
            "PATH": f"{ROOT / '.venv' / 'bin'}:{env['PATH']}"}
    try:
        done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", walk_through() + '\necho "REF=$REF"'],
                              cwd=work, env=env, capture_output=True, text=True, timeout=540)
        messages = sink.messages()
    finally:
        sink.stop()

    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert out.splitlines()[-1] == "REF=JAM-2026-0001"
    assert "This edit voided the approval of olga@ohchr.org: the stage must be approved again." in out
    assert "Gate met. JAM-2026-0001 is now at stage dispatch (ready). Its reference: UA HND 1/2026." in out
    assert "Sent 1, deferred 0, failed 0." in out
    assert re.search(r"Audit trail intact: \d+ event\(s\) verified", out)
    assert (work / "ua.pdf").read_bytes().startswith(b"%PDF")
    assert [m["To"] for m in messages] == ["mission@example.org"]
    shown = json.loads(out[out.index('{\n  "'):out.index("\n}\n") + 2])
    assert shown["stage"] == "awaiting_reply" and "UA HND 1/2026" in shown["references"]
