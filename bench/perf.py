"""Performance: the bot's figures against baselines measured in the same run (DESIGN.md 3a).

    python bench/perf.py [--quick] [--check] [--litellm] [--python PY]

The bot is measured as users run it: installed with `pip install .` (not editable, default
dependencies only) into a throwaway virtual environment, whose Python also runs every baseline.
With --python, an environment that already has the bot is used instead (no install).

Rows (loopback only; the model is tests/fakes/codestral.py):

1. start-up: `bot --version` against `python -c pass` (median of 7 each), target <= +100 ms.
2. scan: `bot run --dry-run` over a commit adding the installed standard library's .py files,
   against a process that only `ast.parse`s the same files (median of 5), target <= 1.5x
   (--quick scans three packages: shown, not judged, as start-up is most of that time).
3. end to end: 50 stub holes, the fake at 0.5 s a request, concurrency 8, against the bound
   ceil(50 / 8) x 0.5 s, target <= 1.10x; a bare httpx loop sending the same requests (its own
   start-up included) and the fake's most requests in flight are shown too.
4. floor: the 200 FIM requests of a 200-hole repository at 0.05 s a request, concurrency 8,
   sent by the whole `bot run` and by a bare `httpx.AsyncClient` loop (in its own process, so
   that CPU time and peak RSS are the client's alone, not the fake server's), target <= 1.2x.
   With --litellm, the same requests through `litellm.atext_completion` too (LiteLLM goes into
   a throwaway virtual environment; LITELLM_LOCAL_MODEL_COST_MAP=True keeps it off the network).
5. GitHub: requests per `bot run --github` at 1, 10 and 40 holes and for 30 files six folders
   deep (tests/fakes/github.py counts them), and the model calls and comments of a second run
   on the same head, target 0.

Exit status: 0, whatever the figures; with --check, 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from roundtrip import clean_env  # the sibling benchmark: same clean setup

ROOT = Path(__file__).resolve().parent.parent
KEY = "sk-perf-0123456789"
ANSWER = "    return 1\n"
EXCLUDED_DIRS = {
    "test",
    "tests",
    "idlelib",
    "lib2to3",
    "turtledemo",
    "ensurepip",
    "site-packages",
    "__pycache__",
}
QUICK_PACKAGES = ("json", "email", "http")

PARSE_SCRIPT = """
import ast, sys, warnings
warnings.simplefilter("ignore")
paths = open(sys.argv[1], encoding="utf-8").read().splitlines()
for p in paths:
    with open(p, "rb") as f:
        data = f.read()
    try:
        ast.parse(data, p)
    except (SyntaxError, ValueError):
        pass
"""

HTTPX_SCRIPT = """
import asyncio, json, sys
import httpx

async def main():
    url, key, path, concurrency = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    with open(path, encoding="utf-8") as f:
        bodies = json.load(f)
    sem = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Authorization": f"Bearer {key}"}
    # No CA bundle for a plain-http URL (the bot loads none either: it costs 20 ms to build).
    verify = url.startswith("https:")
    async with httpx.AsyncClient(
        timeout=60.0, limits=limits, headers=headers, verify=verify
    ) as client:
        async def one(body):
            async with sem:
                r = await client.post(url, json=body)
                r.raise_for_status()
                return r.json()
        results = await asyncio.gather(*(one(b) for b in bodies))
    print(len(results))

asyncio.run(main())
"""

# The same requests through LiteLLM's Codestral text-completion route, as its docs show
# (`litellm.atext_completion(model="text-completion-codestral/...", prompt=..., suffix=...)`).
# Its import time is measured apart: LiteLLM is known for a heavy import.
LITELLM_SCRIPT = """
import asyncio, json, sys, time
started = time.perf_counter()
import litellm
imported = time.perf_counter() - started

async def main():
    base, key, path, concurrency = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    with open(path, encoding="utf-8") as f:
        bodies = json.load(f)
    sem = asyncio.Semaphore(concurrency)

    async def one(body):
        async with sem:
            r = await litellm.atext_completion(
                model="text-completion-codestral/" + body["model"],
                prompt=body["prompt"],
                suffix=body["suffix"],
                max_tokens=body.get("max_tokens"),
                temperature=body.get("temperature"),
                stop=body.get("stop"),
                api_base=base,
                api_key=key,
            )
            return r.choices[0].text
    results = await asyncio.gather(*(one(b) for b in bodies))
    print(json.dumps({"answers": len(results), "import_s": imported}))

asyncio.run(main())
"""


# ------------------------------------------------------------------------ helpers


def git(path: Path, env: dict[str, str], *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=path, env=env, capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"perf: git {args[0]} failed: {proc.stderr.strip()}")
    return proc.stdout.strip()


def build_repo(
    path: Path, env: dict[str, str], write_head: Callable[[Path], None]
) -> tuple[str, str]:
    """A repository whose base commit holds a README and whose next commit is `write_head`'s."""
    path.mkdir()
    git(path, env, "init", "-q", "-b", "main")
    (path / "README").write_text("perf bench\n", encoding="utf-8")
    git(path, env, "add", "-A")
    git(path, env, "commit", "-q", "-m", "base")
    base = git(path, env, "rev-parse", "HEAD")
    write_head(path)
    git(path, env, "add", "-A")
    git(path, env, "commit", "-q", "-m", "head")
    return base, git(path, env, "rev-parse", "HEAD")


@dataclass
class Measured:
    returncode: int
    stdout: str
    stderr: str
    wall: float
    cpu: float  # user + system of the child alone
    maxrss_kb: int


# A fork of this process would start from its peak RSS (Linux carries ru_maxrss over fork and
# exec), so a small Python process in between runs the command and reports its own rusage.
MEASURE_SCRIPT = """
import json, os, subprocess, sys, time
started = time.perf_counter()
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
wall = time.perf_counter() - started
with open(sys.argv[1], "w") as f:
    json.dump([os.waitstatus_to_exitcode(status), wall, usage.ru_utime + usage.ru_stime,
               usage.ru_maxrss], f)
"""


def run_measured(cmd: Sequence[str], cwd: Path, env: dict[str, str]) -> Measured:
    """Run `cmd`; its wall time, CPU time and peak RSS are its own, taken by os.wait4."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory() as tmp,
    ):
        report = Path(tmp) / "usage.json"
        wrapper = [sys.executable, "-I", "-S", "-c", MEASURE_SCRIPT, str(report), *cmd]
        subprocess.run(wrapper, cwd=cwd, env=env, stdout=out, stderr=err, check=False)
        code, wall, cpu, maxrss = json.loads(report.read_text(encoding="utf-8"))
        out.seek(0)
        err.seek(0)
        return Measured(
            code,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            wall,
            cpu,
            maxrss,
        )


@dataclass(frozen=True)
class Install:
    """A Python environment that has the bot: its interpreter and its `bot` command."""

    python: Path

    @property
    def bot(self) -> list[str]:
        script = self.python.with_name("bot")
        return [str(script)] if script.exists() else [str(self.python), "-m", "bot"]


def user_install(work: Path) -> Install:
    """The bot as a user installs it: `pip install .` into a fresh virtual environment (pip
    compiles the bytecode; no editable finder, no test tools: a test tool can make httpx import
    click at start-up)."""
    # From a copy of the working tree: building in place would leave a build/ folder in it,
    # whose stale files a later install would ship.
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*_NOT_SOURCE))
    venv = work / "user-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, str(source)], check=True, stdout=sys.stderr)
    return Install(python)


_NOT_SOURCE = (
    ".git",
    ".venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".*_cache",
    ".hypothesis",
)


def checked(m: Measured, what: str) -> Measured:
    if m.returncode not in (0, 1):
        tail = (m.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"{what} exited {m.returncode}: {tail}")
    return m


@dataclass
class Row:
    name: str
    measured: str
    baseline: str
    ratio: str
    target: str
    met: bool | None  # None: not measured


# ------------------------------------------------------------------------ rows


def row_startup(work: Path, env: dict[str, str], install: Install) -> list[Row]:
    bot, base = [], []
    python = str(install.python)
    for _ in range(7):
        bot.append(checked(run_measured([*install.bot, "--version"], work, env), "bot").wall)
        base.append(checked(run_measured([python, "-c", "pass"], work, env), "py").wall)
    b, p = statistics.median(bot), statistics.median(base)
    extra = (b - p) * 1000
    return [
        Row(
            "1 start-up: bot --version vs python -c pass",
            f"{b * 1000:.0f} ms",
            f"{p * 1000:.0f} ms",
            f"+{extra:.0f} ms",
            "<= +100 ms",
            extra <= 100,
        )
    ]


def stdlib_files(quick: bool) -> list[tuple[Path, str]]:
    """(source, path in the repository) for the standard library's .py files."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    roots = [stdlib / name for name in QUICK_PACKAGES] if quick else [stdlib]
    found = []
    for root in roots:
        for source in sorted(root.rglob("*.py")):
            rel = source.relative_to(stdlib)
            if EXCLUDED_DIRS.intersection(rel.parts[:-1]):
                continue
            found.append((source, "lib/" + rel.as_posix()))
    return found


def row_scan(work: Path, env: dict[str, str], install: Install, quick: bool) -> list[Row]:
    files = stdlib_files(quick)

    def write(repo: Path) -> None:
        for source, rel in files:
            target = repo / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)

    repo = work / "scan"
    base, head = build_repo(repo, env, write)
    listing = work / "scan-files.txt"
    listing.write_text("\n".join(str(repo / rel) for _, rel in files) + "\n", encoding="utf-8")
    bot_cmd = [
        *install.bot,
        "run",
        "--base",
        base,
        "--head",
        head,
        "--dry-run",
        "--max-holes",
        "0",
        "--format",
        "json",
        "--context-budget-tokens",
        "0",
        "--max-file-size",
        "10000000",
    ]
    parse_cmd = [str(install.python), "-c", PARSE_SCRIPT, str(listing)]
    bot_env = {**env, "CODESTRAL_API_KEY": KEY, "CODESTRAL_API_BASE": "http://127.0.0.1:9/v1"}
    bot_t, parse_t = [], []
    holes = 0
    for _ in range(5):  # a shared machine: the median of five, each pair run back to back
        m = checked(run_measured(bot_cmd, repo, bot_env), "bot run --dry-run")
        holes = len(json.loads(m.stdout)["holes"])
        bot_t.append(m.wall)
        parse_t.append(checked(run_measured(parse_cmd, repo, env), "ast.parse").wall)
    b, p = statistics.median(bot_t), statistics.median(parse_t)
    size = sum(source.stat().st_size for source, _ in files) / 1e6
    return [
        Row(
            f"2 scan: {len(files)} files, {size:.1f} MB, {holes} holes; vs ast.parse",
            f"{b:.2f} s",
            f"{p:.2f} s",
            f"{b / p:.2f}x",
            # A few packages take less time to scan than the bot takes to start: the ratio
            # then measures start-up, which row 1 judges. The target is the whole library's.
            "<= 1.5x (full run)" if quick else "<= 1.5x",
            None if quick else b / p <= 1.5,
        )
    ]


def stub_repo(count: int, per_file: int = 10) -> Callable[[Path], None]:
    def write(repo: Path) -> None:
        pkg = repo / "pkg"
        pkg.mkdir()
        for start in range(0, count, per_file):
            parts = []
            for i in range(start, min(start + per_file, count)):
                parts.append(f'def func_{i}(x: int) -> int:\n    """Number {i}."""\n    pass\n')
            (pkg / f"mod_{start // per_file}.py").write_text("\n\n".join(parts), encoding="utf-8")

    return write


@dataclass
class Pair:
    """The whole `bot run` and a bare httpx loop sending the same requests to one fake."""

    holes: int
    bot: Measured
    bare: Measured
    suggested: int
    calls: int  # the bot's
    bare_calls: int
    in_flight: int  # the most requests the fake saw at once, from the bot
    lite: Measured | None = None
    lite_calls: int = 0


def bot_against_bare(
    work: Path,
    env: dict[str, str],
    install: Install,
    name: str,
    holes: int,
    concurrency: int,
    latency: float,
    litellm_python: Path | None = None,
) -> Pair:
    from tests.fakes.codestral import FakeCodestral

    repo = work / name
    base, head = build_repo(repo, env, stub_repo(holes))
    cmd = [*install.bot, "run", "--base", base, "--head", head, "--format", "json"]
    cmd += ["--concurrency", str(concurrency), "--max-holes", "0"]
    dry_env = {**env, "CODESTRAL_API_KEY": KEY, "CODESTRAL_API_BASE": "http://127.0.0.1:9/v1"}
    dry = checked(run_measured([*cmd, "--dry-run"], repo, dry_env), "bot run --dry-run")
    prompts = [hole["prompt"] for hole in json.loads(dry.stdout)["holes"]]
    with FakeCodestral(api_key=KEY) as fake:
        fake.latency = latency
        fake.respond(ANSWER)
        run_env = {**env, "CODESTRAL_API_KEY": KEY, "CODESTRAL_API_BASE": fake.base_url}
        bot = checked(run_measured(cmd, repo, run_env), "bot run")
        sent = [r.body for r in fake.requests if isinstance(r.body, dict)]
        calls, in_flight = len(fake.requests), fake.max_in_flight
        suggested = json.loads(bot.stdout)["summary"]["suggested"]
        # The same bodies: the dry run's prefix, suffix and stop per hole; the other fields
        # (model, max_tokens, temperature, ...) as the bot sent them.
        common = {
            k: v
            for k, v in (sent[0] if sent else {}).items()
            if k not in {"prompt", "suffix", "stop"}
        }
        bodies = [
            {
                **common,
                "prompt": p["prefix"],
                "suffix": p["suffix"],
                **({"stop": p["stop"]} if p.get("stop") else {}),
            }
            for p in prompts
        ]
        bodies_file = work / f"{name}-bodies.json"
        bodies_file.write_text(json.dumps(bodies), encoding="utf-8")
        fake.clear_requests()
        bare_cmd = [str(install.python), "-c", HTTPX_SCRIPT, fake.fim_url, KEY, str(bodies_file)]
        bare = run_measured([*bare_cmd, str(concurrency)], repo, env)
        if bare.returncode:
            raise RuntimeError(
                f"httpx loop failed: {(bare.stderr.strip().splitlines() or [''])[-1]}"
            )
        pair = Pair(holes, bot, bare, suggested, calls, len(fake.requests), in_flight)
        if litellm_python is not None:
            fake.clear_requests()
            lite_cmd = [str(litellm_python), "-c", LITELLM_SCRIPT, fake.fim_url, KEY]
            lite_cmd += [str(bodies_file), str(concurrency)]
            lite_env = {**env, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}  # no price-list fetch
            pair.lite = run_measured(lite_cmd, repo, lite_env)
            if pair.lite.returncode:
                tail = (pair.lite.stderr.strip().splitlines() or [""])[-1]
                raise RuntimeError(f"litellm loop failed: {tail}")
            pair.lite_calls = len(fake.requests)
    return pair


def row_end_to_end(work: Path, env: dict[str, str], install: Install) -> list[Row]:
    holes, concurrency, latency = 50, 8, 0.5
    pair = bot_against_bare(work, env, install, "e2e", holes, concurrency, latency)
    bound = math.ceil(holes / concurrency) * latency
    ratio = pair.bot.wall / bound
    return [
        Row(
            f"3 end to end: {holes} holes, {latency} s, conc {concurrency} "
            f"({pair.suggested} filled, {pair.calls} calls)",
            f"{pair.bot.wall:.2f} s",
            f"{bound:.2f} s bound",
            f"{ratio:.2f}x",
            "<= 1.10x",
            ratio <= 1.10 and pair.suggested == holes,
        ),
        Row(
            "3 end to end: a bare httpx loop, the same requests",
            f"{pair.bare.wall:.2f} s httpx",
            f"{bound:.2f} s bound",
            f"{pair.bare.wall / bound:.2f}x",
            "-",
            None,
        ),
        Row(
            "3 end to end: fake's max in flight",
            str(pair.in_flight),
            str(concurrency),
            f"{pair.in_flight / concurrency:.2f}x",
            f"= {concurrency}",
            pair.in_flight == concurrency,
        ),
    ]


def row_floor(
    work: Path, env: dict[str, str], install: Install, litellm_python: Path | None
) -> list[Row]:
    holes, concurrency, latency = 200, 8, 0.05
    pair = bot_against_bare(
        work, env, install, "floor", holes, concurrency, latency, litellm_python
    )
    bot, bare, lite = pair.bot, pair.bare, pair.lite
    ratio = bot.wall / bare.wall
    filled = f"{pair.suggested} filled / {pair.bare_calls} bare calls"
    rows = [
        Row(
            f"4 floor: wall, {holes} holes ({filled})",
            f"{bot.wall:.2f} s",
            f"{bare.wall:.2f} s httpx",
            f"{ratio:.2f}x",
            "<= 1.2x",
            ratio <= 1.2 and pair.suggested == holes,
        ),
        Row(
            "4 floor: CPU time (user+sys)",
            f"{bot.cpu:.2f} s",
            f"{bare.cpu:.2f} s httpx",
            f"{bot.cpu / bare.cpu:.2f}x" if bare.cpu else "-",
            "-",
            None,
        ),
        Row(
            "4 floor: peak RSS",
            f"{bot.maxrss_kb / 1024:.0f} MB",
            f"{bare.maxrss_kb / 1024:.0f} MB httpx",
            f"{bot.maxrss_kb / bare.maxrss_kb:.2f}x" if bare.maxrss_kb else "-",
            "-",
            None,
        ),
    ]
    if lite is None:
        rows.append(Row("4 floor: LiteLLM", "not measured (--litellm)", "-", "-", "-", None))
        return rows
    import_s = json.loads(lite.stdout.strip().splitlines()[-1])["import_s"]
    rows += [
        Row(
            f"4 floor: LiteLLM wall ({pair.lite_calls} calls)",
            f"{lite.wall:.2f} s",
            f"{bare.wall:.2f} s httpx",
            f"{lite.wall / bare.wall:.2f}x",
            "-",
            None,
        ),
        Row(
            "4 floor: LiteLLM CPU / peak RSS / import",
            f"{lite.cpu:.2f} s / {lite.maxrss_kb / 1024:.0f} MB / {import_s:.2f} s",
            f"bot {bot.cpu:.2f} s / {bot.maxrss_kb / 1024:.0f} MB",
            f"{lite.cpu / bot.cpu:.2f}x CPU" if bot.cpu else "-",
            "-",
            None,
        ),
    ]
    return rows


def row_github(work: Path, env: dict[str, str], install: Install) -> list[Row]:
    """Requests to GitHub per `bot run --github` (a pull request adding one file of stubs, the
    head not on disk), and what a second run on the same head costs: it must cost nothing."""
    from tests.fakes.codestral import FakeCodestral
    from tests.fakes.github import ACTIONS_TOKEN, FakeGitHub, PullFile, fake_sha

    owner, name, number = "octo-org", "hello", 7
    folder = work / "github"
    folder.mkdir()
    cmd = [*install.bot, "run", "--github", "--repo", f"{owner}/{name}", "--pr", str(number)]
    cmd += ["--max-holes", "0"]
    rows = []
    for holes in (1, 10, 40):
        source = "".join(f"def f{i:02}(x: int) -> int:\n    pass\n\n\n" for i in range(holes))
        with FakeGitHub() as github, FakeCodestral(api_key=KEY) as model:
            model.respond(ANSWER)
            files = {"mod.py": PullFile.from_texts(None, source)}
            github.add_pull(owner, name, number, fake_sha(f"head-{holes}"), files=files)
            run_env = {**env, "GITHUB_TOKEN": ACTIONS_TOKEN, "GITHUB_API_URL": github.base_url}
            run_env |= {"CODESTRAL_API_KEY": KEY, "CODESTRAL_API_BASE": model.base_url}
            checked(run_measured(cmd, folder, run_env), "bot run --github")
            requests, calls = github.count(), len(model.requests)
            reviews = github.count("POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews")
            comments = len(github.review_comments(number))
            checked(run_measured(cmd, folder, run_env), "bot run --github, again")
            again_requests = github.count() - requests
            again_calls = len(model.requests) - calls
            again_comments = len(github.review_comments(number)) - comments
            github.assert_no_invalid_requests()
        rows += [
            Row(
                f"5 GitHub: {holes} hole{'s' * (holes > 1)} ({comments} suggested, {reviews} review"
                f"{'s' * (reviews > 1)})",
                f"{requests} requests",
                "-",
                "-",
                "-",
                None,
            ),
            Row(
                f"5 GitHub: a second run on the same head ({again_requests} requests)",
                f"{again_calls} model calls, {again_comments} comments",
                "-",
                "-",
                "= 0, 0",
                again_calls == 0 and again_comments == 0,
            ),
        ]
    # Many folders: each file's folders up to the top may hold a .gitattributes to read.
    source = "def f(x: int) -> int:\n    pass\n"
    with FakeGitHub() as github, FakeCodestral(api_key=KEY) as model:
        model.respond(ANSWER)
        files = {f"a{n}/b/c/d/e/f/m{n}.py": PullFile.from_texts(None, source) for n in range(30)}
        github.add_pull(owner, name, number, fake_sha("head-deep"), files=files)
        run_env = {**env, "GITHUB_TOKEN": ACTIONS_TOKEN, "GITHUB_API_URL": github.base_url}
        run_env |= {"CODESTRAL_API_KEY": KEY, "CODESTRAL_API_BASE": model.base_url}
        checked(run_measured(cmd, folder, run_env), "bot run --github, 30 folders deep")
        requests, graphql = github.count(), github.count("POST /graphql")
        github.assert_no_invalid_requests()
    rows.append(
        Row(
            "5 GitHub: 30 files six folders deep (181 folders)",
            f"{requests} requests ({graphql} GraphQL)",
            "-",
            "-",
            "-",
            None,
        )
    )
    return rows


def litellm_venv(work: Path) -> Path:
    """A throwaway virtual environment with LiteLLM: never a dependency of the bot itself."""
    venv = work / "litellm-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "litellm"], check=True, stdout=sys.stderr
    )
    return python


# ------------------------------------------------------------------------ report


def print_table(rows: list[Row]) -> None:
    header = ("row", "measured", "baseline", "ratio", "target", "met?")
    cells = [
        (
            r.name,
            r.measured,
            r.baseline,
            r.ratio,
            r.target,
            "-" if r.met is None else ("yes" if r.met else "NO"),
        )
        for r in rows
    ]
    widths = [max(len(line[i]) for line in [header, *cells]) for i in range(len(header))]
    for line in [header, tuple("-" * w for w in widths), *cells]:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="scan only a few stdlib packages")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--litellm",
        action="store_true",
        help="also send the floor's requests through LiteLLM (installed into a throwaway venv)",
    )
    parser.add_argument(
        "--python",
        type=Path,
        metavar="PY",
        help="measure the bot of this Python's environment instead of installing it afresh",
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))  # tests/fakes: the fake Codestral

    started = time.perf_counter()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="fim-bot-perf-") as tmp:
        work = Path(tmp)
        home = work / "home"
        home.mkdir()
        env = clean_env(home)
        install = Install(args.python.absolute()) if args.python else user_install(work)
        print(f"perf: bot installed ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
        steps: list[tuple[str, Callable[[], list[Row]]]] = [
            ("1 start-up", lambda: row_startup(work, env, install)),
            ("2 scan", lambda: row_scan(work, env, install, args.quick)),
            ("3 end to end", lambda: row_end_to_end(work, env, install)),
            (
                "4 floor",
                lambda: row_floor(work, env, install, litellm_venv(work) if args.litellm else None),
            ),
            ("5 GitHub", lambda: row_github(work, env, install)),
        ]
        for name, step in steps:
            try:
                rows.extend(step())
            except Exception as exc:  # a failed row is reported, the others still run
                rows.append(Row(name, f"error: {exc}", "-", "-", "-", False))
            print(f"perf: {name} done ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    print(f"fim-bot perf ({'quick' if args.quick else 'full'}), python {sys.version.split()[0]}")
    print_table(rows)
    missed = [r.name for r in rows if r.met is False]
    print(f"\n{len(missed)} target(s) missed" + (": " + "; ".join(missed) if missed else ""))
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
