"""Letters rendered per second: the project's LetterRenderer against bare Jinja2 (and bare WeasyPrint).

Run from the repository root:

    .venv/bin/python benchmarks/bench_letters.py                 # urgent appeal in Spanish
    .venv/bin/python benchmarks/bench_letters.py --seconds 20 --pdf-seconds 60   # steadier figures
    .venv/bin/python benchmarks/bench_letters.py --letters all   # every letter type, in Spanish, in turn

What is timed (one "letter" = one call, letters/s = calls / elapsed seconds):

  txt  ours  LetterRenderer.render(action, letter, on=ON, fmt="txt", created=NOW)
             i.e. everything the project does per letter: template lookup (with its is_file
             check), effective fields, references, subject, Babel date/number/country name,
             the context dict, the sandboxed StrictUndefined environment, blank-line squeeze.
  txt  bare  jinja2.Environment(loader=FileSystemLoader(templates_dir)) — no sandbox, default
             Undefined, default options (no trim_blocks/lstrip_blocks, auto_reload on) — doing
             env.get_template(name).render(context) with the SAME template name and the SAME
             context dict, captured once from the project's renderer (see `capture_context`).
             The only additions to the bare environment are the two filters the templates call
             (`squash`, `paragraphs`, imported from the renderer): without them the templates do
             not compile. The context is built once, outside the loop: the baseline pays for
             no context building at all.
  pdf  ours  LetterRenderer.render(..., fmt="html") then LetterRenderer.pdf(html)
  pdf  bare  the bare environment above rendering the html context (no autoescape: a plain
             Environment's default), then weasyprint.HTML(string=html).write_pdf()

Two informational rows help to read the txt ratio:
  html ours / html bare      the same as txt, for the HTML format alone (no PDF)
  txt  sandboxed env only    the renderer's own sandboxed environment doing get_template(name)
                             .render(context) with the captured context: the cost of the
                             sandbox + StrictUndefined + options, without building the context.

Each case is timed with time.perf_counter in a loop that runs for a fixed minimum duration,
after a warm-up; cases are interleaved over several rounds so that a slow moment of the
machine hits all of them alike.
"""

import argparse
import os
import platform
import re
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.golden (the fixed sample data of the golden files)

import jinja2  # noqa: E402
import weasyprint  # noqa: E402

from coordination.adapters.renderer import LetterRenderer, _paragraphs, _squash  # noqa: E402
from coordination.config import default_templates_dir  # noqa: E402
from tests.golden.test_golden import LETTERS, NOW, ON, golden_action  # noqa: E402

LANGUAGE = "es"


class _Recorder:
    """Stands in for one of the renderer's environments and keeps the last letter context it renders."""

    def __init__(self, env: jinja2.Environment) -> None:
        self.env = env
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def get_template(self, name: str, *args: Any, **kwargs: Any) -> Any:
        template = self.env.get_template(name, *args, **kwargs)
        if name.startswith("_layouts/"):
            return template  # words.<lang>.j2, read through .module
        recorder = self

        class _Template:
            def render(self, context: dict[str, Any]) -> str:
                recorder.calls.append((name, context))
                return template.render(context)

        return _Template()


def capture_context(action, letter, *, fmt: str, on: date) -> tuple[str, dict[str, Any]]:  # type: ignore
    """The template name and context dict exactly as LetterRenderer.render builds them."""
    renderer = LetterRenderer(default_templates_dir())
    recorder = _Recorder(renderer.envs[fmt])
    renderer.envs[fmt] = recorder  # type: ignore[assignment]
    renderer.render(action, letter, on=on, fmt=fmt, created=NOW)
    [(name, context)] = recorder.calls
    return name, context


def bare_environment(templates_dir: Path) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir)))
    env.filters["squash"] = _squash  # called by the layouts' macros: needed to compile
    env.filters["paragraphs"] = _paragraphs
    return env


def run_for(fn: Callable[[], Any], seconds: float) -> tuple[int, float]:
    """Call fn in a loop for at least `seconds`; returns (calls, elapsed)."""
    calls = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        fn()
        calls += 1
        now = time.perf_counter()
        if now >= deadline:
            return calls, now - start


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0,
                        help="minimum timed duration of each txt/html case, split over the rounds (default 8)")
    parser.add_argument("--pdf-seconds", type=float, default=20.0,
                        help="minimum timed duration of each pdf case (about 1 s per PDF here; default 20)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--warmup", type=float, default=1.0, help="warm-up seconds per case (default 1)")
    parser.add_argument("--letters", choices=("ua", "all"), default="ua",
                        help="ua: the urgent appeal; all: every letter of every action type in turn (default ua)")
    args = parser.parse_args()

    templates_dir = default_templates_dir()
    chosen = [l for l in LETTERS if args.letters == "all" or l[2] == "urgent_appeal"]
    samples = []  # (action, letter, txt name+context, html name+context)
    for action_type, stage, letter_name in chosen:
        action, letter = golden_action(action_type, letter_name, stage, LANGUAGE)
        samples.append((action, letter, capture_context(action, letter, fmt="txt", on=ON),
                        capture_context(action, letter, fmt="html", on=ON)))

    ours = LetterRenderer(templates_dir)
    bare = bare_environment(templates_dir)

    def cycling(render_one: Callable[[tuple], Any]) -> Callable[[], Any]:
        state = {"i": 0}

        def call() -> Any:
            sample = samples[state["i"] % len(samples)]
            state["i"] += 1
            return render_one(sample)

        return call

    cases: dict[str, Callable[[], Any]] = {
        "txt ours": cycling(lambda s: ours.render(s[0], s[1], on=ON, fmt="txt", created=NOW)),
        "txt bare": cycling(lambda s: bare.get_template(s[2][0]).render(s[2][1])),
        "txt sandboxed env only": cycling(lambda s: ours.envs["txt"].get_template(s[2][0]).render(s[2][1])),
        "html ours": cycling(lambda s: ours.render(s[0], s[1], on=ON, fmt="html", created=NOW)),
        "html bare": cycling(lambda s: bare.get_template(s[3][0]).render(s[3][1])),
        "pdf ours": cycling(lambda s: ours.pdf(ours.render(s[0], s[1], on=ON, fmt="html", created=NOW).text)),
        "pdf bare": cycling(lambda s: weasyprint.HTML(string=bare.get_template(s[3][0]).render(s[3][1])).write_pdf()),
    }

    # Sanity: both sides render the same letter (the bare one with Jinja2's default white space,
    # and without autoescaping, which these samples do not need).
    checks = []
    for action, letter, (txt_name, txt_ctx), (html_name, html_ctx) in samples:
        for fmt, name, ctx in (("txt", txt_name, txt_ctx), ("html", html_name, html_ctx)):
            a = ours.render(action, letter, on=ON, fmt=fmt, created=NOW).text
            b = bare.get_template(name).render(ctx)
            checks.append((name, fmt, _words(a) == _words(b), len(a), len(b)))
    first_html = ours.render(samples[0][0], samples[0][1], on=ON, fmt="html", created=NOW).text
    pdf_ours = ours.pdf(first_html)
    pdf_bare = weasyprint.HTML(string=bare.get_template(samples[0][3][0]).render(samples[0][3][1])).write_pdf()

    for fn in cases.values():  # warm-up: template compilation, WeasyPrint's fonts, Babel's data
        run_for(fn, args.warmup)

    totals = {name: [0, 0.0] for name in cases}
    for _ in range(args.rounds):
        for name, fn in cases.items():
            calls, elapsed = run_for(fn, (args.pdf_seconds if name.startswith("pdf") else args.seconds) / args.rounds)
            totals[name][0] += calls
            totals[name][1] += elapsed
    rate = {name: calls / elapsed for name, (calls, elapsed) in totals.items()}

    print(f"bench_letters — {time.strftime('%Y-%m-%d %H:%M')} — Python {platform.python_version()}, "
          f"Jinja2 {jinja2.__version__}, WeasyPrint {weasyprint.__version__}, {os.cpu_count()} CPUs")
    print(f"letters: {', '.join(f'{t.value}/{n}' for t, _, n in chosen)} (language {LANGUAGE}, golden samples)")
    print(f"at least {args.seconds:g} s per txt/html case and {args.pdf_seconds:g} s per pdf case, "
          f"over {args.rounds} interleaved rounds, after {args.warmup:g} s warm-up each\n")
    print(f"{'case':<26}{'letters/s':>12}{'ms/letter':>12}{'calls':>9}")
    for name, (calls, _elapsed) in totals.items():
        print(f"{name:<26}{rate[name]:>12.1f}{1000 / rate[name]:>12.3f}{calls:>9}")
    print()
    print(f"{'comparison':<26}{'ours':>12}{'bare':>12}{'ours/bare':>11}")
    for fmt, what in (("txt", "txt"), ("pdf", "pdf (html+pdf)"), ("html", "html (info)")):
        print(f"{what:<26}{rate[f'{fmt} ours']:>12.1f}{rate[f'{fmt} bare']:>12.1f}"
              f"{rate[f'{fmt} ours'] / rate[f'{fmt} bare']:>11.2f}")
    print()
    print("bare = plain jinja2.Environment(FileSystemLoader) + the templates' two filters, no sandbox,\n"
          "       default Undefined, same template name and the context dict the renderer builds (built\n"
          "       once, not timed); pdf bare = that HTML through weasyprint.HTML(string=...).write_pdf().")
    print("ours = LetterRenderer.render (context built on each call, sandboxed, StrictUndefined) [+ .pdf()].")
    print("txt sandboxed env only = the renderer's environment rendering the captured context (no context building).")
    print()
    for name, fmt, same, la, lb in checks:
        print(f"check {name} [{fmt}]: same words as ours: {'yes' if same else 'NO'} "
              f"({la} chars ours, {lb} chars bare)")
    print(f"check PDF sizes: ours {len(pdf_ours)} bytes, bare {len(pdf_bare)} bytes")


if __name__ == "__main__":
    main()
