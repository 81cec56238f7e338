"""Concurrent use on SQLite and PostgreSQL: one transition per gate, gap-free references."""

import threading
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from coordination.domain import CoordinationError

from ..helpers import OFFICER, open_at_gate, seed

THREADS = 20


def _race(calls):
    """Run the calls at the same moment, one thread each; returns results or the errors raised."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            return call()
        except CoordinationError as error:
            return error

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_twenty_concurrent_approvals_give_exactly_one_transition(app):
    seed(app)
    supervisors = [(f"sup{i}@{org}.test", org) for i in range(THREADS // 2) for org in ("ohchr", "iachr")]
    for email, org in supervisors:
        app.services.add_user(email=email, name=email, organisation=org, role="supervisor")
    ref = open_at_gate(app, "urgent-appeal")

    results = _race([lambda email=email: app.services.approve_stage(reference=ref, supervisor=email)
                     for email, _ in supervisors])

    succeeded = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(succeeded) == 2 and len(refused) == THREADS - 2
    assert sum(met for _, met in succeeded) == 1
    view = app.services.get_action(ref)
    assert [e["event"] for e in view["history"]].count("GateMet") == 1
    assert sorted(a["organisation"] for a in view["approvals"]) == ["iachr", "ohchr"]
    assert view["references"] == [ref, "UA HND 1/2026"]
    assert app.services.verify_audit().findings == []


def test_twenty_concurrent_opens_get_unique_gap_free_references(app):
    seed(app)
    results = _race([lambda i=i: app.services.open_action(type="urgent-appeal", country="HND",
                                                      title=f"action {i}", officer=OFFICER)
                     for i in range(THREADS)])
    assert not [r for r in results if isinstance(r, Exception)]
    assert sorted(r.reference for r in results) == [f"JAM-2026-{n:04d}" for n in range(1, THREADS + 1)]
    assert app.services.verify_audit().findings == []


def test_concurrent_gates_number_urgent_appeals_per_country_without_gaps(app):
    seed(app)
    refs = [open_at_gate(app, "urgent-appeal") for _ in range(6)]
    for ref in refs:
        app.services.approve_stage(reference=ref, supervisor="sam.supervisor@ohchr.test")
    _race([lambda ref=ref: app.services.approve_stage(reference=ref, supervisor="ines.supervisor@iachr.test")
           for ref in refs])
    with app.engine.connect() as connection:
        values = connection.execute(sa.text("SELECT value FROM action_references WHERE kind = 'ua'")).scalars()
        assert sorted(values) == sorted(f"UA HND {n}/2026" for n in range(1, 7))
