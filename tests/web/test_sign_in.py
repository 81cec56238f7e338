"""Sign-in that neither blocks nor tells (issue 10, item 5).

The findings: a failed sign-in hashed while holding the database's write lock (8 guessing
clients slowed a letter edit from 10 ms to seconds); after 5 failures a known email answered
429 at once while an unknown one kept answering 401, which told which accounts exist; anyone
could lock any account for 15 minutes. Now: hashing outside any transaction; failures counted
per client address and per account (unknown emails too); the same answers for every account;
a client slowed 1, 2, 4 … seconds up to 15 minutes from its 5th failure, an account 5 … 60
seconds from its 10th.
"""

import re
import sqlite3

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from coordination.adapters import hashing
from coordination.domain import NotPermitted
from coordination.services import accounts
from coordination.web import create_app
from tests.helpers import OFFICER, SUP_IACHR

from .conftest import PASSWORD, Browser, all_rows

UNKNOWN = "nobody.at.all@ohchr.test"


class CountingHasher(PasswordHasher):
    """The cheap test parameters, counting verifications and checking, during each one, that no
    database connection is in use (no transaction open) and that another writer is not kept waiting."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        super().__init__(time_cost=1, memory_cost=64, parallelism=1)
        self.app, self.calls, self.inside = app, 0, []

    def verify(self, hash, password):  # type: ignore[no-untyped-def]
        self.calls += 1
        self.inside.append(self.app.engine.pool.checkedout())
        if self.app.engine.url.get_backend_name() == "sqlite":
            other = sqlite3.connect(self.app.engine.url.database, timeout=0.2)
            try:
                other.execute("BEGIN IMMEDIATE")  # the write lock: free while hashing
                other.rollback()
                self.inside.append(0)
            except sqlite3.OperationalError:
                self.inside.append("the database's write lock is held while hashing")
            finally:
                other.close()
        return super().verify(hash, password)


@pytest.fixture
def hasher(seeded, monkeypatch) -> CountingHasher:
    counting = CountingHasher(seeded)
    monkeypatch.setattr(hashing, "_hasher", counting)
    return counting


def visitor(app, address: str) -> Browser:  # type: ignore[no-untyped-def]
    """A browser at its own client address (request.client.host)."""
    browser = Browser(TestClient(create_app(app), base_url="http://127.0.0.1:8000", client=(address, 40000)))
    browser.get("/sign-in")
    return browser


def attempt(browser: Browser, email: str, password: str) -> tuple[int, str | None, str]:
    """(status, Retry-After, the page with the email and CSRF token taken out)."""
    response = browser.post("/sign-in", {"email": email, "password": password})
    page = re.sub(r'name="csrf_token" value="[^"]+"', "TOKEN", response.text).replace(email, "EMAIL")
    return response.status_code, response.headers.get("retry-after"), page


# ---------------------------------------------------------------- hashing outside any transaction

def test_passwords_are_verified_while_no_transaction_is_open(seeded, hasher):
    seeded.services.add_user(email="dora.disabled@ohchr.test", name="Dora", organisation="ohchr", role="officer")
    seeded.services.set_password(email="dora.disabled@ohchr.test", password=PASSWORD)
    seeded.services.disable_user(email="dora.disabled@ohchr.test")
    hasher.inside.clear()
    for email, password in [(OFFICER, "a wrong password"), (UNKNOWN, "a wrong password"),
                            ("dora.disabled@ohchr.test", PASSWORD), ("not an email", "x"), (OFFICER, PASSWORD)]:
        try:
            seeded.services.sign_in(email=email, password=password, client="198.51.100.1")
        except accounts.SignInRefused:
            pass
    [user] = [u for u in seeded.services.list_users() if u.email == OFFICER]
    with pytest.raises(NotPermitted, match="the current password is not right"):
        seeded.services.change_password(user=user, current="not it at all", new="another long password")
    assert hasher.calls == 6  # one verification each: unknown and disabled accounts cost the same
    assert set(hasher.inside) == {0}, hasher.inside


# ---------------------------------------------------------------- the same answer for every account

def _series(app, clock, email: str, password: str, n: int = 14) -> list[tuple[int, str | None, str]]:  # type: ignore[no-untyped-def]
    """n attempts on one account, each from a new address (so only the account's count matters);
    after a 429 the clock moves on by Retry-After."""
    answers = []
    for i in range(n):
        answer = attempt(visitor(app, f"203.0.113.{i + 1}"), email, password)
        answers.append(answer)
        if answer[0] == 429:
            clock.advance(seconds=int(answer[1]))
    return answers


def test_known_unknown_and_disabled_accounts_get_the_same_answers(seeded, clock, hasher):
    known = _series(seeded, clock, OFFICER, "a wrong guess")
    seeded.services.add_user(email="dora.disabled@ohchr.test", name="Dora", organisation="ohchr", role="officer")
    seeded.services.set_password(email="dora.disabled@ohchr.test", password=PASSWORD)
    seeded.services.disable_user(email="dora.disabled@ohchr.test")
    hasher.calls = 0
    unknown = _series(seeded, clock, UNKNOWN, "a wrong guess")
    unknown_calls, hasher.calls = hasher.calls, 0
    disabled = _series(seeded, clock, "dora.disabled@ohchr.test", PASSWORD)  # even with the right password

    assert known == unknown == disabled
    assert [status for status, _, _ in known] == [401] * 10 + [429, 401, 429, 401]
    assert [retry for _, retry, _ in known if retry] == ["5", "10"]
    assert unknown_calls == hasher.calls == 12  # every answer but a 429 paid one verification
    assert "wrong email or password" in known[0][2]
    assert "Too many failed sign-ins: try again in 5 seconds." in known[10][2]


# ---------------------------------------------------------------- per client: 1, 2, 4 … seconds, at most 15 minutes

def test_a_client_guessing_is_slowed_from_its_fifth_failure_up_to_15_minutes(seeded, clock, hasher):
    guesser = visitor(seeded, "192.0.2.66")
    statuses, waits = [], []
    for i in range(27):
        status, retry, _ = attempt(guesser, f"guess{i}@ohchr.test", "a wrong guess")  # a new email each time
        statuses.append(status)
        if status == 429:
            waits.append(int(retry))
            clock.advance(seconds=int(retry))
    assert statuses[:5] == [401] * 5
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900]
    calls = hasher.calls
    blocked = attempt(guesser, OFFICER, PASSWORD)  # blocked: even the right password waits, and costs nothing
    assert blocked[0] == 429 and blocked[1] == "900" and hasher.calls == calls
    assert attempt(visitor(seeded, "192.0.2.67"), OFFICER, PASSWORD)[0] == 303  # other addresses are not slowed


def test_a_sign_in_clears_the_counts_of_its_client_and_account(seeded, clock):
    browser = visitor(seeded, "192.0.2.10")
    for _ in range(4):
        assert attempt(browser, OFFICER, "a wrong guess")[0] == 401
    assert attempt(browser, OFFICER, PASSWORD)[0] == 303
    assert all_rows(seeded)["sign_in_failures"] == 0
    browser = visitor(seeded, "192.0.2.10")
    for _ in range(4):
        assert attempt(browser, OFFICER, "a wrong guess")[0] == 401
    assert attempt(browser, OFFICER, PASSWORD)[0] == 303  # never blocked: the count started again


# ---------------------------------------------------------------- per account: 5 … 60 seconds, never longer

def test_a_stranger_cannot_lock_a_colleague_out_for_more_than_a_minute(seeded, clock):
    waits = []
    for i in range(40):  # 40 guesses on the colleague's account from 40 addresses
        status, retry, _ = attempt(visitor(seeded, f"198.51.100.{i + 1}"), SUP_IACHR, "a wrong guess")
        if status == 429:
            waits.append(int(retry))
            clock.advance(seconds=int(retry))  # the stranger keeps the account blocked as long as they can
    assert waits[:5] == [5, 10, 20, 40, 60] and max(waits) == 60
    colleague = visitor(seeded, "10.0.0.5")
    status, retry, _ = attempt(colleague, SUP_IACHR, PASSWORD)
    if status == 429:  # at most a minute's wait, then in
        assert int(retry) <= 60
        clock.advance(seconds=int(retry))
        status = attempt(colleague, SUP_IACHR, PASSWORD)[0]
    assert status == 303


def test_a_throttled_answer_is_the_apps_own_page_with_its_headers(seeded, clock):
    browser = visitor(seeded, "192.0.2.99")
    for i in range(5):
        attempt(browser, f"guess{i}@ohchr.test", "a wrong guess")
    response = browser.post("/sign-in", {"email": OFFICER, "password": "a wrong guess"})
    assert response.status_code == 429 and response.headers["retry-after"] == "1"
    assert response.headers["x-content-type-options"] == "nosniff" and "<h1>Sign in</h1>" in response.text
    response = browser.post("/sign-in", {"email": OFFICER, "password": "a wrong guess"},
                            headers={"Accept-Language": "es"})
    assert response.status_code == 429


def test_a_throttled_password_change_is_refused_with_429_and_changes_nothing(seeded, clock):
    browser = visitor(seeded, "192.0.2.150")
    browser.sign_in(OFFICER)
    browser.get("/account")
    for _ in range(5):
        response = browser.post("/account/password", {"current_password": "a wrong guess", "new_password":
                                                       "a brand new passphrase", "confirm_password":
                                                       "a brand new passphrase"})
        assert response.status_code == 403
    before = all_rows(seeded)
    response = browser.post("/account/password", {"current_password": PASSWORD, "new_password":
                                                  "a brand new passphrase", "confirm_password":
                                                  "a brand new passphrase"})
    assert response.status_code == 429 and response.headers["retry-after"] == "1"
    assert all_rows(seeded) == before
    assert seeded.services.sign_in(email=OFFICER, password=PASSWORD).user.email == OFFICER
