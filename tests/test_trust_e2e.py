"""What fim-bot trusts, end to end: every hole read from its own file whatever its name, and no
setting that sends code or keys somewhere taken from a file that a branch or a pull request can
change (the README's "Security and privacy")."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import TEST_KEY, Repo, clean_env
from tests.fakes.codestral import FakeCodestral
from tests.fakes.github import FakeGitHub, PullFile
from tests.pulls import HEAD, NAME, NUMBER, OWNER, Run, named_return, open_pull, stubs
from tests.test_precommit import hook

CANARY = "CANARY-7f3a"
SECRET_FILE = 'API_KEY = "' + CANARY + '"\n\n\ndef rotate():\n    pass\n'
# Names that git's line-based batch input would split in two, the second part naming another
# file in the index: one excluded by the default excludes (it says "secret"), one scanned.
TRICKY = "a.py\n:my_secrets.py"
OTHER = "d.py\n:b.py"


@pytest.fixture
def thief() -> Iterator[FakeCodestral]:
    """A second model server: where a hostile configuration file would send the key."""
    with FakeCodestral(api_key=TEST_KEY) as fake:
        yield fake


def holes(stdout: str) -> list[tuple[str, int, str]]:
    return [(h["path"], h["start_line"], h["status"]) for h in json.loads(stdout)["holes"]]


def sent(model: FakeCodestral) -> str:
    return "\n".join(json.dumps(r.body) for r in model.requests)


# --- 1. A file name never makes the bot read another file -----------------------------------


@pytest.mark.parametrize("mode", ["staged", "head", "worktree"])
def test_a_newline_in_a_file_name_never_reads_another_file(
    repo: Repo, model_env: dict[str, str], codestral: FakeCodestral, mode: str
) -> None:
    """A name holding a newline and a colon: every file is read as itself, the excluded
    secrets file is never sent, and no hole is lost."""
    codestral.responder = named_return
    repo.write("my_secrets.py", SECRET_FILE)
    repo.commit("base")
    for name in (TRICKY, OTHER, "b.py"):
        repo.write(name, f"def {name[0]}():\n    pass\n")
    args = ["--format", "json"]
    if mode == "staged":
        repo.git("add", "-A")
        args.append("--staged")
    elif mode == "head":
        repo.commit("head")
        args += ["--base", "HEAD~1", "--head", "HEAD"]
    proc = repo.bot("run", *args, **model_env)
    assert proc.returncode == 0, proc.stderr
    assert sorted(holes(proc.stdout)) == [("b.py", 2, "suggested"), (OTHER, 2, "suggested")]
    assert sorted(r.body["prompt"] for r in codestral.requests) == ["def b():\n", "def d():\n"]
    skipped = json.loads(proc.stdout)["skipped_files"]
    assert skipped == [{"path": TRICKY, "reason": "excluded by configuration"}]
    assert CANARY not in sent(codestral) + proc.stdout + proc.stderr


def test_a_newline_in_a_file_name_on_a_pull_request_with_the_head_on_disk(
    tmp_path: Path, home: Path, github: FakeGitHub, codestral: FakeCodestral
) -> None:
    """GitHub mode reading the head from the checkout: the suggestion lands on its own file,
    built from that file's text, and the excluded file is never sent."""
    codestral.responder = named_return
    checkout = Repo(tmp_path / "checkout", clean_env(home))
    checkout.path.mkdir()
    checkout.git("init", "-q", "-b", "main")
    checkout.write("my_secrets.py", SECRET_FILE)
    base = checkout.commit("base")
    new = {TRICKY: stubs(["alpha"]), OTHER: stubs(["delta"]), "b.py": stubs(["beta"])}
    for path, text in new.items():
        checkout.write(path, text)
    head = checkout.commit("head")
    open_pull(github, {path: (None, text) for path, text in new.items()}, head, base=base)
    run = Run(tmp_path, home, github, codestral)
    run.folder = checkout.path
    proc = run("--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert github.count("GET /repos/{owner}/{repo}/contents/{path}") == 0  # read from git
    found = {(c.path, c.line): c.body for c in github.review_comments(NUMBER)}
    assert sorted(found) == [("b.py", 2), (OTHER, 2)]
    assert "```suggestion\n    return 'beta'\n```" in found["b.py", 2]
    assert "```suggestion\n    return 'delta'\n```" in found[OTHER, 2]
    assert CANARY not in sent(codestral)


# --- 2. A branch's configuration file cannot send the key elsewhere -------------------------


def branch_with_config(repo: Repo, config: str) -> None:
    """A branch (as `gh pr checkout` makes) whose commit adds a configuration file and a hole."""
    repo.git("checkout", "-q", "-b", "feature")
    repo.write(".fim-bot.yml", config)
    repo.write("mod.py", "def alpha():\n    pass\n")
    repo.commit("feature")
    repo.write("mod.py", "def alpha():\n    pass\n\n\ndef beta():\n    pass\n")
    repo.git("add", "-A")


def test_a_branch_cannot_send_the_key_to_its_server(
    repo: Repo, thief: FakeCodestral, codestral: FakeCodestral
) -> None:
    """`api-base` set by a branch's file: `bot run` stops with one line that names the flag and
    the variable allowing it (exit 2), and the hooks say the same and pass; nothing is sent."""
    branch_with_config(repo, f"api-base: {thief.base_url}\n")
    key = {"CODESTRAL_API_KEY": TEST_KEY}
    for args in (["--staged"], [], ["--head", "HEAD"]):
        proc = repo.bot("run", *args, **key)
        assert proc.returncode == 2, (args, proc.stderr)
        (line,) = proc.stderr.splitlines()
        assert line.startswith(f"fim-bot: error: .fim-bot.yml:1: api-base '{thief.base_url}' ")
        assert f"pass --api-base {thief.base_url} or set FIM_BOT_API_BASE to it" in line
    for action in ("show", "apply"):
        proc = hook(repo, action, **key)
        assert proc.returncode == 0, proc.stderr
        (line,) = proc.stderr.splitlines()
        assert line.startswith("fim-bot: notice: .fim-bot.yml:1: api-base "), line
        assert line.endswith("to use it, set FIM_BOT_API_BASE to it")  # the hooks take no flag
    assert proc.stdout == ""
    assert thief.requests == []
    assert repo.read("mod.py").endswith("    pass\n")  # nothing written either


def test_a_branch_cannot_choose_the_provider(repo: Repo, thief: FakeCodestral) -> None:
    """`provider` set by a branch's file is refused the same way (it picks where code goes)."""
    branch_with_config(repo, "provider: mistral\n")
    proc = repo.bot("run", "--staged", MISTRAL_API_KEY=TEST_KEY, MISTRAL_API_BASE=thief.base_url)
    assert proc.returncode == 2, proc.stderr
    assert "pass --provider mistral or set FIM_BOT_PROVIDER to it" in proc.stderr
    assert thief.requests == []


@pytest.mark.parametrize(
    "allow",
    [
        pytest.param("default-branch", id="the-same-on-the-default-branch"),
        pytest.param("flag", id="flag"),
        pytest.param("variable", id="variable"),
        pytest.param("file-outside", id="a-file-outside-the-repository"),
        pytest.param("dry-run", id="a-dry-run-sends-nothing"),
    ],
)
def test_what_lets_a_configured_server_be_used(
    repo: Repo, codestral: FakeCodestral, tmp_path: Path, allow: str
) -> None:
    """The default branch's own file, a flag or a variable naming the server, a file outside
    the repository, or a run that sends nothing: no refusal."""
    config = f"api-base: {codestral.base_url}\n"
    args = ["run", "--staged", "--format", "json"]
    env = {"CODESTRAL_API_KEY": TEST_KEY}
    if allow == "default-branch":
        repo.write(".fim-bot.yml", config)
        repo.commit("configured on main")
    branch_with_config(repo, config)
    if allow == "flag":
        args += ["--api-base", codestral.base_url]
    elif allow == "variable":
        env["FIM_BOT_API_BASE"] = codestral.base_url
    elif allow == "file-outside":
        outside = tmp_path / "mine.yml"
        outside.write_text(config)
        repo.git("rm", "-q", "--cached", ".fim-bot.yml")
        (repo.path / ".fim-bot.yml").unlink()
        env["FIM_BOT_CONFIG"] = str(outside)
    elif allow == "dry-run":
        args.append("--dry-run")
    proc = repo.bot(*args, **env)
    assert proc.returncode == 0, proc.stderr
    statuses = {h["status"] for h in json.loads(proc.stdout)["holes"]}
    assert statuses == ({"planned"} if allow == "dry-run" else {"suggested"})
    assert len(codestral.requests) == (0 if allow == "dry-run" else 1)


def test_a_changed_value_on_a_branch_is_refused_even_when_main_sets_one(
    repo: Repo, codestral: FakeCodestral, thief: FakeCodestral
) -> None:
    """The default branch names one server, the branch another: the branch's is refused."""
    repo.write(".fim-bot.yml", f"api-base: {codestral.base_url}\n")
    repo.commit("configured on main")
    branch_with_config(repo, f"api-base: {thief.base_url}\n")
    proc = repo.bot("run", "--staged", CODESTRAL_API_KEY=TEST_KEY)
    assert proc.returncode == 2, proc.stderr
    assert "is not set so on the default branch (main at " in proc.stderr
    assert codestral.requests == thief.requests == []


# --- 4. On a pull request, the workflow alone sets what decides trust ------------------------


def test_a_pull_request_cannot_name_whose_comments_are_the_bots(
    run: Run, github: FakeGitHub, codestral: FakeCodestral, tmp_path: Path, home: Path
) -> None:
    """`github.bot-login` in the pull request's file is ignored, with a warning: a fingerprint
    forged in the pull request author's own comment does not make the bot skip the hole."""
    new = stubs(["alpha"])
    with FakeGitHub() as other:  # learn the fingerprint the bot gives this hole
        other.add_pull(
            OWNER, NAME, NUMBER, "1" * 40, files={"mod.py": PullFile.from_texts(None, new)}
        )
        (tmp_path / "other").mkdir()
        assert Run(tmp_path / "other", home, other, codestral)().returncode == 0
        (learned,) = other.review_comments(NUMBER)
    forged = learned.body.rsplit("\n", 1)[-1]
    calls = len(codestral.requests)
    open_pull(github, {"mod.py": (None, new)})
    github.add_comment(NUMBER, "mod.py", 2, f"done already\n{forged}", author="mallory")
    (run.folder / ".fim-bot.yml").write_text("github:\n  bot-login: mallory\n")
    proc = run()
    assert proc.returncode == 0, proc.stderr
    assert "ignoring github.bot-login from .fim-bot.yml:2 on a pull request" in proc.stderr
    assert len(codestral.requests) == calls + 1
    mine = [c for c in github.review_comments(NUMBER) if c.user.login != "mallory"]
    assert len(mine) == 1


@pytest.mark.parametrize(
    ("config", "pull", "expect"),
    [
        pytest.param("skip-draft: true", {"draft": True}, 1, id="skip-draft"),
        pytest.param("opt-out-label: wip", {"labels": ["wip"]}, 1, id="opt-out-label"),
        pytest.param("opt-out-label: ''", {"labels": ["no-fim-bot"]}, 0, id="opt-out-cleared"),
    ],
)
def test_a_pull_request_cannot_change_when_the_bot_acts(
    run: Run, github: FakeGitHub, config: str, pull: dict[str, object], expect: int
) -> None:
    """`github.skip-draft` and `github.opt-out-label` from the pull request's file are ignored,
    with a warning: the workflow's own settings (here the defaults) decide."""
    github.add_pull(
        OWNER,
        NAME,
        NUMBER,
        HEAD,
        files={"mod.py": PullFile.from_texts(None, stubs(["alpha"]))},
        **pull,  # type: ignore[arg-type]
    )
    (run.folder / ".fim-bot.yml").write_text(f"github:\n  {config}\n")
    proc = run()
    assert proc.returncode == 0, proc.stderr
    name = config.split(":")[0]
    assert f"ignoring github.{name} from .fim-bot.yml:2 on a pull request" in proc.stderr
    assert len(github.review_comments(NUMBER)) == expect


def test_a_pull_request_cannot_turn_failures_red(
    run: Run, github: FakeGitHub, codestral: FakeCodestral
) -> None:
    """`github.fail-on-error` from the pull request's file is ignored: a model outage stays a
    warning and exit 0."""
    open_pull(github, {"mod.py": (None, stubs(["alpha"]))})
    (run.folder / ".fim-bot.yml").write_text("github:\n  fail-on-error: true\n")
    codestral.fail(500, times=50)
    proc = run()
    assert proc.returncode == 0, proc.stderr
    assert "ignoring github.fail-on-error from .fim-bot.yml:2 on a pull request" in proc.stderr
    assert "FIM_BOT_FAIL_ON_ERROR" in proc.stderr


def test_a_branchs_link_to_a_file_outside_is_still_the_branchs(
    repo: Repo, thief: FakeCodestral, tmp_path: Path
) -> None:
    """A `.fim-bot.yml` that the branch commits as a link to a file outside the repository is
    the branch's file, not the user's: refused like any other."""
    outside = tmp_path / "elsewhere.yml"
    outside.write_text(f"api-base: {thief.base_url}\n")
    branch_with_config(repo, "")
    (repo.path / ".fim-bot.yml").unlink()
    (repo.path / ".fim-bot.yml").symlink_to(outside)
    repo.git("add", "-A")
    proc = repo.bot("run", "--staged", CODESTRAL_API_KEY=TEST_KEY)
    assert proc.returncode == 2, proc.stderr
    assert "a branch may not choose where your code and key go" in proc.stderr
    assert thief.requests == []


def test_a_branch_cannot_drop_the_default_branchs_server(
    repo: Repo, codestral: FakeCodestral, thief: FakeCodestral
) -> None:
    """The default branch sends to its server; a branch that deletes the setting (so that the
    provider's default would take over) is refused, and `bot config` says so."""
    repo.write(".fim-bot.yml", f"api-base: {codestral.base_url}\n")
    repo.commit("configured on main")
    branch_with_config(repo, "max-holes: 5\n")
    key = {"CODESTRAL_API_KEY": TEST_KEY}
    proc = repo.bot("run", "--staged", **key)
    assert proc.returncode == 2, proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith(
        f"fim-bot: error: api-base is '{codestral.base_url}' in .fim-bot.yml on the default"
    )
    assert line.endswith(f"pass --api-base {codestral.base_url} or set FIM_BOT_API_BASE to it")
    shown = repo.bot("config", "--format", "json", **key)
    assert shown.returncode == 0, shown.stderr
    refused = json.loads(shown.stdout)["settings"]["api-base"]["refused"]
    assert refused == line.removeprefix("fim-bot: error: ")
    assert codestral.requests == thief.requests == []
    allowed = repo.bot("run", "--staged", **key, FIM_BOT_API_BASE=codestral.base_url)
    assert allowed.returncode == 0, allowed.stderr
    assert len(codestral.requests) == 1


@pytest.mark.parametrize("setup", ["no-default-branch", "tag-named-origin-HEAD"])
def test_nothing_but_the_default_branch_vouches(
    repo: Repo, thief: FakeCodestral, setup: str
) -> None:
    """With no origin/HEAD, main or master (a default branch named develop), nothing vouches
    for the file, not the run's own base; and a tag named like the default branch is not it."""
    if setup == "no-default-branch":
        repo.git("branch", "-m", "main", "develop")
    branch_with_config(repo, f"api-base: {thief.base_url}\n")
    repo.commit("feature, committed")
    if setup == "tag-named-origin-HEAD":
        repo.git("tag", "origin/HEAD")  # as a fetch from someone's fork can bring in
    repo.write("mod.py", repo.read("mod.py") + "\n\ndef gamma():\n    pass\n")
    proc = repo.bot("run", CODESTRAL_API_KEY=TEST_KEY)
    assert proc.returncode == 2, proc.stderr
    assert "a branch may not choose where your code and key go" in proc.stderr
    if setup == "no-default-branch":
        assert "not set so on a default branch (there is no origin/HEAD, main or master)" in (
            proc.stderr
        )
    assert thief.requests == []


def test_a_branch_cannot_lift_an_exclude(repo: Repo, codestral: FakeCodestral) -> None:
    """The default branch's excludes (and the built-in ones) hide files whatever the branch's
    file says: `!` patterns there lift nothing, even in a dry run, which shows what is sent."""
    repo.write(".fim-bot.yml", "exclude: [proprietary/**]\n")
    repo.write("proprietary/algo.py", "def secret_algo(x):\n    return x * 42\n")
    repo.commit("configured on main")
    branch_with_config(repo, "exclude: ['!proprietary/**', '!*secret*']\n")
    repo.write("proprietary/algo.py", "def secret_algo(x):\n    pass\n")
    repo.write("my_secrets.py", "def rotate():\n    pass\n")
    repo.write("uses.py", "from proprietary.algo import secret_algo\n\n\ndef f(x):\n    pass\n")
    repo.git("add", "-A")
    proc = repo.bot("run", "--staged", "--dry-run", "--format", "json", CODESTRAL_API_KEY=TEST_KEY)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert {h["path"] for h in report["holes"]} == {"mod.py", "uses.py"}
    skipped = {s["path"]: s["reason"] for s in report["skipped_files"]}
    assert skipped["proprietary/algo.py"] == skipped["my_secrets.py"] == "excluded by configuration"
    assert "x * 42" not in proc.stdout  # not even as context for uses.py
    # The user's own flag may lift it: that is not the branch's choice.
    mine = repo.bot(
        "run",
        "--staged",
        "--dry-run",
        "--format",
        "json",
        "--exclude",
        "!*secret*",
        CODESTRAL_API_KEY=TEST_KEY,
    )
    assert "my_secrets.py" in {h["path"] for h in json.loads(mine.stdout)["holes"]}


def test_a_pull_request_cannot_lift_the_built_in_excludes(
    run: Run, github: FakeGitHub, codestral: FakeCodestral
) -> None:
    """On a pull request the file's `!` patterns cannot bring back a secrets-like file."""
    open_pull(github, {"my_secrets.py": (None, stubs(["rotate"])), "ok.py": (None, stubs(["b"]))})
    (run.folder / ".fim-bot.yml").write_text("exclude: ['!*secret*']\n")
    proc = run("--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert {c.path for c in github.review_comments(NUMBER)} == {"ok.py"}
    assert all("rotate" not in r.body["prompt"] for r in codestral.requests)
