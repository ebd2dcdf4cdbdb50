"""Settings a branch may not choose: where code and keys go, and (soon) what command runs.

A configuration file is part of the repository, so any branch can change it: checking out a
pull request (`gh pr checkout N && bot run`) would otherwise let it send your code, and your key
in the Authorization header, to its own server. Keys whose `Key.trust` is "default-branch" are
taken from a file inside the repository only when the default branch's file (at the merge-base
that the run compares with) sets the same value; a flag or a variable always may. A file outside
the repository (`--config`, FIM_BOT_CONFIG) is the user's own. On a pull request such keys come
only from the workflow (`bot.settings.resolve`, `pull_request`).
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from bot import config
from bot.errors import BotError
from bot.git import Git
from bot.keys import KEYS, show
from bot.settings import Settings
from bot.source import Selection


def check(resolved: Settings, git: Git | None) -> None:
    """Raise `BotError` when the configuration file sets a guarded key otherwise than the
    default branch's file does: one line naming the flag and the variable that allow it."""
    chosen = [
        name
        for name, key in KEYS.items()
        if key.trust == "default-branch" and resolved.sources[name].source == "file"
    ]
    path = resolved.config_path
    if not chosen or path is None:
        return
    if git is None:
        vouched, where = None, "a default branch (this is not a git repository)"
    else:
        relative = _inside(path, git.root)
        if relative is None:
            return  # outside the repository: the user's own file
        vouched, where = _on_default_branch(git, relative, resolved.selection)
    for name in chosen:
        sourced = resolved.sources[name]
        entry = vouched.entries.get(name) if vouched else None
        if entry is not None and entry.value == sourced.value:
            continue
        key = KEYS[name]
        allow = " or ".join(
            filter(
                None,
                (
                    key.flag and f"pass {key.flag} {shlex.quote(str(sourced.value))}",
                    key.env and f"set {key.env}",
                ),
            )
        )
        raise BotError(
            f"{sourced.where}: {name} {show(sourced.value)} is not set so on {where}, and a "
            f"branch may not choose where your code and key go: to use it, {allow}"
        )


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
    git: Git, relative: str, selection: Selection
) -> tuple[config.ConfigFile | None, str]:
    """The file at `relative` as the default branch has it (None: absent or broken there),
    and how messages name that branch."""
    revision, where = _revision(git, selection)
    object_id = git.blob_ids(revision).get(relative) if revision else None
    content = git.read_blobs([object_id]).get(object_id) if object_id else None
    if content is None:
        return None, where
    try:
        return config.parse(content, relative), where
    except BotError:  # broken there: it vouches for nothing
        return None, where


def _revision(git: Git, selection: Selection) -> tuple[str | None, str]:
    """The commit whose file is trusted: the merge-base of the scanned commit and the default
    branch, else the run's own base; and its name in messages."""
    new = git.resolve(selection.head) if selection.mode == "head" and selection.head else None
    new = new or git.commit("HEAD")
    if new is None:
        return None, "the default branch (there is no commit yet)"
    branch = git.default_branch()
    if branch is not None:
        base = git.merge_base(new, branch)
        return base, f"the default branch ({branch} at {base[:12]})" if base else branch
    if selection.base:
        base = git.resolve(selection.base)
    elif selection.mode == "head":
        base = git.commit(f"{new}^")
    else:
        base = new
    return base, f"the base of this run ({base[:12]})" if base else "the base of this run"
