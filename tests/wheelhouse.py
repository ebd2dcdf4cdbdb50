"""An offline wheelhouse: fim-bot and everything it needs to install, as wheels in one folder.

Tests that install fim-bot into a fresh environment (the Action's install step, pre-commit's
hook environment) point pip at it with PIP_NO_INDEX=1 and PIP_FIND_LINKS, so they need no
network. The dependencies are the ones installed next to the tests, packed back into wheels
from their installed files (RECORD) and the tags their WHEEL file keeps; then `pip wheel`
builds fim-bot from its source with them, offline, which also proves the folder complete.
"""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

# Files of a .dist-info folder that belong to the installation, not to the wheel.
_INSTALL_ONLY = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}


def build(project: Path, out: Path, *, env: dict[str, str]) -> Path:
    """Fill `out` with wheels of `project` and of all it needs to install and to build."""
    out.mkdir(parents=True, exist_ok=True)
    for dist in _closure(["fim-bot", "setuptools"]):
        _repack(dist, out)
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "pip", "wheel", "--no-index", "--find-links", str(out)),
            *("--wheel-dir", str(out), "--disable-pip-version-check", "--quiet", str(project)),
        ],
        env={**env, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(out)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, f"pip wheel failed:\n{proc.stdout}\n{proc.stderr}"
    return out


def _closure(roots: list[str]) -> list[metadata.Distribution]:
    """The installed distributions `roots` need, with the extras they ask of each other."""
    found: dict[str, metadata.Distribution] = {}
    seen: set[tuple[str, frozenset[str]]] = set()
    todo: list[tuple[str, frozenset[str]]] = [(root, frozenset()) for root in roots]
    while todo:
        name, extras = todo.pop()
        key = canonicalize_name(name)
        if (key, extras) in seen:
            continue
        seen.add((key, extras))
        dist = metadata.distribution(name)
        if key != "fim-bot":  # fim-bot itself is built from its source
            found[key] = dist
        for text in dist.requires or []:
            requirement = Requirement(text)
            marker = requirement.marker
            if marker is None or any(marker.evaluate({"extra": e}) for e in {"", *extras}):
                todo.append((requirement.name, frozenset(requirement.extras)))
    return list(found.values())


def _repack(dist: metadata.Distribution, out: Path) -> Path:
    """An installed distribution back as the wheel it was installed from."""
    name = dist.metadata["Name"]
    wheel_info = dist.read_text("WHEEL")
    files = dist.files
    if wheel_info is None or files is None:
        raise RuntimeError(f"{name} was not installed from a wheel: cannot pack it again")
    tags = [
        line.split(":", 1)[1].strip() for line in wheel_info.splitlines() if line.startswith("Tag:")
    ]
    parts = [".".join(dict.fromkeys(tag.split("-")[i] for tag in tags)) for i in range(3)]
    stem = f"{re.sub(r'[^A-Za-z0-9.]+', '_', name)}-{dist.version}"
    target = out / f"{stem}-{'-'.join(parts)}.whl"
    record: list[str] = []
    info_dir = ""
    # Stored, not deflated: these wheels live for one test session only.
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as wheel:
        for file in files:
            path = file.as_posix()
            if path.startswith("../") or "__pycache__/" in path or path.endswith(".pyc"):
                continue  # scripts (made again from entry_points.txt) and bytecode
            folder = path.split("/", 1)[0]
            if folder.endswith(".dist-info"):
                info_dir = folder
                if file.name in _INSTALL_ONLY:
                    continue
            data = Path(str(dist.locate_file(file))).read_bytes()
            wheel.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record.append(f"{path},sha256={digest.decode()},{len(data)}")
        record.append(f"{info_dir}/RECORD,,")
        wheel.writestr(f"{info_dir}/RECORD", "\n".join(record) + "\n")
    return target


def copy_project(source: Path, target: Path) -> Path:
    """The project's files (tracked, and untracked but not ignored), without its .git."""
    proc = subprocess.run(
        ["git", "-C", str(source), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
    )
    for name in sorted(set(proc.stdout.decode().split("\0")) - {""}):
        path = source / name
        if path.is_file():  # deleted in the working tree: left out
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / name)
    return target
