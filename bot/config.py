"""The configuration file, `.fim-bot.yml`: found, read with its line numbers, checked key by key.

Any mistake stops the run, in every mode, with one line `path:line: message` (exit 2): the
author can fix it. Values are checked by the same table (`bot.keys`) as flags and variables.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import BotError
from bot.keys import KEYS, Invalid, show

# PyYAML is imported by the functions that read a file, not here: most repositories have no
# configuration file, and importing it costs 25 ms of every run's start.
if TYPE_CHECKING:
    import yaml

# Where the file is looked for, from the repository root, in this order.
NAMES = (".fim-bot.yml", ".github/fim-bot.yml")
MAX_BYTES = 1_000_000  # YAML this large takes seconds to read, and no configuration needs it
_SECTIONS = ("github",)
_STR = "tag:yaml.org,2002:str"
# Names that hold a secret; they never belong in a file that is committed.
_SECRET = re.compile(r"(^|[-_])(api[-_]?key|key|token|secret|password|passwd)s?$", re.IGNORECASE)
_SECRET_HINTS = {
    "token": "GITHUB_TOKEN (the Action's github-token input)",
    "": "FIM_BOT_API_KEY, CODESTRAL_API_KEY or MISTRAL_API_KEY (the Action's api-key input)",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    value: object  # checked by the key's kind
    line: int  # 1-based, where the key is written


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigFile:
    path: str  # as messages name it: as given, or relative to the working directory
    entries: dict[str, Entry]  # by key name; "github.X" for X in the `github:` section


def find(root: Path, explicit: str | None, *, cwd: Path) -> Path | None:
    """The file named by `--config` or FIM_BOT_CONFIG (which must exist), else the one of
    NAMES under `root`; two of them are an error, none is fine."""
    if explicit:
        path = cwd / explicit
        if not path.is_file():
            raise BotError(f"{explicit}: no such configuration file")
        return path
    found = [root / name for name in NAMES if (root / name).is_file()]
    if len(found) > 1:
        shown = " and ".join(_shown(p, cwd) for p in found)
        raise BotError(f"two configuration files, {shown}: keep one")
    return found[0] if found else None


def load(path: Path, *, cwd: Path) -> ConfigFile:
    """Read and check the file; a mistake raises `BotError("path:line: message")`, the path
    relative to `cwd`."""
    name = _shown(path, cwd)
    try:
        with path.open("rb") as file:
            content = file.read(MAX_BYTES + 1)  # no more than that is read, however large
    except OSError as error:
        raise BotError(f"{name}: cannot read it: {error.strerror}") from None
    return parse(content, name)


def parse(content: bytes, name: str) -> ConfigFile:
    """Check a configuration file's bytes; `name` is how messages call it."""
    if len(content) > MAX_BYTES:
        raise BotError(f"{name}: larger than 1 MB: a configuration file is a few lines of YAML")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise BotError(f"{name}:1: not UTF-8 text") from None
    import yaml

    try:
        loader = yaml.SafeLoader(text)  # checks every character first
    except yaml.reader.ReaderError as error:
        raise BotError(_not_allowed(error, text, name)) from None
    entries: dict[str, Entry] = {}
    try:
        node = loader.get_single_node()
        if node is not None:
            if not isinstance(node, yaml.MappingNode):
                raise _Mistake(
                    node,
                    f"the configuration must be a mapping of keys to values, "
                    f"got {show(loader.construct_object(node, deep=True))}",
                )
            _mapping(node, "", loader, entries)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        # "expected a single document in the stream" + "but found another document"
        problem = str(error.problem)
        if error.context and problem.startswith("but "):
            problem = f"{error.context}, {problem}"
        raise BotError(f"{name}:{line}: YAML syntax error: {problem}") from None
    except yaml.reader.ReaderError as error:
        raise BotError(_not_allowed(error, text, name)) from None
    except _Mistake as mistake:
        raise BotError(f"{name}:{mistake.line}: {mistake.message}") from None
    finally:
        loader.dispose()
    return ConfigFile(path=name, entries=entries)


def _not_allowed(error: yaml.reader.ReaderError, text: str, name: str) -> str:
    """A character YAML takes nowhere (most control characters)."""
    line = text.count("\n", 0, error.position) + 1
    found = chr(error.character) if isinstance(error.character, int) else str(error.character)
    return f"{name}:{line}: YAML does not allow the character {found!r}"


class _Mistake(Exception):
    def __init__(self, node: yaml.Node, message: str) -> None:
        super().__init__(message)
        self.line = node.start_mark.line + 1
        self.message = message


def _mapping(
    node: yaml.MappingNode, section: str, loader: yaml.SafeLoader, entries: dict[str, Entry]
) -> None:
    import yaml

    seen: dict[str, int] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
            got = show(loader.construct_object(key_node, deep=True))
            raise _Mistake(key_node, f"keys must be names, got {got}")
        name = key_node.value
        if name in seen:
            raise _Mistake(key_node, f"duplicate key {show(name)} (first on line {seen[name]})")
        seen[name] = key_node.start_mark.line + 1
        full = f"{section}.{name}" if section else name
        if not section and name in _SECTIONS:
            _section(name, value_node, loader, entries)
        elif full not in KEYS:
            raise _Mistake(key_node, _unknown(name, section))
        else:
            _value(full, value_node, loader, entries, line=seen[name])


def _section(
    name: str, node: yaml.Node, loader: yaml.SafeLoader, entries: dict[str, Entry]
) -> None:
    import yaml

    if isinstance(node, yaml.MappingNode):
        _mapping(node, name, loader, entries)
        return
    value = loader.construct_object(node, deep=True)
    if value is not None:  # `github:` with nothing under it is fine
        raise _Mistake(node, f"'{name}' must be a mapping of keys to values, got {show(value)}")


def _value(
    name: str, node: yaml.Node, loader: yaml.SafeLoader, entries: dict[str, Entry], *, line: int
) -> None:
    value = loader.construct_object(node, deep=True)
    if value is None:  # `key:` with no value, or null: the default
        return
    try:
        checked = KEYS[name].kind.read(value)
    except Invalid as error:
        import yaml

        at = node
        if error.entry is not None and isinstance(node, yaml.SequenceNode):
            at = node.value[error.entry]
        raise _Mistake(at, error.explain(name.rpartition(".")[2])) from None
    entries[name] = Entry(value=checked, line=line)


def _unknown(name: str, section: str) -> str:
    """What to say about a key that is not one: the one meant, where it goes, or that a
    secret has no place in a committed file. The name is quoted as values are (`show`): a line
    break in it is shown, not written."""
    import difflib  # only a file with a mistake needs it

    here = [k.rpartition(".")[2] for k in KEYS if k.rpartition(".")[0] == section]
    here += [] if section else list(_SECTIONS)
    close = difflib.get_close_matches(name, here, n=1)
    if _SECRET.search(name) and not difflib.get_close_matches(name, here, n=1, cutoff=0.85):
        hint = next(v for k, v in _SECRET_HINTS.items() if k in name.lower())
        return f"{show(name)} is a secret and this file is committed: set {hint} in the environment"
    where = f" in '{section}'" if section else ""
    if close:
        return f"unknown key {show(name)}{where} (did you mean '{close[0]}'?)"
    elsewhere = [k for k in KEYS if k.rpartition(".")[2] == name]
    if elsewhere:
        parent = elsewhere[0].rpartition(".")[0]
        return f"{show(name)} belongs " + (
            f"in the '{parent}:' section" if parent else f"at the top level, not under '{section}:'"
        )
    return f"unknown key {show(name)}{where} (`bot config` shows every key)"


def _shown(path: Path, cwd: Path) -> str:
    return Path(os.path.relpath(path, cwd)).as_posix()
