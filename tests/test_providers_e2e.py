"""Every provider end to end: the real `bot run` against a loopback fake of its server, with
the oracle answering the true middle, so the fills must give the original code back exactly;
and each provider's failures as one line with the exit status DESIGN.md gives them."""

from __future__ import annotations

import json
import socket
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.conftest import TEST_KEY, Repo
from tests.fakes import fim_tokens
from tests.fakes.llamacpp import FakeLlamaCpp
from tests.fakes.ollama import FakeOllama
from tests.fakes.openai_completions import FakeCompletions
from tests.fakes.oracle import make_oracle
from tests.fakes.wire import WireFake

UTIL = textwrap.dedent('''\
    """Small numeric helpers."""


    def clamp(value: float, low: float, high: float) -> float:
        """Keep value within [low, high]."""
        return max(low, min(high, value))
''')
SHAPES = textwrap.dedent('''\
    """Shapes and their measures."""

    import math

    from util import clamp


    def circle_area(radius: float) -> float:
        """Area of a circle."""
        r = clamp(radius, 0.0, 1e9)
        return math.pi * r * r


    def rectangle_area(width: float, height: float) -> float:
        """Area of a rectangle."""
        if width < 0 or height < 0:
            raise ValueError("negative side")
        return width * height


    def describe(name: str, area: float) -> str:
        label = name.strip().title()
        rounded = round(area, 2)
        return f"{label}: {clamp(rounded, 0.0, 1e9)}"


    class Square:
        def __init__(self, side: float) -> None:
            self.side = side

        def area(self) -> float:
            return rectangle_area(self.side, self.side)
''')
# Each hole: the original lines it replaces, and what stands there instead.
HOLES = (
    (
        "    r = clamp(radius, 0.0, 1e9)\n    return math.pi * r * r\n",
        "    raise NotImplementedError\n",
    ),
    (
        '    if width < 0 or height < 0:\n        raise ValueError("negative side")\n'
        "    return width * height\n",
        "    # TODO: check the sides, then multiply them\n    pass\n",
    ),
    (
        "    label = name.strip().title()\n    rounded = round(area, 2)\n",
        "    # TODO: compute label, rounded\n",
    ),
    ("        return rectangle_area(self.side, self.side)\n", "        ...\n"),
)


def holed(text: str) -> str:
    for original, hole in HOLES:
        assert text.count(original) == 1
        text = text.replace(original, hole)
    return text


def applied(text: str, holes: list[dict[str, Any]]) -> str:
    """`text` with every suggestion in place of its hole's lines."""
    lines = text.splitlines(keepends=True)
    for hole in sorted(holes, key=lambda h: -h["start_line"]):
        lines[hole["start_line"] - 1 : hole["end_line"]] = [hole["suggestion"]]
    return "".join(lines)


@pytest.fixture
def holes_repo(repo: Repo) -> tuple[Repo, str, str]:
    """Originals on the first commit, the same files with four holes on the next."""
    repo.write("util.py", UTIL)
    repo.write("shapes.py", SHAPES)
    base = repo.commit("originals")
    repo.write("shapes.py", holed(SHAPES))
    head = repo.commit("holes")
    return repo, base, head


@dataclass
class Case:
    """One provider, served by one fake, and how the bot is pointed at it."""

    name: str
    fake: WireFake
    args: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)


TEMPLATE_MODELS = {
    "starcoder": "bigcode/starcoder2-7b",
    "qwen": "Qwen/Qwen2.5-Coder-7B",
    "codellama": "codellama/CodeLlama-7b-hf",
    "deepseek": "deepseek-ai/deepseek-coder-6.7b-base",
    "codestral": "mistralai/Codestral-22B-v0.1",
}


def case(name: str) -> Case:
    """`ollama`, `llamacpp`, `openai`, `deepseek`, or `template-FAMILY`."""
    if name == "ollama":
        fake: WireFake = FakeOllama()
        return Case(name, fake, ("--provider", "ollama"), {"OLLAMA_API_BASE": "{base}"})
    if name == "llamacpp":
        env = {"LLAMACPP_API_BASE": "{base}"}
        return Case(name, FakeLlamaCpp(), ("--provider", "llamacpp"), env)
    if name in ("openai", "deepseek"):
        variable = name.upper()
        env = {f"{variable}_API_KEY": TEST_KEY, f"{variable}_API_BASE": "{base}"}
        return Case(name, FakeCompletions(api_key=TEST_KEY), ("--provider", name), env)
    family = name.removeprefix("template-")
    fake = FakeCompletions(template=family, max_stops=None)
    args = ("--provider", "template", "--model", TEMPLATE_MODELS[family])
    return Case(name, fake, args, {"FIM_BOT_API_BASE": "{base}"})


@pytest.fixture
def served(request: pytest.FixtureRequest) -> Iterator[Case]:
    chosen = case(request.param)
    with chosen.fake:
        chosen.env = {k: v.format(base=chosen.fake.base_url) for k, v in chosen.env.items()}
        yield chosen
    assert chosen.fake.errors == []


def run(repo: Repo, base: str, head: str, chosen: Case, *args: str) -> tuple[dict[str, Any], str]:
    proc = repo.bot(
        "run", "--base", base, "--head", head, "--format", "json", *chosen.args, *args, **chosen.env
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return json.loads(proc.stdout), proc.stderr


ROUND_TRIPS = [
    pytest.param("ollama", (), id="ollama"),
    pytest.param("ollama", ("--stream",), id="ollama-ndjson"),
    pytest.param("llamacpp", (), id="llamacpp"),
    pytest.param("llamacpp", ("--stream",), id="llamacpp-sse"),
    pytest.param("openai", (), id="openai"),
    pytest.param("openai", ("--stream",), id="openai-sse"),
    pytest.param("deepseek", (), id="deepseek"),
    *(pytest.param(f"template-{f}", (), id=f"template-{f}") for f in TEMPLATE_MODELS),
    pytest.param("template-qwen", ("--stream",), id="template-qwen-sse"),
]


@pytest.mark.parametrize(("served", "args"), ROUND_TRIPS, indirect=["served"])
def test_the_round_trip_is_exact_for_every_provider(
    holes_repo: tuple[Repo, str, str], served: Case, args: tuple[str, ...]
) -> None:
    """Four holes (stub, TODO with pass, TODO over statements, `...` in a method), each filled
    through the provider's own wire format: applied, the file is the original byte for byte."""
    repo, base, head = holes_repo
    oracle = make_oracle([SHAPES, UTIL], "perfect")
    served.fake.responder = oracle
    report, _ = run(repo, base, head, served, *args)
    holes = report["holes"]
    assert [h["status"] for h in holes] == ["suggested"] * 4, holes
    assert applied(holed(SHAPES), holes) == SHAPES
    assert (oracle.stats.matched, oracle.stats.unmatched) == (4, 0)
    assert len(served.fake.requests) == 4
    assert report["summary"]["completion_tokens"] > 0
    if served.name in REQUESTS:
        REQUESTS[served.name]([r.body for r in served.fake.requests])


@pytest.mark.parametrize(
    ("served", "mode"),
    [
        pytest.param("ollama", "echo_suffix", id="ollama-echo"),
        pytest.param("llamacpp", "runaway", id="llamacpp-runaway"),
        pytest.param("openai", "fence", id="openai-fence"),
        pytest.param("template-starcoder", "special_token", id="template-special-token"),
    ],
    indirect=["served"],
)
def test_model_noise_is_cleaned_through_every_wire_format(
    holes_repo: tuple[Repo, str, str], served: Case, mode: str
) -> None:
    """The clean-up works on what each provider hands on: echoes, runaways, fences, tokens."""
    repo, base, head = holes_repo
    served.fake.responder = make_oracle([SHAPES, UTIL], mode)
    report, _ = run(repo, base, head, served)
    assert applied(holed(SHAPES), report["holes"]) == SHAPES


def llamacpp_requests(bodies: list[dict[str, Any]]) -> None:
    """The definition the hole's code uses from util.py goes as an input_extra chunk, and not
    also in input_prefix."""
    with_extra = [body for body in bodies if "input_extra" in body]
    assert len(with_extra) == 1  # the TODO in describe(), whose return line calls clamp()
    (body,) = with_extra
    assert body["input_prefix"].endswith("    # compute label, rounded\n")
    assert body["input_extra"] == [
        {
            "filename": "util.py",
            "text": "def clamp(value: float, low: float, high: float) -> float:\n"
            '    """Keep value within [low, high]."""\n    ...\n',
        }
    ]
    assert "Path:" not in body["input_prefix"]
    assert "def clamp" not in body["input_prefix"]


def ollama_requests(bodies: list[dict[str, Any]]) -> None:
    """Sampling settings inside options (the fake refuses them elsewhere), the model's name."""
    for body in bodies:
        assert body["model"] == "qwen2.5-coder:7b"
        assert body["options"]["num_predict"] == 512


def template_requests(family: str) -> Callable[[list[dict[str, Any]]], None]:
    def check(bodies: list[dict[str, Any]]) -> None:
        """No suffix field; the raw prompt in the family's tokens; its end token as a stop."""
        for body in bodies:
            assert "suffix" not in body
            assert fim_tokens.split(family, body["prompt"]) is not None
            assert fim_tokens.FAMILIES[family].eos in body["stop"]

    return check


REQUESTS: dict[str, Callable[[list[dict[str, Any]]], None]] = {
    "ollama": ollama_requests,
    "llamacpp": llamacpp_requests,
    **{f"template-{f}": template_requests(f) for f in TEMPLATE_MODELS},
}


# ---------------------------------------------------------------------------------- failures


def one_line_error(proc: Any) -> str:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("fim-bot: error: ")
    return str(lines[0])


def test_ollama_model_without_fim_stops_with_one_line(holes_repo: tuple[Repo, str, str]) -> None:
    """A model whose template cannot insert: exit 2, one line naming a model that can."""
    repo, base, head = holes_repo
    with FakeOllama() as fake:
        proc = repo.bot(
            "run",
            "--base",
            base,
            "--head",
            head,
            "--provider",
            "ollama",
            "--model",
            "llama3.2",
            OLLAMA_API_BASE=fake.base_url,
        )
    line = one_line_error(proc)
    assert "does not support insert" in line
    assert "--model qwen2.5-coder:7b" in line


def test_openai_without_a_key_names_its_variable(holes_repo: tuple[Repo, str, str]) -> None:
    repo, base, head = holes_repo
    proc = repo.bot("run", "--base", base, "--head", head, "--provider", "openai")
    assert "set OPENAI_API_KEY (or FIM_BOT_API_KEY)" in one_line_error(proc)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_local_server_not_running_fails_each_hole_with_one_clear_reason(
    holes_repo: tuple[Repo, str, str],
) -> None:
    """Retried as Codestral's are (the waits are logged, none slept), then each hole failed
    with the address and what to start; exit 1."""
    repo, base, head = holes_repo
    address = f"http://127.0.0.1:{free_port()}"
    proc = repo.bot(
        "run",
        "--base",
        base,
        "--head",
        head,
        "--format",
        "json",
        "--provider",
        "ollama",
        "-vv",
        OLLAMA_API_BASE=address,
    )
    assert proc.returncode == 1, proc.stderr
    holes = json.loads(proc.stdout)["holes"]
    assert [h["status"] for h in holes] == ["failed"] * 4
    for hole in holes:
        assert (
            f"nothing answers at {address}: is Ollama running (`ollama serve`)?" in hole["reason"]
        )
    assert proc.stderr.count("wait ") == 4 * 4


def test_dry_run_with_a_local_provider_needs_nothing(holes_repo: tuple[Repo, str, str]) -> None:
    repo, base, head = holes_repo
    proc = repo.bot(
        "run",
        "--base",
        base,
        "--head",
        head,
        "--format",
        "json",
        "--dry-run",
        "--provider",
        "llamacpp",
        LLAMACPP_API_BASE=f"http://127.0.0.1:{free_port()}",
    )
    assert proc.returncode == 0, proc.stderr
    assert {h["status"] for h in json.loads(proc.stdout)["holes"]} == {"planned"}


def test_bot_config_shows_the_provider_defaults(repo: Repo) -> None:
    """`bot config` shows the chosen provider's model and base, and where they come from."""
    proc = repo.bot("config", "--format", "json", "--provider", "ollama")
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)["settings"]
    assert found["provider"] == {"value": "ollama", "source": "flag", "where": "--provider"}
    assert found["model"]["value"] == "qwen2.5-coder:7b"
    assert found["api-base"]["value"] == "http://localhost:11434"


@pytest.mark.parametrize("served", ["template-qwen"], indirect=True)
def test_the_json_prompt_shows_the_raw_template_prompt_that_is_sent(
    holes_repo: tuple[Repo, str, str], served: Case
) -> None:
    """DESIGN.md section 3: `prompt.raw` is the template provider's raw prompt, in the model
    family's tokens: the dry run shows it, and a real run sends exactly that."""
    repo, base, head = holes_repo
    dry, _ = run(repo, base, head, served, "--dry-run")
    shown = [h["prompt"] for h in dry["holes"]]
    # Qwen2.5-Coder's layout, from its model card: prefix, then suffix, then the middle.
    assert [p["raw"] for p in shown] == [
        f"<|fim_prefix|>{p['prefix']}<|fim_suffix|>{p['suffix']}<|fim_middle|>" for p in shown
    ]
    served.fake.responder = make_oracle([SHAPES, UTIL], "perfect")
    run(repo, base, head, served)
    assert sorted(r.body["prompt"] for r in served.fake.requests) == sorted(p["raw"] for p in shown)


@pytest.mark.parametrize("served", ["ollama"], indirect=True)
def test_providers_with_a_suffix_show_no_raw_prompt(
    holes_repo: tuple[Repo, str, str], served: Case
) -> None:
    """Only the template provider sends a raw prompt; the others send prefix and suffix."""
    repo, base, head = holes_repo
    dry, _ = run(repo, base, head, served, "--dry-run")
    assert dry["holes"]
    assert all("raw" not in h["prompt"] for h in dry["holes"])
