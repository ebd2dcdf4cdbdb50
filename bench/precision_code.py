"""Precision of the stub rules on mature code in the languages read by tree-sitter.

    python bench/precision_code.py [--list] [--max-files N] [--js-root DIR] [--java-src ZIP]

Mature code holds almost no unfinished stubs (DESIGN.md section 2, "Precision yardstick"), so
every stub reported in it, all of its lines taken as new, is a false positive or one of the
few hooks that read exactly like stubs. Sources, found on this machine and skipped (saying
so) when absent:

- JavaScript: npm's own code and its dependencies, from `npm root -g` or from the
  lib/node_modules next to `node`'s binary (test folders and minified files left out);
- Java: the JDK's sources, the src.zip of `JAVA_HOME`, of the `java.home` that `java` reports,
  or of a JDK installed beside it (read from the zip, never unpacked).

Table: files, functions (function nodes with a body), stubs reported, stubs per 1,000
functions, and the scan's speed in files/s against the floor of a bare tree-sitter parse of
the same files (the `ast.parse` floor of DESIGN.md 3a, here with tree-sitter).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import tree_sitter

from bot.data import SourceFile
from bot.languages import grammar, stub_rows
from bot.languages.table import Language, language_for
from bot.scan import Scanner

EXCLUDED_DIRS = {"test", "tests", "__tests__", "__test__", "spec", "fixtures", "example"}


@dataclass
class Row:
    language: str
    source: str
    files: int = 0
    functions: int = 0
    stubs: list[str] = field(default_factory=list)
    scan_seconds: float = 0.0
    parse_seconds: float = 0.0


def javascript_files(root: Path | None) -> tuple[str, Iterator[tuple[str, str]]] | None:
    root = root or _npm_root()
    if root is None or not root.is_dir():
        return None

    def files() -> Iterator[tuple[str, str]]:
        for path in sorted(root.rglob("*")):
            parts = set(path.relative_to(root).parts[:-1])
            if (
                path.suffix in (".js", ".mjs", ".cjs")
                and not path.name.endswith(".min.js")
                and not parts & EXCLUDED_DIRS
                and path.is_file()
            ):
                yield str(path.relative_to(root)), path.read_text("utf-8", "replace")

    return str(root), files()


def java_files(src: Path | None) -> tuple[str, Iterator[tuple[str, str]]] | None:
    src = src or _jdk_sources()
    if src is None or not src.is_file():
        return None

    def files() -> Iterator[tuple[str, str]]:
        with zipfile.ZipFile(src) as archive:
            for name in sorted(archive.namelist()):
                if name.endswith(".java"):
                    yield name, archive.read(name).decode("utf-8", "replace")

    return str(src), files()


def _npm_root() -> Path | None:
    npm = shutil.which("npm")
    if npm is not None:
        done = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, check=False)
        if done.returncode == 0 and (Path(done.stdout.strip()) / "npm").is_dir():
            return Path(done.stdout.strip()) / "npm"
    node = shutil.which("node")
    if node is not None:
        prefix = Path(node).resolve().parent.parent
        for root in (prefix / "lib" / "node_modules" / "npm", prefix / "node_modules" / "npm"):
            if root.is_dir():
                return root
    return None


def _jdk_sources() -> Path | None:
    homes = [Path(os.environ["JAVA_HOME"])] if os.environ.get("JAVA_HOME") else []
    java = shutil.which("java")
    if java is not None:
        done = subprocess.run(
            [java, "-XshowSettings:properties", "-version"],
            capture_output=True,
            text=True,
            check=False,
        )
        found = re.search(r"^\s*java\.home = (.+)$", done.stderr, re.MULTILINE)
        if found:
            homes.append(Path(found[1].strip()))
    # A JDK installed beside the one found (the default java may come without sources).
    homes += [h for home in list(homes) for h in sorted(home.resolve().parent.iterdir())]
    for home in homes:
        for src in (home / "lib" / "src.zip", home / "src.zip"):
            if src.is_file():  # a dangling link to sources never installed is not
                return src
    return None


def measure(row: Row, language: Language, files: Iterator[tuple[str, str]], limit: int) -> None:
    scanner = Scanner()
    parser = grammar.parser(language)
    assert parser is not None
    assert parser.language is not None
    floor = tree_sitter.Parser(parser.language)
    functions = _function_query(language, parser.language)
    for path, text in files:
        if row.files >= limit:
            break
        if language_for(path) != language:
            continue
        row.files += 1
        added = frozenset(range(1, text.count("\n") + 2))
        started = time.perf_counter()
        holes = scanner.holes(SourceFile(path=path, text=text, added=added))
        row.scan_seconds += time.perf_counter() - started
        row.stubs += [
            f"{path}:{h.start_line} {h.marker} {h.scope}" for h in holes if h.kind == "stub"
        ]
        started = time.perf_counter()
        tree = floor.parse(text.removeprefix("\ufeff").encode("utf-8", "surrogatepass"))
        row.parse_seconds += time.perf_counter() - started
        row.functions += _count(tree, functions, language)


def _function_query(language: Language, ts_language: tree_sitter.Language) -> tree_sitter.Query:
    types = _stub_row(language)["functions"]
    pattern = "[" + " ".join(f"({t})" for t in types) + "] @function"
    query: tree_sitter.Query = tree_sitter.Query(ts_language, pattern)  # typed Any in its stubs
    return query


def _count(tree: tree_sitter.Tree, query: tree_sitter.Query, language: Language) -> int:
    """Function nodes with a body (declarations without one are not functions to fill)."""
    bodies = set(_stub_row(language).get("body", ()))
    found = tree_sitter.QueryCursor(query).captures(tree.root_node).get("function", [])
    return sum(
        1
        for node in found
        if node.child_by_field_name("body") is not None
        or node.type in bodies
        or any(c.type in bodies for c in node.named_children)
    )


def _stub_row(language: Language) -> dict[str, list[str]]:
    row: dict[str, list[str]] = stub_rows.ROWS[language.name]
    return row


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print every stub reported")
    parser.add_argument("--max-files", type=int, default=0, help="per language; 0: all")
    parser.add_argument("--js-root", type=Path, help="a folder of mature JavaScript")
    parser.add_argument("--java-src", type=Path, help="a JDK's src.zip")
    args = parser.parse_args(argv)
    limit = args.max_files or sys.maxsize
    languages = {"javascript": Path("a.js"), "java": Path("A.java")}
    sources = {
        "javascript": javascript_files(args.js_root),
        "java": java_files(args.java_src),
    }
    rows = []
    for name, found in sources.items():
        language = language_for(str(languages[name]))
        assert language is not None
        if found is None:
            print(f"{name}: no sources found on this machine, skipped", file=sys.stderr)
            continue
        if not grammar.installed(language):
            print(f"{name}: grammar not installed, skipped", file=sys.stderr)
            continue
        row = Row(language=name, source=found[0])
        measure(row, language, found[1], limit)
        rows.append(row)
    print(
        f"{'language':<11} {'files':>6} {'functions':>10} {'stubs':>6} {'per 1,000':>9}"
        f" {'scan files/s':>12} {'parse files/s':>13} {'scan/parse':>10}"
    )
    for row in rows:
        per_k = 1000 * len(row.stubs) / row.functions if row.functions else 0.0
        scan_rate = row.files / row.scan_seconds if row.scan_seconds else 0.0
        parse_rate = row.files / row.parse_seconds if row.parse_seconds else 0.0
        ratio = row.scan_seconds / row.parse_seconds if row.parse_seconds else 0.0
        print(
            f"{row.language:<11} {row.files:>6} {row.functions:>10} {len(row.stubs):>6}"
            f" {per_k:>9.2f} {scan_rate:>12.0f} {parse_rate:>13.0f} {ratio:>9.2f}x"
        )
    for row in rows:
        markers = Counter(stub.split(" ")[1] for stub in row.stubs)
        by_marker = ", ".join(f"{marker} {n}" for marker, n in markers.most_common())
        print(f"\n{row.language}: {row.source}\n  stubs by marker: {by_marker or 'none'}")
        if args.list:
            for stub in row.stubs:
                print(f"  {stub}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
