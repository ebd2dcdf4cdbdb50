"""Round trip: cut holes into real code, let `bot run` fill them from an oracle, compare.

    python bench/roundtrip.py [--quick] [--check] [--modes MODE ...] [--examples N]

Functions of the installed standard library (modules named in MODULES) are copied, one hole
per copy, into a temporary git repository: the base commit holds the originals, the next
commit the holes. For each oracle mode (tests/fakes/oracle.py: the true middle plus one kind
of model noise) the fake Codestral server answers, the real `bot run --head` fills every hole
once, and each suggestion is applied to its copy and compared with the original byte for byte.

The table shows recall (holes found / holes made), exact matches per hole kind and per mode
against their targets, fills that would add a syntax error (must be 0), failures and their
top reasons, model calls and wall time. The `raw` column is the baseline measured in the same
run: the oracle's answer applied as it came, without the bot's clean-up.

Exit status: 0, whatever the figures (the bench reports); with --check, 1 when a target is
missed (tests/test_roundtrip.py runs `--quick --check`).
"""

from __future__ import annotations

import argparse
import ast
import collections
import concurrent.futures
import difflib
import io
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import tokenize
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
KEY = "sk-roundtrip-0123456789"

# Modules of the standard library (3.10 to 3.13) whose functions are mostly module-level:
# methods and nested functions fall under rules (overrides, hooks, callbacks) that can make
# a stubbed copy no hole at all, which would measure the scanner's rules, not the fills.
MODULES = (
    "base64",
    "calendar",
    "colorsys",
    "email/utils",
    "fnmatch",
    "gettext",
    "glob",
    "heapq",
    "operator",
    "posixpath",
    "shlex",
    "statistics",
    "textwrap",
    "traceback",
    "urllib/parse",
    "uuid",
    "warnings",
)
QUICK_MODULES = ("base64", "glob", "heapq")
QUICK_FUNCTIONS = 5  # per module, spread over the module
# A body must fit in what the bot asks for by default (--max-tokens 512, at the fake's four
# characters a token) with room for the noise (a level of indentation a line, an echo, a
# fence); longer ones would be cut short in every mode and measure max_tokens, not clean-up.
FILL_CHARS = 512 * 4
NOISE_ROOM = 256

KINDS = ("pass", "ellipsis", "raise", "todo_pass", "todo_run")
BOT_FLAGS = ("--format", "json", "--max-holes", "0")
STUB_LINES = {"pass": "pass", "ellipsis": "...", "raise": "raise NotImplementedError"}
NEVER_OFFERED = ("empty", "whitespace", "repeat")  # (f) and (g): always failed
EXACT_TARGETS = {
    "perfect": 0.99,
    **dict.fromkeys(
        (
            "echo_suffix",
            "runaway",
            "leading_newline",
            "leading_space",
            "fence",
            "too_deep",
            "too_shallow",
            "special_token",
        ),
        0.97,
    ),
}
_EMPTY_ON_PURPOSE = {"overload", "abstractmethod", "abstractproperty"}
_SIMPLE = (
    ast.Assign,
    ast.AugAssign,
    ast.AnnAssign,
    ast.Expr,
    ast.Delete,
    ast.Assert,
    ast.Import,
    ast.ImportFrom,
)


# ------------------------------------------------------------------------------ cases


@dataclass(frozen=True)
class Case:
    """One copy of a module with one hole in it."""

    path: str  # in the repository
    module: str
    function: str
    kind: str
    original: str
    holed: str
    start: int  # the hole's lines in `holed`, 1-based, inclusive
    end: int


def split_lines(text: str) -> list[str]:
    """Lines with their "\\n", as git counts them."""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def signature_end(lines: list[str], function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """The row of the colon that ends the `def`'s signature."""
    text = "".join(lines[function.lineno - 1 : function.body[0].lineno])
    depth = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type != tokenize.OP:
                continue
            if token.string in "([{":
                depth += 1
            elif token.string in ")]}":
                depth -= 1
            elif token.string == ":" and depth == 0:
                return function.lineno + token.start[0] - 1
    except (tokenize.TokenError, SyntaxError):
        pass
    return function.body[0].lineno


def is_placeholder(node: ast.stmt) -> bool:
    if isinstance(node, ast.Pass):
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return node.value.value is Ellipsis or isinstance(node.value.value, str)
    if isinstance(node, ast.Raise) and node.exc is not None:
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"
    return False


def decorator_names(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    names = set()
    for decorator in function.decorator_list:
        node = decorator.func if isinstance(decorator, ast.Call) else decorator
        while isinstance(node, ast.Attribute):
            names.add(node.attr)
            node = node.value
        if isinstance(node, ast.Name):
            names.add(node.id)
    return names


@dataclass(frozen=True)
class Function:
    node: ast.FunctionDef | ast.AsyncFunctionDef
    statements: list[ast.stmt]  # the body without its docstring
    start: int  # the body's lines (DESIGN: after the docstring, blank lines before excluded)
    end: int
    indent: str
    docstring: str


def functions(source: str) -> list[Function]:
    """The module-level functions that make fair holes, in file order."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = ast.parse(source)
    lines = split_lines(source)
    defs = [n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    names = collections.Counter(n.name for n in defs)
    chosen = []
    for node in defs:
        if names[node.name] > 1 or decorator_names(node) & _EMPTY_ON_PURPOSE:
            continue
        body = node.body
        has_doc = isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
        has_doc = has_doc and isinstance(body[0].value.value, str)  # type: ignore[union-attr]
        statements = body[1:] if has_doc else body
        if not statements or all(is_placeholder(s) for s in statements):
            continue
        after = body[0].end_lineno if has_doc else signature_end(lines, node)
        assert after is not None
        if body[0].lineno <= signature_end(lines, node) or statements[0].lineno <= after:
            continue  # the body shares a line with the signature or the docstring
        start = after + 1
        while not lines[start - 1].strip():
            start += 1
        end = statements[-1].end_lineno or statements[-1].lineno
        if len("".join(lines[start - 1 : end])) + 4 * (end - start + 1) + NOISE_ROOM > FILL_CHARS:
            continue
        first = lines[statements[0].lineno - 1]
        docstring = (ast.get_docstring(node) or "").strip().split("\n")[0].strip()
        chosen.append(
            Function(
                node=node,
                statements=statements,
                start=start,
                end=end,
                indent=first[: len(first) - len(first.lstrip())],
                docstring=docstring,
            )
        )
    return chosen


def statement_run(function: Function) -> tuple[int, int, str] | None:
    """Lines of the first run of 2-4 simple top-level statements (not the last one), and a
    short phrase for its TODO; None when the body has no such run."""
    statements = function.statements
    for i in range(len(statements) - 2):
        run: list[ast.stmt] = []
        for j in range(i, min(i + 4, len(statements) - 1)):
            node = statements[j]
            previous_end = statements[j - 1].end_lineno if j else function.start - 1
            simple = isinstance(node, _SIMPLE) and not (
                isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            )
            if not simple or previous_end is None or node.lineno <= previous_end:
                break
            run.append(node)
        while run and (
            statements[statements.index(run[-1]) + 1].lineno <= (run[-1].end_lineno or 0)
            or is_placeholder(statements[statements.index(run[-1]) + 1])
        ):
            run.pop()  # the next statement shares a line, or would make the body a stub
        if len(run) >= 2:
            targets = [
                t.id
                for node in run
                for t in (node.targets if isinstance(node, ast.Assign) else [])
                if isinstance(t, ast.Name)
            ]
            phrase = f"compute {', '.join(targets[:3])}" if targets else "do the next steps"
            return run[0].lineno, run[-1].end_lineno or run[-1].lineno, phrase
    return None


def holes_of(module: str, source: str, function: Function) -> Iterator[Case]:
    """One copy of `source` per hole kind that `function` allows."""
    lines = split_lines(source)
    name = function.node.name
    for kind in KINDS:
        start, end = function.start, function.end
        if kind in STUB_LINES:
            new = [STUB_LINES[kind]]
        elif kind == "todo_pass":
            new = [f"# TODO: {function.docstring or 'implement'}", "pass"]
        else:
            run = statement_run(function)
            if run is None:
                continue
            start, end, phrase = run
            new = [f"# TODO: {phrase}"]
        new_lines = [f"{function.indent}{line}\n" for line in new]
        if set(new_lines) & set(lines[start - 1 : end]):
            continue  # git would align the stub with the same line in the body: not added
        holed = "".join(lines[: start - 1] + new_lines + lines[end:])
        yield Case(
            path=f"cases/{module.replace('/', '.')}/{name}__{kind}.py",
            module=module,
            function=name,
            kind=kind,
            original=source,
            holed=holed,
            start=start,
            end=start + len(new_lines) - 1,
        )


def spread(items: list[Function], count: int) -> list[Function]:
    """`count` of `items`, evenly spaced."""
    if count <= 0 or not items:
        return []
    step = max(1, len(items) // count)
    return items[::step][:count]


def make_cases(quick: bool) -> tuple[list[Case], dict[str, str], int]:
    """The cases, the original text of each module, and the number of functions used."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    cases: list[Case] = []
    originals: dict[str, str] = {}
    count = 0
    for module in QUICK_MODULES if quick else MODULES:
        path = stdlib / f"{module}.py"
        if not path.is_file():
            print(f"note: {module} is not in this Python's standard library", file=sys.stderr)
            continue
        source = path.read_bytes().decode("utf-8")
        chosen = functions(source)
        if quick:  # a spread over the module, most of them with a run of statements
            with_run = [f for f in chosen if statement_run(f)]
            picked = spread(with_run, QUICK_FUNCTIONS - 2)
            rest = [f for f in chosen if f not in picked]
            picked += spread(rest, QUICK_FUNCTIONS - len(picked))
            chosen = sorted(picked, key=lambda f: f.start)
        originals[module] = source
        count += len(chosen)
        for function in chosen:
            cases.extend(holes_of(module, source, function))
    return cases, originals, count


# ------------------------------------------------------------------------ repository


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """An environment built from scratch, as the tests use: nothing inherited but PATH."""
    git = shutil.which("git")
    if not git:
        raise SystemExit("roundtrip: git is required")
    path = os.pathsep.join(dict.fromkeys([str(Path(sys.executable).parent), str(Path(git).parent)]))
    return {
        "PATH": path,
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Round Trip",
        "GIT_AUTHOR_EMAIL": "roundtrip@example.com",
        "GIT_COMMITTER_NAME": "Round Trip",
        "GIT_COMMITTER_EMAIL": "roundtrip@example.com",
        "FIM_BOT_TIME_SCALE": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        **extra,
    }


def build_repo(path: Path, env: dict[str, str], cases: list[Case]) -> tuple[str, str]:
    """A repository whose base commit holds the originals and whose head puts in the holes."""

    def git(*args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=path, env=env, capture_output=True, text=True)
        if proc.returncode:
            raise SystemExit(f"roundtrip: git {args[0]} failed: {proc.stderr.strip()}")
        return proc.stdout.strip()

    path.mkdir()
    git("init", "-q", "-b", "main")
    commits = []
    for text_of in (lambda c: c.original, lambda c: c.holed):
        for case in cases:
            target = path / case.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text_of(case).encode("utf-8"))
        git("add", "-A")
        git("commit", "-q", "-m", "holes" if commits else "originals")
        commits.append(git("rev-parse", "HEAD"))
    return commits[0], commits[1]


def bot_revision() -> str:
    """The commit the bot's code is at, and whether bot/ has uncommitted changes."""

    def git(*args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return proc.stdout.strip() if proc.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "an unknown commit"
    return commit + (" + uncommitted changes" if git("status", "--porcelain", "--", "bot") else "")


def bot_command() -> list[str]:
    script = Path(sys.executable).with_name("bot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot"]


# ---------------------------------------------------------------------------- a mode


@dataclass
class Outcome:
    """What became of one case in one mode."""

    case: Case
    found: bool = False
    status: str = "missing"
    reason: str | None = None
    exact: bool = False
    raw_exact: bool = False
    syntax_error: bool = False
    applied: str | None = None
    suggestion: str | None = None
    answer: str | None = None  # the oracle's raw answer


@dataclass
class ModeResult:
    mode: str
    outcomes: list[Outcome]
    calls: int
    seconds: float
    unmatched: int
    unchanged: int  # answers the oracle could not add its noise to (too_shallow at column 0)
    extra_holes: int
    exit_code: int
    error: str = ""
    reasons: collections.Counter[str] = field(default_factory=collections.Counter)


def compiles(text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, "<roundtrip>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


def replace_lines(text: str, start: int, end: int, replacement: str) -> str:
    lines = split_lines(text)
    return "".join([*lines[: start - 1], replacement, *lines[end:]])


def run_mode(
    mode: str,
    cases: list[Case],
    originals: dict[str, str],
    repo: Path,
    env: dict[str, str],
    commits: tuple[str, str],
) -> ModeResult:
    """Serve `mode`'s oracle, run the bot once over every hole, and judge each fill."""
    from tests.fakes.codestral import FakeCodestral
    from tests.fakes.oracle import make_oracle

    oracle = make_oracle(originals.values(), mode)
    raw: dict[tuple[str, str], str] = {}

    def responder(body: dict[str, Any]) -> str:
        answer = oracle(body)
        raw[str(body.get("prompt")), str(body.get("suffix"))] = answer
        return answer

    with FakeCodestral(api_key=KEY) as fake:
        fake.responder = responder
        started = time.perf_counter()
        proc = subprocess.run(
            [*bot_command(), "run", "--base", commits[0], "--head", commits[1], *BOT_FLAGS],
            cwd=repo,
            env={**env, "CODESTRAL_API_KEY": KEY, "CODESTRAL_API_BASE": fake.base_url},
            capture_output=True,
            text=True,
            timeout=3600,
        )
        seconds = time.perf_counter() - started
        calls = len(fake.requests)
        if fake.errors:
            print(f"roundtrip: the fake failed: {fake.errors[0]!r}", file=sys.stderr)
    by_path = {case.path: Outcome(case) for case in cases}
    result = ModeResult(
        mode,
        list(by_path.values()),
        calls,
        seconds,
        oracle.stats.unmatched,
        oracle.stats.unchanged,
        0,
        0,
    )
    result.exit_code = proc.returncode
    if proc.returncode not in (0, 1):
        result.error = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return result
    for hole in json.loads(proc.stdout)["holes"]:
        outcome = by_path.get(hole["path"])
        case = outcome.case if outcome else None
        if outcome is None or case is None or outcome.found:
            result.extra_holes += 1
            continue
        if not (hole["start_line"] <= case.end and case.start <= hole["end_line"]):
            result.extra_holes += 1
            continue
        judge(outcome, hole, raw)
        if outcome.reason:
            result.reasons[outcome.reason] += 1
    return result


def judge(outcome: Outcome, hole: dict[str, Any], raw: dict[tuple[str, str], str]) -> None:
    case = outcome.case
    outcome.found = True
    outcome.status = hole["status"]
    outcome.reason = hole["reason"]
    start, end = hole["start_line"], hole["end_line"]
    answer = raw.get((hole["prompt"]["prefix"], hole["prompt"]["suffix"]))
    outcome.answer = answer
    if answer is not None:
        outcome.raw_exact = replace_lines(case.holed, start, end, answer) == case.original
    if hole["status"] != "suggested":
        return
    outcome.suggestion = hole["suggestion"]
    outcome.applied = replace_lines(case.holed, start, end, hole["suggestion"])
    outcome.exact = outcome.applied.encode() == case.original.encode()
    outcome.syntax_error = not compiles(outcome.applied)


# ---------------------------------------------------------------------------- report


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f} %" if whole else "    - "


def target_of(mode: str) -> str:
    if mode in NEVER_OFFERED:
        return "0 offered"
    return f">= {100 * EXACT_TARGETS[mode]:.0f} %"


def misses(results: list[ModeResult], cases: list[Case]) -> list[str]:
    """The targets this run missed, one line each."""
    missed = []
    for result in results:
        if result.error:
            missed.append(f"{result.mode}: the bot failed: {result.error}")
            continue
        made, found = len(result.outcomes), sum(o.found for o in result.outcomes)
        if found < made:
            missed.append(f"{result.mode}: recall {found}/{made}, target 100 %")
        offered = sum(o.status == "suggested" for o in result.outcomes)
        exact = sum(o.exact for o in result.outcomes)
        broken = sum(o.syntax_error for o in result.outcomes)
        if broken:
            missed.append(f"{result.mode}: {broken} fills add a syntax error, target 0")
        if result.mode in NEVER_OFFERED and offered:
            missed.append(f"{result.mode}: {offered} fills offered, target 0")
        if result.mode in EXACT_TARGETS and exact < EXACT_TARGETS[result.mode] * made:
            missed.append(
                f"{result.mode}: exact {percent(exact, made).strip()}, "
                f"target {target_of(result.mode)}"
            )
    return missed


def print_report(
    results: list[ModeResult],
    cases: list[Case],
    functions_used: int,
    modules: Sequence[str],
    quick: bool,
    examples: int,
    total_seconds: float,
    revision: str,
) -> list[str]:
    out = sys.stdout.write
    version = ".".join(map(str, sys.version_info[:3]))
    out(
        f"fim-bot round trip{' (quick)' if quick else ''}: Python {version} standard library, "
        f"{len(modules)} modules, {functions_used} functions, {len(cases)} holes; "
        f"bot at {revision}\nmodules: {', '.join(modules)}\n\n"
    )
    kinds = [k for k in KINDS if any(c.kind == k for c in cases)]
    made = collections.Counter(c.kind for c in cases)
    first = next((r for r in results if not r.error), None)
    out("recall: holes found / holes made (target 100 %)\n")
    out(f"  {'kind':<11}{'made':>6}{'found':>7}  recall\n")
    for kind in [*kinds, "all"]:
        subset = [o for o in (first.outcomes if first else []) if kind in ("all", o.case.kind)]
        found = sum(o.found for o in subset)
        count = len(cases) if kind == "all" else made[kind]
        out(f"  {kind:<11}{count:>6}{found:>7}  {percent(found, count)}\n")

    out("\nexact match (applied suggestion == original, byte for byte), per mode and kind\n")
    head = f"  {'mode':<16}{'target':>10}{'exact':>9}" + "".join(f"{k:>11}" for k in kinds)
    head += f"{'raw':>9}{'offered':>9}{'failed':>8}{'syntax':>8}{'calls':>7}"
    head += f"{'unmatched':>11}{'time':>8}\n"
    out(head)
    for result in results:
        if result.error:
            out(f"  {result.mode:<16}  the bot failed (exit {result.exit_code}): {result.error}\n")
            continue
        outcomes = result.outcomes
        row = f"  {result.mode:<16}{target_of(result.mode):>10}"
        row += f"{percent(sum(o.exact for o in outcomes), len(outcomes)):>9}"
        for kind in kinds:
            subset = [o for o in outcomes if o.case.kind == kind]
            row += f"{percent(sum(o.exact for o in subset), len(subset)):>11}"
        row += f"{percent(sum(o.raw_exact for o in outcomes), len(outcomes)):>9}"
        row += f"{sum(o.status == 'suggested' for o in outcomes):>9}"
        row += f"{sum(o.status == 'failed' for o in outcomes):>8}"
        row += f"{sum(o.syntax_error for o in outcomes):>8}{result.calls:>7}"
        row += f"{result.unmatched:>11}{result.seconds:>7.1f}s\n"
        out(row)
    out(
        "  (syntax: offered fills that add a syntax error, target 0; raw: the oracle's answer "
        "applied without clean-up, the baseline;\n   unmatched: requests the oracle could not "
        "place, should be 0)\n"
    )

    out("\nfailed and not exact: top reasons per mode\n")
    for result in results:
        if result.error:
            continue
        inexact = sum(o.status == "suggested" and not o.exact for o in result.outcomes)
        reasons = ", ".join(f"{n} {r}" for r, n in result.reasons.most_common(3)) or "none"
        extra = f"; {result.extra_holes} holes the bench did not make" if result.extra_holes else ""
        if result.unchanged:
            extra += f"; {result.unchanged} answers left without noise (not possible)"
        out(f"  {result.mode:<16}failed: {reasons}; offered but not exact: {inexact}{extra}\n")

    if examples:
        print_examples(results, examples)
    missed = misses(results, cases)
    out(f"\ntargets: {'all met' if not missed else 'missed'}\n")
    for line in missed:
        out(f"  MISSED {line}\n")
    out(f"total wall time {total_seconds:.1f}s\n")
    return missed


def expected(case: Case) -> list[str]:
    """The original lines that the hole took out."""
    original, holed = split_lines(case.original), split_lines(case.holed)
    return original[case.start - 1 : case.end + len(original) - len(holed)]


def print_examples(results: list[ModeResult], count: int) -> None:
    """Up to `count` mismatches per mode, one per function: a diff from the original to the
    applied fill, or for a failed hole the oracle's raw answer and the code it should give."""
    out = sys.stdout.write
    for result in results:
        wrong = [o for o in result.outcomes if o.found and not o.exact]
        if not wrong or result.mode in NEVER_OFFERED:
            continue
        functions = {(o.case.module, o.case.function) for o in wrong}
        shown = [o for o in wrong if o.status == "failed"][:1]
        for outcome in wrong:
            key = (outcome.case.module, outcome.case.function)
            if len(shown) < count and key not in {(o.case.module, o.case.function) for o in shown}:
                shown.append(outcome)
        out(
            f"\n== {result.mode}: {len(wrong)} not exact, in {len(functions)} functions; "
            f"{len(shown)} shown\n"
        )
        for outcome in shown:
            case = outcome.case
            out(f"-- {case.path} ({outcome.status}")
            out(f": {outcome.reason})\n" if outcome.reason else ")\n")
            if outcome.applied is None:
                out("expected:\n")
                out("".join(f"  |{line}" for line in expected(case)[:12]))
                out("the oracle answered:\n")
                out("".join(f"  |{line}" for line in split_lines(outcome.answer or "")[:12]))
                continue
            diff = difflib.unified_diff(
                split_lines(case.original),
                split_lines(outcome.applied),
                "original",
                "with the suggestion",
                n=1,
            )
            lines = list(diff)
            for line in lines[:24]:
                out(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
            if len(lines) > 24:
                out(f"... {len(lines) - 24} more diff lines\n")


# ------------------------------------------------------------------------------ main


def main(argv: Sequence[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))  # tests/fakes: the fake Codestral and the oracle
    from tests.fakes.oracle import MODES

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="3 modules, 15 functions")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--modes", nargs="+", choices=list(MODES), default=list(MODES))
    parser.add_argument("--examples", type=int, default=0, help="mismatches shown per mode")
    parser.add_argument(
        "--jobs",
        type=int,
        default=0,
        help="modes run at once (default: one per CPU with --quick, else 1, for clean timings)",
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    revision = bot_revision()  # before the runs: the code may change while they go on
    cases, originals, functions_used = make_cases(args.quick)
    with tempfile.TemporaryDirectory(prefix="fim-roundtrip-") as tmp:
        home = Path(tmp, "home")
        home.mkdir()
        env = clean_env(home)
        commits = build_repo(Path(tmp, "repo"), env, cases)
        jobs = args.jobs or ((os.cpu_count() or 1) if args.quick else 1)

        def one(mode: str) -> ModeResult:
            result = run_mode(mode, cases, originals, Path(tmp, "repo"), env, commits)
            print(f"roundtrip: {mode} done in {result.seconds:.1f}s", file=sys.stderr)
            return result

        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(one, args.modes))
    missed = print_report(
        results,
        cases,
        functions_used,
        list(originals),
        args.quick,
        args.examples,
        time.perf_counter() - started,
        revision,
    )
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
