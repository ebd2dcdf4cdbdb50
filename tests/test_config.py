"""The configuration file, variables and flags: errors, precedence, exclusion, `bot config`."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from bot import config
from bot.errors import BotError
from bot.globs import FileFilter
from tests.conftest import TEST_KEY, Repo, clean_env
from tests.fakes.codestral import FakeCodestral
from tests.fakes.github import ACTIONS_TOKEN, CREATE_REVIEW, FakeGitHub, PullFile, fake_sha

# ------------------------------------------------------------------ errors in the file

ERRORS = {
    "misspelt": (
        "tags: [TODO]\nmax-hole: 3\n",
        "2: unknown key 'max-hole' (did you mean 'max-holes'?)",
    ),
    "snake-case": ("max_tokens: 3\n", "1: unknown key 'max_tokens' (did you mean 'max-tokens'?)"),
    "unknown": ("colour: red\n", "1: unknown key 'colour' (`bot config` shows every key)"),
    "control-character": (
        "tags: [TODO]\nmodel: a\x1fb\n",
        "2: YAML does not allow the character '\\x1f'",
    ),
    "api-key": (
        "model: x\napi-key: sk-1\n",
        "2: 'api-key' is a secret and this file is committed: set FIM_BOT_API_KEY, "
        "CODESTRAL_API_KEY or MISTRAL_API_KEY (the Action's api-key input) in the environment",
    ),
    "github-token": (
        "github:\n  token: x\n",
        "2: 'token' is a secret and this file is committed: set GITHUB_TOKEN "
        "(the Action's github-token input) in the environment",
    ),
    "section-typo": (
        "github:\n  skip-drafts: true\n",
        "2: unknown key 'skip-drafts' in 'github' (did you mean 'skip-draft'?)",
    ),
    "github-key-on-top": (
        "skip-draft: true\n",
        "1: 'skip-draft' belongs in the 'github:' section",
    ),
    "top-key-in-github": (
        "github:\n  model: x\n",
        "2: 'model' belongs at the top level, not under 'github:'",
    ),
    "not-a-number": (
        "temperature: hot\n",
        "1: 'temperature' must be a number from 0 to 2, got 'hot'",
    ),
    "too-hot": ("temperature: 2.5\n", "1: 'temperature' must be a number from 0 to 2, got 2.5"),
    "top-p-zero": ("top-p: 0\n", "1: 'top-p' must be a number > 0 and <= 1, got 0"),
    "negative": ("max-holes: -1\n", "1: 'max-holes' must be a whole number >= 0, got -1"),
    "fraction": ("max-tokens: 1.5\n", "1: 'max-tokens' must be a whole number > 0, got 1.5"),
    "bool-not-number": (
        "concurrency: true\n",
        "1: 'concurrency' must be a whole number > 0, got true",
    ),
    "provider": (
        "provider: azure\n",
        "1: 'provider' must be codestral, mistral, ollama, llamacpp, openai, deepseek or "
        "template, got 'azure'",
    ),
    "fim-template": (
        "fim-template: gpt\n",
        "1: 'fim-template' must be starcoder, qwen, codellama, deepseek or codestral, got 'gpt'",
    ),
    "url": (
        "api-base: ftp://example.com\n",
        "1: 'api-base' must be an http(s) URL, got 'ftp://example.com'",
    ),
    "url-without-host": (
        "api-base: http:///v1\n",
        "1: 'api-base' must be an http(s) URL, got 'http:///v1'",
    ),
    "url-with-a-blank": (
        "api-base: 'https://example.com/v1 x'\n",
        "1: 'api-base' must be an http(s) URL, got 'https://example.com/v1 x'",
    ),
    "bool": ("stream: maybe\n", "1: 'stream' must be true or false, got 'maybe'"),
    "tags-string": (
        "tags: TODO\n",
        "1: 'tags' must be a list of words without spaces or '#', got 'TODO'",
    ),
    "tag-entry": (
        "tags:\n  - TODO\n  - TO DO\n",
        "3: 'tags' entries must each be a word without spaces or '#', got 'TO DO'",
    ),
    "stub-kind": (
        "stub-kinds: [pass, todo!()]\n",
        "1: 'stub-kinds' entries must each be pass, ... or NotImplementedError, got 'todo!()'",
    ),
    "glob": (
        "exclude:\n  - docs/**\n  - build**\n",
        "3: 'exclude' entries must each be a path glob, got 'build**': "
        "'**' must be a whole path component, as in 'a/**/b'",
    ),
    "glob-dotdot": (
        "include: [../src]\n",
        "1: 'include' entries must each be a path glob, got '../src': "
        "it must be a path inside the repository, without '.', '..' or '//'",
    ),
    "glob-bracket": (
        "exclude: ['[abc']\n",
        "1: 'exclude' entries must each be a path glob, got '[abc': '[' has no closing ']'",
    ),
    "stale": (
        "github:\n  stale-threads: delete\n",
        "2: 'stale-threads' must be resolve, minimize or keep, got 'delete'",
    ),
    "section": ("github: yes\n", "1: 'github' must be a mapping of keys to values, got true"),
    "list": (
        "- model\n- tags\n",
        "1: the configuration must be a mapping of keys to values, got a list",
    ),
    "scalar": ("model\n", "1: the configuration must be a mapping of keys to values, got 'model'"),
    "duplicate": ("model: a\nseed: 1\nmodel: b\n", "3: duplicate key 'model' (first on line 1)"),
    "key-not-name": ("1: x\n", "1: keys must be names, got 1"),
    "syntax": (
        "tags: [TODO\nmodel: x\n",
        "2: YAML syntax error: expected ',' or ']', but got ':'",
    ),
    "indent": (
        "model: x\n  seed: 1\n",
        "2: YAML syntax error: mapping values are not allowed here",
    ),
    "two-documents": (
        "model: a\n---\nmodel: b\n",
        "2: YAML syntax error: expected a single document in the stream, "
        "but found another document",
    ),
    "python-tag": (
        "model: !!python/name:os.system\n",
        "1: YAML syntax error: could not determine a constructor for the tag "
        "'tag:yaml.org,2002:python/name:os.system'",
    ),
}


@pytest.mark.parametrize(("text", "expected"), list(ERRORS.values()), ids=list(ERRORS))
def test_a_mistake_in_the_file_is_one_line_with_its_place(
    tmp_path: Path, text: str, expected: str
) -> None:
    """Each mistake is reported as `path:line: message`, naming the key and what it takes."""
    (tmp_path / ".fim-bot.yml").write_text(text)
    with pytest.raises(BotError) as raised:
        config.load(tmp_path / ".fim-bot.yml", cwd=tmp_path)
    assert raised.value.message == f".fim-bot.yml:{expected}"
    assert raised.value.exit_code == 2


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("# nothing set yet\n", id="comments"),
        pytest.param("github:\n", id="empty-section"),
        pytest.param("model:\ntop-p: null\n", id="nulls"),
    ],
)
def test_an_empty_file_or_null_values_leave_the_defaults(tmp_path: Path, text: str) -> None:
    """A file, section or key with nothing in it sets nothing."""
    (tmp_path / ".fim-bot.yml").write_text(text)
    assert config.load(tmp_path / ".fim-bot.yml", cwd=tmp_path).entries == {}


def test_values_are_read_with_their_lines(tmp_path: Path) -> None:
    """Good values are kept, typed, with the line each one sits on."""
    (tmp_path / ".fim-bot.yml").write_text(
        "tags: [TODO, HACK]\nstub-kinds:\n  - pass\n  - ...\ntemperature: 1\n"
        "github:\n  stale-threads: keep\n"
    )
    loaded = config.load(tmp_path / ".fim-bot.yml", cwd=tmp_path)
    assert {k: (e.value, e.line) for k, e in loaded.entries.items()} == {
        "tags": (("TODO", "HACK"), 1),
        "stub-kinds": (("pass", "..."), 2),
        "temperature": (1.0, 5),
        "github.stale-threads": ("keep", 7),
    }


def only_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def test_bot_run_stops_at_a_misspelt_key_with_exit_2(repo: Repo) -> None:
    """The real command: exit 2, one line naming the file, the line and the key meant."""
    repo.write(".fim-bot.yml", "model: codestral-latest\nmax-hole: 3\n")
    proc = repo.bot("run", "--dry-run")
    assert proc.returncode == 2
    assert only_line(proc.stderr) == (
        "fim-bot: error: .fim-bot.yml:2: unknown key 'max-hole' (did you mean 'max-holes'?)"
    )


@pytest.mark.parametrize(
    "env",
    [
        pytest.param({}, id="--github"),
        pytest.param({"GITHUB_EVENT_NAME": "pull_request"}, id="pull_request-event"),
    ],
)
def test_a_broken_file_exits_2_in_github_mode_too(repo: Repo, env: dict[str, str]) -> None:
    """GitHub mode is never red for what the author cannot fix, but the file they can."""
    if env:
        event = repo.write("event.json", '{"number": 7, "repository": {"full_name": "o/n"}}')
        env = {**env, "GITHUB_EVENT_PATH": str(event)}
    args = () if env else ("--github", "--repo", "o/n", "--pr", "7")
    repo.write(".github/fim-bot.yml", "github:\n  fail-on-eror: true\n")
    proc = repo.bot("run", *args, **env, GITHUB_TOKEN=ACTIONS_TOKEN)
    assert proc.returncode == 2
    assert only_line(proc.stderr) == (
        "fim-bot: error: .github/fim-bot.yml:2: unknown key 'fail-on-eror' in 'github' "
        "(did you mean 'fail-on-error'?)"
    )


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        pytest.param(
            ("--config", "missing.yml"), {}, "missing.yml: no such configuration file", id="flag"
        ),
        pytest.param(
            (), {"FIM_BOT_CONFIG": "gone.yml"}, "gone.yml: no such configuration file", id="env"
        ),
        pytest.param(
            (),
            {"FIM_BOT_MAX_HOLES": "-2"},
            "FIM_BOT_MAX_HOLES: 'max-holes' must be a whole number >= 0, got -2",
            id="env-value",
        ),
        pytest.param(
            (),
            {"FIM_BOT_EXCLUDE": "ok/**, a/**b"},
            "FIM_BOT_EXCLUDE: 'exclude' entries must each be a path glob, got 'a/**b': "
            "'**' must be a whole path component, as in 'a/**/b'",
            id="env-list",
        ),
    ],
)
def test_a_named_file_must_exist_and_variables_are_checked(
    repo: Repo, args: tuple[str, ...], env: dict[str, str], expected: str
) -> None:
    """--config and FIM_BOT_CONFIG name a file that must be there; variables are checked."""
    proc = repo.bot("config", *args, **env)
    assert proc.returncode == 2
    assert only_line(proc.stderr) == f"fim-bot: error: {expected}"


def test_a_bad_flag_value_is_one_line_too(repo: Repo) -> None:
    """Flags are read by the same rules as the file: out of range is exit 2 and one line."""
    proc = repo.bot("run", "--temperature", "3")
    assert proc.returncode == 2
    assert only_line(proc.stderr) == (
        "fim-bot: error: --temperature: must be a number from 0 to 2, got 3"
    )


# ------------------------------------------------------------------ where values come from


def settings(repo: Repo, *args: str, **env: str) -> dict[str, Any]:
    proc = repo.bot("config", "--format", "json", *args, **env)
    assert proc.returncode == 0, proc.stderr
    found: dict[str, Any] = json.loads(proc.stdout)["settings"]
    return found


PRECEDENCE = {
    # key: its flag, its variable, the file's text, and the value each layer gives
    "model": (
        ("--model", "m-flag"),
        ("FIM_BOT_MODEL", "m-env"),
        "model: m-file",
        ["m-flag", "m-env", "m-file", "codestral-latest"],
    ),
    "max-holes": (
        ("--max-holes", "1"),
        ("FIM_BOT_MAX_HOLES", "2"),
        "max-holes: 3",
        [1, 2, 3, 50],
    ),
    "temperature": (
        ("--temperature", "0.1"),
        ("FIM_BOT_TEMPERATURE", "0.2"),
        "temperature: 0.3",
        [0.1, 0.2, 0.3, 0.0],
    ),
    "tags": (
        ("--tag", "HACK"),
        ("FIM_BOT_TAGS", "NOTE,\nBUG"),
        "tags: [TODO]",
        [["HACK"], ["NOTE", "BUG"], ["TODO"], ["TODO", "FIXME", "XXX"]],
    ),
    "stream": (
        ("--no-stream",),
        ("FIM_BOT_STREAM", "false"),
        "stream: true",
        [False, False, True, False],
    ),
    "github.fail-on-error": (
        ("--fail-on-error",),
        ("FIM_BOT_FAIL_ON_ERROR", "true"),
        "github:\n  fail-on-error: false",
        [True, True, False, False],
    ),
    "github.bot-login": (
        ("--bot-login", "a"),
        ("FIM_BOT_LOGIN", "b"),
        "github:\n  bot-login: c",
        ["a", "b", "c", None],
    ),
}


@pytest.mark.parametrize(
    ("name", "flag", "variable", "file", "values"),
    [(name, *row) for name, row in PRECEDENCE.items()],
    ids=list(PRECEDENCE),
)
def test_flag_beats_env_beats_file_beats_default(
    repo: Repo,
    name: str,
    flag: tuple[str, ...],
    variable: tuple[str, str],
    file: str,
    values: list[Any],
) -> None:
    """Taking the layers away one by one shows each in turn, with its source."""
    repo.write(".fim-bot.yml", f"# settings\n{file}\n")
    env = dict([variable])
    layers = [(flag, env, True), ((), env, True), ((), {}, True), ((), {}, False)]
    where = [flag[0], variable[0], f".fim-bot.yml:{2 + file.count(chr(10))}", None]
    for (args, variables, with_file), value, source, place in zip(
        layers, values, ["flag", "env", "file", "default"], where, strict=True
    ):
        if not with_file:
            (repo.path / ".fim-bot.yml").unlink()
        assert settings(repo, *args, **variables)[name] == {
            "value": value,
            "source": source,
            "where": place,
        }


def test_an_empty_variable_is_unset(repo: Repo) -> None:
    """An Action input left blank sets its variable to "": the file still decides."""
    repo.write(".fim-bot.yml", "model: m-file\n")
    assert settings(repo, FIM_BOT_MODEL="")["model"]["value"] == "m-file"


def test_api_base_and_key_come_from_the_environment_first(repo: Repo) -> None:
    """FIM_BOT_API_BASE, then the provider's variable, then the file; the key is hidden."""
    repo.write(".fim-bot.yml", "api-base: https://file.example/v1\n")
    found = settings(repo, CODESTRAL_API_KEY=TEST_KEY)
    assert found["api-base"]["value"] == "https://file.example/v1"
    assert found["api-key"] == {"value": "***", "source": "env", "where": "CODESTRAL_API_KEY"}
    found = settings(repo, CODESTRAL_API_BASE="https://own.example/v1")
    assert found["api-base"]["where"] == "CODESTRAL_API_BASE"
    assert found["api-key"] == {"value": None, "source": "default", "where": None}
    found = settings(
        repo, CODESTRAL_API_BASE="https://own.example/v1", FIM_BOT_API_BASE="https://x.example"
    )
    assert found["api-base"]["value"] == "https://x.example"


def test_bot_config_prints_yaml_with_sources_and_no_secret(repo: Repo) -> None:
    """The YAML view: each value with a trailing comment saying where it comes from."""
    repo.write(".fim-bot.yml", "max-holes: 5\ngithub:\n  skip-draft: true\n")
    proc = repo.bot("config", "--model", "codestral-2405", CODESTRAL_API_KEY=TEST_KEY)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "# configuration file: .fim-bot.yml" in lines
    assert "max-holes: 5  # file .fim-bot.yml:1" in lines
    assert "model: codestral-2405  # flag --model" in lines
    assert "api-key: '***'  # env CODESTRAL_API_KEY" in lines
    assert "temperature: 0.0  # default" in lines
    assert lines[lines.index("github:") + 2] == "  skip-draft: true  # file .fim-bot.yml:3"
    assert TEST_KEY not in proc.stdout


def test_the_file_settings_reach_the_request(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """What the fake Codestral receives: file values, a variable over one, a flag over one."""
    repo.write(
        ".fim-bot.yml",
        'model: codestral-2405\ntemperature: 0.7\nmax-tokens: 100\nseed: 7\nstop: ["\\n\\n\\n"]\n',
    )
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("mod.py", "def f():\n    pass\n")
    repo.commit("stub")
    codestral.respond("    return 1\n")
    proc = repo.bot(
        "run", "--max-tokens", "64", **model_env, FIM_BOT_TEMPERATURE="0.2", FIM_BOT_MODEL=""
    )
    assert proc.returncode == 0, proc.stderr
    body = codestral.requests[0].body
    assert (body["model"], body["temperature"], body["max_tokens"], body["random_seed"]) == (
        "codestral-2405",
        0.2,
        64,
        7,
    )
    assert body["stop"][0] == "\n\n\n"


# ------------------------------------------------------------------ which files and holes


def dry_run(repo: Repo, *args: str) -> dict[str, Any]:
    proc = repo.bot("run", "--dry-run", "--format", "json", *args)
    assert proc.returncode == 0, proc.stderr
    report: dict[str, Any] = json.loads(proc.stdout)
    return report


APP = textwrap.dedent("""\
    from vault_secret import unlock
    from internal.helpers import tidy


    def handle(request):
        # TODO: unlock the vault for the request, then tidy it
        pass
""")
VAULT = 'def unlock(phrase):\n    """VAULT-SENTINEL"""\n    # TODO: check the phrase\n'
HELPERS = 'def tidy(thing):\n    """HELPER-SENTINEL"""\n    return thing\n'


@pytest.fixture
def with_secrets(repo: Repo) -> Repo:
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("app.py", APP)
    repo.write("vault_secret.py", VAULT)
    repo.write("internal/helpers.py", HELPERS)
    repo.write(".env.local", "# TODO: rotate\nTOKEN=abc\n")
    repo.commit("feature")
    return repo


def prompts(report: dict[str, Any]) -> str:
    return json.dumps([h["prompt"] for h in report["holes"]])


def test_excluded_files_are_skipped_and_never_in_a_prompt(with_secrets: Repo) -> None:
    """Excluded files are listed as skipped and none of their text reaches any prompt."""
    with_secrets.write(".fim-bot.yml", "exclude:\n  - internal/\n")
    report = dry_run(with_secrets)
    assert [h["path"] for h in report["holes"]] == ["app.py"]
    assert {"path": "vault_secret.py", "reason": "excluded by configuration"} in report[
        "skipped_files"
    ]
    assert "SENTINEL" not in prompts(report)


def test_without_the_exclusion_the_same_files_are_context(with_secrets: Repo) -> None:
    """The control: let back in (a negated glob), both files are shown to the model."""
    report = dry_run(with_secrets, "--exclude", "!vault_secret.py")
    assert "VAULT-SENTINEL" in prompts(report)
    assert "HELPER-SENTINEL" in prompts(report)
    assert sorted(h["path"] for h in report["holes"]) == ["app.py", "vault_secret.py"]
    assert report["skipped_files"] == []


def test_include_narrows_the_scan_but_not_the_context(with_secrets: Repo) -> None:
    """Files outside `include` are skipped; context may still come from them."""
    report = dry_run(with_secrets, "--include", "internal/**", "--include", "app.py")
    assert [h["path"] for h in report["holes"]] == ["app.py"]
    assert "HELPER-SENTINEL" in prompts(report)


def test_stub_kinds_choose_which_stubs_count(repo: Repo) -> None:
    """With only NotImplementedError counted, `pass` bodies are no holes and stay in place."""
    repo.write(".fim-bot.yml", "stub-kinds: [NotImplementedError]\ntags: [TODO, HACK]\n")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write(
        "mod.py",
        "def a():\n    pass\n\n\ndef b():\n    raise NotImplementedError\n\n\n"
        "def c():\n    # HACK: do c\n    pass\n\n\n# FIXME: not a tag here\n",
    )
    repo.commit("stubs")
    holes = dry_run(repo)["holes"]
    assert [(h["start_line"], h["end_line"], h["kind"], h["marker"]) for h in holes] == [
        (6, 6, "stub", "NotImplementedError"),
        (10, 10, "todo", "HACK"),
    ]


@pytest.mark.parametrize(
    ("path", "hidden"),
    [
        (".env", True),
        ("deploy/.env.production", True),
        ("certs/server.pem", True),
        ("app/secrets.py", True),
        ("secrets/db.py", True),
        ("config/Credentials.json", True),
        ("keyboard.py", False),
        ("src/app.py", False),
    ],
)
def test_secret_looking_files_are_excluded_by_default(path: str, hidden: bool) -> None:
    """The built-in exclusions match by name at any depth, and ignore case."""
    assert FileFilter().hidden(path) is hidden


@pytest.mark.parametrize(
    ("pattern", "path", "matched"),
    [
        ("docs/", "docs/a/b.py", True),
        ("docs/", "src/docs.py", False),
        ("/build", "build/x.py", True),
        ("/build", "src/build/x.py", False),
        ("build", "src/build/x.py", True),
        ("src/**/gen_*.py", "src/gen_a.py", True),
        ("src/**/gen_*.py", "src/a/b/gen_a.py", True),
        ("src/*.py", "src/a/b.py", False),
        ("**/migrations/**", "app/migrations/0001.py", True),
        ("test_[ab].py", "t/test_a.py", True),
        ("test_[!ab].py", "t/test_a.py", False),
        # Several stars in one component: each takes the leftmost place that lets the rest match.
        ("*a*a*b", "xaayab", True),
        ("*a*a*b", "aab", True),
        ("*a*a*b", "ab", False),
        ("a*ab", "ab", False),  # the tail may not reuse the head's characters
        ("a*ab", "aab", True),
        ("*_test_*.PY", "src/x_test_y.py", True),
        ("*[ab]?", "cb1", True),
        ("*[ab]?", "cc1", False),
        ("*.py*", "a.pyc/b", True),  # a folder that matches takes in what is under it
        ("*a*b/", "xab", False),  # a folder only: not a file
        # Several `**`: each takes the first folder that lets the rest match.
        ("a/**/b/**/c", "a/x/b/y/b/c", True),
        ("a/**/b/**/c", "a/b/b/x", False),
        ("**/b/**/b/*.py", "b/b/b/x.py", True),
        ("**/b/**/b/*.py", "b/x.py", False),
        ("a/**/b*/**", "a/x/bb/c", True),
    ],
)
def test_globs_match_as_gitignore_does(pattern: str, path: str, matched: bool) -> None:
    """No "/": any depth; a leading "/" or inner "/": from the root; "**": any folders."""
    assert FileFilter(exclude=(pattern,)).hidden(path) is matched


# ------------------------------------------------------------------ where the file is found


def test_the_file_is_found_in_dot_github_from_a_subfolder(repo: Repo) -> None:
    """`.github/fim-bot.yml` is read too, from anywhere in the repository."""
    repo.write(".github/fim-bot.yml", "# fim-bot\nmax-holes: 4\n")
    (repo.path / "src").mkdir()
    proc = repo.bot("config", "--format", "json", cwd=repo.path / "src")
    assert proc.returncode == 0, proc.stderr
    shown = json.loads(proc.stdout)
    assert shown["file"] == "../.github/fim-bot.yml"
    assert shown["settings"]["max-holes"]["where"] == "../.github/fim-bot.yml:2"


def test_two_files_are_an_error(repo: Repo) -> None:
    """Both places holding a file is ambiguous: exit 2 until one is removed."""
    repo.write(".fim-bot.yml", "max-holes: 1\n")
    repo.write(".github/fim-bot.yml", "max-holes: 2\n")
    proc = repo.bot("config")
    assert proc.returncode == 2
    assert only_line(proc.stderr) == (
        "fim-bot: error: two configuration files, .fim-bot.yml and .github/fim-bot.yml: keep one"
    )


def test_config_flag_names_another_file(repo: Repo) -> None:
    """--config reads that file instead of looking for one."""
    repo.write(".fim-bot.yml", "max-holes: 1\n")
    repo.write("ci/fim.yml", "max-holes: 9\n")
    assert settings(repo, "--config", "ci/fim.yml")["max-holes"]["value"] == 9


# ------------------------------------------------------------------ the github: section

OWNER, NAME, NUMBER = "octo-org", "hello", 7


@pytest.fixture
def action(tmp_path: Path, home: Path, github: FakeGitHub, codestral: FakeCodestral) -> Repo:
    """A folder (not a checkout) to run GitHub mode in, against both fakes."""
    codestral.respond("    return 1\n")
    folder = tmp_path / "work"
    folder.mkdir()
    env = clean_env(
        home,
        GITHUB_TOKEN=ACTIONS_TOKEN,
        GITHUB_API_URL=github.base_url,
        CODESTRAL_API_KEY=TEST_KEY,
        CODESTRAL_API_BASE=codestral.base_url,
    )
    return Repo(folder, env)


def pr_run(action: Repo, *args: str) -> Any:
    return action.bot("run", "--github", "--repo", f"{OWNER}/{NAME}", "--pr", str(NUMBER), *args)


STUBS = "def alpha():\n    pass\n\n\ndef beta():\n    pass\n"


@pytest.mark.parametrize(
    ("env", "pull", "notice"),
    [
        ({"FIM_BOT_SKIP_DRAFT": "true"}, {"draft": True}, "the pull request is a draft"),
        ({}, {"labels": ["No-FIM-Bot"]}, "the pull request has the label 'no-fim-bot'"),
        ({"FIM_BOT_OPT_OUT_LABEL": "later"}, {"labels": ["later"]}, "has the label 'later'"),
    ],
    ids=["draft", "default-label", "own-label"],
)
def test_drafts_and_labelled_pull_requests_are_left_alone(
    action: Repo,
    github: FakeGitHub,
    codestral: FakeCodestral,
    env: dict[str, str],
    pull: dict[str, Any],
    notice: str,
) -> None:
    """Set by the workflow (a pull request's own file may not): a notice, exit 0, no model
    call and nothing posted."""
    action.env.update(env)
    files = {"mod.py": PullFile.from_texts(None, STUBS)}
    github.add_pull(OWNER, NAME, NUMBER, fake_sha("head"), files, **pull)
    proc = pr_run(action)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("::notice::fim-bot: ")
    assert notice in proc.stdout
    assert codestral.requests == []
    assert github.count(CREATE_REVIEW) == 0


def test_a_draft_is_filled_without_skip_draft(action: Repo, github: FakeGitHub) -> None:
    """The default: drafts get suggestions like any pull request."""
    files = {"mod.py": PullFile.from_texts(None, STUBS)}
    github.add_pull(OWNER, NAME, NUMBER, fake_sha("head"), files, draft=True)
    assert pr_run(action).returncode == 0
    assert github.count(CREATE_REVIEW) == 1


@pytest.mark.parametrize(
    ("policy", "resolved", "minimized"),
    [("resolve", True, False), ("minimize", False, True), ("keep", False, False)],
)
def test_stale_threads_follow_the_policy(
    action: Repo, github: FakeGitHub, policy: str, resolved: bool, minimized: bool
) -> None:
    """The thread of a hole the author filled is resolved, minimized or kept as set."""
    action.write(".fim-bot.yml", f"github:\n  stale-threads: {policy}\n")
    github.add_pull(
        OWNER, NAME, NUMBER, fake_sha("head-1"), {"mod.py": PullFile.from_texts(None, STUBS)}
    )
    assert pr_run(action).returncode == 0
    done = STUBS.replace("    pass\n", "    return 2\n", 1)
    github.push(NUMBER, fake_sha("head-2"), {"mod.py": PullFile.from_texts(None, done)})
    assert pr_run(action).returncode == 0
    by_line = {t.root.original_line: t for t in github.threads(NUMBER)}
    alpha, beta = by_line[2], by_line[6]
    assert (alpha.resolved, alpha.root.minimized_reason is not None) == (resolved, minimized)
    assert (beta.resolved, beta.root.minimized_reason) == (False, None)
