"""Work and memory stay bounded by what is asked for, end to end: holes over the cap cost a
line each, an answer is cut at 16 characters per --max-tokens token, and a configuration file
over 1 MB is refused before YAML reads it."""

from __future__ import annotations

import json

from tests.conftest import Repo
from tests.fakes.codestral import FakeCodestral


def test_holes_over_the_cap_get_no_prompt(repo: Repo, model_env: dict[str, str]) -> None:
    """Of 4,000 TODOs at --max-holes 3, three are planned with their prompt; the rest are
    skipped with the reason and no prompt, none built."""
    repo.write("many.py", "".join(f"# TODO: item {i}\n" for i in range(4000)))
    proc = repo.bot("run", "--dry-run", "--max-holes", "3", "--format", "json", **model_env)
    assert proc.returncode == 0, proc.stderr
    holes = json.loads(proc.stdout)["holes"]
    assert len(holes) == 4000
    planned = [h for h in holes if h["status"] == "planned"]
    assert [h["start_line"] for h in planned] == [1, 2, 3]
    assert all(h["prompt"]["prefix"] for h in planned)
    skipped = [h for h in holes if h["status"] == "skipped"]
    assert len(skipped) == 3997
    assert {h["reason"] for h in skipped} == {"over the per-run cap (--max-holes 3)"}
    assert all(h["prompt"] is None for h in skipped)
    text = repo.bot("run", "--dry-run", "--max-holes", "3", **model_env)
    assert text.stdout.count("skipped: over the per-run cap (--max-holes 3)\n") == 3997


def test_an_endless_answer_is_cut_at_16_characters_a_token(
    repo: Repo, model_env: dict[str, str], codestral: FakeCodestral
) -> None:
    """A server that ignores max_tokens: the answer is cut at 16 x --max-tokens characters
    and then cleaned as one cut short; a fill that ends before the cut is still offered."""
    repo.write(
        "mod.py",
        "def endless():\n    pass\n\n\ndef bounded():\n    pass\n",
    )
    answers = {
        "bounded": "    return 1\n\n\n" + "junk = 1\n" * 50_000,
        "endless": "".join(f"    v{i} = {i}\n" for i in range(50_000)),  # 800 kB, no loop
    }
    codestral.responder = lambda body: answers[body["prompt"].split("def ")[-1].split("(")[0]]
    codestral.honours_max_tokens = False
    proc = repo.bot("run", "--format", "json", "--max-tokens", "16", **model_env)
    assert proc.returncode == 1, proc.stderr
    holes = {h["start_line"]: h for h in json.loads(proc.stdout)["holes"]}
    assert (holes[2]["status"], holes[2]["reason"]) == (
        "failed",
        "the answer was cut short at --max-tokens",
    )
    assert (holes[6]["status"], holes[6]["suggestion"]) == ("suggested", "    return 1\n")


def test_a_configuration_file_over_1_mb_is_refused(repo: Repo) -> None:
    """A 1.2 MB configuration file: one line, exit 2, in every command that reads it."""
    repo.write(".fim-bot.yml", "max-holes: 3\n" + "# padding\n" * 120_000)
    for args in (["run", "--dry-run"], ["config"]):
        proc = repo.bot(*args)
        assert proc.returncode == 2
        assert proc.stderr == (
            "fim-bot: error: .fim-bot.yml: larger than 1 MB: a configuration file is a few "
            "lines of YAML\n"
        )
