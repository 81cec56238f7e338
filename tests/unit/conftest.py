"""Fixtures of the pure domain's unit tests: fresh fake ports for each test."""

import pytest

from coordination.domain import Ports

from .support import make_ports


@pytest.fixture
def ports() -> Ports:
    """A weekday calendar (no holidays) and reference numbers counted from 1 per series."""
    return make_ports()
