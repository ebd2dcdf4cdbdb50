"""Pathological inputs: the bot's own code on text made to be slow, against a plain pass.

    python bench/pathological.py [--quick] [--check] [--timeout SECONDS]

Each row builds one input that a repository, a pull request, its configuration or a model
answer can hold, times the bot's code that reads it (the code that once took super-linear
time, or unbounded memory, on it) and a plain pass over the same input (`str.count`,
`str.split`, `splitlines`, or Python's own tokenizer), both in the same process, alternately,
and shows the ratio of their medians against the target (at most 5 x: linear, with a small
factor). "x10 input" is the bot's time on the input at N over its time at N / 10: about 10
when the time is linear (100 when quadratic). Peak memory is each one's at N, from
tracemalloc, in a run of its own; its ratio has the same target. Each row runs in a child
process with a time limit (60 s unless given): a row that regresses shows "timed out" instead
of stopping the table.

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
    # A row of whole commands: `bot` and `plain` give the command line to run on the input,
    # and memory is each process's peak resident size (the interpreter included), not
    # tracemalloc's count of what the code allocated.
    commands: bool = False


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


def _todo_file(count: int) -> Path:
    """A folder holding one Python file of `count` TODO comments (1 MB at 53,000)."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="fim-bot-bench-"))
    (folder / "many.py").write_text("".join(f"# TODO: item {i}\n" for i in range(count)))
    return folder / "many.py"


def _bot_dry_run(path: Path) -> list[str]:
    """What a user runs: `bot run --all --dry-run --format json` on the file, default settings
    (a prompt for each of the first 50 holes, a line for each of the others)."""
    bot = Path(sys.executable).with_name("bot")
    return [str(bot), "run", "--all", "--dry-run", "--format", "json", path.name]


def _python_tokenize(path: Path) -> list[str]:
    """Python's own tokenizer over the same file, a line printed for each token."""
    return [sys.executable, "-m", "tokenize", path.name]


def _long_answer(size: int) -> str:
    lines = []
    total = 0
    for i in range(size):
        line = f"    v{i} = {i}\n"
        lines.append(line)
        total += len(line)
        if total >= size:
            break
    return "".join(lines)


def _settle_answer(answer: str) -> object:
    """An answer from a server that ignores max_tokens, for a stub at the default 512 tokens:
    cut at 16 characters a token, then cleaned (and refused as cut short)."""
    from bot import clean, pipeline, prompt, settings
    from bot.data import Completion, Hole

    text = "def f():\n    pass\n"
    hole = Hole(
        path="m.py",
        start_line=2,
        end_line=2,
        kind="stub",
        marker="pass",
        language="python",
        indent="    ",
    )
    capped = pipeline._capped(Completion(text=answer), settings.ANSWER_CHARS_PER_TOKEN * 512)
    assert not isinstance(capped, BaseException)
    try:
        return clean.clean(
            hole,
            capped.text,
            prompt=prompt.build(hole, text),
            text=text,
            finish_reason=capped.finish_reason,
        )
    except clean.Rejected as error:
        return error


def _config_file(size: int) -> Path:
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="fim-bot-bench-"))
    path = folder / ".fim-bot.yml"
    path.write_bytes(b"max-holes: 3\n" + b"# padding\n" * (size // 10))
    return path


def _read_config(path: Path) -> object:
    """A configuration file read: refused past 1 MB, before YAML sees it."""
    from bot import config
    from bot.errors import BotError

    try:
        return config.load(path, cwd=path.parent)
    except BotError as error:
        return error


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
    Row(
        name="bot run --all --dry-run --format json: a 1 MB file of N TODO comments",
        size=53_000,
        make=_todo_file,
        bot=_bot_dry_run,
        plain=_python_tokenize,
        plain_name="python -m tokenize",
        commands=True,
    ),
    Row(
        name="an answer of N characters for one stub (a server that ignores max_tokens)",
        size=10_000_000,
        make=_long_answer,
        bot=_settle_answer,
        plain=lambda answer: answer.count("\n"),
        plain_name="answer.count('\\n')",
    ),
    Row(
        name="a configuration file of N bytes",
        size=7_000_000,
        make=_config_file,
        bot=_read_config,
        plain=lambda path: path.read_bytes().count(b"\n"),
        plain_name="read_bytes().count",
    ),
]


# ------------------------------------------------------------------------ measuring


def measure(row: Row, size: int) -> dict[str, float]:
    """Median times of the bot's code and of the plain pass (alternately, so that both see the
    same machine), the bot's at a tenth of the size, and its peak memory in a run of its own."""
    data, tenth = row.make(size), row.make(max(size // 10, 1))
    bot, plain = row.bot, row.plain
    if row.commands:  # each gives a command line: run it
        bot, plain = _ran(row.bot), _ran(row.plain)
    bot(tenth)  # a first call: imports, compiled patterns, caches
    bot_times: list[float] = []
    plain_times: list[float] = []
    tenth_times: list[float] = []
    for _ in range(REPEATS if not row.commands else 3):
        for code, given, times in (
            (bot, data, bot_times),
            (plain, data, plain_times),
            (bot, tenth, tenth_times),
        ):
            started = time.perf_counter()
            code(given)
            times.append(time.perf_counter() - started)
    if row.commands:
        peak = _resident(row.bot(data), _folder(data))
        plain_peak = _resident(row.plain(data), _folder(data))
    else:  # a plain pass holds the input at least: its size is the floor of the baseline
        peak, plain_peak = _peak(row.bot, data), _peak(row.plain, data) + _size(data)
    return {
        "bot": statistics.median(bot_times),
        "plain": statistics.median(plain_times),
        "tenth": statistics.median(tenth_times),
        "peak": peak,
        "plain_peak": plain_peak,
    }


def _peak(code: Callable[[Any], object], data: Any) -> float:
    """The most memory `code` held at once on `data` (what it returns included)."""
    tracemalloc.start()
    code(data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return float(peak)


def _size(data: Any) -> float:
    """The input's own size in memory (a file's, for a file)."""
    return float(data.stat().st_size if isinstance(data, Path) else sys.getsizeof(data))


def _folder(given: Any) -> Path | None:
    """Where a command runs: in the folder of the file it is given (outside any repository)."""
    return given.parent if isinstance(given, Path) else None


def _resident(command: object, cwd: Path | None) -> float:
    """The peak resident size of `command`, run alone in a process of its own."""
    probe = (
        "import resource, subprocess, sys; "
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    assert isinstance(command, list)
    out = subprocess.run(
        [sys.executable, "-c", probe, *command], capture_output=True, text=True, cwd=cwd
    )
    return float(out.stdout.strip()) * 1024  # kilobytes on Linux


def _ran(command_for: Callable[[Any], object]) -> Callable[[Any], object]:
    """A `commands` row's side, run: the command line it gives for the input, output dropped."""

    def run(given: Any) -> object:
        command = command_for(given)
        assert isinstance(command, list)
        return subprocess.run(command, stdout=subprocess.DEVNULL, check=True, cwd=_folder(given))

    return run


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
    header = (
        "row",
        "N",
        "bot",
        "plain pass",
        "ratio",
        "target",
        "met?",
        "x10 input",
        "peak (plain)",
        "ratio",
    )
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
                (
                    row.name,
                    f"{size:,}",
                    figures,
                    "-",
                    "-",
                    f"<= {row.target:g} x",
                    "NO",
                    "-",
                    "-",
                    "-",
                )
            )
            missed.append(row.name)
            continue
        ratio = figures["bot"] / figures["plain"]
        memory = figures["peak"] / figures["plain_peak"]
        met = ratio <= row.target and memory <= row.target
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
                f"{_bytes(figures['peak'])} ({_bytes(figures['plain_peak'])})",
                f"{memory:.1f} x",
            )
        )
    print_table(lines)
    print(f"\n{len(missed)} target(s) missed" + (": " + "; ".join(missed) if missed else ""))
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
