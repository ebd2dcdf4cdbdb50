"""Pathological inputs: the bot's own code on text made to be slow, against a plain pass.

    python bench/pathological.py [--quick] [--check] [--timeout SECONDS]

Each row builds one input that a repository, a pull request, its configuration or a model
answer can hold, times the bot's code that reads it (the code that once took super-linear
time on it) and a plain pass over the same input (`str.count`, `str.split` or `splitlines`,
in C), both in the same process, alternately, and shows the ratio of their medians against
the target (at most 5 x: linear, with a small factor). "x10 input" is the bot's time on the
input at N over its time at N / 10: about 10 when the time is linear (100 when quadratic).
Peak memory is the bot's code's at N, from tracemalloc, in a run of its own. Each row runs in
a child process with a time limit (60 s unless given): a row that regresses shows "timed
out" instead of stopping the table.

Rows are `Row` entries of ROWS: a name, a builder of the input at a size, the bot's code and
the plain pass over that input. --quick builds each input at a tenth of its size.

Exit status: 0, whatever the figures; with --check, 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET = 5.0  # the bot's code / the plain pass
REPEATS = 7


@dataclass(frozen=True)
class Row:
    name: str  # the input, as the table shows it
    size: int  # the input's size in the full run, in the unit `make` counts
    make: Callable[[int], Any]  # the input at a size
    bot: Callable[[Any], object]  # the bot's own code on the input
    plain: Callable[[Any], object]  # a plain pass over the same input
    plain_name: str  # the plain pass, as the table shows it
    target: float = TARGET


# ------------------------------------------------------------------------ the rows


def _glob(pattern: str) -> Callable[[str], object]:
    """One exclude glob matched against a path: what `FileFilter.hidden` does for each glob
    (after the built-in ones, not timed here)."""
    from bot import globs

    return lambda path: globs._last_match((pattern,), path)


def _stub_message(literal: str) -> object:
    """A string literal's text, then the stub-message check: `stubs._is_message` without the
    tree-sitter node around it."""
    from bot.languages import stub_rules, stubs

    inside = stubs._inside_quotes(literal)
    return inside is not None and stub_rules.message().fullmatch(inside.strip())


def _class_headers(text: str) -> object:
    """The class headers and bases that the subclass index reads in every Python file."""
    from bot.languages import python_overrides

    return list(python_overrides._headers(text))


def _api_base(value: str) -> object:
    """The `api-base` check of a configuration value."""
    from bot import keys

    return keys._url(value)


def _lexed(language: str) -> Callable[[str], object]:
    """The comment and string lexer of a language without an installed grammar."""
    from bot.languages import lexer
    from bot.languages.table import languages

    row = languages()[language]
    return lambda text: lexer.tokens(text, row)


STAR_GLOB = "*a" * 14 + "*b"
DOUBLE_STAR_GLOB = "**/b/**/b/**/b/**/b/**/c"

ROWS: list[Row] = [
    Row(
        name=f"exclude glob {STAR_GLOB} on a one-name path of N chars",
        size=100_000,
        make=lambda n: "a" * n,
        bot=lambda path: _glob(STAR_GLOB)(path),
        plain=lambda path: path.split("/"),
        plain_name="path.split('/')",
    ),
    Row(
        name=f"exclude glob {DOUBLE_STAR_GLOB} on a path N folders deep",
        size=50_000,
        make=lambda n: "b/" * n + "x",
        bot=lambda path: _glob(DOUBLE_STAR_GLOB)(path),
        plain=lambda path: path.split("/"),
        plain_name="path.split('/')",
    ),
    Row(
        name="stub message \"a''...''b\" with N quotes",
        size=200_000,
        make=lambda n: '"a' + "'" * n + 'b"',
        bot=_stub_message,
        plain=lambda literal: literal.count("'"),
        plain_name='text.count("\'")',
    ),
    Row(
        name="N lines `class A(` (the subclass index)",
        size=60_000,
        make=lambda n: "class A(\n" * n,
        bot=_class_headers,
        plain=lambda text: len(text.splitlines()),
        plain_name="len(text.splitlines())",
    ),
    Row(
        name="api-base of N chars with a blank at its end",
        size=100_000,
        make=lambda n: "http://" + "a" * n + " x",
        bot=_api_base,
        plain=lambda value: value.count(" "),
        plain_name="value.count(' ')",
    ),
    Row(
        name='Swift (lexer): a line of N "#"',
        size=100_000,
        make=lambda n: "#" * n + "\n",
        bot=lambda text: _lexed("swift")(text),
        plain=lambda text: len(text.splitlines()),
        plain_name="len(text.splitlines())",
    ),
    Row(
        name="Haskell (lexer): N `{-` then N `-}`",
        size=150_000,
        make=lambda n: "{-" * n + "-}" * n,
        bot=lambda text: _lexed("haskell")(text),
        plain=lambda text: text.count("{-"),
        plain_name="text.count('{-')",
    ),
]


# ------------------------------------------------------------------------ measuring


def measure(row: Row, size: int) -> dict[str, float]:
    """Median times of the bot's code and of the plain pass (alternately, so that both see the
    same machine), the bot's at a tenth of the size, and its peak memory in a run of its own."""
    data, tenth = row.make(size), row.make(max(size // 10, 1))
    row.bot(tenth)  # a first call: imports, compiled patterns, caches
    bot_times: list[float] = []
    plain_times: list[float] = []
    tenth_times: list[float] = []
    for _ in range(REPEATS):
        for code, given, times in (
            (row.bot, data, bot_times),
            (row.plain, data, plain_times),
            (row.bot, tenth, tenth_times),
        ):
            started = time.perf_counter()
            code(given)
            times.append(time.perf_counter() - started)
    tracemalloc.start()
    row.bot(data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "bot": statistics.median(bot_times),
        "plain": statistics.median(plain_times),
        "tenth": statistics.median(tenth_times),
        "peak": float(peak),
    }


def run_row(index: int, size: int, timeout: float) -> dict[str, float] | str:
    """`measure` in a child process: the figures, or why there are none."""
    command = [sys.executable, __file__, "--row", str(index), "--size", str(size)]
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"timed out after {timeout:.0f} s"
    if proc.returncode:
        return "error: " + (proc.stderr.strip().splitlines() or ["no output"])[-1]
    figures: dict[str, float] = json.loads(proc.stdout)
    return figures


# ------------------------------------------------------------------------ report


def _seconds(value: float) -> str:
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 1e-3:
        return f"{value * 1e3:.2f} ms"
    return f"{value * 1e6:.1f} us"


def _bytes(value: float) -> str:
    if value >= 1 << 20:
        return f"{value / (1 << 20):.1f} MB"
    return f"{value / (1 << 10):.0f} kB"


def print_table(lines: list[tuple[str, ...]]) -> None:
    header = ("row", "N", "bot", "plain pass", "ratio", "target", "met?", "x10 input", "peak")
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]
    for line in [header, tuple("-" * w for w in widths), *lines]:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="each input at a tenth of its size")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per row")
    parser.add_argument("--row", type=int, help=argparse.SUPPRESS)  # a child: one row
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))  # the bot of this checkout, installed or not
    if args.row is not None:
        print(json.dumps(measure(ROWS[args.row], args.size)))
        return 0

    print(
        f"fim-bot pathological inputs ({'quick' if args.quick else 'full'}), "
        f"python {sys.version.split()[0]}"
    )
    lines: list[tuple[str, ...]] = []
    missed: list[str] = []
    for index, row in enumerate(ROWS):
        size = max(row.size // 10, 1) if args.quick else row.size
        figures = run_row(index, size, args.timeout)
        if isinstance(figures, str):
            lines.append(
                (row.name, f"{size:,}", figures, "-", "-", f"<= {row.target:g} x", "NO", "-", "-")
            )
            missed.append(row.name)
            continue
        ratio = figures["bot"] / figures["plain"]
        met = ratio <= row.target
        if not met:
            missed.append(row.name)
        lines.append(
            (
                row.name,
                f"{size:,}",
                _seconds(figures["bot"]),
                f"{row.plain_name} {_seconds(figures['plain'])}",
                f"{ratio:.1f} x",
                f"<= {row.target:g} x",
                "yes" if met else "NO",
                f"x{figures['bot'] / figures['tenth']:.1f} time",
                _bytes(figures["peak"]),
            )
        )
    print_table(lines)
    print(f"\n{len(missed)} target(s) missed" + (": " + "; ".join(missed) if missed else ""))
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
