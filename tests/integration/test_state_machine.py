"""Random sequences of casework and decisions, by random people of both organisations, checked
after every step against a simple model of who may decide (hypothesis' RuleBasedStateMachine).

The model predicts each decision from what the action showed before it: a supervisor of an
organisation that still owes its quorum, who neither submitted the stage nor last edited its
letters, deciding once per round, on the letters as they are now. Other steps may be refused
for reasons of the stage; a refused step must then write nothing. After every step:
  - every gate met had each organisation's quorum approving the letters' current hashes;
  - no standing decision was taken by the submitter or a letter's last editor;
  - references are gap-free (JAM numbers, urgent appeals per country, MC and resolutions);
  - `audit verify` finds nothing: the chain holds and the replay matches the tables.
On SQLite and PostgreSQL.
"""

import os
import re
import shutil
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from coordination.adapters.fakes import FixedClock
from coordination.bootstrap import bootstrap
from coordination.config import Settings
from coordination.domain import DEFINITIONS, ActionType, CoordinationError, StaleLetters
from coordination.domain.letters import letters_digest
from coordination.domain.stages import FieldKind

from ..conftest import count_rows, empty_postgresql
from ..helpers import FIRST_GATE_LETTERS, USERS, seed

PEOPLE = {email: (org, role) for email, _, org, role in USERS}
CASEWORKERS = [e for e, (_, role) in PEOPLE.items() if role in ("officer", "supervisor")]
SUPERVISORS = [e for e, (_, role) in PEOPLE.items() if role == "supervisor"]
EVERYONE = sorted(PEOPLE)
MAX_ACTIONS = 3
EXAMPLES = int(os.environ.get("COORDINATION_STATE_MACHINE_EXAMPLES", "12"))  # raise it for a longer hunt


def _value(kind: FieldKind, choices: tuple[str, ...], n: int) -> str:
    if kind is FieldKind.EMAIL:
        return f"requester{n}@ngo.test"
    if kind is FieldKind.INTEGER:
        return str(1 + n % 30)
    if kind is FieldKind.CHOICE:
        return choices[n % len(choices)]
    if kind is FieldKind.MANDATES:  # one UN mandate, with an IACHR rapporteurship now and then
        return ["defenders", "expression,iachr-expression", "assembly", "torture,iachr-defenders"][n % 4]
    return f"Text {n}: the defender's situation, as described."


class Office(RuleBasedStateMachine):
    """One office's database; `make_app` gives a fresh, migrated one per run."""

    make_app = None  # set by the test
    outcomes: Counter = Counter()  # what the runs reached, so that the test can say they reached it

    def __init__(self) -> None:
        super().__init__()
        self.clock = FixedClock()
        self.app = type(self).make_app(self.clock)
        seed(self.app)
        self.refs: list[str] = []

    def teardown(self) -> None:
        self.app.engine.dispose()

    # ---------------------------------------------------------------- reading

    def view(self, ref: str) -> dict:
        return self.app.services.get_action(ref)

    def _attempt(self, step) -> object | None:  # type: ignore[no-untyped-def]
        """Run a step; a refusal must be a CoordinationError and write nothing."""
        before = count_rows(self.app)
        try:
            return step()
        except CoordinationError as error:
            assert count_rows(self.app) == before, f"a refused step wrote rows: {error}"
            return error

    # ---------------------------------------------------------------- rules

    @precondition(lambda self: len(self.refs) < MAX_ACTIONS)
    @rule(kind=st.sampled_from(list(ActionType)), who=st.sampled_from(EVERYONE))
    def open(self, kind: ActionType, who: str) -> None:
        country = FIRST_GATE_LETTERS[kind.value][0]
        result = self._attempt(lambda: self.app.services.open_action(type=kind.value, country=country,
                                                            title="Random", officer=who, beneficiaries=["B. One"]))
        assert isinstance(result, CoordinationError) == (PEOPLE[who][1] == "admin")
        if not isinstance(result, CoordinationError):
            self.refs.append(result.reference)

    @precondition(lambda self: self.refs)
    @rule(data=st.data(), who=st.sampled_from(CASEWORKERS), n=st.integers(0, 50))
    def edit(self, data, who: str, n: int) -> None:  # type: ignore[no-untyped-def]
        ref = data.draw(st.sampled_from(self.refs))
        drafts = [l for l in self.view(ref)["letters"] if l["status"] == "draft"]
        if not drafts:
            return
        letter = data.draw(st.sampled_from(drafts))
        spec = DEFINITIONS[ActionType(self.view(ref)["type"])].letter(letter["name"])
        f = data.draw(st.sampled_from(spec.fields))
        self._attempt(lambda: self.app.services.edit_letter(reference=ref, letter=letter["name"], field=f.name,
                                                   value=_value(f.kind, f.choices, n), editor=who))

    @precondition(lambda self: self.refs)
    @rule(data=st.data(), who=st.sampled_from(CASEWORKERS))
    def fill_and_submit(self, data, who: str) -> None:  # type: ignore[no-untyped-def]
        """Fill the required fields still empty (as `who`), then submit: so that gates are reached."""
        ref = data.draw(st.sampled_from(self.refs))
        view = self.view(ref)
        spec = DEFINITIONS[ActionType(view["type"])]
        if view["status"] == "in_progress":
            for letter in (l for l in view["letters"] if l["status"] == "draft"):
                for f in spec.letter(letter["name"]).fields:
                    if f.required and not letter["fields"].get(f.name):
                        self._attempt(lambda: self.app.services.edit_letter(
                            reference=ref, letter=letter["name"], field=f.name,
                            value=_value(f.kind, f.choices, 7), editor=who))
        self._attempt(lambda: self.app.services.submit_stage(reference=ref, officer=who))

    def _at_gates(self) -> list[str]:
        return [ref for ref in self.refs if self.view(ref)["status"] == "awaiting_approval"]

    @precondition(lambda self: self.refs)
    @rule(data=st.data(), who=st.one_of(st.sampled_from(SUPERVISORS), st.sampled_from(EVERYONE)),
          seen=st.sampled_from(["current", "current", "stale", "none"]), reject=st.booleans())
    def decide(self, data, who: str, seen: str, reject: bool) -> None:  # type: ignore[no-untyped-def]
        """Anyone decides on any action, seeing the current letters, an older version, or saying nothing."""
        ref = data.draw(st.sampled_from(self._at_gates() or self.refs))
        before = self.view(ref)
        pending = [l for l in before["letters"] if l["status"] == "draft"]
        hashes = {"current": [l["sha256"] for l in pending], "none": None,
                  "stale": [self._older(ref, l) for l in pending]}[seen]
        if seen == "stale" and (not pending or None in hashes):
            hashes = [l["sha256"] for l in pending]
            seen = "current"
        if reject:
            result = self._attempt(lambda: self.app.services.reject_stage(reference=ref, supervisor=who,
                                                                 comment="Change it.", seen=hashes))
        else:
            result = self._attempt(lambda: self.app.services.approve_stage(reference=ref, supervisor=who,
                                                                  seen=hashes))
        expected = self._may_decide(before, who)
        if expected is None and seen == "stale":
            assert isinstance(result, StaleLetters), result
            self.outcomes["decision on stale letters refused"] += 1
            return
        if expected is None:
            assert not isinstance(result, CoordinationError), f"{who} was refused: {result}"
            self.outcomes["rejection" if reject else "approval"] += 1
            if not reject and result.gate_met:
                self.outcomes["gate met"] += 1
        else:
            assert isinstance(result, CoordinationError), f"{who} decided though {expected}"
            self.outcomes[f"refused: {expected}"] += 1

    @precondition(lambda self: self.refs)
    @rule(data=st.data())
    def approve_when_allowed(self, data) -> None:  # type: ignore[no-untyped-def]
        """A supervisor the model says may decide approves what they see: so that gates are met."""
        gates = self._at_gates()
        if not gates:
            return
        ref = data.draw(st.sampled_from(gates))
        before = self.view(ref)
        allowed = [who for who in SUPERVISORS if self._may_decide(before, who) is None]
        if not allowed:
            self.outcomes["no supervisor left who may decide"] += 1
            return
        who = data.draw(st.sampled_from(allowed))
        hashes = [l["sha256"] for l in before["letters"] if l["status"] == "draft"]
        _, met = self.app.services.approve_stage(reference=ref, supervisor=who, seen=hashes)  # must not be refused
        self.outcomes["approval"] += 1
        self.outcomes["gate met"] += met

    def _older(self, ref: str, letter: dict) -> str | None:
        """A previous version of the letter with other content, if it has one."""
        with self.app.engine.connect() as connection:
            rows = connection.execute(sa.text(
                "SELECT v.sha256 FROM letter_versions v JOIN letters l ON l.id = v.letter_id "
                "JOIN action_references r ON r.action_id = l.action_id WHERE r.value = :ref AND l.name = :name "
                "AND l.cycle = :cycle ORDER BY v.version"), {"ref": ref, "name": letter["name"],
                                                             "cycle": letter["cycle"]}).scalars().all()
        older = [sha for sha in rows if sha != letter["sha256"]]
        return older[-1] if older else None

    def _may_decide(self, view: dict, who: str) -> str | None:
        """The model: None if `who` may decide now, else why not."""
        org, role = PEOPLE[who]
        if view["status"] != "awaiting_approval":
            return "the action is not at a gate"
        if role != "supervisor":
            return "only supervisors decide"
        if who == view["submitted_by"]:
            return "they submitted the stage"
        pending = [l for l in view["letters"] if l["status"] == "draft"]
        if any(l["last_editor"] == who for l in pending):
            return "they last edited a letter"
        standing = [a for a in view["approvals"] if a["stage"] == view["stage"] and a["round"] == view["round"]
                    and not a["void"]]
        if any(a["approver"] == who for a in standing):
            return "they decided already"
        digest = self._digest(pending)
        if any(a["organisation"] == org and a["decision"] == "approved" and a["letters_sha256"] == digest
               for a in standing):
            return "their organisation's quorum is met"
        return None

    @staticmethod
    def _digest(letters: list[dict]) -> str:
        class _L:  # what letters_digest reads: a name and the current version's sha256
            def __init__(self, l: dict) -> None:
                self.name = l["name"]
                self.current = type("V", (), {"sha256": l["sha256"]})

        return letters_digest([_L(l) for l in letters])

    @precondition(lambda self: self.refs)
    @rule(data=st.data(), who=st.sampled_from(CASEWORKERS))
    def skip(self, data, who: str) -> None:  # type: ignore[no-untyped-def]
        ref = data.draw(st.sampled_from(self.refs))
        self._attempt(lambda: self.app.services.skip_stage(reference=ref, officer=who, reason="Urgent."))

    @precondition(lambda self: self.refs)
    @rule(data=st.data(), who=st.sampled_from(EVERYONE), days=st.integers(1, 20))
    def extend(self, data, who: str, days: int) -> None:  # type: ignore[no-untyped-def]
        ref = data.draw(st.sampled_from(self.refs))
        open_ = [d for d in self.view(ref)["deadlines"] if d["status"] == "open"]
        if not open_:
            return
        d = data.draw(st.sampled_from(open_))
        to = (self.clock.now + timedelta(days=days + 30)).date().isoformat()
        self._attempt(lambda: self.app.services.extend_deadline(reference=ref, kind=d["kind"], to=to,
                                                       reason="Asked for time", actor=who,
                                                       organisation=d["organisation"]))

    @precondition(lambda self: self.refs)
    @rule(data=st.data(), hours=st.integers(0, 24 * 70))
    def advance(self, data, hours: int) -> None:  # type: ignore[no-untyped-def]
        """Time passes, then the automatic steps run (dispatch, deadlines that passed)."""
        self.clock.advance(hours=hours)
        ref = data.draw(st.sampled_from(self.refs))
        self._attempt(lambda: self.app.services.advance_action(reference=ref))

    # ---------------------------------------------------------------- invariants

    @invariant()
    def every_rule_holds(self) -> None:
        views = [self.view(ref) for ref in self.refs]
        for view in views:
            self._gates_met_only_with_both_quorums_on_the_current_letters(view)
            self._no_standing_decision_by_its_submitter_or_last_editor(view)
        self._references_are_gap_free()
        findings = self.app.services.verify_audit().findings
        assert findings == [], findings

    def _gates_met_only_with_both_quorums_on_the_current_letters(self, view: dict) -> None:
        for met in (e["details"] for e in view["history"] if e["event"] == "GateMet"):
            approvals = [a for a in view["approvals"] if (a["stage"], a["round"]) == (met["stage"], met["round"])
                         and a["decision"] == "approved" and not a["void"]]
            orgs = {a["organisation"] for a in approvals if a["letters_sha256"] == met["letters_sha256"]}
            assert orgs == {"ohchr", "iachr"}, (view["reference"], met, approvals)
            approved = [l for l in view["letters"] if l["name"] in met["letters"]
                        and l["status"] in ("approved", "dispatched")]
            if approved and len(approved) == len(met["letters"]):
                assert self._digest(approved) == met["letters_sha256"]

    def _no_standing_decision_by_its_submitter_or_last_editor(self, view: dict) -> None:
        if view["status"] != "awaiting_approval":
            return
        editors = {l["last_editor"] for l in view["letters"] if l["status"] == "draft"}
        for a in view["approvals"]:
            if (a["stage"], a["round"]) == (view["stage"], view["round"]) and not a["void"]:
                assert a["approver"] != view["submitted_by"] and a["approver"] not in editors, (view["reference"], a)

    def _references_are_gap_free(self) -> None:
        with self.app.engine.connect() as connection:
            values = connection.execute(sa.text("SELECT kind, value FROM action_references")).all()
        series: dict[str, list[int]] = defaultdict(list)
        for kind, value in values:  # each series is numbered per year (urgent appeals: per country and year)
            if kind == "jam":
                _, year, number = value.split("-")
                series[f"jam {year}"].append(int(number))
            elif kind == "ua":
                country, number, year = re.fullmatch(r"UA (\w{3}) (\d+)/(\d{4})", value).groups()
                series[f"ua {country} {year}"].append(int(number))
            elif kind == "mc":
                _, number, year = value.split("-")
                series[f"mc {year}"].append(int(number))
            else:
                number, year = re.fullmatch(r"Resolution (\d+)/(\d{4})", value).groups()
                series[f"resolution {year}"].append(int(number))
        for name, numbers in series.items():
            assert sorted(numbers) == list(range(1, len(numbers) + 1)), (name, sorted(numbers))


def _run(make_app, examples: int) -> Counter:  # type: ignore[no-untyped-def]
    Office.make_app = staticmethod(make_app)
    Office.outcomes = Counter()
    run_state_machine_as_test(Office, settings=settings(
        max_examples=examples, stateful_step_count=30, deadline=None, derandomize=not os.environ.get(
            "COORDINATION_STATE_MACHINE_EXAMPLES"),  # the same runs in CI; a longer, random hunt when asked
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
    print(dict(Office.outcomes))
    return Office.outcomes


def test_random_casework_and_decisions_keep_every_rule_on_sqlite(sqlite_template, tmp_path):
    runs = iter(range(10**6))

    def make_app(clock):  # type: ignore[no-untyped-def]
        folder = tmp_path / f"run-{next(runs)}"
        folder.mkdir()
        shutil.copy(sqlite_template, folder / "coordination.db")
        return bootstrap(Settings(data_dir=folder, database_url=f"sqlite:///{folder / 'coordination.db'}"),
                         clock=clock)

    outcomes = _run(make_app, examples=EXAMPLES)
    for reached in ("approval", "gate met", "rejection", "decision on stale letters refused",
                    "refused: they submitted the stage", "refused: only supervisors decide"):
        assert outcomes[reached], f"the runs never reached: {reached} ({dict(outcomes)})"


@pytest.mark.postgresql
def test_random_casework_and_decisions_keep_every_rule_on_postgresql(postgresql_database_url, tmp_path):
    runs = iter(range(10**6))

    def make_app(clock):  # type: ignore[no-untyped-def]
        empty_postgresql(postgresql_database_url)
        folder = tmp_path / f"run-{next(runs)}"
        folder.mkdir()
        return bootstrap(Settings(data_dir=folder, database_url=postgresql_database_url), clock=clock)

    _run(make_app, examples=max(3, EXAMPLES // 3))
