"""`bot run` end to end beyond Python: holes cut out of small programs in each language with a
grammar, the fake Codestral server answering with the true middle (the oracle), and `--apply`
writing the originals back byte for byte."""

from __future__ import annotations

import json
import textwrap
from typing import Any

import pytest

from tests.conftest import Repo
from tests.fakes.codestral import FakeCodestral
from tests.fakes.oracle import make_oracle

# (file name, the original, the holed version): each holed version replaces whole bodies by
# the language's stub idiom, or by a TODO comment above one, as an author would push them. A
# one-line body (`peek() { throw ... }`) comes back on lines of its own, as the original has it.
PROGRAMS = [
    (
        "stack.js",
        """\
        export class Stack {
          constructor() {
            this.items = [];
          }

          push(item) {
            this.items.push(item);
            return this;
          }

          peek() {
            return this.items[this.items.length - 1];
          }
        }
        """,
        """\
        export class Stack {
          constructor() {
            this.items = [];
          }

          push(item) {
            // TODO: add the item on top
            throw new Error("not implemented");
          }

          peek() { throw new Error("not implemented"); }
        }
        """,
    ),
    (
        "clamp.ts",
        """\
        export function clamp(value: number, low: number, high: number): number {
          if (value < low) {
            return low;
          }
          return Math.min(value, high);
        }
        """,
        """\
        export function clamp(value: number, low: number, high: number): number {
          throw new Error("Not implemented");
        }
        """,
    ),
    (
        "sum.go",
        """\
        package sum

        // Sum adds the values.
        func Sum(values []int) int {
        \ttotal := 0
        \tfor _, v := range values {
        \t\ttotal += v
        \t}
        \treturn total
        }
        """,
        """\
        package sum

        // Sum adds the values.
        func Sum(values []int) int {
        \t// TODO: add them up
        \treturn 0
        }
        """,
    ),
    (
        "lib.rs",
        """\
        /// The larger of two numbers.
        pub fn max(a: i64, b: i64) -> i64 {
            if a > b {
                a
            } else {
                b
            }
        }

        pub fn double(x: i64) -> i64 {
            x * 2
        }
        """,
        """\
        /// The larger of two numbers.
        pub fn max(a: i64, b: i64) -> i64 {
            todo!()
        }

        pub fn double(x: i64) -> i64 { unimplemented!() }
        """,
    ),
    (
        "Greeter.java",
        """\
        public class Greeter {
            private final String name;

            public Greeter(String name) {
                this.name = name;
            }

            /** Says hello. */
            public String greet() {
                StringBuilder text = new StringBuilder("Hello, ");
                text.append(name);
                return text.append('!').toString();
            }
        }
        """,
        """\
        public class Greeter {
            private final String name;

            public Greeter(String name) {
                this.name = name;
            }

            /** Says hello. */
            public String greet() {
                throw new UnsupportedOperationException();
            }
        }
        """,
    ),
    (
        "util.rb",
        """\
        module Util
          def self.words(text)
            text.split(/\\s+/).reject(&:empty?)
          end
        end
        """,
        """\
        module Util
          def self.words(text)
            raise NotImplementedError
          end
        end
        """,
    ),
]


def _holed_repo(repo: Repo, programs: list[tuple[str, str, str]]) -> dict[str, str]:
    repo.git("checkout", "-q", "-b", "feature")
    originals = {}
    for name, original, holed in programs:
        repo.write(name, textwrap.dedent(holed))
        originals[name] = textwrap.dedent(original)
    repo.commit("holes")
    return originals


def _run(repo: Repo, *args: str, **env: str) -> dict[str, Any]:
    proc = repo.bot("run", "--format", "json", *args, **env)
    assert proc.returncode in (0, 1), proc.stderr
    report: dict[str, Any] = json.loads(proc.stdout)
    return report


@pytest.mark.parametrize("program", PROGRAMS, ids=[p[0] for p in PROGRAMS])
def test_each_language_round_trips_exactly(
    program: tuple[str, str, str],
    repo: Repo,
    codestral: FakeCodestral,
    model_env: dict[str, str],
) -> None:
    """Every hole is found, suggested, and `--apply` gives back the original file exactly."""
    originals = _holed_repo(repo, [program])
    oracle = make_oracle(list(originals.values()), "perfect")
    codestral.responder = oracle
    report = _run(repo, "--apply", **model_env)
    assert report["holes"], "no hole found"
    assert [h["status"] for h in report["holes"]] == ["suggested"] * len(report["holes"]), report
    for name, original in originals.items():
        assert repo.read(name) == original
    assert oracle.stats.unmatched == 0


def test_a_todo_in_a_string_is_no_hole_and_a_lexer_language_gets_its_todos(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """Comments are told from strings by the language's syntax: a grammar (JavaScript) or the
    comment lexer (shell, which has no grammar installed)."""
    _holed_repo(
        repo,
        [
            ("a.js", "", 'const s = "// TODO: not a comment";\n'),
            ("b.sh", "", 'echo "# TODO: not a comment"\n# TODO: say goodbye\n'),
        ],
    )
    report = _run(repo, "--dry-run")
    holes = [(h["path"], h["start_line"], h["kind"], h["language"]) for h in report["holes"]]
    assert holes == [("b.sh", 2, "todo", "shell")]
    assert report["holes"][0]["prompt"]["prefix"].endswith("# say goodbye\n")
    assert codestral.requests == []
