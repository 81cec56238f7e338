"""The console of `coordination serve` (and of every command) shows no third-party warning: WeasyPrint's
and fontTools' records go to third-party.log in the data directory (issue 12, part 6)."""

import logging
import stat
import sys

import pytest

from coordination.adapters.logs import THIRD_PARTY_LOG, THIRD_PARTY_LOGGERS
from coordination.adapters.renderer import LetterRenderer
from coordination.bootstrap import bootstrap
from coordination.config import Settings, default_templates_dir

# CSS WeasyPrint warns about, whatever fonts the machine has ("Ignored `…`, unknown property")
NOISY = "<html><head><style>p { colour: red; font-smooth: never }</style></head><body><p>Hola</p></body></html>"


@pytest.fixture
def console(capfd):
    """A console handler on the root logger, as Prefect's logging configuration installs under serve."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("%(levelname)s | %(name)s - %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    yield
    root.removeHandler(handler)


def test_a_pdf_with_warnings_leaves_the_console_quiet_and_the_warnings_in_the_data_directory(
        tmp_path, console, capfd):
    app = bootstrap(Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'c.db'}"))
    try:
        capfd.readouterr()
        pdf = LetterRenderer(default_templates_dir()).pdf(NOISY)  # in a forked child: fd 2 is captured too
        logging.getLogger("coordination.test").warning("one of ours")
        err = capfd.readouterr().err
    finally:
        app.engine.dispose()
    assert pdf.startswith(b"%PDF")
    assert "one of ours" in err  # our own warnings still reach the console
    leaked = [line for line in err.splitlines() if any(name in line for name in THIRD_PARTY_LOGGERS)]
    assert not leaked, leaked
    log = tmp_path / THIRD_PARTY_LOG
    assert "WARNING weasyprint" in log.read_text() and "colour" in log.read_text()
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
