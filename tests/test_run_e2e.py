"""`bot run` end to end: the real command, real git repositories, the fake Codestral server."""

from __future__ import annotations

import ast
import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_KEY, Repo
from tests.fakes.codestral import FakeCodestral

PARSER = textwrap.dedent('''\
    """Parsing of key=value files."""


    def parse_line(line: str) -> tuple[str, str]:
        """Split one `key=value` line."""
        raise NotImplementedError


    def parse(text: str) -> dict[str, str]:
        result = {}
        # TODO: fill result from the non-empty lines of text
        return result
''')

FILLS = {
    "raise NotImplementedError": "    key, _, value = line.partition('=')\n"
    "    return key.strip(), value.strip()\n",
    "# fill result": "    for line in text.splitlines():\n"
    "        if line.strip():\n"
    "            key, value = parse_line(line)\n"
    "            result[key] = value\n",
}


def by_hole(body: dict[str, Any]) -> str:
    """Answer with the fill for whichever hole the prompt's end shows."""
    prompt = body["prompt"]
    tail = prompt.rstrip("\n").rsplit("\n", 1)[-1]
    if tail.strip().startswith("#"):
        return FILLS["# fill result"]
    return FILLS["raise NotImplementedError"]


def on_branch(repo: Repo, files: dict[str, str | bytes]) -> None:
    repo.git("checkout", "-q", "-b", "feature")
    for name, content in files.items():
        repo.write(name, content)
    repo.commit("feature work")


def run_json(repo: Repo, *args: str, **env: str) -> tuple[dict[str, Any], str]:
    proc = repo.bot("run", "--format", "json", *args, **env)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout), proc.stderr


def test_branch_holes_are_found_filled_and_applied(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """The issue's done-when: both holes with DESIGN.md's ranges, the fake's fills, --apply."""
    codestral.responder = by_hole
    on_branch(repo, {"kv.py": PARSER})
    report, _ = run_json(repo, **model_env)
    holes = report["holes"]
    assert [(h["start_line"], h["end_line"], h["kind"], h["marker"]) for h in holes] == [
        (6, 6, "stub", "NotImplementedError"),
        (11, 11, "todo", "TODO"),
    ]
    assert [h["status"] for h in holes] == ["suggested", "suggested"]
    assert holes[0]["suggestion"] == FILLS["raise NotImplementedError"]
    assert holes[1]["suggestion"] == FILLS["# fill result"]
    assert holes[1]["prompt"]["prefix"].endswith(
        "    result = {}\n    # fill result from the non-empty lines of text\n"
    )
    assert holes[1]["prompt"]["suffix"].startswith("    return result\n")
    assert report["summary"] == {
        "holes": 2,
        "suggested": 2,
        "failed": 0,
        "skipped": 0,
        "planned": 0,
        "prompt_tokens": sum(h["usage"]["prompt_tokens"] for h in holes),
        "completion_tokens": sum(h["usage"]["completion_tokens"] for h in holes),
    }
    assert len(codestral.requests) == 2
    # The branch is committed: --apply writes into the working tree, which matches HEAD.
    proc = repo.bot("run", "--apply", **model_env)
    assert proc.returncode == 0, proc.stderr
    written = repo.read("kv.py")
    namespace: dict[str, Any] = {}
    exec(compile(ast.parse(written), "kv.py", "exec"), namespace)
    assert namespace["parse"]("a = 1\n\nb=2\n") == {"a": "1", "b": "2"}
    assert "TODO" not in written
    assert "NotImplementedError" not in written


def test_text_format_is_a_unified_diff_without_colour_off_a_terminal(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """Text output: a diff of the fills and one summary line; no escape codes in a pipe."""
    codestral.responder = by_hole
    on_branch(repo, {"kv.py": PARSER})
    proc = repo.bot("run", **model_env)
    assert proc.returncode == 0, proc.stderr
    assert "\033[" not in proc.stdout
    assert proc.stdout.startswith("--- a/kv.py\n+++ b/kv.py\n@@ ")
    assert "-    raise NotImplementedError\n" in proc.stdout
    assert "+    key, _, value = line.partition('=')\n" in proc.stdout
    assert proc.stdout.splitlines()[-1].startswith("fim-bot: 2 holes: 2 suggested")
    assert repo.read("kv.py") == PARSER  # showing never writes
    assert "`bot run --apply` writes these fills" in proc.stderr  # and says how to


def test_dry_run_needs_no_key_and_sends_nothing(repo: Repo, codestral: FakeCodestral) -> None:
    """--dry-run shows the holes and the exact prompts, with no key and no request."""
    on_branch(repo, {"kv.py": PARSER})
    report, _ = run_json(repo, "--dry-run", CODESTRAL_API_BASE=codestral.base_url)
    assert [h["status"] for h in report["holes"]] == ["planned", "planned"]
    assert all(h["prompt"]["prefix"] for h in report["holes"])
    assert report["summary"]["planned"] == 2
    assert codestral.requests == []


def test_missing_key_is_one_line_and_exit_2(repo: Repo) -> None:
    """Holes but no key: exit 2 and a line naming the variable to set."""
    on_branch(repo, {"kv.py": PARSER})
    proc = repo.bot("run")
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "CODESTRAL_API_KEY" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_no_holes_needs_no_key(repo: Repo) -> None:
    """A diff without holes is a successful run, key or not."""
    on_branch(repo, {"ok.py": "def f():\n    return 1\n"})
    proc = repo.bot("run")
    assert proc.returncode == 0, proc.stderr
    assert "no holes" in proc.stdout


def test_rejected_key_stops_the_run_with_exit_2(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """A 401 ends the run: exit 2, one line naming the variable, the key shown nowhere."""
    on_branch(repo, {"kv.py": PARSER})
    wrong = "sk-wrong-key-that-must-stay-secret"
    proc = repo.bot("run", "-vv", **{**model_env, "CODESTRAL_API_KEY": wrong})
    assert proc.returncode == 2
    assert "CODESTRAL_API_KEY" in proc.stderr
    assert "401" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert wrong not in proc.stdout + proc.stderr


def test_fim_bot_api_key_wins_and_is_named_in_errors(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """FIM_BOT_API_KEY wins over the provider's variable, and errors name it."""
    on_branch(repo, {"kv.py": PARSER})
    proc = repo.bot("run", **model_env, FIM_BOT_API_KEY="sk-another-wrong-one")
    assert proc.returncode == 2
    assert "FIM_BOT_API_KEY" in proc.stderr
    assert codestral.requests[0].headers["authorization"] == "Bearer sk-another-wrong-one"


def test_one_failing_hole_does_not_sink_the_others(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """A hole whose request fails for good is `failed` with a reason; the rest are suggested."""
    codestral.responder = by_hole
    codestral.fail(400, body='{"message": "prompt too long"}')
    on_branch(repo, {"kv.py": PARSER})
    report, _ = run_json(repo, "--concurrency", "1", **model_env)
    statuses = sorted(h["status"] for h in report["holes"])
    assert statuses == ["failed", "suggested"]
    failed = next(h for h in report["holes"] if h["status"] == "failed")
    assert "prompt too long" in failed["reason"]
    assert repo.bot("run", "--concurrency", "1", **model_env).returncode == 0
    codestral.fail(400)
    assert repo.bot("run", **model_env).returncode == 1


def test_a_fill_that_breaks_the_file_is_never_offered(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """A completion that would add a syntax error is failed, with a reason."""
    codestral.respond("    return (\n")
    on_branch(repo, {"kv.py": PARSER})
    report, _ = run_json(repo, **model_env)
    assert {h["status"] for h in report["holes"]} == {"failed"}
    assert all("syntax" in h["reason"] for h in report["holes"])
    assert all(h["suggestion"] is None for h in report["holes"])


def test_fills_that_break_the_file_together_are_not_all_offered(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """Each fill parses alone, but the second, with the first, makes Python refuse the file (a
    name used before its `global` declaration): the first is offered, the second failed; a
    fill in another file is not held back by them."""
    source = textwrap.dedent("""\
        counter = 0


        def show():
            # TODO: print the counter
            step = 1
            # TODO: declare the counter global
            return step


        def other():
            # TODO: return two
            pass
        """)
    fills = {
        "print the counter": "    print(counter)\n",
        "declare the counter global": "    global counter\n",
        "return two": "    return 2\n",
    }

    def by_todo(body: dict[str, Any]) -> str:  # the TODO the prompt ends with
        tail = body["prompt"].rstrip("\n").rsplit("\n", 1)[-1]
        return next(fill for todo, fill in fills.items() if todo in tail)

    codestral.responder = by_todo
    on_branch(repo, {"g.py": source, "h.py": "def two():\n    # TODO: return two\n    pass\n"})
    report, _ = run_json(repo, **model_env)
    by_line = {(h["path"], h["start_line"]): h for h in report["holes"]}
    assert by_line[("g.py", 5)]["status"] == "suggested"
    second = by_line[("g.py", 7)]
    assert second["status"] == "failed"
    assert second["reason"].endswith("with the other fills"), second["reason"]
    assert by_line[("g.py", 12)]["status"] == "suggested"
    assert by_line[("h.py", 2)]["status"] == "suggested"


def test_retry_after_429_is_logged_and_the_hole_filled(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """429 with Retry-After: the bot waits exactly that long (logged; scaled to 0 here)."""
    codestral.fail(429, retry_after="7")
    codestral.respond("    return ('', '')\n")
    on_branch(
        repo,
        {"kv.py": PARSER.replace("    # TODO: fill result from the non-empty lines of text\n", "")},
    )
    proc = repo.bot("run", "--format", "json", "-vv", **model_env)
    assert proc.returncode == 0, proc.stderr
    assert "wait 7.000s" in proc.stderr
    assert json.loads(proc.stdout)["summary"]["suggested"] == 1
    assert len(codestral.requests) == 2


def test_streaming_gives_the_same_fills(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """--stream sends stream: true and assembles the SSE deltas into the same fills."""
    codestral.responder = by_hole
    on_branch(repo, {"kv.py": PARSER})
    report, _ = run_json(repo, "--stream", **model_env)
    assert [h["suggestion"] for h in report["holes"]] == [
        FILLS["raise NotImplementedError"],
        FILLS["# fill result"],
    ]
    assert all(r.body["stream"] is True for r in codestral.requests)


def test_model_flags_reach_the_request(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """Every model flag is sent under its documented name, and nothing else is."""
    on_branch(repo, {"kv.py": PARSER})
    proc = repo.bot(
        "run",
        "kv.py",
        "--model",
        "text-completion-codestral/codestral-2405",
        "--temperature",
        "0.2",
        "--top-p",
        "0.9",
        "--max-tokens",
        "64",
        "--min-tokens",
        "1",
        "--seed",
        "42",
        "--stop",
        "\n\n\n",
        "--stop",
        "\ndef ",
        **model_env,
    )
    assert proc.returncode in (0, 1), proc.stderr
    body = codestral.requests[0].body
    assert {k: v for k, v in body.items() if k not in ("prompt", "suffix")} == {
        "model": "codestral-2405",
        "temperature": 0.2,
        "top_p": 0.9,
        "max_tokens": 64,
        "min_tokens": 1,
        "random_seed": 42,
        # The user's stops, then the bot's own for a hole in a top-level function.
        "stop": ["\n\n\n", "\ndef ", "\nclass ", "\n@", "\nasync def "],
        "stream": False,
    }


def test_concurrency_is_bounded(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """No more than --concurrency requests are in flight at once, and that many are."""
    functions = "".join(f"def f{i}():\n    pass\n\n\n" for i in range(12))
    on_branch(repo, {"many.py": functions})
    codestral.respond("    return 1\n")
    codestral.hold_until_in_flight(3, timeout=10)
    report, _ = run_json(repo, "--concurrency", "3", **model_env)
    assert report["summary"]["suggested"] == 12
    assert codestral.max_in_flight == 3


def test_max_holes_caps_the_run(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """Holes past --max-holes are skipped with a reason and never sent."""
    functions = "".join(f"def f{i}():\n    pass\n\n\n" for i in range(5))
    on_branch(repo, {"many.py": functions})
    codestral.respond("    return 1\n")
    report, _ = run_json(repo, "--max-holes", "2", **model_env)
    assert [h["status"] for h in report["holes"]] == ["suggested"] * 2 + ["skipped"] * 3
    assert "max-holes" in report["holes"][-1]["reason"]
    assert len(codestral.requests) == 2


def run_on_a_terminal(repo: Repo, *args: str, **env: str) -> str:
    """Run the bot with its stdout on a pseudo-terminal, as a person at a shell would."""
    import os
    import pty
    import subprocess

    from tests.conftest import BOT

    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [BOT, *args],
        cwd=repo.path,
        env={**repo.env, **env},
        stdout=follower,
        stderr=subprocess.DEVNULL,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the bot exits
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode()


def test_colour_on_a_terminal_unless_no_color(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """On a terminal the diff is coloured; NO_COLOR turns that off (https://no-color.org)."""
    codestral.responder = by_hole
    on_branch(repo, {"kv.py": PARSER})
    coloured = run_on_a_terminal(repo, "run", **model_env)
    assert "\033[32m+    key, _, value" in coloured
    plain = run_on_a_terminal(repo, "run", **model_env, NO_COLOR="1")
    assert "+    key, _, value" in plain
    assert "\033[" not in plain


def test_mistral_key_alone_selects_mistral(repo: Repo, codestral: FakeCodestral) -> None:
    """With only MISTRAL_API_KEY set, requests go to Mistral's API with that key."""
    on_branch(repo, {"kv.py": PARSER})
    proc = repo.bot(
        "run", "--format", "json", MISTRAL_API_KEY=TEST_KEY, MISTRAL_API_BASE=codestral.base_url
    )
    assert proc.returncode == 0, proc.stderr
    assert codestral.requests[0].headers["authorization"] == f"Bearer {TEST_KEY}"
    assert codestral.requests[0].path == "/v1/fim/completions"


def test_bare_bot_prints_help_and_exits_2(repo: Repo) -> None:
    """`bot` with no command is a usage error that shows the commands."""
    proc = repo.bot()
    assert proc.returncode == 2
    assert "run" in proc.stderr
    assert "usage: bot" in proc.stderr


def test_the_secrets_check_sees_a_leak() -> None:
    """The teardown check of every test would catch a key or token in what the bot showed."""
    from tests.conftest import secrets_in
    from tests.fakes.github import ACTIONS_TOKEN

    assert secrets_in(["fine", f"Authorization: Bearer {TEST_KEY}"]) == [TEST_KEY]
    assert secrets_in([f"token {ACTIONS_TOKEN}"]) == [ACTIONS_TOKEN]
    assert secrets_in(["nothing to see"]) == []


def test_the_quick_start_shows_holes_in_several_languages(repo: Repo) -> None:
    """README's first command, `bot run --all --dry-run examples/` from the project's root:
    no key, exit 0, the shipped examples' holes in Python, TypeScript and Go."""
    root = Path(__file__).resolve().parent.parent
    proc = repo.bot("run", "--all", "--dry-run", "--format", "json", "examples/", cwd=root)
    assert proc.returncode == 0, proc.stderr
    holes = json.loads(proc.stdout)["holes"]
    assert {h["language"] for h in holes} == {"python", "typescript", "go"}
    assert all(h["status"] == "planned" and h["prompt"]["prefix"] for h in holes)
    assert ("examples/retry.go", 14, "stub", "panic()") in {
        (h["path"], h["start_line"], h["kind"], h["marker"]) for h in holes
    }


def with_breaks(lines: list[str], crlf: set[int]) -> bytes:
    """`lines` joined into a file: those numbered in `crlf` (1-based) end with CRLF, the others
    with LF."""
    return "".join(
        f"{line}\r\n" if n in crlf else f"{line}\n" for n, line in enumerate(lines, 1)
    ).encode()


@pytest.mark.parametrize(
    ("name", "lines", "hole", "answer", "fill"),
    [
        pytest.param(
            "area.py",
            [
                "def area(w, h):",
                "    pass",
                "",
                "",
                "def perimeter(w, h):",
                "    return 2 * (w + h)",
            ],
            2,
            "    area = w * h\n    return area\n",
            ["    area = w * h", "    return area"],
            id="python",
        ),
        pytest.param(
            "area.go",
            ["package area", "", "func Area(w, h int) int {", '\tpanic("not implemented")', "}"],
            4,
            "\tarea := w * h\n\treturn area\n",
            ["\tarea := w * h", "\treturn area"],
            id="go",
        ),
    ],
)
@pytest.mark.parametrize("hole_break", ["crlf", "lf"])
def test_a_fill_takes_the_line_break_of_the_lines_it_replaces(
    repo: Repo,
    codestral: FakeCodestral,
    model_env: dict[str, str],
    name: str,
    lines: list[str],
    hole: int,
    answer: str,
    fill: list[str],
    hole_break: str,
) -> None:
    """A CRLF stub in an LF file is filled with CRLF lines, an LF one in a CRLF file with LF
    lines; `--apply` leaves every other byte as it was."""
    everywhere = set(range(1, len(lines) + 1))
    original = with_breaks(lines, {hole} if hole_break == "crlf" else everywhere - {hole})
    on_branch(repo, {name: original})
    codestral.respond(answer)
    proc = repo.bot("run", "--apply", **model_env)
    assert proc.returncode == 0, proc.stderr
    kept = original.splitlines(keepends=True)
    own = b"\r\n" if hole_break == "crlf" else b"\n"
    filled = b"".join(line.encode() + own for line in fill)
    assert (repo.path / name).read_bytes() == b"".join([*kept[: hole - 1], filled, *kept[hole:]])
