"""What a branch may not choose: where code and keys go, and which files stay private.

A configuration file is part of the repository, so any branch can change it: checking out a
pull request (`gh pr checkout N && bot run`) would otherwise let it send your code, and your key
in the Authorization header, to its own server, or lift the excludes that keep files from the
model. So a configuration file inside the repository is compared with the same file on the
default branch (at the merge-base of the scanned commit and `origin/HEAD`, `main` or `master`):

- the keys whose `Key.trust` is "default-branch" (`api-base`, `provider`) must be as the default
  branch has them, set or not; otherwise a run that sends stops with one line naming the flag
  and the variable that allow the value. A flag or a variable always may set them; with no
  default branch, nothing vouches for the file's value;
- `exclude` hides whatever the default branch's file hides (and the built-in list), whatever
  the branch's own patterns say (`FileFilter.floor`).

A file outside the repository (`--config`, FIM_BOT_CONFIG) is the user's own. On a pull request
the same keys come only from the workflow (`bot.settings.resolve`, `pull_request`).
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass, replace
from pathlib import Path

from bot import config
from bot.errors import BotError
from bot.git import Git, short_ref
from bot.keys import KEYS, Key, show
from bot.settings import Settings
from bot.source import Selection


@dataclass(frozen=True, slots=True, kw_only=True)
class Vouched:
    """What the default branch's configuration file allows this run."""

    refused: dict[str, str]  # key name: the one line that says why its value may not be used
    floor: tuple[str, ...] | None  # excludes that hide files whatever the file's own say


def guard(resolved: Settings, git: Git | None, *, sending: bool, flags: bool = True) -> Settings:
    """`resolved` with the default branch's excludes as the floor of its own. A run that sends
    (`sending`) stops at the first refused key: `BotError` (`flags`: whether to name the flag,
    which the hooks do not have)."""
    vouched = vouch(resolved, git, flags=flags)
    if sending and vouched.refused:
        raise BotError(next(iter(vouched.refused.values())))
    files = replace(resolved.options.files, floor=vouched.floor)
    return replace(resolved, options=replace(resolved.options, files=files))


def vouch(resolved: Settings, git: Git | None, *, flags: bool = True) -> Vouched:
    """Compare the configuration file with the default branch's (see the module's text)."""
    path = resolved.config_path
    relative = _inside(path, git.root) if path is not None and git is not None else None
    if path is not None and git is not None and relative is None:
        return Vouched(refused={}, floor=None)  # outside the repository: the user's own file
    ours = resolved.config  # as the settings read it: not read a second time
    theirs, branch = _on_default_branch(git, relative, resolved.selection)
    refused: dict[str, str] = {}
    for name, key in KEYS.items():
        if key.trust == "default-branch" and resolved.sources[name].source in ("file", "default"):
            why = _refusal(key, ours, theirs, branch, flags=flags)
            if why:
                refused[name] = why
    exclude_from_file = resolved.sources["exclude"].source == "file"
    floor = _excludes(theirs) if exclude_from_file else None
    return Vouched(refused=refused, floor=floor)


def _refusal(
    key: Key,
    ours: config.ConfigFile,
    theirs: config.ConfigFile | None,
    branch: str,
    *,
    flags: bool,
) -> str | None:
    """Why the file here may not decide `key`, or None when it says what the default branch's
    says (both may leave it unset)."""
    mine = ours.entries.get(key.name)
    vouched = theirs.entries.get(key.name) if theirs else None
    if _value(mine) == _value(vouched):
        return None
    if mine is not None:
        what = f"{ours.path}:{mine.line}: {key.name} {show(mine.value)} is not set so on {branch}"
        value = mine.value
    elif vouched is not None and theirs is not None:  # a branch that drops the setting
        what = f"{key.name} is {show(vouched.value)} in {theirs.path} on {branch}, not here"
        value = vouched.value
    else:
        return None
    allow = [f"pass {key.flag} {shlex.quote(str(value))}"] if flags and key.flag else []
    allow += [f"set {key.env} to it"] if key.env else []
    return (
        f"{what}, and a branch may not choose where your code and key go: to use it, "
        + " or ".join(allow)
    )


def _value(entry: config.Entry | None) -> object:
    return None if entry is None else entry.value


def _excludes(file: config.ConfigFile | None) -> tuple[str, ...]:
    entry = file.entries.get("exclude") if file else None
    return tuple(entry.value) if entry is not None and isinstance(entry.value, tuple) else ()


def _inside(path: Path, root: Path) -> str | None:
    """`path` relative to the repository `root`, or None when it lies outside. A file inside
    that links outside counts as inside: a branch can commit such a link."""
    for candidate, top in ((Path(os.path.abspath(path)), root), (path.resolve(), root.resolve())):
        try:
            return candidate.relative_to(top).as_posix()
        except ValueError:
            continue
    return None


def _on_default_branch(
    git: Git | None, relative: str | None, selection: Selection
) -> tuple[config.ConfigFile | None, str]:
    """The configuration file as the default branch has it (at `relative`, or where the bot
    looks for one when there is none here; None: absent or broken there), and how messages
    name that branch."""
    if git is None:
        return None, "a default branch (this is not a git repository)"
    revision, branch = _revision(git, selection)
    if revision is None:
        return None, branch
    names = (relative,) if relative is not None else config.NAMES
    ids = git.file_ids(revision, names)
    for name in names:
        object_id = ids.get(name)
        content = git.read_blobs([object_id]).get(object_id) if object_id else None
        if content is not None:
            try:
                return config.parse(content, name), branch
            except BotError:  # broken there: it vouches for nothing
                return None, branch
    return None, branch


def _revision(git: Git, selection: Selection) -> tuple[str | None, str]:
    """The merge-base of the scanned commit and the default branch, and its name in messages;
    None when there is no default branch (nothing else can vouch: the run's own base may be
    the branch's own commit)."""
    new = git.resolve(selection.head) if selection.mode == "head" and selection.head else None
    new = new or git.commit("HEAD")
    ref = git.default_branch()
    if ref is None:
        return None, "a default branch (there is no origin/HEAD, main or master)"
    if new is None:
        return None, f"the default branch ({short_ref(ref)})"
    base = git.merge_base(new, ref)
    at = f" at {base[:12]}" if base else ", which has no common ancestor with this commit"
    return base, f"the default branch ({short_ref(ref)}{at})"
