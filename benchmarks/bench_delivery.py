"""Messages delivered per second: the project's outbox sender against raw aiosmtplib over one connection.

Run from the repository root:

    .venv/bin/python benchmarks/bench_delivery.py                      # 200 messages, 1 letter, 5 rounds
    .venv/bin/python benchmarks/bench_delivery.py --messages 500 --rounds 5
    .venv/bin/python benchmarks/bench_delivery.py --per-letter 3 --messages 30   # 3 recipients per letter

Set-up (not timed): an aiosmtpd server on 127.0.0.1, in a process of its own (as a mail server
would be), whose handler accepts every message ("250") and counts it; a fresh SQLite database in
a temporary directory (coordination.bootstrap + services.initialise_database), the users of
tests/helpers.py, and K recipients for Guatemala (K = --per-letter, default = --messages, at
least 3): its OAS mission and Geneva mission from tests/helpers.py and K - 2 of kind
foreign-ministry. Dispatching a country communication for GTM (tests/helpers.dispatched, its
fields from the Spanish golden sample tests/golden/samples.es.json) then writes K outbox rows
for one letter version, frozen in Spanish. Each round has its ceil(N/K) actions dispatched
beforehand, so a round sends N' = ceil(N/K) * K messages.

Timed, round by round, interleaved:

  ours  `await app.services.send_outbox(limit=N')` with the settings' SMTP server (no TLS, no
        in-run retry delay): claim the rows (one transaction), load the frozen versions, render
        ONE PDF per letter version (WeasyPrint), build each EmailMessage (text + HTML + PDF),
        open one SMTP connection, send, and after each message commit one transaction that
        records the row as sent and appends one audit event (the cost of "exactly once").
  raw   aiosmtplib.SMTP(...) connect, `send_message` of N' pre-built EmailMessage objects, quit:
        one connection. The messages are built before timing with the project's own
        coordination.services.delivery.build_message from the same frozen subject/text/HTML, the
        same recipients and Message-IDs, and a PDF of the same bytes, so they are the same size.

A warm-up round (one action, not counted) precedes the timed rounds of each side. The sender's
time is split by thin timing wrappers around LetterRenderer.pdf, SmtpMailer.send, build_message
and the per-message record/commit (delivery._record); "other" is the claim, loading the rows,
connecting and quitting, and the event loop. The server's CPU time (the child process's
time.process_time) is shown per message: where it is close to the raw side's ms/msg, the mail
sink, not the client, bounds the raw figure.
"""

import argparse
import asyncio
import json
import math
import multiprocessing
import os
import platform
import socket
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def smtp_server(port: int, accepted, cpu, ready, stop) -> None:  # type: ignore[no-untyped-def]
    """The mail sink (child process): accept every message, count it, publish its CPU time."""
    from aiosmtpd.controller import Controller

    class Counting:
        async def handle_DATA(self, server, session, envelope):  # noqa: ANN001
            with accepted.get_lock():
                accepted.value += 1
                cpu.value = time.process_time()  # the whole server process, all its threads
            return "250 Message accepted"

    controller = Controller(Counting(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


class Timer:
    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0

    def wrap(self, fn):  # type: ignore[no-untyped-def]
        def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start
                self.calls += 1
        return timed


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=200, help="messages per timed round (default 200)")
    parser.add_argument("--per-letter", type=int, default=None,
                        help="recipients per letter, i.e. messages per PDF (default: --messages)")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per side (default 5)")
    args = parser.parse_args()
    per_letter = args.per_letter or args.messages
    if per_letter < 3:
        parser.error("a country communication goes to at least 3 recipients: --per-letter must be 3 or more")
    letters_per_round = math.ceil(args.messages / per_letter)
    n = letters_per_round * per_letter

    sys.path.insert(0, str(ROOT))  # tests.helpers: the users and the walk to a dispatch
    import aiosmtplib

    from coordination.adapters.mailer import SmtpMailer, smtp_settings
    from coordination.bootstrap import bootstrap
    from coordination.config import Settings
    from coordination.services import delivery
    from coordination.services.delivery import build_message
    from tests.helpers import RECIPIENTS, USERS, dispatched, seed_holders

    # A throwaway database: its actions must not ask a Prefect server (if one is configured) for runs.
    os.environ.pop("PREFECT_API_URL", None)
    ctx = multiprocessing.get_context("spawn")
    port = _free_port()
    accepted, cpu, ready, stop = ctx.Value("q", 0), ctx.Value("d", 0.0), ctx.Event(), ctx.Event()
    server = ctx.Process(target=smtp_server, args=(port, accepted, cpu, ready, stop), daemon=True)
    server.start()
    try:
        if not ready.wait(30):
            raise SystemExit("the aiosmtpd server did not start")
        with tempfile.TemporaryDirectory(prefix="bench-delivery-") as tmp:
            app = bootstrap(Settings(
                data_dir=Path(tmp), database_url=f"sqlite:///{tmp}/coordination.db", smtp_host="127.0.0.1",
                smtp_port=port, smtp_tls="none", smtp_retry_delays=(0.0,), smtp_timeout=30.0,
                mail_from="joint-actions@coordination.test",
            ))
            setup = time.perf_counter()
            app.services.initialise_database()
            seed_holders(app)  # the letters' signers, bound at their gates
            for email, name, org, role in USERS:
                app.services.add_user(email=email, name=name, organisation=org, role=role)
            for country, kind, email in RECIPIENTS:  # a communication needs all three kinds
                if country == "GTM" and kind != "foreign-ministry":
                    app.services.add_recipient(country=country, kind=kind, email=email)
            for i in range(per_letter - 2):
                app.services.add_recipient(country="GTM", kind="foreign-ministry", email=f"r{i}@gtm.test")

            golden = json.loads((ROOT / "tests" / "golden" / "samples.es.json").read_text(encoding="utf-8"))
            fields = golden["communication"]  # the Spanish golden sample: a letter of realistic length
            rounds = []  # outbox ids of each round; round 0 is the warm-up
            for _ in range(1 + args.rounds):
                before = {r["id"] for r in app.services.list_outbox()}
                for _ in range(letters_per_round if rounds else 1):
                    dispatched(app, "country-communication", letters={"communication": fields})
                rounds.append(sorted({r["id"] for r in app.services.list_outbox()} - before))
            setup = time.perf_counter() - setup

            # The raw side's messages: what the sender would build for these rows, built now.
            raw_rounds = []
            raw_build = [0.0] * len(rounds)  # seconds spent in build_message, per round (info)
            pdf_cache: dict[int, bytes] = {}
            for r, ids in enumerate(rounds):
                with app.uow(read_only=True) as uow:
                    rows = uow.outbox.batch(ids)
                messages = []
                for row in rows:
                    if row.letter_version_id not in pdf_cache:
                        pdf_cache[row.letter_version_id] = app.renderer.pdf(row.rendered_html)
                    start = time.perf_counter()
                    messages.append(build_message(
                        sender=app.settings.mail_from, recipient=row.recipient, subject=row.rendered_subject,
                        message_id=row.message_id, sent_at=row.dispatched_at, text=row.rendered_text,
                        html=row.rendered_html,
                        attachment=(f"{row.reference}-{row.letter}-v{row.version}.pdf",
                                    pdf_cache[row.letter_version_id]),
                    ))
                    raw_build[r] += time.perf_counter() - start
                raw_rounds.append(messages)
            message_bytes = len(raw_rounds[1][0].as_bytes())
            pdf_bytes = len(next(iter(pdf_cache.values())))

            # Timing wrappers for the sender's split (each adds a perf_counter pair per call).
            pdf_timer, send_timer, record_timer, build_timer = Timer(), Timer(), Timer(), Timer()
            app.renderer.pdf = pdf_timer.wrap(app.renderer.pdf)  # type: ignore[method-assign]
            delivery._record = record_timer.wrap(delivery._record)
            delivery.build_message = build_timer.wrap(delivery.build_message)
            sizes: list[int] = []

            class TimedSmtpMailer(SmtpMailer):
                async def send(self, message, **envelope):  # type: ignore[no-untyped-def]
                    if not sizes:
                        sizes.append(len(message.as_bytes()))
                    start = time.perf_counter()
                    try:
                        await super().send(message, **envelope)
                    finally:
                        send_timer.seconds += time.perf_counter() - start
                        send_timer.calls += 1

            def timed_mailer() -> TimedSmtpMailer:  # the mailer port, timed
                return TimedSmtpMailer(smtp_settings(app.settings))

            async def ours(expected: int) -> float:
                start = time.perf_counter()
                report = await app.services.send_outbox(limit=expected, mailer=timed_mailer)
                elapsed = time.perf_counter() - start
                assert (report.sent, report.deferred, report.failed) == (expected, 0, 0), report
                return elapsed

            async def raw(messages) -> float:  # type: ignore[no-untyped-def]
                start = time.perf_counter()
                client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, use_tls=False, start_tls=False,
                                         timeout=30.0)
                await client.connect()
                for message in messages:
                    await client.send_message(message)
                await client.quit()
                return time.perf_counter() - start

            await ours(len(rounds[0]))  # warm-up: WeasyPrint's fonts, SQLAlchemy's statement cache
            await raw(raw_rounds[0])
            for timer in (pdf_timer, send_timer, record_timer, build_timer):
                timer.seconds, timer.calls = 0.0, 0
            count = accepted.value
            ours_time = raw_time = ours_server_cpu = raw_server_cpu = 0.0
            for r in range(1, 1 + args.rounds):
                cpu_before = cpu.value
                ours_time += await ours(len(rounds[r]))
                cpu_between = cpu.value
                raw_time += await raw(raw_rounds[r])
                ours_server_cpu += cpu_between - cpu_before
                raw_server_cpu += cpu.value - cpu_between
            delivered = accepted.value - count
            assert delivered == 2 * n * args.rounds, (delivered, n, args.rounds)
            statuses = {row["status"] for row in app.services.list_outbox()}
            assert statuses == {"sent"}, statuses
            app.engine.dispose()
    finally:
        stop.set()
        server.join(10)

    total = n * args.rounds
    ours_rate, raw_rate = total / ours_time, total / raw_time
    other = ours_time - pdf_timer.seconds - send_timer.seconds - record_timer.seconds - build_timer.seconds
    print(f"bench_delivery — {time.strftime('%Y-%m-%d %H:%M')} — Python {platform.python_version()}, "
          f"aiosmtplib {aiosmtplib.__version__}, SQLite, {os.cpu_count()} CPUs")
    print(f"aiosmtpd on 127.0.0.1:{port} (own process, accepts and counts); {args.rounds} timed rounds of "
          f"{n} messages per side after a warm-up round; {letters_per_round} letter version(s) x {per_letter} "
          f"recipients per round")
    print(f"message size {message_bytes} bytes (ours {sizes[0] if sizes else '?'}), PDF {pdf_bytes} bytes; "
          f"set-up (not timed) {setup:.1f} s\n")
    print(f"{'sender':<44}{'msgs/s':>10}{'ms/msg':>10}{'messages':>10}")
    print(f"{'ours: services.send_outbox (outbox, SQLite)':<44}{ours_rate:>10.1f}{1000 / ours_rate:>10.2f}{total:>10}")
    print(f"{'raw aiosmtplib, one connection, pre-built':<44}{raw_rate:>10.1f}{1000 / raw_rate:>10.2f}{total:>10}")
    print(f"{'ratio ours/raw':<44}{ours_rate / raw_rate:>10.2f}")
    built = total / (raw_time + sum(raw_build[1:]))
    print(f"{'(info) raw + build_message time, untimed':<44}{built:>10.1f}{1000 / built:>10.2f}"
          f"{'':>10}  ours/that {ours_rate / built:.2f}")
    print(f"SMTP server CPU time per message: {1000 * ours_server_cpu / total:.2f} ms during ours, "
          f"{1000 * raw_server_cpu / total:.2f} ms during raw (server busy {100 * ours_server_cpu / ours_time:.0f}% "
          f"/ {100 * raw_server_cpu / raw_time:.0f}% of the wall time)")
    print()
    print("where the sender's time goes:")
    for label, seconds, calls in (
        ("PDF rendering (one per letter version)", pdf_timer.seconds, pdf_timer.calls),
        ("SMTP send (SmtpMailer.send)", send_timer.seconds, send_timer.calls),
        ("build EmailMessage (text + HTML + PDF), per message", build_timer.seconds, build_timer.calls),
        ("record + audit event + commit, per message", record_timer.seconds, record_timer.calls),
        ("other: claim, load rows, connect, quit, event loop", other, None),
    ):
        print(f"  {label:<56}{seconds:>8.2f} s {100 * seconds / ours_time:>5.1f}%"
              + (f"  ({calls} calls, {1000 * seconds / calls:.2f} ms each)" if calls else ""))
    print(f"  {'total':<56}{ours_time:>8.2f} s")
    print()
    print("The outbox sender also renders one PDF per letter version, claims its rows, and commits one\n"
          "transaction with one audit event per message: the cost of delivering each row exactly once\n"
          "and of a record that survives a crash. The raw side only sends messages built beforehand.")


if __name__ == "__main__":
    asyncio.run(main())
