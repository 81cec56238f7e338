"""Letter-edit latency while clients guess passwords, against a live web app on SQLite.

Run from the repository root:

    .venv/bin/python benchmarks/bench_sign_in.py                      # 8 guessers, 10 s
    .venv/bin/python benchmarks/bench_sign_in.py --guessers 8 --seconds 20
    .venv/bin/python benchmarks/bench_sign_in.py --no-throttle        # as if each guess came from a new address

Set-up (not timed): a fresh SQLite database in a temporary directory, the users of
tests/helpers.py with a password (argon2id, production parameters), an urgent appeal in
drafting, and the web app on a free loopback port (tests/web/live.py).

Timed: an officer, signed in, saves the letter (POST of one changed field, 303 expected)
every 0.1 s, first alone for 5 s, then while N clients post wrong passwords to /sign-in
as fast as they are answered (half of them for the officer's own email, half for emails
that are no account; after a 429 a guesser waits Retry-After, at most 0.2 s).
"""

import argparse
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from coordination.services import accounts  # noqa: E402
from tests.helpers import OFFICER, seed  # noqa: E402
from tests.web.live import live_app, start_server  # noqa: E402

PASSWORD = "correct horse battery staple"


def _csrf(text: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', text).group(1)


def _summary(times: list[float]) -> str:
    times = sorted(times)
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    return (f"n={len(times):3d}  median {statistics.median(times) * 1000:6.0f} ms  p95 {p95 * 1000:6.0f} ms  "
            f"max {times[-1] * 1000:6.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--guessers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--no-throttle", action="store_true")
    args = parser.parse_args()
    if args.no_throttle:
        accounts._client_delay = lambda failures: 0
        accounts._account_delay = lambda failures: 0

    app = live_app(Path(tempfile.mkdtemp()) / "data")
    seed(app)
    app.services.set_password(email=OFFICER, password=PASSWORD)
    action = app.services.open_action(type="urgent-appeal", country="HND", title="T", officer=OFFICER,
                                  beneficiaries=["B"])
    app.services.submit_stage(reference=action.reference, officer=OFFICER)
    server = start_server(app)
    stop = threading.Event()
    answers: dict[int, int] = {}

    def guess(n: int) -> None:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            token = _csrf(client.get("/sign-in").text)
            i = 0
            while not stop.is_set():
                i += 1
                email = f"guess{n}.{i}@ohchr.test" if i % 2 else OFFICER
                response = client.post("/sign-in", data={"email": email, "password": f"guess {i}", "csrf_token": token})
                answers[response.status_code] = answers.get(response.status_code, 0) + 1
                if response.status_code == 429:
                    time.sleep(min(float(response.headers.get("retry-after", "1")), 0.2))

    def edits(seconds: float) -> list[float]:
        times = []
        with httpx.Client(base_url=server.url, timeout=120) as client:
            client.post("/sign-in", data={"email": OFFICER, "password": PASSWORD,
                                          "csrf_token": _csrf(client.get("/sign-in").text)})
            token = _csrf(client.get(f"/actions/{action.reference}").text)
            end, k = time.monotonic() + seconds, 0
            while time.monotonic() < end:
                k += 1
                start = time.perf_counter()
                response = client.post(f"/actions/{action.reference}/letters/urgent_appeal",
                                       data={"field_facts": f"facts, version {k}", "csrf_token": token})
                times.append(time.perf_counter() - start)
                assert response.status_code == 303, response.status_code
                time.sleep(0.1)
        return times

    alone = edits(5)
    threads = [threading.Thread(target=guess, args=(n,)) for n in range(args.guessers)]
    for thread in threads:
        thread.start()
    time.sleep(1)
    busy = edits(args.seconds)
    stop.set()
    for thread in threads:
        thread.join()
    server.stop()
    print(f"edit alone               {_summary(alone)}")
    print(f"edit, {args.guessers} clients guessing {_summary(busy)}")
    print(f"sign-in answers while guessing: {dict(sorted(answers.items()))}"
          + (" (throttling off)" if args.no_throttle else ""))


if __name__ == "__main__":
    main()
