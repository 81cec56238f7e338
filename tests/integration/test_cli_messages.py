"""What the command line says after a decision or an edit: the reference the gate assigned,
and the approvals an edit voided (SQLite and PostgreSQL)."""

import pytest

from ..helpers import OFFICER, SUP_IACHR, SUP_OHCHR, open_at_gate
from .test_cli import cli, invoke, ok  # noqa: F401  (fixtures)


def test_the_approval_that_meets_the_gate_prints_the_reference_it_assigned(app, cli):  # noqa: F811
    ref = open_at_gate(app, "urgent-appeal")

    first = ok(cli("action", "approve", ref, "--as", SUP_OHCHR))
    second = ok(cli("action", "approve", ref, "--as", SUP_IACHR))

    assert "Its reference" not in first
    assert second == f"Gate met. {ref} is now at stage dispatch (ready). Its reference: UA HND 1/2026.\n"
    assert "UA HND 1/2026" in app.services.get_action(ref)["references"]


def test_an_edit_at_the_gate_says_whose_approval_it_voided_once(app, cli):  # noqa: F811
    ref = open_at_gate(app, "urgent-appeal")
    ok(cli("action", "approve", ref, "--as", SUP_OHCHR))

    edited = ok(cli("letter", "set", ref, "concerns", "--text", "New concerns.", "--as", OFFICER))
    again = ok(cli("letter", "set", ref, "concerns", "--text", "Newer concerns.", "--as", OFFICER))

    assert edited.splitlines()[1] == (f"This edit voided the approval of {SUP_OHCHR}: "
                                      "the stage must be approved again.")
    assert len(again.splitlines()) == 1 and "voided" not in again


@pytest.mark.parametrize("args", [["--help"], ["signatory", "set", "--help"], ["action", "list"]])
def test_a_reader_that_went_away_ends_the_command_quietly(args, tmp_path):
    """`coordination … | head`: once the reader has closed the pipe, the command stops without an
    "internal error" line or a traceback (and no errors.log entry)."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("COORDINATION_", "PREFECT_"))}
    env["COORDINATION_DATA_DIR"] = str(tmp_path / "data")
    subprocess.run([sys.executable, "-c", "from coordination.cli import main; main()", "init"], env=env, check=True,
                   capture_output=True)
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first line
    try:
        done = subprocess.run([sys.executable, "-c", "from coordination.cli import main; main()", *args],
                              stdout=write, stderr=subprocess.PIPE, env=env, timeout=120)
    finally:
        os.close(write)
    assert done.stderr.decode() == "" and done.returncode != 0
    assert not (tmp_path / "data" / "errors.log").exists()
